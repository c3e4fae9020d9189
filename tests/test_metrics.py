"""Every metric on hand-made cases: one where it must come out high and one where it must come out low."""

import pytest

from rag.evaluation import metrics as m

A, B, C = "a.txt", "b.txt", "c.txt"
EVIDENCE = ("killed at least 60 people",)


@pytest.mark.parametrize(
    ("text", "answers", "hit"),
    [
        ("Four Thai soldiers were injured. [1]", ["4"], True),
        ("It injured 4 soldiers. [1]", ["four"], True),
        ("About 200,000 people fled.", ["200000"], True),
        ("More than two dozen people died.", ["two dozen"], True),
        ("Using F-16 fighter jets.", ["f16", "F-16"], True),
        ("Fresh LANDMINES were laid.", ["landmine"], True),
        ("More than 400,000 people were evacuated.", ["4", "four"], False),  # 4 is not inside 400000
        ("Twenty-four were hurt [4].", ["four"], False),  # "[4]" is a citation marker, not a count
        ("More than 24 people died.", ["two dozen"], False),  # "two dozen" stays words
        ("Seven were killed.", ["eight"], False),
    ],
)
def test_key_fact_hit(text: str, answers: list[str], hit: bool) -> None:
    assert m.key_fact_hit(text, answers) is hit


def test_normalise_treats_case_punctuation_and_counting_words_alike() -> None:
    assert m.normalise("Dec. 8, FOUR soldiers!") == m.normalise("dec 8 4 soldiers")
    assert m.normalise("two dozen") == "two dozen"


PASSAGES = [(B, "Nothing relevant here."), (A, "Fighting has killed at least 60 people so far."), (C, "Other.")]


def test_retrieval_metrics_when_the_evidence_is_found_second() -> None:
    assert m.hit_at_k(PASSAGES, [A], EVIDENCE, k=2) == 1.0
    assert m.reciprocal_rank(PASSAGES, [A], EVIDENCE) == 0.5
    assert m.recall_at_k(PASSAGES, [A, C], k=3) == 1.0


def test_retrieval_metrics_come_out_low_when_the_evidence_is_missed() -> None:
    assert m.hit_at_k(PASSAGES, [A], EVIDENCE, k=1) == 0.0  # relevant passage ranked below k
    assert m.hit_at_k(PASSAGES, [B], EVIDENCE, k=3) == 0.0  # right words, wrong article
    assert m.reciprocal_rank(PASSAGES[::2], [A], EVIDENCE) == 0.0
    assert m.recall_at_k(PASSAGES, [A, C], k=1) == 0.0
    assert m.recall_at_k(PASSAGES, [A, C, "d.txt", "e.txt"], k=2) == 0.25


def test_citation_precision_and_recall() -> None:
    good = (A, "Clashes have killed at least 60 people and displaced more.")
    inside = (A, "at least 60 people")  # a quote shorter than the evidence lies in it
    wrong_article = (B, "Clashes have killed at least 60 people.")
    off_topic = (A, "The ministers met on Monday.")
    assert m.citation_precision([good, inside], [A], EVIDENCE) == 1.0
    assert m.citation_precision([good, wrong_article, off_topic, off_topic], [A], EVIDENCE) == 0.25
    assert m.citation_precision([off_topic], [A], EVIDENCE) == 0.0
    assert m.citation_precision([], [A], EVIDENCE) is None
    # Broad evidence (none given): any quote from a gold article counts.
    assert m.citation_precision([off_topic, wrong_article], [A], ()) == 0.5
    assert m.citation_recall([good], [A, B], EVIDENCE) == 0.5
    assert m.citation_recall([good, wrong_article], [A, B], EVIDENCE) == 1.0
    assert m.citation_recall([off_topic], [A, B], EVIDENCE) == 0.0


