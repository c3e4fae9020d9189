"""Plain data passed between the stages: ``files → Article → Chunk → Passage → Answer``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


def format_date(iso: str | None, inferred: bool = False) -> str:
    """``2025-12-22`` → ``22 Dec 2025`` (with "inferred" when it was)."""
    if not iso:
        return "undated"
    try:
        shown = date.fromisoformat(iso).strftime("%-d %b %Y")
    except ValueError:
        shown = iso
    return f"{shown}, inferred" if inferred else shown


@dataclass(frozen=True)
class Span:
    """A sentence (or any piece) of an article: its cleaned text and where it stands in the file.

    ``original[start:end]``, with whitespace collapsed, equals ``text``.
    """

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One cleaned article; ``id`` is the file name."""

    id: str
    path: str
    content_hash: str
    text: str  # cleaned: paragraphs joined by blank lines, whitespace inside them collapsed
    # positions[i] is the offset in the original file of text[i]: how every quote finds its way back.
    positions: tuple[int, ...] = field(repr=False, compare=False)
    title: str | None = None
    published: str | None = None  # ISO date, from metadata or inferred from the text (rag/dates.py)
    byline: str | None = None
    outlet: str | None = None
    published_inferred: bool = False  # True when ``published`` was read from what the text says
    date_basis: str | None = None  # how an inferred date was reached, in words

    def span(self, start: int, end: int) -> Span:
        """The piece ``text[start:end]`` with its offsets in the original file."""
        return Span(self.text[start:end], self.positions[start], self.positions[end - 1] + 1)


@dataclass(frozen=True)
class Chunk:
    """A piece of an article small enough to embed whole."""

    id: str  # derived from the article id and the chunk text: stable across re-ingests
    article_id: str
    index: int
    text: str
    start: int  # character offsets into the original file
    end: int
    token_count: int
    sentences: tuple[Span, ...]
    # The article's sentence just before this chunk: it names the "he" of a quote the chunk opens with.
    preceding: Span | None = None

    def sentence_bounds(self) -> list[tuple[int, int]]:
        """Where each sentence stands inside ``text`` (sentences are in order, so each search goes on)."""
        bounds, cursor = [], 0
        for sentence in self.sentences:
            start = self.text.find(sentence.text, cursor)
            bounds.append((start, start + len(sentence.text)))
            cursor = start + len(sentence.text)
        return bounds


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the article facts a reader needs and how it ranked."""

    chunk_id: str
    source: str
    title: str | None
    outlet: str | None
    published: str | None
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]
    score: float  # fused score, 0..1
    dense_score: float | None = None  # cosine similarity, when the dense search found it
    lexical_score: float | None = None  # BM25, when the keyword search found it
    preceding: Span | None = None  # the article's sentence before this passage
    published_inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """What an ``[n]`` marker in an answer points to: a verbatim quote and where it stands."""

    n: int
    source: str
    title: str | None
    outlet: str | None
    published: str | None
    quote: str
    start: int
    end: int
    score: float
    chunk_id: str
    published_inferred: bool = False  # the date was inferred from the text, not given by the article
    speaker: str | None = None  # who the quote or claim is attributed to, when the passage names them
    also_reported_by: tuple[str, ...] = ()  # other articles that repeat this passage (near-duplicates)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conflict:
    """One article's figure for a quantity on which the cited articles disagree (rag/figures.py)."""

    quantity: str  # "killed", "displaced", "border length", "wounded"
    value: str  # as the article writes it: "at least 80", "817-kilometer"
    number: float  # the value as a number (lengths in km), for ordering and comparing
    article: str  # source id
    outlet: str | None
    published: str | None
    published_inferred: bool
    citation: int | None  # the [n] of the answer that quotes it, when cited
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Coverage:
    """What was searched: how many articles, from which outlets, over which dates."""

    articles: int
    outlets: tuple[str, ...]
    unattributed: int  # articles that name no outlet
    earliest: str | None
    latest: str | None
    inferred_dates: int  # articles whose date was inferred from their text

    def describe(self) -> str:
        """``searched 5 articles (CNN, JournosNews.com, 3 without an outlet), 9 Dec 2025 – 22 Dec 2025``."""
        outlets = list(self.outlets) + ([f"{self.unattributed} without an outlet"] if self.unattributed else [])
        text = f"searched {self.articles} article{'s' if self.articles != 1 else ''}"
        text += f" ({', '.join(outlets)})" if outlets else ""
        if self.earliest:
            text += f", {format_date(self.earliest)} – {format_date(self.latest)}"
            text += f" ({self.inferred_dates} dates inferred)" if self.inferred_dates else ""
        return text

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "outlets": list(self.outlets), "text": self.describe()}


@dataclass(frozen=True)
class Answer:
    """The result of a question: text with ``[n]`` markers, the citations behind them, and the evidence."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    abstained: bool
    backend: str = "extractive"
    # Who wrote ``text``: "extractive", or the model ("local:SmolLM2-135M-Instruct.Q4_1", "openai:gpt-4o-mini");
    # "extractive" with a ``notice`` saying why when the configured model failed.
    answered_by: str = "extractive"
    notice: str | None = None  # something the reader should know, e.g. that the LLM failed and why
    rewritten_question: str | None = None  # the standalone form of a follow-up, when it differed
    conflicts: tuple[Conflict, ...] = ()  # figures the cited articles disagree on, newest first
    coverage: Coverage | None = None  # what was searched
    unsupported: tuple[str, ...] = ()  # sentences of a model's answer that no passage supports (rag/verify.py)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary of everything above."""
        return {
            "question": self.question,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "abstained": self.abstained,
            "backend": self.backend,
            "answered_by": self.answered_by,
            "notice": self.notice,
            "rewritten_question": self.rewritten_question,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "coverage": self.coverage.to_dict() if self.coverage else None,
            "unsupported": list(self.unsupported),
        }
