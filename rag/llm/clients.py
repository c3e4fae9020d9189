"""The language model backends, behind one small interface: messages in, text pieces out, within a deadline.

``RAG_LLM=openai`` talks to any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp's server,
LM Studio, Ollama's ``/v1``) through llama-index's ``OpenAILike``; ``RAG_LLM=ollama`` talks to Ollama's native
``/api/chat`` through llama-index's ``Ollama``; ``RAG_LLM=local`` starts llama.cpp's server on a GGUF file in this
process (rag/llm/local.py) and talks to it like ``openai``. Whatever goes wrong (no server, refused connection, timeout,
an HTTP error, a malformed or empty reply) comes out as one ``LLMError`` with a one-line reason.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from rag.config import Settings
from rag.errors import LLMError

_DONE = object()


@dataclass(frozen=True)
class Message:
    role: str  # "system" or "user"
    content: str


# The clients below do not retry and wait at most RAG_LLM_TIMEOUT_S per request; ``stream_reply`` and
# ``complete`` add the retries and a deadline over the whole exchange.


def openai_client(settings: Settings, *, model: str | None = None, api_base: str | None = None) -> LLM:
    """llama-index's client for any OpenAI-compatible server, configured from the RAG_LLM_* settings
    (``model`` and ``api_base`` default to RAG_LLM_MODEL and the server's address)."""
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=model or settings.llm_model,
        api_base=api_base or settings.llm_url,
        # Local servers ignore the key, but the openai client refuses to start without one.
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context_tokens + settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout_s,
        max_retries=0,
    )


def ollama_client(settings: Settings) -> LLM:
    """llama-index's client for Ollama's native API, configured from the RAG_LLM_* settings.

    >>> ollama_client(Settings(llm="ollama", llm_model="llama3.2")).base_url  # doctest: +SKIP
    'http://127.0.0.1:11434'
    """
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=settings.llm_model,
        base_url=settings.llm_url,
        temperature=settings.llm_temperature,
        # Given, not -1: otherwise the client asks the server for the model's window before every chat.
        context_window=settings.llm_context_tokens + settings.llm_max_tokens,
        request_timeout=settings.llm_timeout_s,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
    )


def stream_reply(llm: LLM, messages: Sequence[Message], settings: Settings, *, stream: bool = True) -> Iterator[str]:
    """The model's reply to ``messages``, piece by piece as the server sends it.

    The whole exchange, retries included, ends within RAG_LLM_TIMEOUT_S: the request runs in a worker thread
    and this generator stops waiting for it at the deadline. Failures before the first piece (no connection,
    timeout, HTTP 429 or 5xx) are retried up to RAG_LLM_RETRIES times while time remains. With ``stream``
    false the reply is asked for whole (one plain JSON response) and comes as one piece.
    """
    if settings.llm == "local":
        from rag.llm.local import server_for

        server_for(settings)  # running since the client was built, unless it was stopped since: then again
    deadline = time.monotonic() + settings.llm_timeout_s
    attempt = 0
    while True:
        received = False
        try:
            for piece in _bounded(llm, messages, deadline, settings, stream):
                received = True
                yield piece
            return
        except LLMError as error:
            retry = getattr(error, "retryable", False) and not received and attempt < settings.llm_retries
            pause = 0.25 * 2**attempt
            if not retry or time.monotonic() + pause >= deadline:
                raise
            attempt += 1
            time.sleep(pause)


def complete(llm: LLM, messages: Sequence[Message], settings: Settings) -> str:
    """The whole reply as one string (stripped); an empty reply is an ``LLMError``."""
    text = "".join(stream_reply(llm, messages, settings, stream=False)).strip()
    if not text:
        raise LLMError(f"{describe(settings)} sent an empty reply")
    return text


