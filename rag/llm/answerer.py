"""The language-model answerers (``RAG_LLM=openai`` / ``ollama`` / ``local``): a llama-index client behind the
``rag.backends.Answerer`` interface, its prompt files checked when it is made."""

from __future__ import annotations

from collections.abc import Generator

from llama_index.core.llms import LLM

from rag.answer.answerer import Evidence
from rag.config import Settings
from rag.llm.clients import ollama_client, openai_client
from rag.llm.generate import check_prompts, rewrite_follow_up, stream_answer
from rag.schema import Answer


class LLMAnswerer:
    """Writes answers with ``client`` from the retrieved passages; every sentence is verified."""

    def __init__(self, settings: Settings, client: LLM) -> None:
        check_prompts(settings)  # a broken prompt file stops the program before any question
        self.settings = settings
        self.client = client
        self.name = settings.answerer

    def rewrite(self, question: str, previous: str) -> tuple[str | None, str | None]:
        return rewrite_follow_up(question, previous, llm=self.client, settings=self.settings)

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        return (
            yield from stream_answer(
                evidence.question,
                evidence.extractive,
                llm=self.client,
                settings=self.settings,
                embed=evidence.embed,
                sentence_vectors=evidence.sentence_vectors,
            )
        )


def openai_answerer(settings: Settings) -> LLMAnswerer:
    return LLMAnswerer(settings, openai_client(settings))


def ollama_answerer(settings: Settings) -> LLMAnswerer:
    return LLMAnswerer(settings, ollama_client(settings))


def local_answerer(settings: Settings) -> LLMAnswerer:
    """A GGUF model through llama.cpp's server, started in this process (rag/llm/local.py)."""
    from rag.llm.local import server_for

    server = server_for(settings)
    return LLMAnswerer(settings, openai_client(settings, model=server.model, api_base=server.url + "/v1"))
