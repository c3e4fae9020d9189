"""One settings object, read from ``RAG_*`` environment variables and checked on creation."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from rag.backends import BACKENDS
from rag.errors import ConfigError
from rag.prompts import DEFAULT_PROMPTS

DEFAULT_EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EMBED_BACKENDS = ("onnx-int8", "torch")
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com/v1", "ollama": "http://127.0.0.1:11434"}


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline needs to know, passed explicitly to each part.

    >>> Settings(top_k=4).top_k
    4
    """

    home: Path = Path(".rag")
    corpus: Path = Path("seeds")
    top_k: int = 6
    embed_model: str = DEFAULT_EMBED_MODEL
    # What runs the embedding model: an int8 ONNX copy of it (made once per machine, kept in model_cache) or
    # torch as loaded. The index records the one that made its vectors; docs/performance.md has both measured.
    embed_backend: str = "torch"
    # Models made from the embedding model (the int8 copy), shared by every index on this machine.
    model_cache: Path = field(default_factory=lambda: default_model_cache())
    # Why 200: MiniLM truncates its input at 256 word pieces; 200 tiktoken tokens stay below that
    # for English news prose, so no chunk is silently cut before it is embedded.
    chunk_tokens: int = 200
    # 50, not less: the splitter overlaps whole sentences only, and news sentences run 30 to 50 tokens.
    chunk_overlap: int = 50
    llm: str = "extractive"
    # Hugging Face downloads stay off unless asked for: this tool must work with no network.
    offline: bool = True
    max_question_chars: int = 2000
    # Files above this are skipped at ingest: a news article is tens of KB; a huge file is a log or a dump.
    max_file_mb: int = 10
    # The browser UI's example questions, separated by "|"; empty: made from the indexed articles' titles.
    examples: str = ""
    prompts: Path = DEFAULT_PROMPTS
    # The browser UI (app.py): loopback only unless configured; login is optional and never printed.
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_auth: str | None = dataclasses.field(default=None, repr=False)
    # The language model, when llm is "openai" (any OpenAI-compatible server) or "ollama" (native API).
    llm_base_url: str = ""  # empty: the backend's usual address (DEFAULT_BASE_URLS)
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    # The whole wait for one reply, retries included: a dead server costs at most this long.
    llm_timeout_s: float = 60.0
    llm_retries: int = 2
    llm_temperature: float = 0.1
    llm_max_tokens: int = 512
    # Tokens of prompt (instructions, sources, question); the reply's llm_max_tokens come on top.
    llm_context_tokens: int = 3000
    # RAG_LLM=local: a GGUF file run by llama.cpp in this process (rag/llm/local.py).
    llm_model_path: str = ""
    # One thread: on 2 shared cores llama.cpp's second thread waits on the first whenever another process
    # runs, and generation fell from 14-16 to 2 tokens/s (docs/llm.md, "LLM mode, measured";
    # experiments/local_model_probe.py).
    llm_threads: int = 1
    # The model's window in its own tokens: the prompt (RAG_LLM_CONTEXT_TOKENS, counted with tiktoken; SmolLM2's
    # tokenizer needs up to 1.28 times as many for news text) plus the reply's RAG_LLM_MAX_TOKENS
    # (experiments/local_model_probe.py measures the ratio).
    llm_context_size: int = 4608
    # A Chroma server instead of the database in ``home``: one URL, or a host and port. The lock and the
    # BM25 files stay in ``home`` on each machine; BM25 is rebuilt when the server's index changed.
    chroma_url: str = ""
    chroma_host: str = ""
    chroma_port: int = 8000
    # The name this index's collections start with. A shared server holds several projects side by side,
    # and `--rebuild` deletes only the collections of this name. Empty: derived from ``home`` (see
    # ``collection_prefix``); set it to the same value on every machine that shares one index.
    collection: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", Path(self.home))
        object.__setattr__(self, "corpus", Path(self.corpus))
        object.__setattr__(self, "prompts", Path(self.prompts))
        if self.top_k < 1 or self.top_k > 50:
            raise ConfigError(f"top_k must be between 1 and 50, got {self.top_k}")
        if self.chunk_tokens < 32:
            raise ConfigError(f"chunk_tokens must be at least 32, got {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"chunk_overlap must be between 0 and half of chunk_tokens ({self.chunk_tokens // 2}), "
                f"got {self.chunk_overlap}"
            )
        if self.llm not in BACKENDS:
            raise ConfigError(f"RAG_LLM must be one of {', '.join(BACKENDS)}, got {self.llm!r}")
        if self.llm != "extractive":
            self._check_llm()
        if self.embed_backend not in EMBED_BACKENDS:
            raise ConfigError(
                f"RAG_EMBED_BACKEND must be one of {', '.join(EMBED_BACKENDS)}, got {self.embed_backend!r}"
            )
        if not self.embed_model.strip():
            raise ConfigError("embed_model must name a sentence-transformers model or folder")
        if self.chroma_url and not _server_url(self.chroma_url):
            raise ConfigError(f"RAG_CHROMA_URL must look like http://host:port, got {self.chroma_url!r}")
        if self.chroma_url and self.chroma_host:
            raise ConfigError("set RAG_CHROMA_URL or RAG_CHROMA_HOST (with RAG_CHROMA_PORT), not both")
        if not 0 < self.chroma_port < 65536:
            raise ConfigError(f"RAG_CHROMA_PORT must be between 1 and 65535, got {self.chroma_port}")
        if self.collection and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,40}[A-Za-z0-9]", self.collection):
            raise ConfigError(
                "RAG_COLLECTION must be 3 to 42 letters, digits, '.', '_' or '-', starting and ending with a "
                f"letter or digit, got {self.collection!r}"
            )
        if self.max_question_chars < 1:
            raise ConfigError(f"max_question_chars must be positive, got {self.max_question_chars}")
        if not 1 <= self.ui_port <= 65535:
            raise ConfigError(f"RAG_UI_PORT must be between 1 and 65535, got {self.ui_port}")
        if self.ui_auth is not None:
            user, _, password = self.ui_auth.partition(":")
            if not user.strip() or not password:
                raise ConfigError("RAG_UI_AUTH must look like user:password, with both parts non-empty")
        if self.max_file_mb < 1:
            raise ConfigError(f"max_file_mb must be at least 1, got {self.max_file_mb}")

    def _check_llm(self) -> None:
        if self.llm == "local":
            self._check_local()
        elif not self.llm_model.strip():
            raise ConfigError(f"RAG_LLM={self.llm} needs RAG_LLM_MODEL, the model name the server knows")
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ConfigError(f"RAG_LLM_BASE_URL must start with http:// or https://, got {self.llm_base_url!r}")
        if not 0 < self.llm_timeout_s <= 3600:
            raise ConfigError(f"RAG_LLM_TIMEOUT_S must be between 0 and 3600 seconds, got {self.llm_timeout_s}")
        if not 0 <= self.llm_retries <= 10:
            raise ConfigError(f"RAG_LLM_RETRIES must be between 0 and 10, got {self.llm_retries}")
        if not 0 <= self.llm_temperature <= 2:
            raise ConfigError(f"RAG_LLM_TEMPERATURE must be between 0 and 2, got {self.llm_temperature}")
        if self.llm_max_tokens < 16:
            raise ConfigError(f"RAG_LLM_MAX_TOKENS must be at least 16, got {self.llm_max_tokens}")
        if self.llm_context_tokens < 512:
            raise ConfigError(f"RAG_LLM_CONTEXT_TOKENS must be at least 512, got {self.llm_context_tokens}")

    def _check_local(self) -> None:
        if not self.llm_model_path.strip():
            raise ConfigError("RAG_LLM=local needs RAG_LLM_MODEL_PATH, the path of a .gguf model file")
        path = Path(self.llm_model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"RAG_LLM_MODEL_PATH={self.llm_model_path}: no such file (give a .gguf model's path)")
        if path.suffix.lower() != ".gguf":
            raise ConfigError(f"RAG_LLM_MODEL_PATH={self.llm_model_path} is not a .gguf file (llama.cpp reads GGUF)")
        if not 1 <= self.llm_threads <= 256:
            raise ConfigError(f"RAG_LLM_THREADS must be between 1 and 256, got {self.llm_threads}")
        if self.llm_context_size < 512:
            raise ConfigError(f"RAG_LLM_CONTEXT_SIZE must be at least 512, got {self.llm_context_size}")

    @property
    def answerer(self) -> str:
        """Who writes the answers: ``extractive``, ``local:MODEL-FILE-STEM``, ``openai:MODEL``, ``ollama:MODEL``."""
        if self.llm == "local":
            return f"local:{Path(self.llm_model_path).stem}"
        return self.llm if self.llm == "extractive" else f"{self.llm}:{self.llm_model}"

    @property
    def llm_url(self) -> str:
        """The LLM server's address: RAG_LLM_BASE_URL, else the backend's usual one."""
        return (self.llm_base_url or DEFAULT_BASE_URLS.get(self.llm, "")).rstrip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``RAG_<FIELD>`` variables (``RAG_HOME``, ``RAG_TOP_K`` …); keyword overrides win.

        >>> Settings.from_env({"RAG_TOP_K": "3"}).top_k
        3
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for known in fields(cls):
            raw = env.get(f"RAG_{known.name.upper()}")
            if raw is None or raw == "":
                continue
            values[known.name] = _parse(known.name, known.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def chroma_server(self) -> tuple[str, int, bool] | None:
        """``(host, port, ssl)`` of the Chroma server to use, or None for the local database in ``home``."""
        if self.chroma_url:
            parts = urlsplit(self.chroma_url)
            ssl = parts.scheme == "https"
            return str(parts.hostname), parts.port or (443 if ssl else 8000), ssl
        if self.chroma_host:
            return self.chroma_host, self.chroma_port, False
        return None

    def collection_prefix(self) -> str:
        """What this index's collection names start with (``<prefix>chunks``, ``<prefix>sentences`` …).

        ``RAG_COLLECTION`` when set. Otherwise, on a Chroma server, the index folder's name and a hash of
        its absolute path (``rag-1a2b3c4d-``), so two projects never share collections by accident; the
        local database in ``home`` is the project's own, and keeps the plain names.
        """
        if self.collection:
            return f"{self.collection}-"
        if self.chroma_server() is None:
            return ""
        home = self.home.absolute()
        name = re.sub(r"[^A-Za-z0-9]+", "-", home.name).strip("-")[:24] or "index"
        return f"{name}-{hashlib.sha256(str(home).encode()).hexdigest()[:8]}-"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def default_model_cache() -> Path:
    """The user's cache folder for models made here: ``$XDG_CACHE_HOME/rag-news/models`` (``~/.cache`` when
    unset), so an index folder never holds its own copy."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root).expanduser() / "rag-news" / "models"


def _parse(name: str, kind: object, raw: str) -> object:
    variable = f"RAG_{name.upper()}"
    kind = str(kind)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{variable} must be a whole number, got {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{variable} must be a number, got {raw!r}") from None
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{variable} must be 1/0 or true/false, got {raw!r}")
    if kind == "Path":
        return Path(raw).expanduser()
    return raw.strip()


def _server_url(url: str) -> bool:
    """Whether ``url`` is ``http(s)://host[:port][/]`` and nothing more."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it: a port that is no number raises)
    except ValueError:
        return False
    extra = parts.query or parts.fragment or parts.username or parts.path not in ("", "/")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not extra
