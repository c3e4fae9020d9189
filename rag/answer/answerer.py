"""The answerer interface: every question is first answered extractively (that answer decides abstention
and is the fallback); the answerer ``RAG_LLM`` names then writes the text the user sees from that evidence."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

import numpy as np

from rag.backends import BACKENDS
from rag.config import Settings
from rag.schema import Answer


@dataclass(frozen=True)
class Evidence:
    """What an answerer answers from: the question and the extractive answer over the retrieved passages
    (``extractive.passages``), with what verification needs to compare sentences by meaning."""

    question: str
    extractive: Answer
    embed: Callable[[list[str]], np.ndarray]
    sentence_vectors: dict[str, np.ndarray]


class Answerer(Protocol):
    """One way of writing answers; ``name`` says which (``extractive``, ``openai:MODEL``, …)."""

    name: str

    def rewrite(self, question: str, previous: str) -> tuple[str | None, str | None]:
        """The standalone form of the follow-up ``question`` (None: use the heuristic), and a notice."""
        ...

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        """Yield the answer's text as it is written; return the finished ``Answer``."""
        ...


def answerer_for(settings: Settings) -> Answerer:
    """The answerer ``settings.llm`` names (checked against ``BACKENDS`` when the settings were made)."""
    module, factory = BACKENDS[settings.llm].split(":")
    make: Callable[[Settings], Answerer] = getattr(import_module(module), factory)
    return make(settings)
