"""Cited question answering over a folder of news articles.

What a script needs, and nothing else; every other name is imported from its own module
(``rag.schema``, ``rag.errors``, ``rag.answer.engine``, ``rag.ingestion.pipeline``, ``rag.news.timeline`` …).

>>> from rag import query
>>> query("What magnitude was the earthquake?").text  # doctest: +SKIP
'The 7.8-magnitude quake struck before dawn near the border … [1]'
"""

from __future__ import annotations

from rag.answer.chat import Chat
from rag.answer.engine import shared_engine
from rag.config import Settings
from rag.errors import (
    ConfigError,
    CorpusError,
    IndexMismatchError,
    IndexMissingError,
    LLMError,
    QuestionError,
    RagError,
    StoreError,
)
from rag.ingestion.pipeline import ingest, remove
from rag.news.timeline import timeline
from rag.schema import Answer, AnswerStream, Citation

__all__ = [
    "Answer",
    "Chat",
    "Citation",
    "ConfigError",
    "CorpusError",
    "IndexMismatchError",
    "IndexMissingError",
    "LLMError",
    "QuestionError",
    "RagError",
    "Settings",
    "StoreError",
    "ingest",
    "query",
    "remove",
    "stream",
    "timeline",
]


def query(question: str, *, top_k: int | None = None, settings: Settings | None = None) -> Answer:
    """Answer ``question`` from the indexed articles; builds the index first if there is none."""
    return shared_engine(settings).ask(question, top_k=top_k)


def stream(question: str, *, top_k: int | None = None, settings: Settings | None = None) -> AnswerStream:
    """The answer as it is written: iterate for the text pieces, then read ``.answer`` for the ``Answer``."""
    return shared_engine(settings).stream(question, top_k=top_k)
