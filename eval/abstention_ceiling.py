"""How far abstention can go on the answerer's own signals, measured on many more unanswerable questions
than the gold sets hold: each answerable question is asked again with its own articles hidden.

NewsQA's unanswerable questions are questions whose story was left out of the corpus (35 in its dev set,
too few to read a curve at a few per cent of false abstentions). The same is done here to every answerable
question whose accepted answers no other article of the corpus holds: it is read once as indexed and once
without the passages of its own articles (the "hidden" variant, which the articles no longer answer).
For each variant the shipped abstainer (``rag/answer/scorer_weights.json``) gives P(not answered); a
question naming something no chunk mentions is refused whatever it says, as by the answerer. Printed per
set: the area under the ROC curve against the answerable questions, for the real unanswerable questions and
for the hidden variants, and the abstention each threshold buys against its false abstentions.

The hidden variant is approximate: its passages keep the fused scores and ranks they had beside the hidden
ones (so rank-based features favour it), and its own articles' words still count in the keyword statistics
(so an unknown name of the story stays known: fewer refusals than a real removal).

``--judge N`` also asks the local LLM (``RAG_LLM=local``, ``RAG_LLM_MODEL_PATH``) of N answered answerable
questions and every answered unanswerable one whether the answer's text answers the question, and prints
the area under the ROC curve of its P(yes) - P(no). ``--refit`` fits the abstainer again on the tuning
split with the hidden variants counted as unanswerable, chooses its threshold by the tuning script's rule
(``rag.evaluation.tune``) and prints what it refuses.

    PYTHONPATH=. python eval/abstention_ceiling.py --dev GOLD CORPUS HOME [--dev ...] [--judge N] [--refit]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from rag.answer.engine import Engine
from rag.answer.scorer import Model, load_model, question_features
from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.evaluation.tune import Asked, ask, compose, fit_abstainer, operating_point
from rag.llm.local import server_for

THRESHOLDS = (0.95, 0.9, 0.85, 0.8, 0.78, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4)


@dataclass(frozen=True)
class Row:
    kind: str  # answerable, unanswerable, or hidden (an answerable one without its own articles)
    unanswered: float  # the shipped abstainer's P(not answered)
    refused_by_name: bool  # it names something no chunk mentions
    text: str  # the answer the answerer would quote
    question: str
    part: str  # tune or check (rag.evaluation.gold.split)
    features: np.ndarray  # its QUESTION_FEATURES


def rows_of(gold: Path, corpus: Path, home: Path) -> list[Row]:
    engine, model = Engine(Settings.from_env(home=home, corpus=corpus)), load_model()
    articles = {
        p.name: p.read_text(encoding="utf-8", errors="replace").lower() for p in corpus.rglob("*") if p.is_file()
    }
    rows = []
    for item in load_gold(gold):
        reading = engine.read(item.question)
        variants = [(item, reading.retrieval.passages, "unanswerable" if item.abstain else "answerable")]
        elsewhere = (text for name, text in articles.items() if name not in item.articles)
        if not item.abstain and not any(a.lower() in text for text in elsewhere for a in item.answers):
            kept = tuple(p for p in reading.retrieval.passages if p.article_id not in item.articles)
            variants.append((replace(item, abstain=True), kept, "hidden"))
        for variant, passages, kind in variants:
            asked = ask(variant, str(corpus), reading, passages)
            rows.append(_row(asked, kind, model))
    return rows


def _row(asked: Asked, kind: str, model: Model) -> Row:
    chances = model.probability(asked.features) if len(asked.labels) else np.zeros(0)
    features = question_features(asked.features, chances, asked.constrained)
    text = compose(asked, chances, model.follower_margin, model.max_sentences) if len(chances) else ""
    part = split(asked.item)
    return Row(kind, model.unanswered(features), asked.unknown_name, text, asked.item.question, part, features)


def refit(sets: dict[str, list[Row]]) -> list[str]:
    """The abstainer fitted again on the tuning split with the hidden variants as unanswerable too, its
    threshold chosen by the tuning script's rule; abstention and false abstentions on every item."""
    tuning = [r for rows in sets.values() for r in rows if r.part == "tune"]
    model = fit_abstainer(np.stack([r.features for r in tuning]), [r.kind != "answerable" for r in tuning])

    def refused(rows: list[Row], threshold: float) -> np.ndarray:
        p = model.predict_proba(np.stack([r.features for r in rows]))[:, 1]
        return np.asarray([r.refused_by_name for r in rows]) | (p > threshold)

    owed = [[r for r in rows if r.kind == "answerable" and r.part == "tune"] for rows in sets.values()]
    threshold = operating_point(lambda t: max(float(refused(rows, t).mean()) for rows in owed))
    lines = [f"refitted with the hidden variants, threshold {threshold:.2f}:"]
    for name, rows in sets.items():
        shares = []
        for kind in ("answerable", "unanswerable", "hidden"):
            chosen = [r for r in rows if r.kind == kind]
            shares.append(float(refused(chosen, threshold).mean()) if chosen else float("nan"))
        lines.append(
            f"{name}\tfalse {shares[0]:.3f}\tabstention (unanswerable) {shares[1]:.2f}\t(hidden) {shares[2]:.2f}"
        )
    return lines


