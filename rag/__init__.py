"""Cited question answering over a folder of news articles.

>>> from rag import query
>>> query("What magnitude was the earthquake?").text  # doctest: +SKIP
'The 7.8-magnitude quake struck before dawn near the border … [1]'
"""

from __future__ import annotations

import threading

from rag.answer.chat import Chat
from rag.answer.engine import Engine, Status
from rag.config import Settings
from rag.errors import (
    ConfigError,
    CorpusError,
    DiskFullError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexPermissionError,
    QuestionError,
    RagError,
    ReadOnlyIndexError,
    StoreServerError,
    StoreUnavailableError,
)
from rag.index.store import ArticleRecord
from rag.ingestion.corpus import SUFFIXES as ARTICLE_SUFFIXES
from rag.ingestion.corpus import parse_article
from rag.ingestion.pipeline import IngestReport, ingest, remove
from rag.news.timeline import TimelineEvent, timeline
from rag.schema import Answer, AnswerStream, Citation, Conflict, Coverage, Passage, Source, format_date

__all__ = [
    "ARTICLE_SUFFIXES",
    "Answer",
    "AnswerStream",
    "ArticleRecord",
    "Chat",
    "Citation",
    "ConfigError",
    "Conflict",
    "CorpusError",
    "Coverage",
    "DiskFullError",
    "Engine",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexPermissionError",
    "IngestReport",
    "Passage",
    "QuestionError",
    "RagError",
    "ReadOnlyIndexError",
    "Settings",
    "Source",
    "Status",
    "StoreServerError",
    "StoreUnavailableError",
    "TimelineEvent",
    "engine",
    "format_date",
    "ingest",
    "parse_article",
    "query",
    "remove",
    "stream",
    "timeline",
]

_engines: dict[Settings, Engine] = {}
_engines_lock = threading.Lock()


def engine(settings: Settings | None = None) -> Engine:
    """The engine for ``settings`` (default: from ``RAG_*`` variables), kept open between calls."""
    settings = settings or Settings.from_env()
    with _engines_lock:
        if settings not in _engines:
            _engines[settings] = Engine(settings)
        return _engines[settings]


def query(question: str, *, top_k: int | None = None, settings: Settings | None = None) -> Answer:
    """Answer ``question`` from the indexed articles; builds the index first if there is none."""
    return engine(settings).ask(question, top_k=top_k)


def stream(question: str, *, top_k: int | None = None, settings: Settings | None = None) -> AnswerStream:
    """The answer as it is written: iterate for the text pieces, then read ``.answer`` for the ``Answer``."""
    return engine(settings).stream(question, top_k=top_k)
