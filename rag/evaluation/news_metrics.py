"""Scores for the news-aware behaviours, one small pure function each (eval/gold_news.jsonl):

- conflict coverage: of the articles whose figures disagree, the share the answer's conflicts list;
- attribution accuracy: whether a cited speaker is the person the gold item names;
- date correctness: whether the answer states the gold date (a resolved "Monday" counts).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rag.schema import Answer, format_date


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return " ".join(text.lower().split())


def conflict_coverage(expected_articles: Sequence[str], conflict_articles: Iterable[str]) -> float:
    """Share of ``expected_articles`` that appear among the answer's conflict rows.

    >>> conflict_coverage(["a", "b"], ["b", "c"])
    0.5
    """
    if not expected_articles:
        return 1.0
    found = set(conflict_articles)
    return sum(a in found for a in expected_articles) / len(expected_articles)


def attribution_accuracy(expected_names: Sequence[str], speakers: Iterable[str | None]) -> bool:
    """Whether any cited speaker names one of ``expected_names`` ("Schmidt" in "Secretary of State Al Schmidt").

    >>> attribution_accuracy(["Ana Silva"], [None, "Ana Silva"])
    True
    """
    named = [_normal(s) for s in speakers if s]
    return any(_normal(name) in s for name in expected_names for s in named)


def date_correctness(expected_dates: Sequence[str], answer_text: str) -> bool:
    """Whether the answer states one of ``expected_dates``: ISO dates as the answerer writes them
    ("22 Dec 2025"), or, for an article that gives no year, the words it uses ("Monday", "December 24").

    >>> date_correctness(["2025-12-22"], "met on Monday (Monday: 22 Dec 2025, inferred) [1]")
    True
    >>> date_correctness(["Monday"], "The council voted on Monday. [1]")
    True
    """
    text = _normal(answer_text)
    return any(_normal(format_date(d)) in text for d in expected_dates)


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# The names under which `rag eval` reports these scores (group "news" of eval/thresholds.toml). The first is
# not `conflict_coverage`: that name is the general metric over eval/gold.jsonl (sources cited).
NEWS_METRICS = {"conflict": "conflicts_listed", "attribution": "attribution_accuracy", "date": "date_correctness"}
DEFAULT_NEWS_GOLD = Path("eval/gold_news.jsonl")  # relative to the working folder, like the gold set


def load_items(path: Path = DEFAULT_NEWS_GOLD) -> list[dict[str, Any]]:
    """The news gold items (JSON Lines); an absent file means none."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summarise(items: Iterable[dict[str, Any]], ask: Callable[[str], Answer]) -> dict[str, float]:
    """The mean score of each news metric, keyed by its name in NEWS_METRICS (kinds with no item are left out)."""
    return {NEWS_METRICS[kind]: mean(values) for kind, values in score_items(items, ask).items() if values}


def score_items(items: Iterable[dict[str, Any]], ask: Callable[[str], Answer]) -> dict[str, list[float]]:
    """Each gold item's score by kind: ``ask`` answers a question (``rag.query`` with chosen settings)."""
    found: dict[str, list[float]] = {"conflict": [], "attribution": [], "date": []}
    for item in items:
        answer = ask(item["question"])
        if item["kind"] == "conflict":
            found["conflict"].append(conflict_coverage(item["articles"], [c.article_id for c in answer.conflicts]))
        elif item["kind"] == "attribution":
            speakers = [c.speaker for c in answer.citations]
            found["attribution"].append(float(attribution_accuracy(item["answers"], speakers)))
        elif item["kind"] == "date":
            found["date"].append(float(date_correctness(item["answers"], answer.text)))
    return found


if __name__ == "__main__":  # python -m rag.evaluation.news_metrics [eval/gold_news.jsonl]: the measured figures
    import sys

    from rag import Settings, query

    settings = Settings.from_env()
    gold = load_items(Path(sys.argv[1])) if len(sys.argv) > 1 else load_items()
    for kind, values in score_items(gold, lambda q: query(q, settings=settings)).items():
        print(f"{kind}: {mean(values):.3f} over {len(values)} items")
