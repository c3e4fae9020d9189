"""The news metrics' functions (rag/evaluation/news_metrics.py). The news gold set itself (eval/gold_news.jsonl) is
scored and gated by `rag eval` in `make test`, once; tests/test_eval.py runs questions of its own through them."""

from rag import Answer
from rag.evaluation.news_metrics import (
    attribution_accuracy,
    conflict_coverage,
    date_correctness,
    mean,
    score_items,
    summarise,
)
from rag.schema import Citation, Conflict, Source


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


def _answer(question: str, text: str, speaker: str | None = None, conflicts: tuple[str, ...] = ()) -> Answer:
    citation = Citation(1, Source("a.txt"), text, 0, len(text), 1.0, "c1", speaker=speaker)
    found = tuple(Conflict("killed", "12", 12, Source(name), 1, text) for name in conflicts)
    return Answer(question, f"{text} [1]", (citation,), (), abstained=False, conflicts=found)


def test_each_item_is_scored_by_its_kind_from_the_answer_it_gets() -> None:
    items = [
        {"kind": "conflict", "question": "How many died in the storm?", "articles": ["a.txt", "b.txt"]},
        {"kind": "attribution", "question": "Who said the dam would hold?", "answers": ["Ruth Ode"]},
        {"kind": "date", "question": "When did the storm reach the coast?", "answers": ["Friday"]},
        {"kind": "date", "question": "When did the river peak?", "answers": ["Saturday"]},
    ]
    answers = {
        "How many died in the storm?": _answer("", "Twelve people died.", conflicts=("b.txt", "z.txt")),
        "Who said the dam would hold?": _answer("", "The dam will hold, said the mayor, Ruth Ode.", "Ruth Ode"),
        "When did the storm reach the coast?": _answer("", "The storm reached the coast on Friday."),
        "When did the river peak?": _answer("", "The river peaked overnight."),
    }
    asked: list[str] = []

    def ask(question: str) -> Answer:
        asked.append(question)
        return answers[question]

    assert score_items(items, ask) == {"conflict": [0.5], "attribution": [1.0], "date": [1.0, 0.0]}
    assert asked == [item["question"] for item in items]
    # rag eval's names for the means, and no entry for a kind without items
    assert summarise(items, ask) == {"conflicts_listed": 0.5, "attribution_accuracy": 1.0, "date_correctness": 0.5}
    assert summarise(items[1:2], ask) == {"attribution_accuracy": 1.0}
