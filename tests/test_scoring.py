"""Per-question scores and their summary by kind, on hand-made answers (no index needed)."""

from rag import Answer, Citation
from rag.evaluation.gold import GoldItem
from rag.evaluation.scoring import ItemResult, baseline_text, score_item, summarise
from rag.schema import Passage, ShortAnswer, Source

A = "a.txt"
QUOTE = "Fighting has killed at least 60 people."
TOLL = GoldItem("c1", "conflict", "How many died?", (A, "b.txt"), ("killed at least 60", "at least 80"), ("60",), False)
NONE = GoldItem("n1", "unanswerable", "What did Vietnam say?", (), (), (), True)


PASSAGE = Passage("x", Source(A), QUOTE, 0, len(QUOTE), (), 1.0)


def _answer(text: str, abstained: bool = False, short: ShortAnswer | None = None) -> Answer:
    citations = () if abstained else (Citation(1, Source(A), QUOTE, 0, len(QUOTE), 1.0, "x"),)
    return Answer("q", text, citations, (PASSAGE,), abstained, short=short)


def test_a_right_answer_that_misses_one_figure() -> None:
    scores = score_item(TOLL, _answer(f"{QUOTE} [1]"), k=6, baseline=QUOTE)
    assert scores["key_fact_accuracy"] == 1.0 and scores["hit_at_k"] == 1.0 and scores["mrr"] == 1.0
    assert scores["citation_precision"] == 1.0
    assert scores["citation_recall"] == 0.5 and scores["recall_at_k"] == 0.5 and scores["conflict_coverage"] == 0.5
    assert scores["answer_words"] == 7.0


def test_wrong_refusals_and_wrong_answers_score_low() -> None:
    refused = score_item(TOLL, _answer("The indexed articles do not say.", abstained=True), k=6, baseline=QUOTE)
    assert refused["key_fact_accuracy"] == 0.0 and refused["citation_recall"] == 0.0
    assert refused["citation_precision"] is None and refused["conflict_coverage"] == 0.0
    results = [
        ItemResult(TOLL, _answer("x", abstained=True), 10.0, refused),
        ItemResult(NONE, _answer(f"{QUOTE} [1]"), 30.0, score_item(NONE, _answer(f"{QUOTE} [1]"), k=6, baseline=QUOTE)),
    ]
    summary = summarise(results)
    assert list(summary) == ["overall", "conflict", "unanswerable"]
    assert summary["overall"]["abstention_precision"] == 0.0  # the one refusal was not due
    assert summary["overall"]["abstention_recall"] == 0.0  # the one due refusal was not made
    assert summary["unanswerable"]["key_fact_accuracy"] is None  # nothing to find in an unanswerable item
    assert summary["overall"]["latency_p50_ms"] == 20.0 and summary["overall"]["n"] == 2.0


def test_the_baseline_and_the_700_character_window_are_scored_beside_the_answer() -> None:
    item = GoldItem("f1", "fact", "How many died?", (A,), (), ("60",), False)
    late = "x" * 700 + " at least 60 [1]"
    scores = score_item(item, _answer(late), k=6, baseline=QUOTE)
    assert scores["key_fact_accuracy"] == 1.0 and scores["contains_gold_700"] == 0.0  # past the window
    assert scores["baseline_contains_gold_700"] == 1.0 and scores["baseline_key_fact_accuracy"] == 1.0
    other = Passage("y", Source("b.txt"), "z" * 800, 0, 800, (), 0.5)
    # the first passage the retrieval found, in its own order (not the answer's reranked one), cut to 700
    assert baseline_text((other, PASSAGE)) == "z" * 700 and baseline_text(()) == ""
    refused = score_item(item, _answer("60 is not said. [1]", abstained=True), k=6, baseline=QUOTE)
    assert refused["contains_gold_700"] == 0.0 and refused["false_abstention_rate"] == 1.0
    assert refused["baseline_contains_gold_700"] == 1.0  # the baseline never abstains
    summary = summarise(
        [ItemResult(item, _answer(late), 1.0, scores), ItemResult(item, _answer("x", True), 1.0, refused)]
    )
    assert summary["overall"]["false_abstention_rate"] == 0.5 and summary["overall"]["contains_gold_700"] == 0.0


