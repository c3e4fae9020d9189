"""The plain types: one Source carried by reference, flat JSON, and the answer stream."""

from __future__ import annotations

from collections.abc import Generator

from rag import Answer, Citation
from rag.schema import AnswerStream, Conflict, Passage, Source, Span

SOURCE = Source(
    "a.txt",
    title="Quake",
    outlet="Wire",
    published="2026-02-03",
    date_basis="inferred",
    date_note="x",
)


def _answer(text: str) -> Answer:
    return Answer(question="q?", text=text, citations=(), passages=(), abstained=False)


def _pieces(log: list[str]) -> Generator[str, None, Answer]:
    for piece in ("One [1]. ", "Two [2]."):
        log.append(piece)
        yield piece
    return _answer("One [1]. Two [2].")


def test_source_round_trips_through_index_metadata() -> None:
    assert Source.from_metadata("a.txt", {**SOURCE.metadata(), "chunks": 3, "article_id": "a.txt"}) == SOURCE
    assert "article_id" not in SOURCE.metadata() and "byline" not in SOURCE.metadata()


def test_pieces_share_one_source_and_flatten_it_in_json() -> None:
    passage = Passage("c1", SOURCE, "Text.", 0, 5, (Span("Text.", 0, 5),), 0.5)
    citation = Citation(1, passage.origin, "Text.", 0, 5, 0.5, "c1")
    assert citation.origin is passage.origin
    flat = citation.to_dict()
    assert (flat["article_id"], flat["title"], flat["outlet"], flat["published"]) == (
        "a.txt",
        "Quake",
        "Wire",
        "2026-02-03",
    )
    assert flat["published_inferred"] is True and "origin" not in flat
    assert passage.to_dict()["sentences"] == [{"text": "Text.", "start": 0, "end": 5}]
    conflict = Conflict("killed", "at least 80", 80, SOURCE, 1, "Text.").to_dict()
    assert conflict["article_id"] == "a.txt" and "title" not in conflict
    # one name for the article's id, in the attributes and the JSON alike
    for piece in (passage, citation):
        assert piece.article_id == "a.txt" and "source" not in piece.to_dict()


def test_answer_stream_gives_pieces_then_the_answer() -> None:
    log: list[str] = []
    stream = AnswerStream(_pieces(log))
    assert list(stream) == ["One [1]. ", "Two [2]."]
    assert stream.answer.text == "One [1]. Two [2]."
    assert list(stream) == [], "a finished stream is not written twice"


def test_reading_the_answer_first_finishes_the_writing() -> None:
    log: list[str] = []
    stream = AnswerStream(_pieces(log)).then(lambda a: Answer(**{**a.__dict__, "notice": "checked"}))
    assert next(iter(stream)) == "One [1]. "
    assert stream.answer.notice == "checked" and log == ["One [1]. ", "Two [2]."]
