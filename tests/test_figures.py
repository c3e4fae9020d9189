"""Figures read from sentences and compared across articles: the seeds' sentences, and sentences of other
news (an earthquake in February, an election, a trial) that prove nothing is keyed to the seeds' words."""

import pytest

from rag.news.figures import asked_quantity, compared_quantity, figures, find_conflicts, totals
from rag.schema import Citation, Source


def _counts(question: str, sentence: str, published: str | None = None) -> list[float]:
    quantity = asked_quantity(question)
    assert quantity is not None, question
    return [f.value for f in totals(quantity, sentence, published)]


@pytest.mark.parametrize(
    ("question", "sentence", "value"),
    [
        # the seeds
        ("How many people have died?", "At least eight people have been killed since the skirmishes began.", 8),
        ("How many people were displaced?", "more than 900,000 civilians on both sides have been displaced.", 9e5),
        ("How long is their border?", "The neighbors exchanged rockets along their 817-kilometer land border.", 817),
        ("How long is their border?", "claims along their 500-mile (800-kilometer) land border is the heaviest", 800),
        ("How long is their border?", "at several points along the countries’ 817km land border, stretching", 817),
        ("How many people have died?", "Officials say more than two dozen people have been killed.", 24),
        ("How many people were displaced?", "with more than half a million civilians displaced from towns", 5e5),
        ("How many people have died?", "at least 23 people have been killed in Thailand and 20 in Cambodia", 43),
        ("How many people have died?", "clashes that have killed at least 60 people and forced more", 60),
        ("What is the death toll?", "clashes that have killed at least 60 people and forced more", 60),
        # an earthquake
        ("What is the death toll?", "The death toll from Monday's earthquake rose to 5,021 on Wednesday.", 5021),
        ("How many people died in the landslide?", "Officials said 3,400 people died and 14,000 were injured.", 3400),
        ("How many people were injured?", "Officials said 3,400 people died and 14,000 were injured.", 14000),
        ("How many buildings collapsed?", "More than 5,600 buildings collapsed across ten provinces.", 5600),
        ("How many people were killed?", "A quake struck early on Monday, killing at least 12 people.", 12),
        (
            "How many people were killed?",
            "The death toll from Monday's earthquake in the mountain province has risen to 31, officials said.",
            31,
        ),
        # an election
        ("How many votes did the mayor win?", "The mayor won 52,310 votes, short of a majority.", 52310),
        ("What percentage of voters turned out?", "Turnout was low: 48% of voters turned out on Sunday.", 48),
        # a trial, with money
        ("How much did the company pay in fines?", "The company paid $4.5 billion in fines, prosecutors said.", 4.5e9),
        ("How many witnesses testified?", "Over three weeks, 14 witnesses testified for the prosecution.", 14),
    ],
)
def test_a_sentence_gives_the_figure_the_question_counts(question: str, sentence: str, value: float) -> None:
    assert value in _counts(question, sentence)


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("How many people were displaced?", "has killed at least 23 people in the north and displaced 9,000."),
        ("How many people have died?", "Officials said 3,400 people died and 14,000 were injured."),
        ("How many votes did the mayor win?", "The mayor won 52,310 votes, short of a majority, and 12 seats."),
        ("How long is their border?", "Troops moved 40 kilometers inland from the coast."),
    ],
)
def test_a_figure_of_another_quantity_is_not_counted(question: str, sentence: str) -> None:
    quantity = asked_quantity(question)
    assert quantity is not None
    wrong = {23.0, 14000.0, 12.0, 40.0}
    assert not wrong & {f.value for f in totals(quantity, sentence, None)}


@pytest.mark.parametrize(
    "sentence",
    [
        "Seven Cambodian civilians were killed and about 20 others wounded.",  # one group, not the total
        "Seven Syrian civilians were killed on Monday.",
        "Thailand said one of its soldiers was killed.",
        "In Antakya alone, 1,200 people were killed in the old town.",
        "12 people were killed in Gaziantep, the governor said.",
        "after two weeks of deadly border clashes",  # a duration
        "a conflict that has left dozens dead",  # vague
    ],
)
def test_groups_places_durations_and_vague_amounts_are_not_totals(sentence: str) -> None:
    assert _counts("How many people have died?", sentence) == []


