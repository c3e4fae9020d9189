"""The first gold set (eval/gold.jsonl) through the public query(): the floors of the core issue."""

import json
import re
from pathlib import Path

import pytest
from conftest import SEEDS

from rag import Settings, query
from rag.text import collapse_whitespace

GOLD = Path(__file__).resolve().parent.parent / "eval" / "gold.jsonl"


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def results(seed_settings: Settings) -> list[tuple[dict, object]]:
    gold = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    return [(item, query(item["question"], settings=seed_settings)) for item in gold]


def test_the_gold_set_is_big_enough(results: list) -> None:
    assert len(results) >= 40
    assert sum(item["abstain"] for item, _ in results) >= 8
    assert sum(item["kind"] == "conflict" for item, _ in results) >= 3


# The floor of eval/thresholds.toml. The answerer's weights are fitted on the development sets now
# (rag/evaluation/tune.py), no longer on these questions, which they reached 0.91 on when they were; 0.87
# with five sentences quoted, 0.83 with two (the length budget of 2026-12-07, README "Short answers").
def test_key_fact_accuracy_is_at_least_80_percent(results: list) -> None:
    answerable = [(item, a) for item, a in results if not item["abstain"]]
    hits = [any(_normal(x) in _normal(a.text) for x in item["answers"]) for item, a in answerable]
    missed = [item["id"] for (item, _), hit in zip(answerable, hits, strict=True) if not hit]
    assert sum(hits) / len(hits) >= 0.80, f"missed: {missed}"


def test_unanswerable_questions_are_refused_and_answerable_ones_are_not(results: list) -> None:
    refused = [a.abstained for item, a in results if item["abstain"]]
    false_refusals = [item["id"] for item, a in results if not item["abstain"] and a.abstained]
    assert sum(refused) / len(refused) >= 0.90
    assert len(false_refusals) / (len(results) - len(refused)) <= 0.05, false_refusals


def test_every_quote_is_verbatim(results: list) -> None:
    citations = [c for _, a in results for c in a.citations]
    assert citations
    for c in citations:
        original = (SEEDS / c.article_id).read_text(encoding="utf-8")
        assert collapse_whitespace(original[c.start : c.end]) == c.quote
