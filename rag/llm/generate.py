"""Answers written by a language model: the prompt from files, the reply streamed and verified as it comes.

The extractive answer is computed first, always: it decides abstention (when retrieval found nothing
relevant the model is not asked at all) and it is what the user gets, with a one-line notice, when the
model fails.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

import numpy as np
from llama_index.core.llms import LLM

from rag.config import Settings
from rag.errors import LLMError
from rag.llm.clients import Message, complete, describe, stream_reply
from rag.llm.context import pack
from rag.llm.verify import Embed, Verifier
from rag.news.figures import find_conflicts, link
from rag.prompts import load_template, load_text
from rag.schema import Answer, Citation, ShortAnswer
from rag.text import count_tokens

SYSTEM = ("system.txt", frozenset({"refusal"}))
ANSWER = ("answer.txt", frozenset({"sources", "question"}))
FOLLOWUP = ("followup.txt", frozenset({"previous", "question"}))


def check_prompts(settings: Settings) -> None:
    """Load every template now, so a broken prompt file stops the program before any question."""
    for name, variables in (SYSTEM, ANSWER, FOLLOWUP):
        load_template(settings.prompts, name, variables)


def rewrite_follow_up(question: str, previous: str, *, llm: LLM, settings: Settings) -> tuple[str | None, str | None]:
    """The standalone form of ``question`` written by the model, or None and a notice saying why not."""
    template = load_template(settings.prompts, *FOLLOWUP)
    prompt = template.format(previous=previous, question=question)
    try:
        reply = complete(llm, [Message("user", prompt)], settings)
    except LLMError as error:
        return None, f"{error}; the follow-up was rewritten without it"
    rewritten = " ".join(reply.strip().splitlines()[0].strip("\"'“” ").split())
    if not rewritten or len(rewritten) > settings.max_question_chars:
        return None, "the language model's rewrite of the follow-up was unusable"
    return rewritten, None


def stream_answer(
    question: str,
    extractive: Answer,
    *,
    llm: LLM,
    settings: Settings,
    embed: Embed,
    sentence_vectors: dict[str, np.ndarray],
) -> Generator[str, None, Answer]:
    """Yield the model's answer sentence by sentence, verified; return the ``Answer``.

    ``extractive`` is the offline answer to the same question from the same passages.
    """
    backend = settings.llm
    refusal = load_text(settings.prompts, "refusal.txt")
    if extractive.abstained:
        yield refusal
        return replace(extractive, text=refusal, backend=backend)
    system = load_template(settings.prompts, *SYSTEM).format(refusal=refusal)
    template = load_template(settings.prompts, *ANSWER)
    fixed = count_tokens(system) + count_tokens(template.format(sources="", question=question))
    packed = pack(extractive.passages, fixed_tokens=fixed, budget=settings.llm_context_tokens)
    if not packed.passages:
        reason = f"no passage fits in RAG_LLM_CONTEXT_TOKENS={settings.llm_context_tokens}"
        return (yield from _fallback(extractive, reason))
    messages = [Message("system", system), Message("user", template.format(sources=packed.sources, question=question))]
    verifier = Verifier(packed.passages, embed=embed, sentence_vectors=sentence_vectors, refusal=refusal)
    shown: list[str] = []
    try:
        for delta in stream_reply(llm, messages, settings):
            for piece in verifier.feed(delta):
                shown.append(piece)
                yield piece
        for piece in verifier.finish():
            shown.append(piece)
            yield piece
    except LLMError as error:
        return (yield from _fallback(extractive, str(error), after=bool(shown)))
    verified = verifier.result()
    if not verified.text:
        return (yield from _fallback(extractive, f"{describe(settings)} sent an empty reply"))
    if verified.refused:
        return replace(
            extractive,
            text=refusal,
            citations=(),
            abstained=True,
            backend=backend,
            answered_by=settings.answerer,
            conflicts=(),
            short=None,
        )
    return replace(
        extractive,
        text=verified.text,
        citations=verified.citations,
        short=_short_in(extractive.short, verified.citations),
        abstained=False,
        backend=backend,
        answered_by=settings.answerer,
        unsupported=verified.unsupported,
        # The prompt asks the model to report disagreement; the same figure check as in extractive mode
        # lists it in the answer's data whether or not the model did.
        conflicts=link(find_conflicts(question, extractive.passages), verified.citations),
    )


def _short_in(short: ShortAnswer | None, citations: tuple[Citation, ...]) -> ShortAnswer | None:
    """The extractive short answer, pointed at the first of the model's citations whose quote holds it; None
    when none does (its number was the extractive answer's, which the model's answer does not have)."""
    if short is None:
        return None
    for c in citations:
        if (start := c.quote.find(short.text)) >= 0:
            return ShortAnswer(short.text, c.n, start, start + len(short.text))
    return None


def _fallback(extractive: Answer, reason: str, *, after: bool = False) -> Generator[str, None, Answer]:
    """The extractive answer (its backend says so), with one line saying why the model's is missing."""
    notice = f"{reason}; showing the extractive answer instead"
    if after:
        notice = f"the answer broke off: {notice}"
    if after:
        yield "\n\n"
    yield extractive.text
    return replace(extractive, notice=notice)