def test_a_fraction_is_no_count() -> None:
    sentence = "In a spring survey, three-quarters of residents said they would get the vaccine."
    assert _counts("How many residents will get the vaccine?", sentence) == []
    assert _counts("How many residents will get the vaccine?", "Two million residents will get the vaccine.") == [2e6]


def test_a_time_in_seconds_is_no_count() -> None:
    sentence = "She pulled away after the 35th kilometre and finished 41 seconds ahead of the runner-up."
    assert _counts("How many cyclists finished the race?", sentence) == []
    assert _counts("How many cyclists finished the race?", "Organisers said 14,200 cyclists finished.") == [14200]


@pytest.mark.parametrize(
    ("sentence", "published", "period"),
    [
        ("the deadly July conflict that displaced about 200,000 on both sides", "2025-12-09", "2025-07"),
        ("a quake in November displaced 8,000 people", "2026-02-08", "2025-11"),
        ("The 2019 vote displaced 300 officials", "2023-05-02", "2019"),
        ("The last deadly earthquake in the region, in 1987, killed 23 people.", "2024-03-04", "1987"),
    ],
)
def test_a_figure_for_a_period_before_its_article_is_marked_with_it(sentence: str, published: str, period: str) -> None:
    (figure,) = figures(sentence, published)
    assert figure.period == period


@pytest.mark.parametrize(
    ("sentence", "published"),
    [
        # the article's own month (February, not only May or December) is the current period
        ("The February 6 earthquake has displaced 1.5 million people.", "2026-02-08"),
        ("Since July, the fighting has displaced 200,000 people.", "2025-12-09"),  # a running total
        ("the July conflict displaced about 200,000", None),  # no date to read July against
        # a month is read within its comma clause only: the bombing is the article's own news
        ("The January 30 bombing, in the east, killed seven guards.", "2026-02-02"),
    ],
)
def test_a_figure_for_its_articles_own_period_is_current(sentence: str, published: str | None) -> None:
    (figure,) = figures(sentence, published)
    assert figure.period is None


@pytest.mark.parametrize(
    ("sentence", "value", "text"),
    [
        # A comma after the scale word used to make the match give the word up: "$24.3" for $24.3 million.
        ("The auction house sold the diamond for $24.3 million, a record.", 24_300_000, "$24.3 million"),
        ("The flood displaced 1.2 billion, the agency said.", 1_200_000_000, "1.2 billion"),
        ("The quake displaced more than 900,000, officials said.", 900_000, "more than 900,000"),
        # A number in words is read whole: "Forty-one million" was 40 million, "Seventeen" nothing.
        ("Forty-one million people were displaced.", 41_000_000, "Forty-one million"),
        ("Twenty five people were killed.", 25, "Twenty five"),
        ("Seventeen people were killed.", 17, "Seventeen"),
        ("Ninety were hurt.", 90, "Ninety"),
    ],
)
def test_a_figure_is_read_whole(sentence: str, value: float, text: str) -> None:
    (figure,) = figures(sentence)
    assert (figure.value, figure.text) == (value, text)


def test_an_ordinal_in_words_is_no_figure() -> None:
    (figure,) = figures("The twenty-first century began with twenty-one deaths.")
    assert figure.value == 21


def test_the_two_forms_of_one_length_are_one_figure() -> None:
    assert len(figures("along their 500-mile (800-kilometer) land border")) == 1
    assert [f.value for f in figures("a border of 500 miles, or 800 kilometers, long")] == [800]


def test_two_close_figures_in_one_unit_are_two_reports() -> None:
    # read as one length given twice, 59.8 was taken for 61 and the official turnout was lost
    sentence = "They put turnout at 59.8 percent, lower than the 61 percent announced on election night."
    assert [f.value for f in figures(sentence)] == [59.8, 61]


