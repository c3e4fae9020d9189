"""Question → ranked passages: dense (Chroma) and BM25 results fused by reciprocal rank."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from rag.index.embedding import Embedder
from rag.index.lexical import LexicalIndex
from rag.index.store import Store
from rag.schema import Passage

# Reciprocal rank fusion's usual constant (Cormack et al. 2009): a rank's weight is 1 / (60 + rank).
RRF_K = 60


@dataclass(frozen=True)
class Retrieval:
    question_vector: np.ndarray
    passages: tuple[Passage, ...]
    dense_candidates: int
    lexical_candidates: int


def retrieve(question: str, *, k: int, store: Store, lexical: LexicalIndex, embedder: Embedder) -> Retrieval:
    """The ``k`` best passages for ``question``, best first, with their scores from both searches."""
    vector = embedder.embed([question])[0]
    pool = dense_pool(k)
    dense = store.search(vector, pool)
    keyword = lexical.search(question, pool)
    candidates = fuse([[i for i, _ in dense], [i for i, _ in keyword]])[: 3 * k]
    # A chunk found by a search may have been deleted since by a concurrent ingest: get() leaves it out.
    chunks = store.get([chunk_id for chunk_id, _ in candidates])
    chosen = [(i, s) for i, s in candidates if i in chunks][:k]
    dense_scores, keyword_scores = dict(dense), dict(keyword)
    passages = tuple(
        replace(
            chunks[chunk_id],
            score=round(score, 4),
            dense_score=_rounded(dense_scores.get(chunk_id)),
            lexical_score=_rounded(keyword_scores.get(chunk_id)),
        )
        for chunk_id, score in chosen
    )
    return Retrieval(vector, passages, len(dense), len(keyword))


def dense_pool(k: int) -> int:
    """How many chunks each search returns for ``k`` passages: the fusion needs more than it keeps."""
    return max(4 * k, 24)


def fuse(rankings: list[list[str]]) -> list[tuple[str, float]]:
    """Reciprocal rank fusion, scaled so a first place in every ranking scores 1.0.

    >>> fuse([["a", "b"], ["b"]])  # b: (1/62 + 1/61) / (2/61)
    [('b', 0.9919...), ('a', 0.5)]
    """
    scores: Counter[str] = Counter()
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] += 1.0 / (RRF_K + rank)
    best_possible = len(rankings) / (RRF_K + 1)
    return [(item, score / best_possible) for item, score in scores.most_common()]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
