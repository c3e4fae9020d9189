"""News-aware answers on the seed index: conflicting figures, dates, speakers, duplicates, coverage, timeline."""

import json

import pytest
from conftest import SEEDS

from rag import Settings, query
from rag.cli.main import main
from rag.news.timeline import timeline
from rag.text import collapse_whitespace


@pytest.mark.parametrize(
    "question",
    [
        "How many people have died?",
        "How many people were displaced?",
        "How long is the border between the two countries?",
    ],
)
def test_figures_that_differ_are_reported_as_a_conflict(seed_settings: Settings, question: str) -> None:
    answer = query(question, settings=seed_settings)
    assert answer.conflicts, answer.text
    assert len({c.article_id for c in answer.citations}) >= 2
    # The figures are listed in the answer, after its best sentence when that one gives none of them.
    assert "Reports differ on how" in answer.text
    assert len({c.number for c in answer.conflicts}) >= 2
    # newest first (undated ones last), every row linked to a citation that quotes a figure from its article
    cited = {c.n: c for c in answer.citations}
    dates = [cited[n].published or "" for n in sorted({row.citation for row in answer.conflicts})]
    assert dates == sorted(dates, reverse=True)
    for row in answer.conflicts:
        assert row.citation in cited
        assert row.article_id in (cited[row.citation].article_id, *cited[row.citation].also_reported_by)
    for c in answer.citations:
        original = (SEEDS / c.article_id).read_text(encoding="utf-8")
        assert collapse_whitespace(original[c.start : c.end]) == c.quote


def test_counts_say_as_of_when(seed_settings: Settings, dated_seed_settings: Settings) -> None:
    answer = query("How many people have died?", settings=seed_settings)
    # 001–004 give no year of their own: their counts say so rather than borrow 000's date.
    assert "(as of 9 Dec 2025; CNN)" in answer.text and "(date unknown; 001_319db5c8fac61f63.txt)" in answer.text
    dated = query("How many people have died?", settings=dated_seed_settings)
    assert "(as of 9 Dec 2025; CNN)" in dated.text and "(as of 22 Dec 2025; 001_319db5c8fac61f63.txt)" in dated.text


def test_a_figure_for_one_country_is_not_turned_into_a_conflict(seed_settings: Settings) -> None:
    answer = query("How many people were killed in Thailand?", settings=seed_settings)
    assert not answer.text.startswith("Reports differ")


def test_citations_carry_dates_and_whether_they_were_inferred(seed_settings: Settings) -> None:
    answer = query("Which jets did Thailand fly in its airstrikes?", settings=seed_settings)
    journos = next(c for c in answer.citations if c.article_id.startswith("003_"))
    assert (journos.published, journos.published_inferred) == (None, False)
    cnn = query("Which countries were the armed clashes between?", settings=seed_settings).citations
    assert any(
        c.article_id.startswith("000_") and (c.published, c.published_inferred) == ("2025-12-09", False) for c in cnn
    )


@pytest.mark.fitted  # Anutin's sentence ranks first
def test_who_said_answers_with_the_speaker(seed_settings: Settings) -> None:
    answer = query("Who said Cambodia must comply with Thailand to stop the fighting?", settings=seed_settings)
    assert answer.citations[0].speaker and "Anutin" in answer.citations[0].speaker
    assert answer.text.startswith(answer.citations[0].speaker)


@pytest.mark.fitted  # where the trust-building sentence ranks
def test_a_quote_two_articles_carry_is_one_citation_reported_by_both(seed_settings: Settings) -> None:
    answer = query("What did Malaysia's foreign minister say about trust-building?", settings=seed_settings)
    repeated = [c for c in answer.citations if "trust-building" in c.quote]
    assert repeated and repeated[0].also_reported_by
    sources = {repeated[0].article_id, *repeated[0].also_reported_by}
    assert sources == {"001_319db5c8fac61f63.txt", "004_cfd63779a67ceb9c.txt"}
    assert sum("trust-building" in c.quote for c in answer.citations) == 1


@pytest.mark.fitted  # a sentence of the newest article ranks first
def test_latest_questions_prefer_the_newest_article(dated_seed_settings: Settings) -> None:
    answer = query("What is the latest on the ceasefire talks?", settings=dated_seed_settings)
    assert answer.citations[0].published == "2025-12-22"


@pytest.mark.parametrize(
    "question", ["How many people were displaced?", "What did Vietnam's president say about the ceasefire?"]
)
def test_answers_and_abstentions_say_what_was_searched(seed_settings: Settings, question: str) -> None:
    coverage = query(question, settings=seed_settings).coverage
    assert coverage is not None
    assert coverage.articles == 5 and "CNN" in coverage.outlets
    assert (coverage.earliest, coverage.latest, coverage.inferred_dates, coverage.undated) == (
        "2025-12-09",
        "2025-12-09",
        0,
        4,
    )
    assert coverage.describe().endswith("9 Dec 2025 – 9 Dec 2025 (4 undated)")


def test_status_shows_coverage(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_HOME", str(seed_settings.home))
    assert main(["status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"]["articles"] == 5 and data["coverage"]["latest"] == "2025-12-09"
    assert main(["status"]) == 0
    assert "coverage: searched 5 articles" in capsys.readouterr().out


def test_the_timeline_has_the_key_events_in_order(dated_seed_settings: Settings) -> None:
    events = timeline(dated_seed_settings)
    assert [e.date for e in events] == sorted(e.date for e in events)
    wanted = {
        "2025-07": "July",
        "2025-10": "October",
        "2025-12-08": "8",
        "2025-12-22": "Kuala Lumpur",
        "2025-12-24": "December 24",
    }
    for when, word in wanted.items():
        assert any(e.date == when and any(word in c.quote for c in e.citations) for e in events), when
    meeting = next(e for e in events if e.date == "2025-12-22" and "Kuala Lumpur" in e.what)
    assert meeting.inferred and len({c.article_id for c in meeting.citations}) >= 2


@pytest.mark.parametrize(("when", "sources"), [("2025-10", 4), ("2025-12-24", 2)])
def test_one_timeline_row_per_event(dated_seed_settings: Settings, when: str, sources: int) -> None:
    """The October accord and the talks of 24 December, each told by several articles in other words
    (on the seeds with 001–004 dated: undated, their date phrases could not be placed)."""
    (event,) = [e for e in timeline(dated_seed_settings) if e.date == when]
    assert len({c.article_id for c in event.citations}) == sources


def test_rag_timeline_prints_dates_and_citations(
    dated_seed_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_HOME", str(dated_seed_settings.home))
    assert main(["timeline"]) == 0
    out = capsys.readouterr().out
    for when in ("2025-07", "2025-10", "2025-12-08", "2025-12-22", "2025-12-24"):
        assert f"\n{when} " in f"\n{out}"
    assert "[1] " in out and "chars " in out
    assert main(["timeline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"date", "precision", "inferred", "what", "citations"} <= data[0].keys()
    assert all(c["article_id"].endswith(".txt") for c in data[0]["citations"])


def test_rag_timeline_without_an_index_is_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["timeline"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rag ingest" in err