def curve(rows: list[Row]) -> list[str]:
    kinds = np.asarray([r.kind for r in rows])
    p = np.asarray([r.unanswered for r in rows])
    by_name = np.asarray([r.refused_by_name for r in rows])
    lines = []
    for negative in ("unanswerable", "hidden"):
        pair = (kinds == "answerable") | (kinds == negative)
        if (kinds == negative).sum() > 1:
            auc = roc_auc_score(kinds[pair] == negative, p[pair])
            lines.append(f"AUC, answerable vs {negative} ({(kinds == negative).sum()}): {auc:.3f}")
    lines.append("threshold\tfalse_abstentions\tabstention (unanswerable)\tabstention (hidden)")
    for threshold in THRESHOLDS:
        refused = by_name | (p > threshold)
        shares = [
            refused[kinds == k].mean() if (kinds == k).any() else float("nan")
            for k in ("answerable", "unanswerable", "hidden")
        ]
        lines.append(f"{threshold:.2f}\t{shares[0]:.3f}\t{shares[1]:.2f}\t{shares[2]:.2f}")
    return lines


def judged(rows: list[Row], answerable: int) -> str:
    """The local LLM's AUC at telling answered answerable questions from answered unanswerable ones."""
    server = server_for(Settings.from_env())
    answered = [r for r in rows if r.text and r.kind != "hidden"]
    owed = [r for r in answered if r.kind == "answerable"]
    sample = random.Random(0).sample(owed, min(answerable, len(owed))) + [
        r for r in answered if r.kind == "unanswerable"
    ]
    scores = [_yes_minus_no(server.url, server.model, r.question, r.text) for r in sample]
    auc = roc_auc_score([r.kind == "answerable" for r in sample], scores)
    return f"LLM judge ({server.model}), P(yes) - P(no), answered answerable vs unanswerable ({len(sample)}): {auc:.3f}"


def _yes_minus_no(url: str, model: str, question: str, answer: str) -> float:
    text = re.sub(r"\s*\[\d+\]", "", answer)
    messages = [
        {"role": "system", "content": "You check whether a text answers a question. Reply with one word: yes or no."},
        {
            "role": "user",
            "content": f"Text: {text}\n\nQuestion: {question}\n\nDoes the text answer the question? Reply yes or no.",
        },
    ]
    body = {
        "model": model,
        "messages": messages,
        "max_tokens": 1,
        "logprobs": True,
        "top_logprobs": 10,
        "temperature": 0,
    }
    request = urllib.request.Request(
        f"{url}/v1/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        top = json.load(response)["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    chance = {t["token"].strip().lower(): math.exp(t["logprob"]) for t in top}
    return chance.get("yes", 0.0) - chance.get("no", 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--judge", type=int, default=0, metavar="N", help="ask the local LLM of N answerable questions")
    parser.add_argument("--refit", action="store_true", help="fit the abstainer again with the hidden variants")
    args = parser.parse_args()
    sets = {}
    for gold, corpus, home in args.dev:
        rows = sets[gold] = rows_of(Path(gold), Path(corpus), Path(home))
        print(f"\n{gold}")
        print("\n".join(curve(rows)))
        if args.judge:
            print(judged(rows, args.judge))
    if args.refit:
        print("\n" + "\n".join(refit(sets)))


if __name__ == "__main__":
    main()
