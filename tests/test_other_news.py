"""The news features on news of other kinds (tests/fixtures/news: an earthquake in February, an election,
a trial), indexed for real: nothing in them is keyed to the seeds' words."""

from pathlib import Path

import pytest

from rag import Settings, ingest, query
from rag.news.timeline import timeline

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "news"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Settings]:
    found = {}
    for name in ("earthquake", "election", "trial", "deals"):
        settings = Settings(home=tmp_path_factory.mktemp(name), corpus=FIXTURES / name)
        ingest(settings)
        found[name] = settings
    return found


def test_a_february_death_toll_is_a_conflict_of_totals_newest_first(indexed: dict[str, Settings]) -> None:
    answer = query("What is the death toll of the earthquake?", settings=indexed["earthquake"])
    assert answer.text.startswith("Reports differ on the death toll"), answer.text
    numbers = [c.number for c in answer.conflicts]
    assert numbers[:2] == [12050, 11200] and 3400 in numbers
    # one town's toll, one nationality's dead and an earlier year's are not totals, nor do they lead the list
    assert not {1200, 7, 17000} & set(numbers)
    assert "17,000" not in answer.text


def test_the_articles_own_month_in_a_question_is_no_scope(indexed: dict[str, Settings]) -> None:
    answer = query("How many people were killed in February?", settings=indexed["earthquake"])
    assert answer.text.startswith("Reports differ"), answer.text


def test_displaced_figures_of_the_quake_are_compared(indexed: dict[str, Settings]) -> None:
    answer = query("How many people were displaced by the quake?", settings=indexed["earthquake"])
    assert {c.number for c in answer.conflicts} == {80000, 150000}
    assert len({c.article_id for c in answer.conflicts}) == 2


def test_a_scoped_question_gets_no_totals(indexed: dict[str, Settings]) -> None:
    answer = query("How many Syrian civilians were killed?", settings=indexed["earthquake"])
    assert not answer.text.startswith("Reports differ") and answer.conflicts == ()


def test_vote_counts_of_two_reports_are_a_conflict(indexed: dict[str, Settings]) -> None:
    answer = query("How many votes did the mayor win?", settings=indexed["election"])
    assert {c.number for c in answer.conflicts} == {52310, 51980}, answer.text


def test_a_figure_for_an_earlier_year_is_not_compared_with_todays(indexed: dict[str, Settings]) -> None:
    answer = query("How much did the bank pay in fines?", settings=indexed["trial"])
    assert answer.conflicts == (), answer.text  # $4.5 billion was 2023's; $3.9 billion is the only current one


def test_a_figure_of_another_deal_is_no_report_of_the_asked_one(indexed: dict[str, Settings]) -> None:
    answer = query("How much did Jalen Price sign for?", settings=indexed["deals"])
    assert not answer.abstained and answer.conflicts == (), answer.text
    assert "$34 million" in answer.text and "$6 billion" not in answer.text


def test_an_article_that_does_not_name_what_the_question_names_does_not_answer(indexed: dict[str, Settings]) -> None:
    # the merger article tells of stores; the only article naming the Gulls is about a player's contract
    answer = query("How many stores will the Gulls run?", settings=indexed["deals"])
    assert answer.abstained, answer.text
    named = query("How many stores will the combined company run?", settings=indexed["deals"])
    assert not named.abstained and "900 stores" in named.text, named.text


def test_a_line_that_only_restates_the_question_is_no_answer(indexed: dict[str, Settings]) -> None:
    # the merger article's subheading "Shareholder vote on the merger" holds every word of the question
    answer = query("When will shareholders vote on the merger?", settings=indexed["deals"])
    assert "August" in answer.text, answer.text
    assert all("Shareholder vote on the merger" not in c.quote for c in answer.citations), answer.text


@pytest.mark.parametrize("question", ["What did Marsh say?", "What did Elena Marsh say?"])
def test_what_someone_said_is_found_where_no_article_uses_the_word_say(
    indexed: dict[str, Settings], question: str
) -> None:
    # the articles write "said"; "say", a term no article used, outweighed the name and the answer was refused
    answer = query(question, settings=indexed["deals"])
    assert not answer.abstained and answer.citations[0].quote.startswith("Governor Elena Marsh said"), answer.text


def test_a_name_only_the_headline_gives_is_known(indexed: dict[str, Settings]) -> None:
    # "Calder" is in the rate decision's title alone: read as a name no article mentions, it was refused
    answer = query("What did the Calder central bank decide?", settings=indexed["deals"])
    assert not answer.abstained and "2 percent" in answer.text, answer.text


