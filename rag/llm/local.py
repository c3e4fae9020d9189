"""``RAG_LLM=local``: a GGUF model run by llama.cpp inside this process, behind llama.cpp's own HTTP server.

xllamacpp (the optional dependency group ``local``) loads the model and serves llama.cpp's OpenAI-compatible
API on a free loopback port, with the chat template stored in the model file. The answerer then talks to it
through the same OpenAI-compatible client as to any other server (rag/llm/clients.py), so streaming, verification,
timeouts and the extractive fallback are one code path. One server per model file, thread count and context
size: started on first use, reused by every later question, stopped when the process exits.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import ConfigError, LLMError

INSTALL_HINT = "pip install 'rag-news[local]' (or pip install xllamacpp)"


@dataclass(frozen=True)
class ServerKey:
    model_path: str
    threads: int
    context_size: int

    @classmethod
    def of(cls, settings: Settings) -> ServerKey:
        path = str(Path(settings.llm_model_path).expanduser().resolve())
        return cls(path, settings.llm_threads, settings.llm_context_size)


@dataclass
class LocalServer:
    """A running llama.cpp server: its address (``url``, without ``/v1``) and the model name it answers to."""

    key: ServerKey
    url: str
    model: str
    _server: Any = field(repr=False)

    def stop(self) -> None:
        """Stop serving (requests in flight end) and free the model; a later ``server_for`` starts a new one."""
        with _lock:
            if _servers.get(self.key) is self:
                del _servers[self.key]
            self._server = None  # xllamacpp's Server stops its HTTP thread and unloads the model when freed


_servers: dict[ServerKey, LocalServer] = {}
# The port each server had: one started again after a stop listens where the clients built for it point.
_ports: dict[ServerKey, int] = {}
_lock = threading.Lock()


def server_for(settings: Settings) -> LocalServer:
    """The server for ``settings``' model, threads and context size, started now if it is not running
    (again on its former port, if it had been stopped)."""
    key = ServerKey.of(settings)
    with _lock:
        running = _servers.get(key)
        if running is None:
            running = _servers[key] = _start(key, _ports.get(key, 0))
            _ports[key] = int(running.url.rpartition(":")[2])
        return running


def stop_all() -> None:
    """Stop every server this process started (registered to run at exit)."""
    for server in list(_servers.values()):
        server.stop()


atexit.register(stop_all)


def _start(key: ServerKey, port: int) -> LocalServer:
    try:
        import xllamacpp
    except ImportError:
        raise ConfigError(f"RAG_LLM=local needs llama.cpp's Python package: {INSTALL_HINT}") from None
    params = xllamacpp.CommonParams()
    params.model.path = key.model_path
    model = Path(key.model_path).stem
    params.model_alias = {model}  # what /v1/models and every reply call the model (else its full path)
    params.n_ctx = key.context_size
    params.n_parallel = 1  # one slot gets the whole window; questions are answered one at a time
    params.cpuparams.n_threads = key.threads
    params.cpuparams_batch.n_threads = key.threads
    params.hostnames = ["127.0.0.1"]
    params.port = port  # 0: a free port, chosen by the server
    # A stream in flight checks for a stop only between its keep-alive pings: at llama.cpp's 30 s, stopping the
    # server mid-answer took 30 s.
    params.sse_ping_interval = 1
    params.verbosity = 0  # errors only: llama.cpp otherwise logs every request to stderr
    params.use_jinja = True  # the chat template stored in the GGUF file
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as error:
        raise LLMError(
            f"llama.cpp could not load {key.model_path} ({error}): is it a complete GGUF model file, "
            f"and does RAG_LLM_CONTEXT_SIZE={key.context_size} fit in memory?"
        ) from None
    return LocalServer(key, server.listening_address.rstrip("/"), model, server)
