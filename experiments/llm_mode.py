"""LLM mode against extractive mode on one gold set, side by side, and the two questions of issue 14's item 4.

    python experiments/llm_mode.py --gold eval/gold.jsonl --corpus seeds --model PATH.gguf \
        --out artifacts/llm-mode-seeds
    python experiments/llm_mode.py --gold /work/shared/devsets/newsqa-cnn/dev.jsonl --home NEWSQA_HOME --sample 40 ...
    python experiments/llm_mode.py --summarise artifacts/llm-mode-seeds/records.jsonl eval/gold.jsonl

For every question: the extractive answer, the LLM answer (RAG_LLM=local on the given GGUF), and, where the
extractive answerer abstained, the LLM answer without that abstention gate (the model asked anyway). Scored
with rag eval's own per-question metrics (rag/evaluation/scoring.py), plus the hidden sets' rule (the first
700 characters contain a gold answer) and the plain baseline (the top passage's first 700 characters).
Every sentence the model wrote without a citation is recorded with its best support score against each
offered passage, so the bar for attaching a passage to it (rag/llm/verify.py CLEARLY_SUPPORTED) can be
re-derived as a curve. Writes ``records.jsonl`` and ``summary.md`` to ``--out`` and prints the summary;
``--summarise RECORDS GOLD`` prints it again from a run's records. The seeds' run of the README's table is
committed as ``experiments/results/llm-mode-seeds.jsonl``:

    python experiments/llm_mode.py --summarise experiments/results/llm-mode-seeds.jsonl eval/gold.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Generator, Sequence
from dataclasses import replace
from pathlib import Path

import rag.llm.generate as generate
from rag import Answer, Settings, ingest, markers
from rag.answer.answerer import Evidence, answerer_for
from rag.answer.engine import Engine
from rag.answer.question import analyse
from rag.evaluation import metrics
from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.scoring import baseline_text, score_item
from rag.llm.verify import CLEARLY_SUPPORTED, Verifier, cited_numbers

CUT = 700  # the hidden sets read the first 700 characters of an answer
UNCITED: list[dict[str, object]] = []  # filled by RecordingVerifier while a question is answered


class RecordingVerifier(Verifier):
    """The verifier as shipped, also noting each uncited sentence's best support over the offered passages."""

    def _check(self, sentence: str) -> str:
        claim = markers.without(sentence)
        if claim and not cited_numbers(sentence, len(self.passages)) and self.passages:
            vector = self._embed([claim])[0]
            names = set(analyse(claim).names)
            scores = [self._support(claim, vector, names, p).score for p in self.passages]
            best = max(range(len(scores)), key=scores.__getitem__)
            article_id = self.passages[best].article_id
            UNCITED.append({"claim": claim, "score": round(scores[best], 4), "article_id": article_id})
        return super()._check(sentence)