def test_the_first_200_characters_and_the_median_length_beside_the_baseline() -> None:
    item = GoldItem("f1", "fact", "How many died?", (A,), (), ("60",), False)
    leads = score_item(item, _answer(f"{QUOTE} [1] " + "y" * 300), k=6, baseline="z" * 250 + " 60")
    assert leads["gold_in_first_200"] == 1.0 and leads["baseline_gold_in_first_200"] == 0.0
    assert leads["contains_gold_700"] == 1.0 and leads["baseline_contains_gold_700"] == 1.0
    assert leads["answer_chars"] == len(QUOTE) + 301 and leads["baseline_answer_chars"] == 253
    buried = score_item(item, _answer("y" * 250 + f" {QUOTE} [1]"), k=6, baseline=QUOTE)
    assert buried["gold_in_first_200"] == 0.0 and buried["baseline_gold_in_first_200"] == 1.0
    refused = score_item(item, _answer(f"{QUOTE} [1]", abstained=True), k=6, baseline=QUOTE)
    assert refused["gold_in_first_200"] == 0.0 and refused["answer_chars"] is None  # a refusal is no answer
    results = [
        ItemResult(item, _answer("a"), 1.0, leads),
        ItemResult(item, _answer("b"), 1.0, buried),
        ItemResult(item, _answer("c", abstained=True), 1.0, refused),
    ]
    overall = summarise(results)["overall"]
    assert overall["gold_in_first_200"] == 1 / 3 and overall["baseline_gold_in_first_200"] == 2 / 3
    # the median of the two answers given (the refusal has none), and of the baseline's three
    assert overall["answer_chars_median"] == (len(QUOTE) + 301 + 250 + 1 + len(QUOTE)) / 2
    assert overall["baseline_answer_chars_median"] == len(QUOTE)


def test_short_answers_are_scored_by_token_f1_and_counted() -> None:
    item = GoldItem("f1", "fact", "Who won?", (A,), (), ("Anutin Charnvirakul",), False)
    plain = score_item(item, _answer(f"{QUOTE} [1]"), k=6, baseline=QUOTE)
    assert plain["short_answer_f1"] is None and plain["short_answer_coverage"] == 0.0
    nobody = summarise([ItemResult(item, _answer("x"), 1.0, plain)])["overall"]
    assert nobody["short_answer_f1"] is None and nobody["short_answer_coverage"] == 0.0  # none given: no crash
    half = score_item(item, _answer("x", short=ShortAnswer("Anutin", 1, 0, 6)), k=6, baseline=QUOTE)
    assert half["short_answer_f1"] == 2 / 3 and half["short_answer_coverage"] == 1.0
    right = score_item(item, _answer("x", short=ShortAnswer("Anutin Charnvirakul", 1, 0, 19)), k=6, baseline="")
    assert right["short_answer_f1"] == 1.0
    unanswerable = score_item(NONE, _answer("x", short=ShortAnswer("Hun Sen", 1, 0, 7)), k=6, baseline="")
    assert unanswerable["short_answer_f1"] is None and unanswerable["short_answer_coverage"] is None
    overall = summarise(
        [
            ItemResult(item, _answer("x"), 1.0, plain),
            ItemResult(item, _answer("x"), 1.0, half),
            ItemResult(item, _answer("x"), 1.0, right),
            ItemResult(NONE, _answer("x"), 1.0, unanswerable),
        ]
    )["overall"]
    assert overall["short_answer_f1"] == (2 / 3 + 1.0) / 2  # over the questions given one
    assert overall["short_answer_coverage"] == 2 / 3  # of the answerable questions