def _bounded(llm: LLM, messages: Sequence[Message], deadline: float, settings: Settings, stream: bool) -> Iterator[str]:
    pieces: queue.Queue[object] = queue.Queue()
    stop = threading.Event()
    chat = [ChatMessage(role=m.role, content=m.content) for m in messages]

    def work() -> None:
        try:
            if not stream:
                pieces.put(llm.chat(chat).message.content or "")
                pieces.put(_DONE)
                return
            replies = llm.stream_chat(chat)
            try:
                for reply in replies:
                    if stop.is_set():
                        return
                    if reply.delta:
                        pieces.put(reply.delta)
            finally:
                close = getattr(replies, "close", None)
                if close is not None:
                    close()
            pieces.put(_DONE)
        except BaseException as error:  # every failure is reported to the waiting side
            pieces.put(error)

    # A daemon thread: when the deadline passes we stop waiting for it; the client's own timeout ends it.
    threading.Thread(target=work, name="rag-llm", daemon=True).start()
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                item = pieces.get(timeout=max(left, 0.0)) if left > 0 else pieces.get_nowait()
            except queue.Empty:
                raise _error(
                    f"{describe(settings)} did not answer within {settings.llm_timeout_s:g} s (RAG_LLM_TIMEOUT_S)",
                    retryable=False,
                ) from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise _explain(item, settings) from None
            yield str(item)
    finally:
        stop.set()


def _error(message: str, *, retryable: bool) -> LLMError:
    error = LLMError(message)
    error.retryable = retryable  # type: ignore[attr-defined]
    return error


def describe(settings: Settings) -> str:
    """The model as error messages name it: ``the language model at URL``, or ``the local model NAME``."""
    if settings.llm == "local":
        return f"the local model {settings.answerer.partition(':')[2]}"
    return f"the language model at {settings.llm_url}"


def _explain(error: BaseException, settings: Settings) -> LLMError:
    """One line for the user, and whether trying again could help."""
    import httpx
    import openai

    where = describe(settings)
    status = getattr(error, "status_code", None)
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return _error(f"{where} did not answer within {settings.llm_timeout_s:g} s (RAG_LLM_TIMEOUT_S)", retryable=True)
    if isinstance(error, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return _error(f"cannot reach {where}: is the server running? ({_first_line(error)})", retryable=True)
    if isinstance(status, int) and status >= 400:
        detail = _first_line(_server_message(error))
        hint = " (check RAG_LLM_MODEL and RAG_LLM_API_KEY)" if status in (401, 403, 404) else ""
        if _over_context(error):
            hint = f" (lower RAG_LLM_CONTEXT_TOKENS={settings.llm_context_tokens} or give the model a larger window"
            hint += f": RAG_LLM_CONTEXT_SIZE={settings.llm_context_size})" if settings.llm == "local" else ")"
        return _error(f"{where} answered HTTP {status}: {detail}{hint}", retryable=status == 429 or status >= 500)
    if isinstance(error, json.JSONDecodeError | ValueError | KeyError | TypeError | AttributeError):
        return _error(f"{where} sent a malformed reply ({type(error).__name__}: {_first_line(error)})", retryable=False)
    return _error(f"{where} failed: {type(error).__name__}: {_first_line(error)}", retryable=False)


def _over_context(error: BaseException) -> bool:
    """llama.cpp's HTTP 400 for a prompt longer than the model's window (``exceed_context_size_error``)."""
    body = getattr(error, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    return isinstance(inner, dict) and inner.get("type") == "exceed_context_size_error"


def _server_message(error: BaseException) -> object:
    """The server's own words: OpenAI-style ``{"error": {"message": …}}``, Ollama's ``error``, else the exception."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return inner["message"]
        if isinstance(inner, str):
            return inner
    ollama_error = getattr(error, "error", None)
    if isinstance(ollama_error, dict) and ollama_error.get("message"):
        return ollama_error["message"]
    return ollama_error or error


def _first_line(value: object) -> str:
    text = str(value).strip().splitlines()
    return (text[0] if text else "no details")[:200]
