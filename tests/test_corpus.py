from pathlib import Path

from conftest import CNN, JOURNOS, SEEDS

from rag.ingestion.corpus import load_corpus, parse_article
from rag.text import collapse_whitespace


def _articles() -> dict:
    return {a.id: a for a in load_corpus(SEEDS).articles}


def test_every_seed_file_becomes_an_article_named_by_its_file() -> None:
    corpus = load_corpus(SEEDS)
    assert sorted(a.id for a in corpus.articles) == sorted(p.name for p in SEEDS.glob("*.txt"))
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


def test_a_binary_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A sentence about the border.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00binary\x00")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["good.txt"]
    assert corpus.skipped[0].path.endswith("bad.txt")
    assert "binary" in corpus.skipped[0].reason
