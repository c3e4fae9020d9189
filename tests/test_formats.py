"""Saved web pages, RSS/Atom feeds and JSON Lines exports: each reader alone, then through `rag ingest`,
`rag status --json`, `rag ask --json` and `rag remove` on a folder that mixes them with text files.

The fixtures in tests/fixtures/formats/ are written for these tests (no real site's page); nothing here
touches the network, and one test makes sure the feed reader cannot.
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import CNN, SEEDS

from rag import Settings, ingest
from rag.cli.main import main
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus
from rag.ingestion.formats import UnreadableError, html_text, read_feed, read_html, read_jsonl
from rag.text import collapse_whitespace

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
PAGE = FORMATS / "harbour-bridge.html"
UNDATED_PAGE = FORMATS / "library-opening.htm"
RSS = FORMATS / "regional.rss"
ATOM = FORMATS / "science.atom"
JSONL = FORMATS / "export.jsonl"

# Every article of the mixed folder: (date, date_basis, url).
EXPECTED = {
    CNN: ("2025-12-09", "date line", None),
    "notes.md": ("2026-03-02", "metadata", None),
    "harbour-bridge.html": ("2026-03-04", "metadata", "https://courier.example.org/news/2026/harbour-bridge-reopens"),
    "library-opening.htm": ("2026-02-12", "inferred", None),
    "regional.rss#1": ("2026-01-20", "metadata", "https://herald.example.net/2026/01/dam-inspection"),
    "regional.rss#2": ("2026-01-21", "metadata", "https://herald.example.net/2026/01/apple-harvest"),
    "science.atom#1": ("2026-02-02", "metadata", "https://wire.example.com/2026/02/comet"),
    "science.atom#2": ("2026-02-01", "metadata", "https://wire.example.com/2026/02/seed-vault"),
    "export.jsonl#1": ("2026-03-09", "metadata", "https://metro.example.com/council-cycling"),
    "export.jsonl#2": ("2026-03-11", "metadata", None),
    "export.jsonl#4": (None, "unknown", None),
}
NOTES = """---
title: Museum extends opening hours
date: 2026-03-02
outlet: Harbour Weekly
---

The maritime museum will stay open until 9 pm on Fridays from April, its director, Nadia Pereira, said.
"""


def _mixed_folder(folder: Path) -> Path:
    """A seed article (.txt), a Markdown note, two pages, two feeds and a JSON Lines export in one folder."""
    folder.mkdir(parents=True)
    shutil.copy(SEEDS / CNN, folder / CNN)
    (folder / "notes.md").write_text(NOTES, encoding="utf-8")
    for fixture in (PAGE, UNDATED_PAGE, RSS, ATOM, JSONL):
        shutil.copy(fixture, folder / fixture.name)
    return folder


# --- each reader alone ---------------------------------------------------------------------------------


def test_a_page_gives_its_main_text_and_metadata_without_navigation_comments_or_footer() -> None:
    (entry,) = read_html(PAGE.read_bytes()).entries
    assert entry.key is None  # one article: its id is the file name
    assert entry.known == {
        "title": "Harbour bridge reopens after eleven months of repairs",
        "outlet": "The Lakeside Courier",
        "byline": "Mira Okonkwo",
        "published": "2026-03-04",
        "url": "https://courier.example.org/news/2026/harbour-bridge-reopens",
    }
    assert "312 corroded steel cables" in entry.text and "Tomas Berglund" in entry.text
    for boilerplate in ("Subscribe", "Weather", "ferry queue was unbearable", "scandal", "Privacy", "rights reserved"):
        assert boilerplate not in entry.text, boilerplate
    assert entry.guessed_date is None


def test_a_page_without_a_date_in_its_metadata_is_dated_by_htmldate_from_its_text_as_inferred() -> None:
    (article,) = load_corpus(UNDATED_PAGE).articles
    assert article.published == "2026-02-12"
    assert article.date_basis == "inferred" and article.published_inferred
    assert "htmldate" in (article.date_note or "")
    assert article.url is None and article.title == "New public library opens in Eastfield"


def test_a_footers_copyright_year_does_not_date_a_page(tmp_path: Path) -> None:
    """htmldate's search of the whole page would date it 1 January 2026 from "© 2026"; it is undated."""
    page = PAGE.read_text(encoding="utf-8")
    undated = page.replace('<meta property="article:published_time" content="2026-03-04T08:15:00+00:00">', "")
    (tmp_path / "bridge.html").write_text(undated.replace("/news/2026/", "/news/"), encoding="utf-8")
    (article,) = load_corpus(tmp_path).articles
    assert "© 2026" in undated
    assert (article.published, article.date_basis) == (None, "unknown")


