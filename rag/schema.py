"""Plain data passed between the stages: ``files → Article → Chunk → Passage → Answer``."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
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


# Where an article's date comes from, most trusted first: a field of the file's format (front matter, a page's
# or feed's metadata, a JSON field), the byline, a line near the top that is only a date, what the text says.
DATE_BASES = ("metadata", "byline", "date line", "inferred", "unknown")


@dataclass(frozen=True)
class Span:
    """A sentence (or any piece) of an article: its cleaned text and where it stands in the original.

    ``original[start:end]``, with whitespace collapsed, equals ``text``. The original is the file's text for
    a ``.txt`` or ``.md`` file; for a web page, a feed entry or a JSON Lines record it is the text the format's
    reader extracted (``rag.ingestion.formats.Entry.text``), since markup and escapes leave no faithful offset
    into the raw bytes. Nothing reads the raw file back at these offsets.
    """

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Source:
    """The facts of one article that travel with every piece of it: chunks, passages, citations, conflicts.

    Made once per article at ingest and carried by reference; ``article_id`` is the article's file name, and
    for an entry of a feed or JSON Lines file the file name, ``#`` and the entry's number (``news.jsonl#3``).
    """

    article_id: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date, from metadata or inferred from the text (rag/news/dates.py)
    date_basis: str = "unknown"  # where ``published`` comes from: one of DATE_BASES
    date_note: str | None = None  # how an inferred date was reached, in words
    byline: str | None = None
    url: str | None = None  # where the article was published, when its file says

    @property
    def published_inferred(self) -> bool:
        """Whether ``published`` was read from what the text says."""
        return self.date_basis == "inferred"

    def dated(self) -> str:
        """``22 Dec 2025, inferred``, or ``undated``."""
        return format_date(self.published, self.published_inferred)

    def metadata(self) -> dict[str, Any]:
        """The facts as a flat dictionary without ``article_id`` or empty values (how the index stores them)."""
        return {k: v for k, v in asdict(self).items() if k != "article_id" and v is not None}

    @classmethod
    def from_metadata(cls, article_id: str, metadata: Mapping[str, Any]) -> Source:
        """The inverse of :meth:`metadata`; other keys in ``metadata`` (a chunk's own ``article_id`` among
        them) are ignored."""
        facts = (f.name for f in fields(cls) if f.name != "article_id")
        return cls(article_id, **{name: metadata[name] for name in facts if name in metadata})


class Sourced:
    """The article facts of a piece (the article's id, title, outlet, date …), read from its ``origin``."""

    origin: Source

    @property
    def article_id(self) -> str:
        return self.origin.article_id

    @property
    def title(self) -> str | None:
        return self.origin.title

    @property
    def outlet(self) -> str | None:
        return self.origin.outlet

    @property
    def published(self) -> str | None:
        return self.origin.published

    @property
    def published_inferred(self) -> bool:
        return self.origin.published_inferred

    @property
    def date_basis(self) -> str:
        return self.origin.date_basis

    @property
    def date_note(self) -> str | None:
        return self.origin.date_note

    @property
    def url(self) -> str | None:
        return self.origin.url

    @property
    def byline(self) -> str | None:
        return self.origin.byline

    def _flat(self) -> dict[str, Any]:
        """``asdict`` with ``origin`` spread out as ``article_id``, ``title``, ``outlet``, ``published``, …"""
        facts = {"article_id": self.article_id, "title": self.title, "outlet": self.outlet}
        facts |= {"published": self.published, "published_inferred": self.published_inferred, "url": self.url}
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "origin"}  # type: ignore[arg-type]
        flat = {**facts, **{k: asdict(v) if is_dataclass(v) else v for k, v in own.items()}}
        return {k: [asdict(x) for x in v] if k == "sentences" else v for k, v in flat.items()}


@dataclass(frozen=True)
class Article(Sourced):
    """One cleaned article.

    ``path`` is its file; a feed or JSON Lines file holds several articles (ids ``news.jsonl#3``), so several
    share one path. ``positions`` point into the original as ``Span`` says: the file's text, or the text
    extracted from a page, feed entry or JSON record.
    """

    origin: Source
    path: str
    content_hash: str
    text: str  # cleaned: paragraphs joined by blank lines, whitespace inside them collapsed
    # positions[i] is the offset in the original (see Span) of text[i]: how every quote finds its way back.
    positions: tuple[int, ...] = field(repr=False, compare=False)

    def span(self, start: int, end: int) -> Span:
        """The piece ``text[start:end]`` with its offsets in the original file."""
        return Span(self.text[start:end], self.positions[start], self.positions[end - 1] + 1)

    def with_date(self, published: str, *, basis: str, note: str | None = None) -> Article:
        """This article with its publication date set, read from ``basis`` (one of DATE_BASES; "inferred" when
        read from what the text says, how told by ``note``)."""
        return replace(self, origin=replace(self.origin, published=published, date_basis=basis, date_note=note))