def _citation(n: int, source: str, published: str, quote: str) -> Citation:
    return Citation(n, Source(source, published=published), quote, 0, len(quote), 1.0, f"c{n}")


def test_conflicts_list_each_article_newest_first() -> None:
    citations = [
        _citation(1, "old.txt", "2025-12-09", "At least eight people have been killed."),
        _citation(2, "new.txt", "2025-12-22", "Fighting enters its third week with at least 80 people killed."),
    ]
    conflicts = find_conflicts("How many people have died?", citations)
    assert [(c.article_id, c.number, c.citation) for c in conflicts] == [("new.txt", 80, 2), ("old.txt", 8, 1)]


def test_a_february_earthquake_corpus_gets_its_conflicts() -> None:
    citations = [
        _citation(1, "a.txt", "2026-02-07", "By Tuesday the February 6 earthquake had killed 3,400 people."),
        _citation(2, "b.txt", "2026-02-09", "The death toll from the February 6 quake rose to 11,200 on Thursday."),
        _citation(3, "c.txt", "2026-02-09", "Seven Syrian civilians were killed in an aftershock on Wednesday."),
    ]
    conflicts = find_conflicts("What is the death toll of the earthquake?", citations)
    assert [(c.article_id, c.number) for c in conflicts] == [("b.txt", 11200), ("a.txt", 3400)]


COUNCIL = "How many council members voted for the budget?"


def test_an_article_giving_a_figure_twice_and_another_once_is_one_row_of_its_best_supported_figure() -> None:
    """Issue 27: "two voted against" is read as a count of those who voted too; the article said five twice."""
    citations = [
        _citation(1, "minutes.txt", "2026-03-05", "Six council members voted for the budget, the minutes show."),
        _citation(2, "courier.txt", "2026-03-04", "Five council members voted for the budget on Tuesday night."),
        _citation(3, "courier.txt", "2026-03-04", "Five members voted for the budget and two voted against it."),
    ]
    assert [f.value for f in totals(asked_quantity(COUNCIL), citations[2].quote, None)] == [5, 2]  # the reading
    conflicts = find_conflicts(COUNCIL, citations)
    assert [(c.article_id, c.number, c.citation) for c in conflicts] == [("minutes.txt", 6, 1), ("courier.txt", 5, 2)]


def test_an_articles_stray_second_figure_makes_no_conflict_with_an_article_that_agrees() -> None:
    citations = [
        _citation(1, "a.txt", "2026-03-05", "Five council members voted for the budget, the minutes show."),
        _citation(2, "b.txt", "2026-03-04", "Five council members voted for the budget on Tuesday night."),
        _citation(3, "b.txt", "2026-03-04", "Five members voted for the budget and two voted against it."),
    ]
    assert find_conflicts(COUNCIL, citations) == ()


def test_agreeing_figures_are_no_conflict() -> None:
    citations = [
        _citation(1, "a.txt", "2025-12-22", "along their 817-kilometer land border"),
        _citation(2, "b.txt", "2025-12-22", "along the countries’ 817km land border"),
    ]
    assert find_conflicts("How long is their border?", citations) == ()


@pytest.mark.parametrize(
    ("question", "noun", "verb", "dimension"),
    [
        ("How many people have died?", "peopl", "die", None),
        ("What is the death toll?", "die", "die", None),
        ("How many people were displaced?", "peopl", "displac", None),
        ("How long is their border?", "border", None, "length"),
        ("How many families have had to flee their villages?", "famili", "flee", None),
        ("How many buildings did the earthquake destroy?", "build", "destroy", None),
        ("How many votes did the mayor get?", "vote", None, None),  # a light verb: the noun decides
        ("How many jurors were dismissed?", "juror", "dismiss", None),
    ],
)
def test_what_a_question_counts(question: str, noun: str, verb: str | None, dimension: str | None) -> None:
    quantity = asked_quantity(question)
    assert quantity is not None
    assert (quantity.noun, quantity.verb, quantity.dimension) == (noun, verb, dimension)


