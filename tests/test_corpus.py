from datetime import date
from pathlib import Path

import pytest
from conftest import CNN, JOURNOS, SEEDS

from rag.ingestion.corpus import load_corpus, parse_article
from rag.news.dates import mentions, resolve
from rag.text import collapse_whitespace


def _articles() -> dict:
    return {a.article_id: a for a in load_corpus(SEEDS).articles}


def test_every_seed_file_becomes_an_article_named_by_its_file() -> None:
    corpus = load_corpus(SEEDS)
    assert sorted(a.article_id for a in corpus.articles) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert corpus.skipped == ()


def test_cnn_metadata_line_is_read_and_removed_from_the_text() -> None:
    cnn = _articles()[CNN]
    assert cnn.published == "2025-12-09"
    assert cnn.outlet == "CNN"
    assert cnn.byline == "Helen Regan, Kocha Olarn"
    assert not cnn.text.startswith("date")
    assert cnn.text.startswith("(CNN) — Armed clashes")


def test_publisher_footer_is_dropped_but_the_reporting_is_kept() -> None:
    article = _articles()[JOURNOS]
    assert "Follow us on" not in article.text
    assert "rewritten by" not in article.text
    assert article.outlet == "JournosNews.com"
    assert article.text.endswith("before the conflict deepens further.")


def test_tag_line_and_trailing_blank_lines_are_dropped() -> None:
    articles = _articles()
    assert articles["004_cfd63779a67ceb9c.txt"].text.endswith("to the foreign ministers.")
    assert articles["002_fd53b662f63def63.txt"].text.endswith("uncertain.")


def test_headline_is_the_title() -> None:
    assert (
        _articles()["001_319db5c8fac61f63.txt"].title
        == "Thailand, Cambodia Set Defense Talks to Resume Truce After Deadly Border Clashes"
    )


def test_clean_text_maps_back_to_the_original_file() -> None:
    for article in _articles().values():
        original = Path(article.path).read_text(encoding="utf-8")
        for start in range(0, len(article.text) - 40, 97):
            piece = article.span(start, start + 40)
            assert collapse_whitespace(original[piece.start : piece.end]) == collapse_whitespace(piece.text)


def test_hard_wrapped_markdown_with_front_matter() -> None:
    original = (
        "---\ntitle: Talks resume\ndate: 2025-12-20\noutlet: Example News\n---\n\n"
        "The two sides met on\nFriday in Bangkok.   They agreed to talk again.\n\nA new paragraph.\n"
    )
    article = parse_article("x.md", "x.md", original, "hash")
    assert (article.title, article.published, article.outlet) == ("Talks resume", "2025-12-20", "Example News")
    assert article.text == "The two sides met on Friday in Bangkok. They agreed to talk again.\n\nA new paragraph."


def test_key_value_lines_atop_a_plain_text_file_are_front_matter_too() -> None:
    original = (
        "title: Port chief jailed for six years\ndate: 2024-09-12\noutlet: Harlow Bay Gazette\n\n"
        "A court on Thursday sentenced the former port director.\n\nHe will appeal.\n"
    )
    article = parse_article("x.txt", "x.txt", original, "hash")
    assert (article.title, article.published, article.outlet) == (
        "Port chief jailed for six years",
        "2024-09-12",
        "Harlow Bay Gazette",
    )
    assert not article.published_inferred
    assert article.text == "A court on Thursday sentenced the former port director.\n\nHe will appeal."
    thursday = article.span(article.text.index("Thursday"), article.text.index("Thursday") + 8)
    assert original[thursday.start : thursday.end] == "Thursday"


def test_a_first_line_that_only_looks_like_a_key_is_text() -> None:
    original = "Source of the delay: the recount, officials said.\n\nTurnout hit a record.\n"
    article = parse_article("x.txt", "x.txt", original, "hash")
    assert article.outlet is None
    assert article.text.startswith("Source of the delay: the recount")


def test_a_binary_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A sentence about the border.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00binary\x00")
    corpus = load_corpus(tmp_path)
    assert [a.article_id for a in corpus.articles] == ["good.txt"]
    assert corpus.skipped[0].path.endswith("bad.txt")
    assert "binary" in corpus.skipped[0].reason