@dataclass(frozen=True)
class Chunk(Sourced):
    """A piece of an article small enough to embed whole."""

    id: str  # derived from the article id and the chunk text: stable across re-ingests
    origin: Source
    index: int
    text: str
    start: int  # character offsets into the original (see Span)
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
class Passage(Sourced):
    """An indexed chunk as read back from the index: its text, sentences, article facts and, once retrieved,
    how it ranked."""

    chunk_id: str
    origin: Source
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]
    score: float = 0.0  # fused score, 0..1
    dense_score: float | None = None  # cosine similarity, when the dense search found it
    lexical_score: float | None = None  # BM25, when the keyword search found it
    preceding: Span | None = None  # the article's sentence before this passage

    def to_dict(self) -> dict[str, Any]:
        return self._flat()


@dataclass(frozen=True)
class Citation(Sourced):
    """What an ``[n]`` marker in an answer points to: a verbatim quote and where it stands."""

    n: int
    origin: Source
    quote: str
    start: int
    end: int
    score: float
    chunk_id: str
    speaker: str | None = None  # who the quote or claim is attributed to, when the passage names them
    also_reported_by: tuple[str, ...] = ()  # other articles that repeat this passage (near-duplicates)

    def to_dict(self) -> dict[str, Any]:
        flat = self._flat()
        return {**flat, "also_reported_by": list(self.also_reported_by)}


@dataclass(frozen=True)
class Conflict(Sourced):
    """One article's figure for a quantity on which the cited articles disagree (rag/news/figures.py)."""

    quantity: str  # what is counted, e.g. "killed"
    value: str  # as the article writes it: "at least 80", "817-kilometer"
    number: float  # the value as a number (lengths in km), for ordering and comparing
    origin: Source
    citation: int | None  # the [n] of the answer that quotes it, when cited
    quote: str

    def to_dict(self) -> dict[str, Any]:
        flat = self._flat()
        del flat["title"]
        return flat


@dataclass(frozen=True)
class Coverage:
    """What was searched: how many articles, from which outlets, over which dates."""

    articles: int
    outlets: tuple[str, ...]
    unattributed: int  # articles that name no outlet
    earliest: str | None
    latest: str | None
    inferred_dates: int  # articles whose date was inferred from their text
    undated: int = 0  # articles whose date is unknown (none stated, none their text gives)

    def describe(self) -> str:
        """``searched 5 articles (AP, Reuters, 3 without an outlet), 9 Feb 2026 – 22 Feb 2026``."""
        outlets = list(self.outlets) + ([f"{self.unattributed} without an outlet"] if self.unattributed else [])
        text = f"searched {self.articles} article{'s' if self.articles != 1 else ''}"
        text += f" ({', '.join(outlets)})" if outlets else ""
        if self.earliest:
            text += f", {format_date(self.earliest)} – {format_date(self.latest)}"
        notes = [f"{self.inferred_dates} dates inferred"] if self.inferred_dates else []
        notes += [f"{self.undated} undated"] if self.undated else []
        text += f" ({', '.join(notes)})" if notes else ""
        return text

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "outlets": list(self.outlets), "text": self.describe()}


# Between the short answer and the sentence that states it, where an answer leads with one ("Gripen — …").
SHORT_SEPARATOR = " — "


@dataclass(frozen=True)
class ShortAnswer:
    """The few words that fill what a question asks for ("Gripen", "at least 80", "Gabriel Boric"), as
    they stand in one cited quote: ``citation.quote[start:end] == text`` for the citation numbered ``n``."""

    text: str
    n: int  # the [n] of the citation whose quote states it
    start: int  # character offsets inside that quote
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    short: ShortAnswer | None = None  # what fills the question's gap, when it asks for a name, date or number

    @property
    def statement(self) -> str:
        """The text after the short answer it leads with (all of it when it leads with none): the cited
        sentences."""
        if self.short is not None and self.text.startswith(lead := self.short.text + SHORT_SEPARATOR):
            return self.text.removeprefix(lead)
        return self.text

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
            "short": self.short.to_dict() if self.short else None,
        }


class AnswerStream:
    """An answer being written: iterate it for the text pieces as they come, then read ``.answer``.

    >>> stream = rag.stream("How long is the border?")  # doctest: +SKIP
    >>> for piece in stream:  # doctest: +SKIP
    ...     print(piece, end="")
    >>> stream.answer.citations  # doctest: +SKIP

    Reading ``.answer`` first (or before the pieces ran out) finishes the writing without showing it.
    """

    def __init__(self, pieces: Generator[str, None, Answer]) -> None:
        self._pieces = pieces
        self._answer: Answer | None = None

    # An iterator of its own, not a generator method: a caller that drops a half-read iterator must not
    # close the writing underneath, which ``.answer`` still has to finish.
    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._answer is not None:
            raise StopIteration
        try:
            return next(self._pieces)
        except StopIteration as end:
            self._answer = end.value
            raise StopIteration from None

    @property
    def answer(self) -> Answer:
        for _ in self:
            pass
        assert self._answer is not None  # the generator returned it
        return self._answer

    def then(self, finish: Callable[[Answer], Answer]) -> AnswerStream:
        """The same pieces, with ``finish`` applied to the answer they end in."""

        def pieces() -> Generator[str, None, Answer]:
            yield from self
            return finish(self.answer)

        return AnswerStream(pieces())
