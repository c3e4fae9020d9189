"""The keyword index built from saved terms: the same to the bit as bm25s's own build, and an update by what
changed the same as a rebuild from every text; and how it reads a misspelt word of a question."""

import json
import random
from pathlib import Path

import bm25s
import numpy as np
import pytest
from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.index.lexical import ChunkTerms, LexicalIndex, terms
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus

_SPLITTER = make_splitter(200, 50)  # the default settings'
# The seeds' chunks, and chunks with no searchable word (only punctuation, another script, nothing).
CHUNKS = [(c.id, c.text) for a in load_corpus(SEEDS).articles for c in chunk_article(a, _SPLITTER)] + [
    ("odd-punctuation", ":"),
    ("odd-script", "กรุงเทพมหานคร"),
    ("odd-empty", ""),
]
QUESTIONS = ["Which fighter jets did Thailand use?", "How many people were displaced?", "ceasefire agreement"]


def _pages(chunks: list[tuple[str, str]], size: int = 7) -> list[tuple[list[str], list[str]]]:
    return [
        ([i for i, _ in chunks[s : s + size]], [t for _, t in chunks[s : s + size]])
        for s in range(0, len(chunks), size)
    ]


def _assert_same(a: LexicalIndex, b: LexicalIndex) -> None:
    assert a.bm25 is not None and b.bm25 is not None and a.terms is not None and b.terms is not None
    assert a.chunk_ids == b.chunk_ids
    assert a.terms.vocabulary == b.terms.vocabulary
    assert a.bm25.vocab_dict == b.bm25.vocab_dict
    for key in ("data", "indices", "indptr"):
        assert np.array_equal(a.bm25.scores[key], b.bm25.scores[key]), key
    for question in QUESTIONS:
        assert a.search(question, 10) == b.search(question, 10)


def test_the_array_build_is_bm25s_own_build_to_the_bit() -> None:
    index = LexicalIndex.build("g", ChunkTerms.read(_pages(CHUNKS)))
    terms = index.terms
    assert index.bm25 is not None and terms is not None
    reference = bm25s.BM25()
    per_chunk = [row.tolist() for row in np.split(terms.tokens, np.cumsum(terms.lengths)[:-1])]
    vocabulary = {term: i for i, term in enumerate(terms.vocabulary)}
    reference.index(bm25s.tokenization.Tokenized(ids=per_chunk, vocab=vocabulary), show_progress=False)
    for key in ("data", "indices", "indptr"):
        assert index.bm25.scores[key].dtype == reference.scores[key].dtype
        assert np.array_equal(index.bm25.scores[key], reference.scores[key]), key
    assert index.bm25.vocab_dict == reference.vocab_dict
    query = vocabulary["thailand"]
    assert index.document_frequency("thailand") == sum(query in row for row in per_chunk) > 0


def test_the_same_chunks_read_in_any_order_give_the_same_index() -> None:
    shuffled = CHUNKS[:]
    random.Random(0).shuffle(shuffled)
    _assert_same(
        LexicalIndex.build("g", ChunkTerms.read(_pages(CHUNKS))),
        LexicalIndex.build("g", ChunkTerms.read(_pages(shuffled, 5))),
    )


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(st.booleans(), min_size=len(CHUNKS), max_size=len(CHUNKS)),
    after=st.lists(st.booleans(), min_size=len(CHUNKS), max_size=len(CHUNKS)),
)
def test_an_update_by_what_changed_equals_a_rebuild_from_every_text(before: list[bool], after: list[bool]) -> None:
    old = [c for c, kept in zip(CHUNKS, before, strict=True) if kept]
    now = [c for c, kept in zip(CHUNKS, after, strict=True) if kept]
    saved = LexicalIndex.build("1", ChunkTerms.read(_pages(old))).terms
    assert saved is not None
    added = [c for c in now if c[0] not in saved.chunk_ids]
    updated = LexicalIndex.build("2", saved.updated({i for i, _ in now}, _pages(added)))
    rebuilt = LexicalIndex.build("2", ChunkTerms.read(_pages(now)))
    if rebuilt.bm25 is None:  # no searchable word left
        assert updated.bm25 is None and updated.chunk_ids == rebuilt.chunk_ids
    else:
        _assert_same(updated, rebuilt)


