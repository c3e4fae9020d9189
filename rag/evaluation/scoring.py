"""One answer scored against its gold item, and the scores gathered by kind of question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.evaluation import metrics
from rag.evaluation.gold import KINDS, GoldItem
from rag.schema import Answer, Passage


@dataclass(frozen=True)
class Metric:
    """One column of every table: its name (the JSON key and the key in eval/thresholds.toml), its short
    header, and how a group of questions is summarised."""

    name: str
    header: str
    # "mean" or "median" of a per-question score (``per_question``, the metric's own name if unset), or
    # "group": measured on the group as a whole.
    summary: str = "mean"
    per_question: str = ""
    count: bool = False  # a count (printed whole, not charted), not a 0..1 share
    charted: bool = True
    judged: bool = False  # scored by the judge LLM, so measured only when one runs

    @property
    def score(self) -> str:
        """The per-question score it summarises."""
        return self.per_question or self.name


# Column order of every table. "baseline_…" are the plain baseline every answer is measured against, in the
# same run: the first ANSWER_WINDOW characters of the top retrieved passage, never an abstention.
COLUMNS = (
    Metric("hit_at_k", "hit@k"),
    Metric("recall_at_k", "rec@k", charted=False),
    Metric("mrr", "MRR"),
    Metric("citation_precision", "cit.P"),
    Metric("citation_recall", "cit.R"),
    Metric("key_fact_accuracy", "fact"),
    Metric("baseline_key_fact_accuracy", "base.fact", charted=False),
    Metric("contains_gold_700", "gold700"),
    Metric("baseline_contains_gold_700", "base.700"),
    Metric("gold_in_first_200", "gold200"),
    Metric("baseline_gold_in_first_200", "base.200"),
    Metric("abstention_precision", "abst.P", summary="group", charted=False),
    Metric("abstention_recall", "abst.R", summary="group"),
    Metric("false_abstention_rate", "false.abst"),
    Metric("conflict_coverage", "confl"),
    Metric("answer_words", "words", count=True),
    Metric("answer_chars_median", "chars", summary="median", per_question="answer_chars", count=True),
    Metric(
        "baseline_answer_chars_median",
        "base.chars",
        summary="median",
        per_question="baseline_answer_chars",
        count=True,
    ),
    Metric("short_answer_f1", "short.F1"),
    Metric("short_answer_coverage", "short.cov", charted=False),
    Metric("latency_p50_ms", "p50 ms", summary="group", count=True),
    Metric("latency_p95_ms", "p95 ms", summary="group", count=True),
    Metric("faithfulness", "faith", judged=True),
    Metric("relevancy", "relev", judged=True),
)
METRICS = tuple(m.name for m in COLUMNS)
JUDGED = tuple(m.name for m in COLUMNS if m.judged)
_PER_QUESTION = tuple(m for m in COLUMNS if m.summary != "group")


@dataclass(frozen=True)
class ItemResult:
    """A gold item, the answer it got, how long that took, and the item's own scores (``None``: not applicable)."""

    item: GoldItem
    answer: Answer
    latency_ms: float
    scores: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.item.id,
            "kind": self.item.kind,
            "question": self.item.question,
            "expected_abstain": self.item.abstain,
            "abstained": self.answer.abstained,
            "answer": self.answer.text,
            "short": self.answer.short.to_dict() if self.answer.short else None,
            "citations": [{"n": c.n, "article_id": c.article_id, "quote": c.quote} for c in self.answer.citations],
            "latency_ms": round(self.latency_ms, 2),
            "scores": self.scores,
        }


def score_item(item: GoldItem, answer: Answer, k: int, baseline: str) -> dict[str, float | None]:
    """The per-question metrics; retrieval, citation and key-fact ones only where the articles answer.
    ``baseline`` is the plain baseline's answer to the same question (``baseline_text``)."""
    passages = [(p.article_id, p.text) for p in answer.passages]
    citations = [(c.article_id, c.quote) for c in answer.citations]
    scores: dict[str, float | None] = dict.fromkeys(m.score for m in _PER_QUESTION)
    scores["baseline_answer_chars"] = float(metrics.answer_chars(baseline))
    if not answer.abstained:
        scores["answer_words"] = float(metrics.answer_words(answer.text))
        scores["answer_chars"] = float(metrics.answer_chars(answer.text))
    if item.abstain:
        return scores
    short = answer.short if not answer.abstained else None
    scores |= {
        "hit_at_k": metrics.hit_at_k(passages, item.articles, item.evidence, k),
        "recall_at_k": metrics.recall_at_k(passages, item.articles, k),
        "mrr": metrics.reciprocal_rank(passages, item.articles, item.evidence),
        "citation_precision": metrics.citation_precision(citations, item.articles, item.evidence),
        "citation_recall": metrics.citation_recall(citations, item.articles, item.evidence),
        "key_fact_accuracy": float(metrics.key_fact_hit(answer.text, item.answers)),
        "contains_gold_700": float(not answer.abstained and metrics.contains_gold(answer.text, item.answers)),
        "false_abstention_rate": float(answer.abstained),
        "baseline_key_fact_accuracy": float(metrics.key_fact_hit(baseline, item.answers)),
        "baseline_contains_gold_700": float(metrics.contains_gold(baseline, item.answers)),
        "gold_in_first_200": float(not answer.abstained and metrics.gold_in_first(answer.text, item.answers)),
        "baseline_gold_in_first_200": float(metrics.gold_in_first(baseline, item.answers)),
        # Only answers that give a short one are scored on it; how many do is the coverage.
        "short_answer_f1": metrics.token_f1(short.text, item.answers) if short else None,
        "short_answer_coverage": float(short is not None),
    }
    if item.kind == "conflict":
        scores["conflict_coverage"] = metrics.conflict_coverage(citations, item.evidence)
    return scores


def baseline_text(retrieved: Sequence[Passage]) -> str:
    """The plain baseline's answer: the first of ``retrieved`` (in the retrieval's own order, before the
    answerer reranks it) cut to the answer window."""
    return retrieved[0].text[: metrics.ANSWER_WINDOW] if retrieved else ""


def summarise(results: Sequence[ItemResult]) -> dict[str, dict[str, float | None]]:
    """Every metric for all questions (``overall``) and for each kind present; ``n`` counts the questions."""
    groups = {"overall": list(results)}
    for kind in KINDS:
        members = [r for r in results if r.item.kind == kind]
        if members:
            groups[kind] = members
    return {name: _summary(members) for name, members in groups.items()}


def _summary(results: Sequence[ItemResult]) -> dict[str, float | None]:
    """Means (or medians) of the per-question scores (``None`` ones left out), plus the metrics of the group as
    a whole."""
    means: dict[str, float | None] = {}
    for metric in _PER_QUESTION:
        present = [v for r in results if (v := r.scores.get(metric.score)) is not None]
        if metric.summary == "median":
            means[metric.name] = metrics.median(present)
        else:
            means[metric.name] = sum(present) / len(present) if present else None
    pairs = [(r.item.abstain, r.answer.abstained) for r in results]
    latencies = [r.latency_ms for r in results]
    whole = {
        "abstention_precision": metrics.abstention_precision(pairs),
        "abstention_recall": metrics.abstention_recall(pairs),
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
    }
    return {"n": float(len(results)), **{name: (means | whole)[name] for name in METRICS}}
