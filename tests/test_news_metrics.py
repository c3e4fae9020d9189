"""The news gold set (eval/gold_news.jsonl) through query(), and the metric functions themselves."""

import json
from pathlib import Path

import pytest

from rag import Settings, query
from rag.evaluation.news_metrics import attribution_accuracy, conflict_coverage, date_correctness, mean, score_items

GOLD = Path(__file__).resolve().parent.parent / "eval" / "gold_news.jsonl"
# Measured on the seed index (see README): conflict 0.83 (the two "displaced" items list 2 of their 4 articles:
# "evacuated" and "forced from their homes" are other verbs, and 000's 200,000 is July's), attribution and
# date 1.0; floors a little below.
FLOORS = {"conflict": 0.80, "attribution": 0.85, "date": 0.80}


def test_conflict_coverage_counts_expected_articles_found() -> None:
    assert conflict_coverage(["a", "b", "c", "d"], ["a", "c", "x"]) == 0.5
    assert conflict_coverage([], []) == 1.0


def test_attribution_accuracy_matches_a_name_inside_a_title() -> None:
    assert attribution_accuracy(["Anutin"], ["Thailand’s Prime Minister Anutin Charnvirakul"])
    assert not attribution_accuracy(["Hun Sen"], [None, "Sihasak"])


def test_date_correctness_reads_dates_as_the_answer_writes_them() -> None:
    assert date_correctness(["2025-12-24"], "talks on December 24 (December 24: 24 Dec 2025, inferred) [1]")
    assert not date_correctness(["2025-12-22"], "met on Monday [1]")


def test_mean_of_nothing_is_zero() -> None:
    assert mean([]) == 0.0 and mean([1.0, 0.0]) == 0.5


@pytest.fixture(scope="module")
def scores(seed_settings: Settings) -> dict[str, list[float]]:
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return score_items(gold, lambda q: query(q, settings=seed_settings))


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_news_gold_kinds_meet_their_floors(scores: dict[str, list[float]], kind: str) -> None:
    assert len(scores[kind]) >= 6
    assert mean(scores[kind]) >= FLOORS[kind], scores[kind]
