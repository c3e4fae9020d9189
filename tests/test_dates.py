from datetime import date

import pytest
from conftest import SEEDS

from rag.ingestion.corpus import load_corpus
from rag.news.dates import is_future, mentions, resolve
from rag.schema import format_date


def test_seed_articles_get_dates_from_metadata_or_inferred_from_their_text() -> None:
    articles = {a.id[:3]: a for a in load_corpus(SEEDS).articles}
    assert (articles["000"].published, articles["000"].published_inferred) == ("2025-12-09", False)
    for key in ("001", "002", "003", "004"):
        assert articles[key].published == "2025-12-22", key  # the Monday of the Kuala Lumpur meeting
        assert articles[key].published_inferred and articles[key].date_basis
    assert "December 8" in articles["001"].date_basis
    assert "001" in articles["002"].date_basis  # 002 names no date: it borrows that of the same Monday event


def test_an_undated_corpus_gets_no_invented_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("Talks were held on Monday after fighting resumed on December 8.\n")
    (article,) = load_corpus(tmp_path).articles
    assert article.published is None and not article.published_inferred


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("fighting resumed on 8 December", False, "2025-12-08"),
        ("talks set for December 24", True, "2025-12-24"),
        ("ministers met on Monday", False, "2025-12-22"),
        ("talks would be held on Wednesday", True, "2025-12-24"),
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
