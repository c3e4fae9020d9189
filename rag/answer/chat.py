"""A conversation: follow-up questions are answered with the history in mind."""

from __future__ import annotations

from collections.abc import Iterator

from rag.answer.engine import Engine
from rag.config import Settings
from rag.schema import Answer


class Chat:
    """Keeps the questions asked so far; each new one is made standalone before retrieval.

    >>> chat = Chat()  # doctest: +SKIP
    >>> chat.ask("How many people have been killed in Thailand?")  # doctest: +SKIP
    >>> chat.ask("And how many in Cambodia?").rewritten_question  # doctest: +SKIP
    'How many people have been killed in Cambodia?'
    """

    def __init__(self, settings: Settings | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or Engine(settings or Settings.from_env())
        self.history: list[Answer] = []

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        *_, answer = self.stream(question, top_k=top_k)
        assert isinstance(answer, Answer)
        return answer

    def stream(self, question: str, *, top_k: int | None = None) -> Iterator[str | Answer]:
        """Like ``Engine.stream``; the finished answer joins the history."""
        for item in self.engine.stream(question, top_k=top_k, previous=self._previous()):
            if isinstance(item, Answer):
                self.history.append(item)
            yield item

    def reset(self) -> None:
        """Start a new conversation."""
        self.history.clear()

    def _previous(self) -> str | None:
        if not self.history:
            return None
        last = self.history[-1]
        return last.rewritten_question or last.question