def test_a_page_with_no_article_text_is_skipped_with_its_reason(tmp_path: Path) -> None:
    # a page saved before its script filled it in
    (tmp_path / "menu.html").write_text(
        "<html><head><title>Loading</title></head><body><script>app()</script></body></html>"
    )
    corpus = load_corpus(tmp_path)
    assert corpus.articles == ()
    assert [(Path(s.path).name, s.reason) for s in corpus.skipped] == [
        ("menu.html", "no article text found in the page")
    ]


def test_rss_entries_are_articles_with_the_feeds_metadata() -> None:
    corpus = load_corpus(RSS)
    full, summary = corpus.articles
    assert (full.article_id, summary.article_id) == ("regional.rss#1", "regional.rss#2")
    assert (full.title, full.outlet, full.byline) == (
        "Dam inspection finds cracks in spillway",
        "Valley Herald",
        "Pieter Vos",
    )
    assert full.published == "2026-01-20" and full.date_basis == "metadata"
    # the full content, not the one-line description; its HTML reduced to text
    assert "4.3 metres" in full.text and "<p>" not in full.text
    # an inline <b> stays inside its sentence
    assert "a record harvest of 61,000 tonnes of apples this autumn" in summary.text
    assert [(Path(w.path).name, w.reason) for w in corpus.warnings] == [
        (
            "regional.rss",
            "entry 2 ('Orchard growers expect record apple harvest') has only a summary in the feed; "
            "indexed as that summary",
        )
    ]


def test_atom_entries_with_content_and_with_only_a_summary() -> None:
    corpus = load_corpus(ATOM)
    comet, vault = corpus.articles
    assert comet.article_id == "science.atom#1" and comet.byline == "Ingrid Solheim"
    assert comet.published == "2026-02-02"  # published, not the later updated
    assert "C/2026 B1" in comet.text and "Eirik Dahl" in comet.text
    assert vault.published == "2026-02-01"  # no published: the entry's updated date
    assert vault.text.startswith("The northern seed vault added 12,000 new samples")
    assert len(corpus.warnings) == 1 and "entry 2 ('Seed vault adds 12,000 samples')" in corpus.warnings[0].reason


def test_the_feed_reader_reads_the_bytes_and_never_fetches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed file that holds only an address is no feed: feedparser is given bytes, so it fetches nothing."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the feed reader opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    (tmp_path / "link.rss").write_text("https://herald.example.net/feed.rss\n")
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>'
    )
    corpus = load_corpus(tmp_path)
    assert corpus.articles == ()
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert reasons.keys() == {"link.rss", "sitemap.xml"}
    assert all(r.startswith("no entries: not an RSS or Atom feed") for r in reasons.values())


