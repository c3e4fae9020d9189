"""LLM-judged scores through llama-index's evaluators: is the answer backed by the passages it was drawn
from (faithfulness), and does it address the question (relevancy)? Each verdict is YES (1.0) or NO (0.0).
"""

from __future__ import annotations

from typing import Any

import rag.markers as markers
from rag.answer.answerer import answerer_for
from rag.config import Settings
from rag.errors import EvaluationError
from rag.schema import Answer
from rag.text import token_encoder


class Judge:
    """Wraps a llama-index LLM; one ``FaithfulnessEvaluator`` and one ``RelevancyEvaluator`` for the run."""

    def __init__(self, llm: Any) -> None:
        from llama_index.core.evaluation import FaithfulnessEvaluator, RelevancyEvaluator

        token_encoder()  # the evaluators count tokens with tiktoken: point it at the copy shipped offline
        self._faithfulness = FaithfulnessEvaluator(llm=llm)
        self._relevancy = RelevancyEvaluator(llm=llm)

    def score(self, question: str, answer: Answer) -> dict[str, float | None]:
        """Both verdicts for an answer; an abstention is not judged (there is no claim to check)."""
        if answer.abstained or not answer.passages:
            return {"faithfulness": None, "relevancy": None}
        response = " ".join(markers.without(answer.text).split())
        contexts = [p.text for p in answer.passages]
        try:
            faithful = self._faithfulness.evaluate(query=question, response=response, contexts=contexts)
            relevant = self._relevancy.evaluate(query=question, response=response, contexts=contexts)
        except Exception as error:  # the LLM is a remote service: any failure of it ends the run, explained
            raise EvaluationError(f"the judge LLM failed: {type(error).__name__}: {error}") from None
        return {"faithfulness": faithful.score, "relevancy": relevant.score}


def judge_llm(settings: Settings) -> tuple[Any, list[str]]:
    """The LLM that judges faithfulness and relevancy, or None and a note saying why they are skipped."""
    client = getattr(answerer_for(settings), "client", None)  # a language-model answerer's llama-index client
    if client is None:
        return None, ["LLM-judged metrics (faithfulness, relevancy) skipped: no LLM backend configured (RAG_LLM)"]
    return client, []