@pytest.mark.parametrize("question", ["Where is the border?", "Who won the election?", "When did the quake hit?"])
def test_questions_without_a_figure_count_nothing(question: str) -> None:
    assert asked_quantity(question) is None


@pytest.mark.parametrize(
    ("question", "compared"),
    [
        ("How many people have died?", True),
        ("How long is the land border between the two countries?", True),
        ("How many people were killed in Thailand?", False),  # one country
        ("How many Syrian civilians were killed?", False),  # one nationality
        ("How many people were killed in Hatay province?", False),
        ("How many votes did Labour win among Scottish voters?", False),
        ("How many villagers did the July clashes uproot?", False),  # an earlier period
        ("How many people were killed in the previous round of fighting?", False),
        ("How many people were killed in 2019?", False),
        ("How many people have died since February 6?", True),  # a running total
        ("How many people have died since 2019?", True),
    ],
)
def test_a_scoped_question_compares_no_totals(question: str, compared: bool) -> None:
    assert (compared_quantity(question) is not None) == compared


@pytest.mark.parametrize(
    ("question", "current", "compared"),
    [
        ("How many people were killed in February?", "2026-02-09", True),  # the articles' own month
        ("How many people were killed in February?", "2026-05-02", False),  # an earlier month
        ("How many votes were cast in 2025?", "2025-11-06", True),
        ("How many votes were cast in 2021?", "2025-11-06", False),
    ],
)
def test_a_period_of_the_question_is_read_against_the_newest_article(
    question: str, current: str, compared: bool
) -> None:
    assert (compared_quantity(question, current) is not None) == compared


def test_an_earlier_period_is_read_across_the_clause() -> None:
    sentence = "since the deadly July conflict that killed dozens of people and displaced about 200,000 on both sides"
    assert _counts("How many people were displaced?", sentence, "2025-12-09") == []


@pytest.mark.parametrize(
    ("sentence", "value", "qualifier", "counted"),
    [
        # a count in words the small model tags no entity: the parse still attaches it to its noun and verb
        ("Sixty people were killed.", 60, "", {"peopl", "die"}),
        # the noun it counts is its head, the verb that noun's; "at least" is its own modifier
        ("Fighting enters its third week with at least 80 people killed.", 80, "at least", {"peopl", "die"}),
        ("Rescuers said more than 1,300 homes were destroyed.", 1300, "more than", {"home", "destroy"}),
        ("Nearly two thousand residents fled the town.", 2000, "nearly", {"resid", "flee"}),
    ],
)
def test_a_figure_counts_the_noun_and_verb_the_parse_attaches_it_to(
    sentence: str, value: float, qualifier: str, counted: set[str]
) -> None:
    (figure,) = figures(sentence)
    assert (figure.value, figure.qualifier) == (value, qualifier)
    assert counted <= figure.counted


def test_a_count_in_words_answers_the_question_it_counts() -> None:
    assert _counts("How many people have died?", "Sixty people were killed in the clashes.") == [60]
    assert _counts("How many people were displaced?", "Sixty people were killed in the clashes.") == []


def test_a_place_that_names_what_is_measured_does_not_scope_it() -> None:
    # "between Thailand and Cambodia" says which border, not a part of it; "in Thailand" limits a count
    assert compared_quantity("How long is the frontier between Thailand and Cambodia?") is not None
    assert _counts("How long is their border?", "the 817km land border between Thailand and Cambodia") == [817]
    assert compared_quantity("How many people were killed in Thailand?") is None


def test_since_a_dated_event_is_a_running_total() -> None:
    sentence = "The fighting along the 500-mile border is the heaviest since a five-day conflict in July."
    (figure,) = figures(sentence, "2025-12-09")
    assert figure.period is None