def test_saved_terms_come_back_as_they_were(tmp_path: Path) -> None:
    index = LexicalIndex.build("1", ChunkTerms.read(_pages(CHUNKS)))
    index.save(tmp_path)
    loaded = ChunkTerms.load(tmp_path)
    assert loaded is not None and index.terms is not None
    assert loaded.chunk_ids == index.terms.chunk_ids and loaded.vocabulary == index.terms.vocabulary
    assert np.array_equal(loaded.tokens, index.terms.tokens) and np.array_equal(loaded.lengths, index.terms.lengths)


def _truncate(folder: Path) -> None:
    data = (folder / "terms.npz").read_bytes()
    (folder / "terms.npz").write_bytes(data[: len(data) // 2])


def _older_tokenisation(folder: Path) -> None:
    saved = json.loads((folder / "vocabulary.json").read_text())
    (folder / "vocabulary.json").write_text(json.dumps({**saved, "version": saved["version"] - 1}))


def _mixed_saves(folder: Path) -> None:
    (folder / "chunk_ids.json").write_text(json.dumps(["one-chunk-too-few"]))


def _term_out_of_range(folder: Path) -> None:
    with np.load(folder / "terms.npz") as arrays:
        tokens, lengths = arrays["tokens"].copy(), arrays["lengths"]
    tokens[0] = 10**6
    np.savez(folder / "terms.npz", tokens=tokens, lengths=lengths)


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "terms.npz").unlink(),
        _truncate,
        lambda folder: (folder / "vocabulary.json").write_text("[not json"),
        _older_tokenisation,
        _mixed_saves,
        _term_out_of_range,
    ],
    ids=["missing", "truncated", "garbled", "older tokenisation", "mixed saves", "term out of range"],
)
def test_damaged_or_outdated_saved_terms_are_not_used(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    LexicalIndex.build("1", ChunkTerms.read(_pages(CHUNKS))).save(tmp_path)
    pointer = json.loads((tmp_path / "bm25.json").read_text())
    damage(tmp_path / pointer["folder"])
    assert ChunkTerms.load(tmp_path) is None


TEXTS = [
    "The resort lies about 300km from Islamabad, police said.",
    "Michael Jackson suffered cardiac arrest at his home.",
    "The New York Times won a prize in 2009.",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build("generation", ChunkTerms.read([(["a", "b", "c"], TEXTS)]))


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
    assert LexicalIndex.build("generation", ChunkTerms.read([(["a"], ["…"])])).spelling("islamabad") is None


def _together(texts: list[str], question_names: str) -> dict[str, str]:
    index = LexicalIndex.build("generation", ChunkTerms.read([([str(i) for i in range(len(texts))], texts)]))
    return index.spelt_together(tuple(terms(question_names)))


def test_a_name_used_elsewhere_is_read_as_the_one_its_companions_come_with() -> None:
    texts = [
        "Natalee Holloway disappeared while on an Aruba vacation in 2005.",
        "Holloway's mother, Beth, spoke to reporters.",
        "Natalie Cole sang at the gala.",
    ]
    # "Natalie" is a word of the articles, but never beside Holloway: "Natalee" is
    assert _together(texts, "Natalie Holloway") == {terms("Natalie")[0]: terms("Natalee")[0]}


def test_names_the_articles_use_together_are_left_as_they_are() -> None:
    texts = ["Charles Schulz drew Peanuts.", "Charles Schultz was charged with fraud.", "Peanuts ran for 50 years."]
    assert _together(texts, "Charles Schultz") == {}


def test_the_rarer_name_is_read_first() -> None:
    # "Charles" is the commoner: "Schultz" is read as "Schulz", who comes with Charles, and Charles stays
    # (read first, "charl" would have become "charg", which comes with Schultz)
    texts = ["Charles Schulz drew Peanuts.", "Schultz was charged with fraud.", "Prince Charles visited."]
    assert _together(texts, "Charles Schultz") == {"schultz": "schulz"}


def test_the_chunks_holding_every_term_are_found_in_index_order() -> None:
    texts = ["Pinter won the Nobel Prize in 2005.", "The Nobel Prize went to Pamuk in 2006.", "Pinter died in 2008."]
    index = LexicalIndex.build("generation", ChunkTerms.read([(["a", "b", "c"], texts)]))
    assert index.holding_all(terms("Nobel 2005")) == ["a"]
    assert index.holding_all(terms("Pinter")) == ["a", "c"]
    assert index.holding_all(terms("Nobel Updike")) == []
    assert index.holding_all([]) == []
