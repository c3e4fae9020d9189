import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import SEEDS

from rag.ingestion.corpus import load_corpus
from rag.news.dates import MONTHS, WEEKDAYS, guessed, is_future, mentions, normalise_date, resolve
from rag.schema import format_date


def test_seed_articles_keep_their_own_dates_and_no_other() -> None:
    """000 has a date line; 001–004 name days ("on Monday", "December 8") but never a year, so nothing in
    their own text says when they were written: they stay undated rather than borrow 000's year or event."""
    articles = {a.article_id[:3]: a for a in load_corpus(SEEDS).articles}
    assert (articles["000"].published, articles["000"].published_inferred) == ("2025-12-09", False)
    for key in ("001", "002", "003", "004"):
        assert articles[key].published is None and not articles[key].published_inferred, key
        assert articles[key].date_note is None, key


def test_an_undated_corpus_gets_no_invented_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("Talks were held on Monday after fighting resumed on December 8.\n")
    (article,) = load_corpus(tmp_path).articles
    assert article.published is None and not article.published_inferred


MONDAY_MEETING = (
    "Ferry talks\n\nMinisters met on Monday in Port Ellis, where the Harbour Board and the Ferry Union spoke,"
    " after the strike began on December 8, 2025. The strike is in its second week.\n"
)


def test_an_article_is_dated_from_the_year_and_weekday_in_its_own_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(MONDAY_MEETING, encoding="utf-8")
    (article,) = load_corpus(tmp_path).articles
    # The first Monday after 8 December plus one week of strike: 15 December 2025.
    assert (article.published, article.published_inferred) == ("2025-12-15", True)
    assert "December 8" in (article.date_note or "") and "2025" in (article.date_note or "")


def test_a_date_the_text_writes_out_as_history_does_not_date_it(tmp_path: Path) -> None:
    # The birthday was read as the latest event: the article was dated Friday 7 January 1972.
    (tmp_path / "a.txt").write_text(
        "Actor dies at 38\n\nThe actor died early Wednesday, two weeks after he began seeing a specialist, police"
        " said on Friday. He was born December 23, 1971, and made his first film in 1984.\n",
        encoding="utf-8",
    )
    (article,) = load_corpus(tmp_path).articles
    assert article.published is None and not article.published_inferred


def test_adding_a_dated_article_never_moves_another_articles_date(tmp_path: Path) -> None:
    """Issue 13, problem 2: a new dated article (the same kind of Monday event, the same names) used to
    lend its date to the undated ones; now each article's date is its own, whatever else is indexed."""
    for name in ("001_319db5c8fac61f63.txt", "003_bfbc2abef2fd135d.txt"):
        shutil.copy(SEEDS / name, tmp_path / name)
    (tmp_path / "b.txt").write_text(MONDAY_MEETING, encoding="utf-8")
    before = {a.article_id: (a.published, a.published_inferred) for a in load_corpus(tmp_path).articles}
    (tmp_path / "ferry.md").write_text(
        "---\ndate: 2025-12-11\n---\nFerry news\n\nMinisters met in Kuala Lumpur on Monday with ASEAN and the"
        " Harbour Board of Port Ellis and the Ferry Union, after fighting resumed on December 8.\n",
        encoding="utf-8",
    )
    after = {a.article_id: (a.published, a.published_inferred) for a in load_corpus(tmp_path).articles}
    assert after["ferry.md"] == ("2025-12-11", False)
    assert {k: v for k, v in after.items() if k != "ferry.md"} == before
    assert before["b.txt"] == ("2025-12-15", True) and before["001_319db5c8fac61f63.txt"] == (None, False)


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2025-12-20", "2025-12-20"),
        ("2025-12-20T08:30:00Z", "2025-12-20"),
        ("December 20, 2025", "2025-12-20"),
        ("Dec. 20, 2025", "2025-12-20"),
        ("20 December 2025", "2025-12-20"),
        ("Saturday, 20 Dec 2025 08:30:00 +0000", "2025-12-20"),
        ("2025/12/20", "2025-12-20"),
        ("12/20/2025", "2025-12-20"),
        ("20.12.2025", "2025-12-20"),
        ("03/05/2026", None),  # March 5 or 3 May: not guessed
        ("December 20", None),  # no year
        ("last Monday", None),
        ("2025-02-30", None),
    ],
)
def test_metadata_dates_are_normalised_to_iso_or_left_unknown(written: str, iso: str | None) -> None:
    assert normalise_date(written) == iso


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("fighting resumed on 8 December", False, "2025-12-08"),
        ("talks set for December 24", True, "2025-12-24"),
        ("ministers met on Monday", False, "2025-12-22"),
        ("talks would be held on Wednesday", True, "2025-12-24"),
        ("the mayor is due to be sworn in on Saturday", True, "2025-12-27"),
        ("the verdict is due on Friday", True, "2025-12-26"),
        ("flights were cancelled on Sunday due to the storm", False, "2025-12-21"),
        ("the navy said on Sunday", False, "2025-12-21"),
        ("a five-day conflict in July", False, "2025-07"),
        ("the civil war, which ended in 1999", False, "1999"),
    ],
)
def test_mentions_resolve_against_the_article_date(text: str, future: bool, expected: str) -> None:
    (mention,) = mentions(text)
    assert is_future(text, mention.start) == future
    assert resolve(mention, date(2025, 12, 22), future=future)[0] == expected