def _indexed_corpus(tmp_path: Path, articles: dict[str, tuple[str, str, str]]) -> Settings:
    """``articles`` (file name: title, date, text) written as a corpus and indexed, under ``tmp_path``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, day, text) in articles.items():
        (corpus / f"{name}.txt").write_text(f"title: {title}\ndate: {day}\n\n{text}\n")
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    ingest(settings)
    return settings


def test_a_count_is_not_answered_by_sentences_without_a_number(tmp_path: Path) -> None:
    news = {
        "games": "The Games opened on Friday in a nearly empty stadium. Athletes competed without fans, a year "
        "after the Games were postponed.",
        "rover": "The rover landed in a crater on Thursday after a seven-month journey.",
        "ship": "The container ship was freed on Monday after blocking the canal for six days.",
        "shares": "Shares of the retailer rose 135 percent on Tuesday as small investors bought the stock.",
    }
    settings = _indexed_corpus(tmp_path, {name: (name, "2026-07-24", text) for name, text in news.items()})
    assert query("How many athletes competed at the Games?", settings=settings).abstained
    opened = query("When did the Games open?", settings=settings)
    assert not opened.abstained and "Friday" in opened.text, opened.text


def test_another_quarter_does_not_answer_for_the_one_asked(tmp_path: Path) -> None:
    reports = {
        "q1": ("2026-04-28", "Harbor Grocers said revenue rose to $4.1 billion in the first quarter."),
        "q3": ("2026-10-27", "Harbor Grocers said revenue fell to $3.2 billion in the third quarter."),
        "vote": ("2026-05-05", "Shareholders of Harbor Grocers will vote on the merger in August."),
    }
    settings = _indexed_corpus(tmp_path, {name: ("Harbor Grocers", *report) for name, report in reports.items()})
    third = query("What was Harbor Grocers' revenue in the third quarter?", settings=settings)
    assert "$3.2 billion" in third.text and "$4.1 billion" not in third.text, third.text
    second = query("What was Harbor Grocers' revenue in Q2?", settings=settings)
    assert second.abstained, second.text


def test_one_articles_several_figures_are_no_reports_that_differ(tmp_path: Path) -> None:
    box_office = (
        "The comedy earned $52 million over the weekend, the studio said. The thriller earned $20.5 million in"
        " its fourth weekend."
    )
    rates = "The central bank kept its rate at 2 percent on Wednesday."
    settings = _indexed_corpus(
        tmp_path,
        {
            "box-office": ("Weekend box office", "2026-01-08", box_office),
            "rates": ("Bank holds rates", "2026-01-07", rates),
        },
    )
    answer = query("How much did the thriller earn?", settings=settings)
    assert not answer.text.startswith("Reports differ") and answer.conflicts == (), answer.text
    assert "$20.5 million" in answer.text, answer.text


def test_an_article_of_the_same_story_answers_for_the_one_that_names_it(indexed: dict[str, Settings]) -> None:
    # only the count article names Pennsylvania; the turnout article, on the same election, has the ballots
    answer = query("How many ballots were uncounted in Pennsylvania?", settings=indexed["election"])
    assert "1,200 ballots" in answer.text, answer.text


@pytest.mark.parametrize(
    ("corpus", "question", "name"),
    [
        ("election", "Who said turnout was strong?", "Al Schmidt"),
        ("trial", "Who told the jury that the defendant lied to investors?", "Maria Lopez"),
        ("trial", "Who insisted that the client is innocent?", "Tom Reyes"),
    ],
)
def test_speakers_of_other_news(indexed: dict[str, Settings], corpus: str, question: str, name: str) -> None:
    answer = query(question, settings=indexed[corpus])
    assert answer.citations and name in (answer.citations[0].speaker or ""), answer.text


@pytest.mark.parametrize(
    ("corpus", "when", "rows", "sources"),
    [
        ("earthquake", "2026-02-20", 1, 2),  # the donors' conference, told two ways
        ("earthquake", "2026-02-06", 2, 3),  # the quake (three articles) and, apart, the rate cut
        ("election", "2025-11-12", 1, 2),  # the recount
        ("election", "2025-11-05", 2, 1),  # a concession and a budget vote: two events
        ("trial", "2026-03-02", 2, 2),  # the trial opening (two articles) and, apart, the share fall
    ],
)
def test_one_timeline_row_per_event_of_other_news(
    indexed: dict[str, Settings], corpus: str, when: str, rows: int, sources: int
) -> None:
    events = [e for e in timeline(indexed[corpus]) if e.date == when]
    assert len(events) == rows, [e.what for e in events]
    assert max(len({c.article_id for c in e.citations}) for e in events) == sources
