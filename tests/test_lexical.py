"""The keyword index's vocabulary checks (rag/index/lexical.py), on a real bm25s index."""

import pytest

from rag.index.lexical import LexicalIndex, terms

TEXTS = [
    "The resort lies about 300km from Islamabad, police said.",
    "Michael Jackson suffered cardiac arrest at his home.",
    "The New York Times won a prize in 2009.",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build("generation", ["a", "b", "c"], TEXTS)


@pytest.mark.parametrize(
    "word", ["Islamabad", "Islmabad", "Jacson", "Jackosn", "Jacksons", "Jakcson", "Jaxkson", "2009"]
)
def test_a_name_the_articles_use_is_known_even_misspelt(index: LexicalIndex, word: str) -> None:
    right = {
        "Islmabad": "Islamabad",
        "Jacson": "Jackson",
        "Jackosn": "Jackson",
        "Jacksons": "Jackson",
        "Jakcson": "Jackson",
        "Jaxkson": "Jackson",
    }
    assert [index.spelling(t) for t in terms(word)] == terms(right.get(word, word))


@pytest.mark.parametrize("word", ["Updike", "Jakcsno", "NY", "2019", "Lahore", "Hume"])
def test_a_name_no_article_uses_nor_one_slip_away_is_unknown(index: LexicalIndex, word: str) -> None:
    # numbers and words under four letters match exactly ("NY", 2019 is not 2009), and a changed letter
    # counts only in longer words ("Hume" is not "home")
    assert [index.spelling(term) for term in terms(word)] == [None], word


def test_an_index_without_words_knows_nothing() -> None:
    assert LexicalIndex.build("generation", ["a"], ["…"]).spelling("islamabad") is None