def test_dates_are_shown_with_their_inference() -> None:
    assert format_date("2025-12-22", True) == "22 Dec 2025, inferred"
    assert format_date(None) == "undated"


# The reading is spaCy's (DATE entities, the parse) and dateparser's (the date a phrase stands for): these
# run the real model and library.


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("The actor died early Wednesday.", "weekday", "Wednesday"),
        ("Monday's vote was close.", "weekday", "Monday"),
        ("Fighting resumed in mid-July.", "month", "July"),
        ("The strike began on December 8, 2023.", "day", "December 8, 2023"),
        ("Interviews were conducted on November 2-4.", "day", "November 2"),  # dateparser reads "2-4" as Feb 4
        ("He was banned for a five-year term.", None, None),  # a span of time, no date
        ("Talks lasted two weeks.", None, None),
        ("Prices rose last year.", None, None),  # relative to now: the article date says as much
    ],
)
def test_the_language_layer_finds_date_phrases(text: str, kind: str | None, phrase: str | None) -> None:
    found = [(m.kind, m.text, text[m.start : m.end]) for m in mentions(text)]
    assert found == ([(kind, phrase, phrase)] if kind else [])


def test_a_year_the_text_writes_is_kept_and_the_tense_picks_the_year_it_does_not() -> None:
    published = date(2025, 12, 22)
    (written,) = mentions("the strike began on December 8, 2023")
    assert resolve(written, published, future=False) == ("2023-12-08", "day")
    (day,) = mentions("on December 24")
    # Told as done, the 24th is last year's; as planned, this year's; with no tense (a question), this year's.
    assert resolve(day, published, future=False)[0] == "2024-12-24"
    assert resolve(day, published, future=True)[0] == "2025-12-24"
    assert resolve(day, published)[0] == "2025-12-24"
    (month,) = mentions("in July")
    assert resolve(month, published, future=True) == ("2026-07", "month")


@pytest.mark.parametrize(
    ("text", "future"),
    [
        ("talks begin on Monday", True),  # the present of a timetable
        ("the navy has said since Sunday that it will not move", False),
        ("the video shows the date of December 20, 2009", False),  # the date of a thing, not of the showing
        ("the request is expected to come during a December 7 meeting", True),
    ],
)
def test_the_parse_says_whether_a_date_is_planned(text: str, future: bool) -> None:
    (mention,) = mentions(text)
    assert is_future(text, mention.start) == future


@pytest.mark.parametrize(
    ("written", "iso"),
    [("20/12/2025", "2025-12-20"), ("01.02.2026", None), ("2025", None), ("yesterday", None)],
)
def test_metadata_dates_are_read_both_ways_round_and_not_guessed(written: str, iso: str | None) -> None:
    assert normalise_date(written) == iso


def test_calendar_names_come_from_the_calendar() -> None:
    assert (MONTHS["september"], MONTHS["sep"], MONTHS["jan"], WEEKDAYS[0], WEEKDAYS[6]) == (
        9,
        9,
        1,
        "monday",
        "sunday",
    )


def test_a_count_of_weeks_is_a_span_not_the_time_since_a_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Ferry talks\n\nMinisters met on Monday, after the strike began on December 8, 2025. The union had"
        " warned for six weeks that it would strike.\n",
        encoding="utf-8",
    )
    (article,) = load_corpus(tmp_path).articles
    assert (article.published, article.published_inferred) == ("2025-12-15", True)
    assert "week" not in (article.date_note or "")


def test_an_article_whose_only_full_dates_are_planned_stays_undated(tmp_path: Path) -> None:
    # Read as past, "July 30, 2009" and "December 31, 2011" dated this 2008 story Tuesday 3 January 2012.
    (tmp_path / "a.txt").write_text(
        "Iraq deal\n\nIraq's government approved amendments to the draft, a spokesman said Tuesday. The draft"
        " calls for U.S. combat troops to be out of Iraqi cities by July 30, 2009, and out of the country"
        " entirely by December 31, 2011.\n",
        encoding="utf-8",
    )
    (article,) = load_corpus(tmp_path).articles
    assert article.published is None and not article.published_inferred


@pytest.mark.parametrize(
    ("sentence", "is_guess"),
    [
        ("ministers met on Monday", True),  # which week
        ("the vote on December 24", True),  # no tense: this year's or last year's
        ("the vote was held on December 24", False),
        ("talks set for December 24", False),
        ("the strike began on December 8, 2023", False),
        ("the civil war, which ended in 1999", False),
    ],
)
def test_a_resolution_that_rests_on_a_guess_says_so(sentence: str, is_guess: bool) -> None:
    (mention,) = mentions(sentence)
    assert guessed(mention, sentence) == is_guess