def test_jsonl_lines_are_articles_and_an_invalid_line_is_reported_with_its_number() -> None:
    corpus = load_corpus(JSONL)
    assert [a.article_id for a in corpus.articles] == ["export.jsonl#1", "export.jsonl#2", "export.jsonl#4"]
    council = corpus.articles[0]
    assert (council.title, council.outlet, council.byline) == (
        "City council approves cycling budget",
        "Metro Daily",
        "Lucia Ferrante",
    )
    assert (council.published, council.date_basis, council.url) == (
        "2026-03-09",
        "metadata",
        "https://metro.example.com/council-cycling",
    )
    assert [(Path(w.path).name, w.reason.split(":")[0]) for w in corpus.warnings] == [("export.jsonl", "line 3")]
    assert "not valid JSON" in corpus.warnings[0].reason and corpus.skipped == ()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'["a list"]', "a JSON list, not an object"),
        (b'{"title": "No text"}', "no 'text' string"),
        (b'{"text": 42}', "no 'text' string"),
        (b'{"text": "   "}', "empty 'text'"),
        (b'{"text": "Body.", "published": 20260309}', "'published' is a JSON int, not a string"),
        (b'{"text": "Body.", "author": ["A", "B"]}', "'author' is a JSON list, not a string"),
        (b'{"text": "caf\xe9"}', "not UTF-8 (byte 13)"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_each_kind_of_invalid_jsonl_line_is_named_and_the_rest_is_read(line: bytes, problem: str) -> None:
    good = b'{"text": "The ferry resumed service on Monday.", "outlet": null}'
    read = read_jsonl(good + b"\n\n" + line + b"\n" + good + b"\n")
    assert [e.key for e in read.entries] == ["1", "4"]
    (reported,) = read.problems
    assert reported.startswith(f"line 3: {problem}") and reported.endswith("not indexed")


def test_a_jsonl_file_with_no_valid_line_is_skipped() -> None:
    with pytest.raises(UnreadableError, match="no valid line"):
        read_jsonl(b'{"title": "x"}\n')


def test_html_text_keeps_paragraphs_and_inline_text_and_drops_markup() -> None:
    markup = (
        "Lead text <!-- hidden --> <p>One &amp; <a href='/x'>two</a>,\n  three.</p><ul><li>Four</li></ul>five<br>six"
    )
    assert html_text(markup) == "Lead text\n\nOne & two, three.\n\nFour\n\nfive\n\nsix"
    assert html_text("") == "" and html_text("plain words") == "plain words"


def test_offsets_of_extracted_articles_point_into_the_extracted_text() -> None:
    """For pages, feeds and JSON Lines the original is the reader's text (docs: how offsets work)."""
    splitter = make_splitter(200, 50)
    readers = {PAGE: read_html, UNDATED_PAGE: read_html, RSS: read_feed, ATOM: read_feed, JSONL: read_jsonl}
    for path, reader in readers.items():
        texts = {e.key: e.text for e in reader(path.read_bytes()).entries}
        for article in load_corpus(path).articles:
            original = texts[article.article_id.partition("#")[2] or None]
            for chunk in chunk_article(article, splitter):
                assert collapse_whitespace(original[chunk.start : chunk.end]) == collapse_whitespace(chunk.text)
                for sentence in chunk.sentences:
                    assert collapse_whitespace(original[sentence.start : sentence.end]) == sentence.text


def test_ids_and_content_hashes_are_stable_across_reads() -> None:
    first, second = load_corpus(FORMATS), load_corpus(FORMATS)
    assert [(a.article_id, a.content_hash) for a in first.articles] == [
        (a.article_id, a.content_hash) for a in second.articles
    ]
    assert len({a.content_hash for a in first.articles}) == len(first.articles)


# --- through the rag command -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The mixed folder indexed once, for the questions. Read-only for the tests that use it."""
    root = tmp_path_factory.mktemp("formats")
    settings = Settings(home=root / "index", corpus=_mixed_folder(root / "corpus"))
    ingest(settings)
    return settings


def _point_at(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("RAG_HOME", str(settings.home))
    monkeypatch.setenv("RAG_CORPUS", str(settings.corpus))


def _status(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    assert main(["status", "--json"]) == 0
    return {a["article_id"]: a for a in json.loads(capsys.readouterr().out)["indexed"]}


def test_a_mixed_folder_ingests_in_one_rag_ingest_with_every_date_and_its_basis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _mixed_folder(tmp_path / "corpus")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS", str(folder))
    assert main(["ingest", str(folder)]) == 0
    captured = capsys.readouterr()
    assert f"{len(EXPECTED)} added, 0 updated, 0 removed, 0 unchanged" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("rag: warning: ")]
    assert len(warnings) == 3  # the invalid JSON line and the two summary-only entries, each naming its file
    assert any(f"{folder / 'export.jsonl'}: line 3: not valid JSON" in w for w in warnings)
    assert sum("has only a summary in the feed" in w for w in warnings) == 2

    indexed = _status(capsys)
    assert {i: (a["published"], a["date_basis"], a["url"]) for i, a in indexed.items()} == EXPECTED
    assert {a["path"] for i, a in indexed.items() if i.startswith("regional.rss#")} == {str(folder / "regional.rss")}

    # unchanged files: nothing re-embedded, article by article
    assert main(["ingest", str(folder)]) == 0
    assert f"0 added, 0 updated, 0 removed, {len(EXPECTED)} unchanged" in capsys.readouterr().out


def test_rag_remove_with_a_feeds_file_name_removes_all_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for fixture in (RSS, JSONL):
        shutil.copy(fixture, folder / fixture.name)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)  # not the corpus folder: the bare file name still names the file's articles
    assert main(["ingest", str(folder)]) == 0
    capsys.readouterr()
    assert main(["remove", "regional.rss"]) == 0
    assert capsys.readouterr().out.startswith("2 removed: regional.rss#1, regional.rss#2")
    assert sorted(_status(capsys)) == ["export.jsonl#1", "export.jsonl#2", "export.jsonl#4"]
    assert main(["remove", "export.jsonl#2"]) == 0  # one entry, by its id
    assert capsys.readouterr().out.startswith("1 removed: export.jsonl#2")
    assert sorted(_status(capsys)) == ["export.jsonl#1", "export.jsonl#4"]


@pytest.mark.parametrize(
    ("question", "article_id", "words"),
    [
        ("How many corroded steel cables did engineers replace on the harbour bridge?", "harbour-bridge.html", "312"),
        ("How long is the longest crack in the Arnvale dam spillway?", "regional.rss#1", "4.3 metres"),
        ("How many council members voted for the cycle lanes plan?", "export.jsonl#1", "Nine"),
        ("How many passengers did the regional airport handle last year?", "export.jsonl#4", "2.3 million"),
    ],
)
def test_rag_ask_answers_from_each_format_and_json_carries_the_url(
    mixed_home: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    question: str,
    article_id: str,
    words: str,
) -> None:
    _point_at(monkeypatch, mixed_home)
    assert main(["ask", question, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    first = answer["citations"][0]
    assert first["article_id"] == article_id and words in first["quote"]
    assert first["url"] == EXPECTED[article_id][2]
    assert all("url" in p for p in answer["passages"])


def test_no_comment_or_navigation_of_a_page_is_indexed(
    mixed_home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, mixed_home)
    assert main(["ask", "What did readers say about the ferry queue in the comments?", "--json", "-k", "10"]) == 0
    answer = json.loads(capsys.readouterr().out)
    texts = " ".join(p["text"] for p in answer["passages"])
    assert "harbour" in texts.lower()  # the page was searched …
    assert "unbearable" not in texts and "Subscribe" not in texts  # … but its comments and menu are not there


def test_rag_ask_names_the_web_address_of_a_cited_article(
    mixed_home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, mixed_home)
    assert main(["ask", "How long is the longest crack in the Arnvale dam spillway?"]) == 0
    lines = capsys.readouterr().out.splitlines()
    cited = next(line for line in lines if line.startswith("[1] "))
    assert cited.endswith("(regional.rss#1, chars 145-183) https://herald.example.net/2026/01/dam-inspection")
