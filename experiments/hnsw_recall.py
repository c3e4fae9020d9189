"""Re-derive the breadth of the chunks' vector search (``rag.index.store.SEARCH_EF``).

    PYTHONPATH=. python experiments/hnsw_recall.py --dev GOLD CORPUS HOME [--dev ...] [--ef N ...]

The search is approximate (HNSW). For every question of each gold set, the exact nearest chunks (numpy over
every stored vector) are set against what the search returns at each ``ef_search``, for as many chunks as
the answerer asks for (``retrieval.search.dense_pool``): recall (the share of the exact neighbours found),
the questions that got them all, and the median and 95th-percentile time of one search. Then the whole
gold set runs through ``rag eval``'s own loop at that breadth. The value kept is the one whose answers
contain the gold for the most tuning questions of all sets together; on a tie, the smallest (the fastest).
Each value is set on a copy of the index (Chroma persists it), so HOME is left as it was; HOME must hold an
index of CORPUS already (``rag ingest`` or ``rag eval --home HOME`` makes one). ``--limit N`` reads the first N
questions of each set, for a quick run.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from chromadb.api.client import SharedSystemClient
from chromadb.api.models.Collection import Collection

from rag.answer.engine import RERANK_POOL
from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.evaluation.runner import evaluate_corpus
from rag.index.embedding import load_embedder
from rag.index.store import Store
from rag.retrieval.search import dense_pool

EFS = (100, 200, 400, 800, 1600)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--ef", type=int, nargs="+", default=EFS)
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N questions of each set (0: all)")
    args = parser.parse_args(argv)
    print("ef_search\tset\trecall\tquestions with all\tsearch p50 ms\tsearch p95 ms\tcontains_gold_700 tune / check")
    right: dict[int, float] = {}
    for gold, corpus, home in args.dev:
        items = load_gold(Path(gold))[: args.limit or None]
        exact: list[set[str]] = []
        with tempfile.TemporaryDirectory() as scratch:
            for ef in sorted(args.ef):
                # A copy per value: an index keeps the breadth it was opened with, and rag.query keeps the
                # index of each settings (home) open.
                copy = Path(scratch) / f"home-{ef}"
                shutil.copytree(home, copy)
                settings = Settings.from_env(home=copy, corpus=Path(corpus))
                if not exact:
                    vectors = load_embedder(settings).embed([item.question for item in items])
                    n = dense_pool(RERANK_POOL * settings.top_k)
                    stored = _chunks(settings).get(include=["embeddings"])
                    ids, matrix = np.asarray(stored["ids"]), np.asarray(stored["embeddings"], dtype=np.float32)
                    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
                    exact = [set(ids[np.argsort(-(matrix @ v))[:n]]) for v in vectors]
                _chunks(settings).modify(configuration={"hnsw": {"ef_search": ef}})
                SharedSystemClient.clear_system_cache()
                store = Store.open(settings)
                found, times = [], []
                for v in vectors:
                    start = time.perf_counter()
                    found.append({i for i, _ in store.search(v, n)})
                    times.append((time.perf_counter() - start) * 1000)
                shares = [len(f & e) / len(e) for f, e in zip(found, exact, strict=True)]
                scores = {}
                for part in ("tune", "check"):
                    chosen = [i for i in items if split(i) == part]
                    if not chosen:
                        scores[part] = float("nan")
                        continue
                    run = evaluate_corpus(chosen, settings, home=copy)
                    scores[part] = run.summary["overall"]["contains_gold_700"] or 0.0
                    if part == "tune":
                        answered = sum(r.scores.get("contains_gold_700") or 0.0 for r in run.results)
                        right[ef] = right.get(ef, 0.0) + answered
                whole = sum(s == 1.0 for s in shares)
                p50, p95 = np.percentile(times, [50, 95])
                print(
                    f"{ef}\t{gold}\t{np.mean(shares):.4f}\t{whole}/{len(shares)}\t{p50:.1f}\t{p95:.1f}\t"
                    f"{scores['tune']:.3f} / {scores['check']:.3f}",
                    flush=True,
                )
    for ef in sorted(right):
        print(f"{ef}\ttuning questions whose answer contains the gold\t{right[ef]:.0f}")
    print(f"\nmost tuning questions answered: SEARCH_EF = {max(sorted(right), key=lambda ef: right[ef])}")
    return 0


def _chunks(settings: Settings) -> Collection:
    """The chunk collection of the index in ``settings.home``, opened afresh."""
    SharedSystemClient.clear_system_cache()
    chunks = Store.open(settings)._chunks
    assert chunks is not None, f"{settings.home} holds no index: run rag eval --home {settings.home} first"
    return chunks


if __name__ == "__main__":
    raise SystemExit(main())