class WithoutGate:
    """The configured LLM answerer, asked even when the extractive answerer abstained."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[attr-defined]

    def rewrite(self, question: str, previous: str) -> tuple[str | None, str | None]:
        return self.inner.rewrite(question, previous)  # type: ignore[attr-defined]

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        opened = replace(evidence, extractive=replace(evidence.extractive, abstained=False))
        return (yield from self.inner.answer(opened))  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--summarise"]:  # --summarise RECORDS.jsonl GOLD.jsonl: the tables of a past run
        if len(argv) != 3:
            print("usage: llm_mode.py --summarise RECORDS.jsonl GOLD.jsonl", file=sys.stderr)
            return 2
        print(summarise(Path(argv[1]), Path(argv[2])), end="")
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, help="index this folder into a temporary home")
    parser.add_argument("--home", type=Path, help="an existing index (opened, never written)")
    parser.add_argument("--model", type=Path, required=True, help="the GGUF file for RAG_LLM=local")
    parser.add_argument("--sample", type=int, default=0, help="this many questions, drawn with --seed")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--context-tokens", type=int, default=1000, help="RAG_LLM_CONTEXT_TOKENS for the run")
    parser.add_argument("--max-tokens", type=int, default=128, help="RAG_LLM_MAX_TOKENS for the run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if not args.home and not args.corpus:
        parser.error("name the articles: --corpus FOLDER (indexed for the run) or --home INDEX")

    items = load_gold(args.gold)
    if args.sample:
        items = random.Random(args.seed).sample(list(items), min(args.sample, len(items)))
    shipped = generate.Verifier
    generate.Verifier = RecordingVerifier  # type: ignore[misc]
    try:
        with tempfile.TemporaryDirectory(prefix="llm-mode-") as scratch:
            if args.home:
                base = Settings(home=args.home, corpus=args.corpus or args.home)
            else:
                base = Settings(home=Path(scratch), corpus=args.corpus)
                ingest(base)
            _run(items, base, args)
    finally:
        generate.Verifier = shipped  # type: ignore[misc]
    summary = summarise(args.out / "records.jsonl", args.gold)
    (args.out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary, end="")
    return 0


def _run(items: Sequence[GoldItem], base: Settings, args: argparse.Namespace) -> None:
    """Ask every item three ways and write one record a question to ``args.out / "records.jsonl"``."""
    extractive = Engine(base)
    llm_settings = base.with_(
        llm="local",
        llm_model_path=str(args.model),
        llm_threads=args.threads,
        llm_context_tokens=args.context_tokens,
        llm_max_tokens=args.max_tokens,
    )
    gated = Engine(llm_settings)
    ungated = Engine(llm_settings)
    ungated._answerer = WithoutGate(answerer_for(llm_settings))  # measurement only: the shipped engine gates
    gated.ask(items[0].question)  # model load and warm-up are no question's latency
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "records.jsonl", "w", encoding="utf-8") as records:
        for done, item in enumerate(items, start=1):
            record: dict[str, object] = {
                "id": item.id,
                "abstain": item.abstain,
                "answers": list(item.answers),
                "articles": list(item.articles),
            }
            ext = extractive.ask(item.question)
            baseline = baseline_text(extractive.retrieve(item.question).passages)
            record["extractive"] = _row(item, ext, 0.0, base.top_k, baseline)
            record["baseline_contains"] = metrics.key_fact_hit(baseline[:CUT], item.answers)
            for name, engine in (("llm", gated), ("llm_ungated", ungated)):
                if name == "llm_ungated" and not ext.abstained:
                    record[name] = record["llm"]  # the gate only acts where the extractive answer abstained
                    continue
                UNCITED.clear()
                start = time.perf_counter()
                answer = engine.ask(item.question)
                record[name] = _row(item, answer, time.perf_counter() - start, base.top_k, baseline) | {
                    "uncited": list(UNCITED)
                }
            records.write(json.dumps(record, ensure_ascii=False) + "\n")
            records.flush()
            print(f"{done}/{len(items)} {item.id}", file=sys.stderr, flush=True)


def _row(item: object, answer: Answer, seconds: float, k: int, baseline: str) -> dict[str, object]:
    return {
        "text": answer.text,
        "abstained": answer.abstained,
        "answered_by": answer.answered_by,
        "notice": answer.notice,
        "unsupported": len(answer.unsupported),
        "citations": [c.article_id for c in answer.citations],
        "seconds": round(seconds, 2),
        "contains": metrics.key_fact_hit(answer.text[:CUT], item.answers),  # type: ignore[attr-defined]
        "scores": score_item(item, answer, k, baseline),  # type: ignore[arg-type]
    }


def summarise(records_path: Path, gold_path: Path) -> str:
    """The side-by-side table and the uncited-sentence curve, as Markdown, from a ``records.jsonl``."""
    records = [json.loads(line) for line in records_path.read_text(encoding="utf-8").splitlines()]
    gold_articles = {item.id: set(item.articles) for item in load_gold(gold_path)}
    answerable = [r for r in records if not r["abstain"]]
    unanswerable = [r for r in records if r["abstain"]]
    lines = [
        f"{len(records)} questions ({len(answerable)} answerable, {len(unanswerable)} unanswerable)",
        "",
        "| answerer | contains answer (first 700 chars) | false abstentions | abstained when unanswerable "
        "| citation precision | citation recall | s/answer (median, LLM asked) | unsupported sentences "
        "| model failed: extractive fallback |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    baseline = sum(r["baseline_contains"] for r in answerable)
    lines.append(
        f"| top passage's first 700 chars (baseline) | {baseline}/{len(answerable)} | – | – | – | – | – | – | – |"
    )
    for name, label in (
        ("extractive", "extractive"),
        ("llm", "LLM, abstention gate on"),
        ("llm_ungated", "LLM, gate off"),
    ):
        rows = [r[name] for r in records]
        asked = sorted(r[name]["seconds"] for r in records if r[name]["answered_by"] != "extractive")
        lines.append(
            "| "
            + " | ".join(
                [
                    label,
                    f"{sum(r[name]['contains'] for r in answerable)}/{len(answerable)}",
                    f"{sum(r[name]['abstained'] for r in answerable)}/{len(answerable)}",
                    f"{sum(r[name]['abstained'] for r in unanswerable)}/{len(unanswerable)}",
                    _mean(r[name]["scores"].get("citation_precision") for r in answerable),
                    _mean(r[name]["scores"].get("citation_recall") for r in answerable),
                    f"{asked[len(asked) // 2]:.1f}" if asked and name != "extractive" else "–",
                    str(sum(row["unsupported"] for row in rows)),
                    str(sum("showing the extractive answer instead" in (row["notice"] or "") for row in rows)),
                ]
            )
            + " |"
        )
    uncited = [(u, r) for r in records for u in r["llm_ungated"].get("uncited", [])]
    title = f"Uncited model sentences: passages attached at each bar (CLEARLY_SUPPORTED {CLEARLY_SUPPORTED}):"
    lines += ["", title, ""]
    lines += ["| bar | attached | to a gold article | containing a gold answer |", "|---|---|---|---|"]
    for bar in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        hits = [(u, r) for u, r in uncited if u["score"] >= bar]
        right = sum(u["article_id"] in gold_articles[r["id"]] for u, r in hits)
        answer = sum(metrics.key_fact_hit(u["claim"], r["answers"]) for u, r in hits)
        lines.append(f"| {bar} | {len(hits)}/{len(uncited)} | {right} | {answer} |")
    return "\n".join(lines) + "\n"


def _mean(values: object) -> str:
    present = [v for v in values if v is not None]  # type: ignore[attr-defined]
    return f"{sum(present) / len(present):.2f}" if present else "–"


if __name__ == "__main__":
    raise SystemExit(main())
