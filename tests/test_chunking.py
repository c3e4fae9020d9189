import itertools
from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus, parse_article
from rag.schema import Chunk
from rag.text import collapse_whitespace, count_tokens

SPLITTER = make_splitter(200, 50)


def _seed_chunks() -> list:
    return [c for a in load_corpus(SEEDS).articles for c in chunk_article(a, SPLITTER)]


def test_chunks_stay_under_the_token_limit() -> None:
    chunks = _seed_chunks()
    assert chunks
    assert all(0 < c.token_count <= 200 for c in chunks)
    assert all(c.token_count == count_tokens(c.text) for c in chunks)


def test_chunk_and_sentence_offsets_point_at_the_same_text_in_the_file() -> None:
    for chunk in _seed_chunks():
        original = (SEEDS / chunk.article_id).read_text(encoding="utf-8")
        assert collapse_whitespace(original[chunk.start : chunk.end]) == collapse_whitespace(chunk.text)
        for sentence in chunk.sentences:
            assert collapse_whitespace(original[sentence.start : sentence.end]) == sentence.text


def test_ids_are_stable_and_unique() -> None:
    first, second = _seed_chunks(), _seed_chunks()
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)


def test_most_consecutive_chunks_overlap() -> None:
    """The splitter overlaps whole sentences; a sentence longer than the overlap is not repeated."""
    pairs = [
        (a, b)
        for article in load_corpus(SEEDS).articles
        for chunks in [chunk_article(article, SPLITTER)]
        for a, b in itertools.pairwise(chunks)
    ]
    overlapping = [b.start < a.end for a, b in pairs]
    assert sum(overlapping) >= len(pairs) / 2


def _first_chunk(text: str) -> Chunk:
    return chunk_article(parse_article("x.txt", "x.txt", text, "h"), SPLITTER)[0]


@pytest.mark.parametrize(
    "sentences",
    [
        # abbreviations: initials and a month
        ["He spoke with U.S. Secretary of State Marco Rubio.", "The clashes began on Dec. 8, a day later."],
        # a title or rank before a name does not end a sentence
        ["Rescuers reached the village, said Lance Cpl. Ana Ruiz.", "Gov. Ed Lane and the Rev. Jo Park visited."],
    ],
    ids=["abbreviations", "titles"],
)
def test_sentences_end_where_a_sentence_ends_not_at_an_abbreviation(sentences: list[str]) -> None:
    chunk = _first_chunk(" ".join(sentences))
    assert [s.text for s in chunk.sentences] == sentences


def test_a_dateline_is_no_part_of_the_first_sentence() -> None:
    chunk = _first_chunk(
        "Lake level falls\n\nNAIROBI, Kenya (Reuters) -- The lake fell on Thursday. Boats were moored."
    )
    assert [s.text for s in chunk.sentences][-2:] == ["The lake fell on Thursday.", "Boats were moored."]
    assert chunk.text.endswith("NAIROBI, Kenya (Reuters) -- The lake fell on Thursday. Boats were moored.")


_words = st.text(alphabet=st.sampled_from("abcdefghij KLMNO.,;\n\t  "), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(_words, min_size=1, max_size=120))
def test_offsets_are_verbatim_for_any_text(pieces: list[str]) -> None:
    original = "".join(pieces)
    article = parse_article("x.txt", "x.txt", original, "h")
    for chunk in chunk_article(article, make_splitter(40, 8)) if article.text else []:
        assert collapse_whitespace(original[chunk.start : chunk.end]) == collapse_whitespace(chunk.text)
        for sentence in chunk.sentences:
            assert collapse_whitespace(original[sentence.start : sentence.end]) == sentence.text


def test_paths_are_kept() -> None:
    article = load_corpus(SEEDS).articles[0]
    assert Path(article.path).exists()
