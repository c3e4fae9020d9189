"""The pipeline as one object: an open index, its keyword index and model, answering questions."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.answerer import Answerer, Evidence, answerer_for
from rag.answer.casing import SAMPLE, recased, typed_without_capitals, words_to_look_up
from rag.answer.extractive import answer_extractively, read_question
from rag.answer.followup import standalone
from rag.answer.scorer import articles_naming
from rag.config import Settings
from rag.errors import IndexMissingError, QuestionError
from rag.index.embedding import Embedder, load_embedder
from rag.index.lexical import LexicalIndex, terms
from rag.index.store import ArticleRecord, Store
from rag.ingestion.pipeline import ingest, lexical_index
from rag.language import Reader
from rag.news.coverage import coverage_of
from rag.news.figures import compared_quantity, newest
from rag.prompts import load_text
from rag.retrieval.search import Retrieval, retrieve
from rag.schema import Answer, AnswerStream, Coverage, Passage

RERANK_POOL = 4  # candidate passages retrieved per passage shown (experiments/sweep.py; docs/evaluation.md)
NAMED_POOL = 1  # chunks naming what no retrieved article names, added at most per passage shown (the same)


@dataclass(frozen=True)
class Reading:
    retrieval: Retrieval
    sentence_vectors: dict[str, np.ndarray]
    lexical: LexicalIndex
    k: int  # passages to show, of the retrieved pool
    # What the retrieval was made with, so that the answer over it reads the same generation of the index.
    store: Store
    embedder: Embedder
    coverage: Coverage
    reader: Reader  # the language layer, its parses kept beside the index


@dataclass(frozen=True)
class Status:
    corpus: str
    home: str
    embed_model: str
    llm: str
    articles: tuple[ArticleRecord, ...]
    chunks: int
    coverage: Coverage

    @property
    def sources(self) -> dict[str, tuple[ArticleRecord, ...]]:
        """The files and folders named to ``rag ingest``, each with its indexed articles ("" for articles
        indexed before sources were recorded)."""
        grouped: dict[str, list[ArticleRecord]] = {}
        for article in self.articles:
            grouped.setdefault(article.ingested_from or "", []).append(article)
        return {source: tuple(articles) for source, articles in sorted(grouped.items())}

    def to_dict(self) -> dict[str, object]:
        return {
            "coverage": self.coverage.to_dict(),
            "corpus": self.corpus,
            "sources": [{"source": s, "articles": [a.article_id for a in a_s]} for s, a_s in self.sources.items()],
            "home": self.home,
            "embed_model": self.embed_model,
            "llm": self.llm,
            "articles": len(self.articles),
            "chunks": self.chunks,
            "indexed": [
                {
                    "article_id": a.article_id,
                    "title": a.title,
                    "outlet": a.outlet,
                    "published": a.published,
                    "published_inferred": a.published_inferred,
                    "date_basis": a.date_basis,
                    "date_note": a.date_note,
                    "url": a.url,
                    "chunks": a.chunks,
                    "path": a.path,
                    "ingested_from": a.ingested_from,
                }
                for a in self.articles
            ],
        }


class Engine:
    """Answers questions from the index ``settings`` points at; safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._lexical: LexicalIndex | None = None
        self._coverage: Coverage | None = None
        self._answerer: Answerer | None = None
        self._reader: Reader | None = None

    def ask(self, question: str, *, top_k: int | None = None, previous: str | None = None) -> Answer:
        """Answer ``question`` from the articles, with citations, or abstain.

        ``previous`` is the last standalone question of a conversation; a follow-up is rewritten with it.
        """
        return self.stream(question, top_k=top_k, previous=previous).answer

    def stream(self, question: str, *, top_k: int | None = None, previous: str | None = None) -> AnswerStream:
        """The answer as it is written: iterate for the text, then read ``.answer``.

        The question is checked, rewritten and searched for before this returns, so a bad question or a
        missing index raises here, not halfway through the iteration.
        """
        question = clean_question(question, self.settings.max_question_chars)
        answerer = self.answerer()
        standalone_question, notice = question, None
        if previous:
            rewritten, notice = answerer.rewrite(question, previous)
            standalone_question = rewritten or standalone(question, previous)

        def finish(answer: Answer) -> Answer:
            if standalone_question != question:
                answer = replace(answer, question=question, rewritten_question=standalone_question)
            if notice:
                answer = replace(answer, notice="; ".join(x for x in (notice, answer.notice) if x))
            return answer

        return AnswerStream(answerer.answer(self._evidence(standalone_question, top_k))).then(finish)

    def answerer(self) -> Answerer:
        """The answerer ``RAG_LLM`` names, made on first use (an LLM's client and prompt files with it)."""
        with self._lock:
            if self._answerer is None:
                self._answerer = answerer_for(self.settings)
            return self._answerer

    def reader(self) -> Reader:
        """The language layer's reader, its cache of parsed sentences kept beside the index."""
        with self._lock:
            if self._reader is None:
                self._reader = Reader(self.settings.home)
            return self._reader

    def read(self, question: str, top_k: int | None = None) -> Reading:
        """What the extractive answerer reads for ``question`` (the tuning script, rag/evaluation/tune.py,
        reads the same): a candidate pool of RERANK_POOL times the passages shown, with the chunks that name
        what the question names when none of the pool does (``_named_passages``), and their sentence vectors."""
        store, lexical, coverage = self._open()
        embedder = load_embedder(self.settings)
        k = top_k or self.settings.top_k
        found = self._retrieve(question, k, store, lexical, embedder)
        found = replace(found, passages=found.passages + self._named_passages(question, found, k, store, lexical))
        vectors = store.sentence_vectors({p.chunk_id: len(p.sentences) for p in found.passages})
        return Reading(found, vectors, lexical, k, store, embedder, coverage, self.reader())

    def retrieve(self, question: str, top_k: int | None = None) -> Retrieval:
        """The candidate pool ``read`` starts from, in the searches' own order: what a plain retriever would
        show (``rag eval``'s baseline is its top passage)."""
        store, lexical, _ = self._open()
        return self._retrieve(question, top_k or self.settings.top_k, store, lexical, load_embedder(self.settings))

    @staticmethod
    def _retrieve(question: str, k: int, store: Store, lexical: LexicalIndex, embedder: Embedder) -> Retrieval:
        store.check_embedder(embedder.dimension, embedder.backend)
        return retrieve(question, k=RERANK_POOL * k, store=store, lexical=lexical, embedder=embedder)

    def _evidence(self, question: str, top_k: int | None) -> Evidence:
        """Retrieval, and the extractive answer over what it found (every answerer starts from it), for the
        question as the articles would write it (``rag.answer.casing``); the answer keeps the words typed."""
        typed, question = question, self.with_capitals(question)
        reading = self.read(question, top_k)
        found, k, lexical = reading.retrieval, reading.k, reading.lexical
        answer = answer_extractively(
            question,
            found,
            lexical=lexical,
            sentence_vectors=reading.sentence_vectors,
            refusal_text=load_text(self.settings.prompts, "refusal.txt"),
            extra_passages=self._figure_passages(question, found, k, reading.store, lexical, reading.embedder),
            reader=reading.reader,
            top_k=k,
        )
        answer = replace(answer, question=typed, coverage=reading.coverage)
        return Evidence(question, answer, reading.embedder.embed, reading.sentence_vectors)

    def with_capitals(self, question: str) -> str:
        """``question``, if typed without capitals, with those the articles give its words (``recased``)."""
        if not typed_without_capitals(question):
            return question
        store, lexical, _ = self._open()
        using = {word: lexical.holding_all(terms(word))[:SAMPLE] for word in words_to_look_up(question)}
        chunks = store.get(sorted({i for ids in using.values() for i in ids}))
        return recased(question, {word: [chunks[i].text for i in ids if i in chunks] for word, ids in using.items()})

    @staticmethod
    def _named_passages(
        question: str, found: Retrieval, k: int, store: Store, lexical: LexicalIndex
    ) -> tuple[Passage, ...]:
        """When no retrieved article names all that the question names (``Question.specific``), the chunks
        that do, if there are at most NAMED_POOL of them per passage shown: names that rare are what the
        question is about ("Who won the Lakeside marathon in 2015?"), and the searches ranked other
        chunks, alike in meaning or sharing the commoner words, above them. The answerer reads only articles
        that name them (``scorer.candidates``), so without these it would refuse."""
        asked = read_question(question, lexical)
        if not asked.specific or articles_naming(asked.specific, found.passages):
            return ()
        holding = lexical.holding_all(asked.specific)
        if len(holding) > NAMED_POOL * k:
            return ()
        chunks = store.get(holding)
        return tuple(chunks[i] for i in holding if i in chunks)

    @staticmethod
    def _figure_passages(
        question: str, found: Retrieval, k: int, store: Store, lexical: LexicalIndex, embedder: Embedder
    ) -> tuple[Passage, ...]:
        """For a question about a figure ("How many people have been killed?"), a wider search with the
        figure's words, so that every article's number for it can be compared, not just the top few."""
        quantity = compared_quantity(question, newest(found.passages))
        if quantity is None:
            return ()
        wider_question = f"{question} {quantity.words}"
        wider = retrieve(wider_question, k=2 * k, store=store, lexical=lexical, embedder=embedder)
        seen = {p.chunk_id for p in found.passages}
        return tuple(p for p in wider.passages if p.chunk_id not in seen)

    def status(self) -> Status:
        try:
            store = Store.open(self.settings)
            ledger, chunks = store.ledger(), store.count()
        except IndexMissingError:
            ledger, chunks = {}, 0
        return Status(
            corpus=str(self.settings.corpus),
            home=str(self.settings.home),
            embed_model=self.settings.embed_model,
            llm=self.settings.llm,
            articles=tuple(sorted(ledger.values(), key=lambda a: a.article_id)),
            chunks=chunks,
            coverage=coverage_of(ledger.values()),
        )

    def _open(self) -> tuple[Store, LexicalIndex, Coverage]:
        """The store, and the keyword index and coverage of its current generation (both change only
        with it, so they are read once per generation, not per question); builds the index on first use."""
        with self._lock:
            if self._store is not None and not self._store.is_current():  # rebuilt since: its collections are new
                self._store = self._lexical = None
            if self._store is None:
                try:
                    self._store = Store.open(self.settings)
                    if not self._store.exists:
                        raise IndexMissingError("empty index")
                except IndexMissingError:
                    ingest(self.settings, wait=True)
                    self._store = Store.open(self.settings)
            generation = self._store.generation()
            if self._lexical is None or self._lexical.generation != generation:
                self._lexical = lexical_index(self.settings, self._store, generation)
                self._coverage = coverage_of(self._store.ledger().values())
            assert self._coverage is not None  # set together with the keyword index
            return self._store, self._lexical, self._coverage


_shared: dict[Settings, Engine] = {}
_shared_lock = threading.Lock()


def shared_engine(settings: Settings | None = None) -> Engine:
    """The engine for ``settings`` (default: from ``RAG_*`` variables), kept open between calls: the one
    ``rag.query`` and ``rag.stream`` answer with."""
    settings = settings or Settings.from_env()
    with _shared_lock:
        if settings not in _shared:
            _shared[settings] = Engine(settings)
        return _shared[settings]


def clean_question(question: str, limit: int) -> str:
    """Strip control characters and outer whitespace; refuse an empty or overlong question."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, got {type(question).__name__}")
    cleaned = "".join(ch for ch in question if ch.isprintable() or ch in " \t\n").strip()
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise QuestionError("the question is empty: ask something about the articles")
    if len(cleaned) > limit:
        raise QuestionError(
            f"the question is {len(cleaned)} characters long; the limit is {limit} (RAG_MAX_QUESTION_CHARS)"
        )
    return cleaned
