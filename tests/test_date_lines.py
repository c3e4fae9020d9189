"""An article's date as plain text writes it: a line under the headline that is only a date, in any common
form, read before anything is inferred; where each date comes from (``date_basis``) and the order of trust
(metadata, byline, date line, inferred). Issue 27's newcomer cases, in articles written for these tests."""

import json
from pathlib import Path

import pytest

from rag import Settings, ingest, timeline
from rag.cli.main import main
from rag.ingestion.corpus import load_corpus
from rag.schema import DATE_BASES

BODY = (
    "The Harbour City council approved the transfer of the ferry terminal on Monday, after a vote that"
    " lasted four hours. The winter transfer window closes on February 1, the council's clerk said."
)


def _read(tmp_path: Path, text: str) -> object:
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (article,) = load_corpus(tmp_path).articles
    return article


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("March 4, 2026", "2026-03-04"),  # was dated 9 Mar 2026, inferred from "Monday"
        ("January 30, 2026", "2026-01-30"),  # was 6 Feb 2026, inferred
        ("February 2, 2026", "2026-02-02"),  # was undated
        ("2026-03-04", "2026-03-04"),  # was undated
        ("date: 2026-03-04", "2026-03-04"),  # was undated and glued to the headline
        ("4 March 2026", "2026-03-04"),
        ("Published: March 4, 2026", "2026-03-04"),
        ("Updated Wednesday 4 March 2026 10:32 GMT", "2026-03-04"),
        ("Last updated: Mar. 4, 2026 at 3:15 p.m. ET", "2026-03-04"),
    ],
)
def test_a_line_under_the_headline_that_is_only_a_date_dates_the_article(tmp_path: Path, line: str, day: str) -> None:
    article = _read(tmp_path, f"Ferry terminal changes hands\n{line}\n\n{BODY}\n")
    assert (article.published, article.date_basis, article.published_inferred) == (day, "date line", False)
    assert article.title == "Ferry terminal changes hands"  # the date line is not part of the title …
    assert line.split()[-1] not in article.text.split("\n\n")[0]  # … nor of the text


def test_a_headline_that_names_a_date_stays_the_headline(tmp_path: Path) -> None:
    article = _read(tmp_path, f"Storm hits March 4, 2026\n\n{BODY}\n")
    assert article.title == "Storm hits March 4, 2026"
    assert article.date_basis != "date line"


def test_metadata_wins_over_a_byline_which_wins_over_a_date_line(tmp_path: Path) -> None:
    fenced = _read(tmp_path, f"---\ndate: 2026-03-01\n---\nFerry deal\nMarch 4, 2026\n\n{BODY}\n")
    assert (fenced.published, fenced.date_basis) == ("2026-03-01", "metadata")
    byline = _read(tmp_path, f"Ferry deal\nMarch 4, 2026\nBy Ana Ruiz | Harbour Post | March 3, 2026\n\n{BODY}\n")
    assert (byline.published, byline.date_basis, byline.byline) == ("2026-03-03", "byline", "Ana Ruiz")
    inferred = _read(tmp_path, "Ferry deal\n\nThe vote was held on Monday, after the strike began on March 2, 2026.\n")
    assert (inferred.date_basis, inferred.published_inferred) == ("inferred", True)
    undated = _read(tmp_path, f"Ferry deal\n\n{BODY}\n")
    assert (undated.published, undated.date_basis) == (None, "unknown")


def test_status_json_gives_each_articles_date_and_basis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "line.txt").write_text(f"Ferry deal\nJanuary 30, 2026\n\n{BODY}\n", encoding="utf-8")
    (corpus / "front.md").write_text(f"---\ntitle: Ferry deal\ndate: 2026-01-29\n---\n{BODY}\n", encoding="utf-8")
    (corpus / "none.txt").write_text(f"Ferry deal\n\n{BODY}\n", encoding="utf-8")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    assert main(["ingest", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    rows = {row["article_id"]: row for row in json.loads(capsys.readouterr().out)["indexed"]}
    assert all(row["date_basis"] in DATE_BASES for row in rows.values())
    assert {a: (r["published"], r["date_basis"]) for a, r in rows.items()} == {
        "line.txt": ("2026-01-30", "date line"),
        "front.md": ("2026-01-29", "metadata"),
        "none.txt": (None, "unknown"),
    }


def test_the_timeline_holds_no_date_line_and_dates_the_text_from_the_article(tmp_path: Path) -> None:
    """The newcomer's timeline showed "2025-02-01 The winter transfer window closes" for an article of January
    2026, and the date lines themselves as events."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Ferry terminal changes hands\nJanuary 30, 2026\n\n{BODY}\n", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", corpus=corpus)
    ingest(settings)
    events = {(e.date, e.what) for e in timeline(settings)}
    assert any(day == "2026-02-01" and "transfer window" in what for day, what in events), events
    assert not any(day.startswith("2025") for day, _ in events), events
    assert not any(what.strip() == "January 30, 2026" for _, what in events), events