def test_conflict_coverage_needs_every_differing_figure_cited() -> None:
    figures = ("at least eight people have been killed", "at least 80 people killed", "killed at least 60 people")
    all_cited = [
        (A, "At least eight people have been killed since."),
        (B, "With at least 80 people killed."),
        (C, "It killed at least 60 people."),
    ]
    assert m.conflict_coverage(all_cited, figures) == 1.0
    assert m.conflict_coverage(all_cited[:1], figures) == pytest.approx(1 / 3)
    assert m.conflict_coverage([(A, "Nobody agrees on the toll.")], figures) == 0.0


def test_abstention_precision_and_recall() -> None:
    # (should abstain, did abstain)
    perfect = [(True, True), (False, False), (True, True)]
    assert m.abstention_precision(perfect) == 1.0
    assert m.abstention_recall(perfect) == 1.0
    refuses_everything = [(True, True), (False, True), (False, True), (False, True)]
    assert m.abstention_precision(refuses_everything) == 0.25
    answers_everything = [(True, False), (True, False), (False, False)]
    assert m.abstention_recall(answers_everything) == 0.0
    assert m.abstention_precision(answers_everything) is None
    assert m.abstention_recall([(False, False)]) is None


def test_answer_words_leaves_markers_out() -> None:
    assert m.answer_words("Thailand used F-16 jets. [1] Cambodia fired rockets. [2]") == 7
    assert m.answer_words("") == 0


def test_percentiles() -> None:
    latencies = [10.0] * 19 + [1000.0]
    assert m.percentile(latencies, 50) == 10.0
    assert m.percentile(latencies, 95) > 50.0  # one slow question shows at p95, not at p50
    assert m.percentile([5.0, 15.0], 50) == 10.0
    with pytest.raises(ValueError):
        m.percentile([], 50)


def test_gold_in_first_200_counts_characters_without_the_markers() -> None:
    lead = "The toll rose to 42 on Monday. [1] "
    assert m.gold_in_first(lead + "x" * 500, ["42"])
    assert not m.gold_in_first("x" * 200 + " 42 [1]", ["42"])  # there, but after the first 200 characters
    assert not m.gold_in_first("x" * 190 + " 42", ["4"])  # matched as key_fact_hit: 4 is not 42
    # 20 markers " [12]" make 100 characters: the gold stands at 220 with them, at 120 without
    cited = "Word. [12] " * 20 + "42"
    assert m.gold_in_first(cited, ["42"])
    assert not m.contains_gold(cited, ["42"], window=200)  # a window over the raw text would miss it


def test_answer_chars_leaves_markers_and_their_spaces_out() -> None:
    assert m.answer_chars("Thailand used F-16 jets. [1] Cambodia fired rockets. [2]") == len(
        "Thailand used F-16 jets. Cambodia fired rockets."
    )
    assert m.answer_chars("") == 0 and m.answer_chars("[1]") == 0


@pytest.mark.parametrize(
    ("predicted", "answers", "f1"),
    [
        ("F-16", ["F-16"], 1.0),
        ("the F-16", ["F-16"], 1.0),  # articles are not words of the answer
        ("four", ["4"], 1.0),  # counting words as digits, as key_fact_hit
        ("F-16 jets", ["F-16 fighter jets"], 6 / 7),  # P 3/3, R 3/4
        ("Anutin", ["Thaksin", "Anutin Charnvirakul"], 2 / 3),  # the best of the accepted answers
        ("Hun Sen", ["Anutin Charnvirakul"], 0.0),
        ("", ["F-16"], 0.0),
        ("the", ["a"], 0.0),  # nothing left on either side
    ],
)
def test_short_answer_token_f1(predicted: str, answers: list[str], f1: float) -> None:
    assert m.token_f1(predicted, answers) == pytest.approx(f1)


def test_median() -> None:
    assert m.median([300.0, 100.0, 200.0]) == 200.0
    assert m.median([100.0, 200.0]) == 150.0
    assert m.median([]) is None