# Issue 13, problem 3: the byline and dateline forms the first lines of news files use.
BYLINE_FORMS = [
    (
        "Lake level falls\ndate 2026-03-05 By Tomas Berg, Lakeside Gazette\n\nThe lake fell on Thursday.\n",
        ("Lake level falls", "Lakeside Gazette", "Tomas Berg", "2026-03-05"),
    ),
    (
        "Lake level falls\n\nLakeside Gazette weekly\ndate March 5, 2026 By Tomas Berg, Ana Ruiz, AP\n\nIt fell.\n",
        ("Lake level falls", "AP", "Tomas Berg, Ana Ruiz", "2026-03-05"),
    ),
    (
        "Lake level falls\nBy Tomas Berg | Lakeside Gazette | March 5, 2026\n\nThe lake fell on Thursday.\n",
        ("Lake level falls", "Lakeside Gazette", "Tomas Berg", "2026-03-05"),
    ),
    (
        "Lake level falls\n\nWASHINGTON (AP) — The lake fell on Thursday, officials said.\n",
        ("Lake level falls", "AP", None, None),
    ),
    (
        "KUALA LUMPUR, Malaysia (Reuters) - The lake fell on Thursday, officials said.\n",
        (None, "Reuters", None, None),
    ),
    (
        "---\ntitle: Lake level falls\ndate: March 5, 2026\nsource: Lakeside Gazette\nauthor: Tomas Berg\n---\n\n"
        "It fell.\n",
        ("Lake level falls", "Lakeside Gazette", "Tomas Berg", "2026-03-05"),
    ),
    (
        "---\ndate: 5 Mar 2026 09:10 GMT\n---\nLake level falls\n\nThe lake fell on Thursday.\n",
        ("Lake level falls", None, None, "2026-03-05"),
    ),
]


@pytest.mark.parametrize(("original", "expected"), BYLINE_FORMS, ids=range(len(BYLINE_FORMS)))
def test_bylines_datelines_and_front_matter_give_title_outlet_byline_and_iso_date(
    original: str, expected: tuple[str | None, ...]
) -> None:
    article = parse_article("x.md", "x.md", original, "hash")
    assert (article.title, article.outlet, article.byline, article.published) == expected
    assert not article.published_inferred
    assert "By " not in article.text and "date " not in article.text, "metadata lines are not article text"


@pytest.mark.parametrize(
    "line",
    [
        "By Saturday the February 6 earthquake had killed 3,400 people, the national disaster agency said.",
        "By noon, turnout had reached 40 percent",
        "By then the jury had heard from 12 witnesses.",
    ],
)
def test_a_sentence_that_opens_with_by_is_text_not_a_byline(line: str) -> None:
    article = parse_article("x.md", "x.md", f"Quake toll rises\n\n{line}\n\nRescuers dug on.\n", "hash")
    assert article.byline is None and line.split()[1] in article.text


def test_a_weekday_is_resolved_against_the_byline_date() -> None:
    article = parse_article("x.txt", "x.txt", BYLINE_FORMS[0][0], "hash")
    (thursday,) = [m for m in mentions(article.text) if m.kind == "weekday"]
    assert resolve(thursday, date.fromisoformat(article.published or ""))[0] == "2026-03-05"


def test_an_unreadable_metadata_date_is_a_warning_and_the_article_undated(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("---\ndate: sometime next spring\n---\nLake level falls\n\nIt fell.\n")
    corpus = load_corpus(tmp_path)
    (article,) = corpus.articles
    assert article.published is None and article.title == "Lake level falls"
    (warning,) = corpus.warnings
    assert warning.path.endswith("x.md") and "'sometime next spring'" in warning.reason and "undated" in warning.reason


def test_front_matter_dates_sort_as_dates_not_strings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndate: December 20, 2025\n---\nA\n\nText a.\n")
    (tmp_path / "b.md").write_text("---\ndate: 2025-12-03\n---\nB\n\nText b.\n")
    published = sorted(a.published or "" for a in load_corpus(tmp_path).articles)
    assert published == ["2025-12-03", "2025-12-20"]
