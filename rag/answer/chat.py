"""A conversation: follow-up questions are answered with the history in mind."""

from __future__ import annotations

from rag.answer.engine import Engine
from rag.config import Settings
from rag.schema import Answer, AnswerStream


class Chat:
    """Keeps the questions asked so far; each new one is made standalone before retrieval.

    >>> chat = Chat()  # doctest: +SKIP
    >>> chat.ask("How many people have been killed in Turkey?")  # doctest: +SKIP
    >>> chat.ask("And how many in Syria?").rewritten_question  # doctest: +SKIP
    'How many people have been killed in Syria?'
    """

    def __init__(self, settings: Settings | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or Engine(settings or Settings.from_env())
        self.history: list[Answer] = []

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        return self.stream(question, top_k=top_k).answer

    def stream(self, question: str, *, top_k: int | None = None) -> AnswerStream:
        """Like ``Engine.stream``; the finished answer joins the history."""

        def remember(answer: Answer) -> Answer:
            self.history.append(answer)
            return answer

        return self.engine.stream(question, top_k=top_k, previous=self._previous()).then(remember)

    def reset(self) -> None:
        """Start a new conversation."""
        self.history.clear()

    def _previous(self) -> str | None:
        if not self.history:
            return None
        last = self.history[-1]
        return last.rewritten_question or last.question
