import pytest

from rag.news.figures import asked_quantities, figures, find_conflicts
from rag.schema import Citation, Source


@pytest.mark.parametrize(
    ("sentence", "quantity", "value"),
    [
        ("At least eight people have been killed since the latest skirmishes began.", "killed", 8),
        ("more than 900,000 civilians on both sides have been displaced.", "displaced", 900_000),
        ("The two neighbors exchanged rockets along their 817-kilometer land border.", "border length", 817),
        ("claims along their 500-mile (800-kilometer) land border is the heaviest", "border length", 800),
        ("Officials on both sides say more than two dozen people have been killed.", "killed", 24),
        ("with more than half a million civilians displaced from border communities", "displaced", 500_000),
        ("About 400,000 people living along the border have been evacuated.", "displaced", 400_000),
        ("officials say at least 23 people have been killed in Thailand and 20 in Cambodia", "killed", 43),
        ("clashes that have killed at least 60 people and forced more than half a million", "killed", 60),
    ],
)
def test_a_seed_sentence_gives_its_figure(sentence: str, quantity: str, value: float) -> None:
    found = [(f.quantity, f.value) for f in figures(sentence)]
    assert (quantity, value) in found


@pytest.mark.parametrize(
    "sentence",
    [
        "Seven Cambodian civilians were killed and about 20 others wounded.",  # one group, not the total
        "Thailand said one of its soldiers was killed.",
        "after two weeks of deadly border clashes",  # a duration
        "a conflict that has left dozens dead",  # vague
    ],
)
def test_partial_durations_and_vague_amounts_are_not_totals(sentence: str) -> None:
    assert [f for f in figures(sentence) if f.quantity == "killed"] == []


def test_a_figure_for_an_earlier_period_is_marked_with_it() -> None:
    (figure,) = figures("the deadly July conflict that displaced about 200,000 on both sides")
    assert figure.period == "July"


def test_the_two_forms_of_one_length_are_one_figure() -> None:
    assert len(figures("along their 500-mile (800-kilometer) land border")) == 1


def _citation(n: int, source: str, published: str, quote: str) -> Citation:
    return Citation(n, Source(source, published=published), quote, 0, len(quote), 1.0, f"c{n}")


def test_conflicts_list_each_article_newest_first() -> None:
    citations = [
        _citation(1, "old.txt", "2025-12-09", "At least eight people have been killed."),
        _citation(2, "new.txt", "2025-12-22", "Fighting enters its third week with at least 80 people killed."),
    ]
    conflicts = find_conflicts("How many people have been killed?", citations)
    assert [(c.article, c.number, c.citation) for c in conflicts] == [("new.txt", 80, 2), ("old.txt", 8, 1)]


def test_agreeing_figures_are_no_conflict() -> None:
    citations = [
        _citation(1, "a.txt", "2025-12-22", "along their 817-kilometer land border"),
        _citation(2, "b.txt", "2025-12-22", "along the countries’ 817km land border"),
    ]
    assert find_conflicts("How long is the border?", citations) == ()


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many people have been killed?", ("killed",)),
        ("What is the death toll?", ("killed",)),
        ("How many people have been displaced?", ("displaced",)),
        ("How long is the border?", ("border length",)),
        ("Where is the border?", ()),
    ],
)
def test_the_quantity_a_question_asks_for(question: str, asked: tuple[str, ...]) -> None:
    assert asked_quantities(question) == asked
