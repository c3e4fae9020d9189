"""Where rebuilding the keyword index goes at scale, and what an update after one changed article costs.

On `rag bench`'s synthetic index of N chunks (seed sentences recombined, random unit vectors), times a
rebuild from every chunk's text in its parts (reading the texts from Chroma, tokenising and stemming,
bm25s's own index build and the array build used now, saving), then rewrites one article (its ten
chunks out, ten new ones in) and times the update from the terms saved with the index against a
rebuild of the same store. Checks that the two give the same index: the same chunks, vocabulary and
matrix, and the same results for every question of eval/gold.jsonl.

    PYTHONPATH=. python eval/bm25_rebuild.py [--chunks 100000] [--home DIR]

``--home`` keeps the synthetic store between runs (it takes minutes to write at 100,000 chunks).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import bm25s
import numpy as np

from rag.config import Settings
from rag.evaluation.bench import gold_questions, replace_synthetic_article, synthetic_store
from rag.index.lexical import ChunkTerms, LexicalIndex
from rag.index.store import Store
from rag.ingestion.pipeline import lexical_index

ROOT = Path(__file__).resolve().parent.parent
DIMENSION = 384  # all-MiniLM-L6-v2's; the vectors are random, only their size matters


def rebuild_parts(settings: Settings, store: Store, generation: str) -> tuple[dict[str, float], LexicalIndex]:
    """A rebuild from every text, timed in its parts; also bm25s's own build of the same terms."""
    timed: dict[str, float] = {}
    started = time.perf_counter()
    pages = list(store.iter_texts())
    timed["read_texts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    chunks = ChunkTerms.read(pages).canonical()
    timed["tokenise_stem_s"] = time.perf_counter() - started
    ids = [row.tolist() for row in np.split(chunks.tokens, np.cumsum(chunks.lengths)[:-1])]
    started = time.perf_counter()
    bm25s.BM25().index(
        bm25s.tokenization.Tokenized(ids=ids, vocab={t: i for i, t in enumerate(chunks.vocabulary)}),
        show_progress=False,
    )
    timed["bm25s_index_s"] = time.perf_counter() - started  # the build before this change
    started = time.perf_counter()
    index = LexicalIndex.build(generation, chunks)
    timed["array_index_s"] = time.perf_counter() - started  # the build now
    started = time.perf_counter()
    index.save(settings.home)
    timed["save_s"] = time.perf_counter() - started
    return timed, index


def same_index(a: LexicalIndex, b: LexicalIndex, questions: list[str], k: int) -> bool:
    assert a.bm25 is not None and b.bm25 is not None and a.terms is not None and b.terms is not None
    return (
        a.chunk_ids == b.chunk_ids
        and a.terms.vocabulary == b.terms.vocabulary
        and all(np.array_equal(a.bm25.scores[key], b.bm25.scores[key]) for key in ("data", "indices", "indptr"))
        and all(a.search(q, k) == b.search(q, k) for q in questions)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="keep the synthetic store here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rag-bm25-") as scratch:
        home = args.home or Path(scratch)
        settings = Settings(home=home, corpus=ROOT / "seeds", chroma_url="", chroma_host="")
        results: dict[str, object] = {"chunks": args.chunks, "load_average_before": os.getloadavg()}
        if not (home / "chroma").exists():
            started = time.perf_counter()
            synthetic_store(settings, args.chunks, DIMENSION, "torch")
            results["write_store_s"] = time.perf_counter() - started
        store = Store.open(settings)
        results["chunks"] = store.count()
        parts, _ = rebuild_parts(settings, store, store.generation())
        results.update(parts)
        results["rebuild_before_s"] = sum(parts[k] for k in ("read_texts_s", "tokenise_stem_s", "bm25s_index_s"))
        results["rebuild_now_s"] = sum(parts[k] for k in ("read_texts_s", "tokenise_stem_s", "array_index_s"))

        generation = replace_synthetic_article(settings, store, store.count(), DIMENSION)
        started = time.perf_counter()
        current = store.all_chunk_ids()
        results["update_list_ids_s"] = time.perf_counter() - started
        started = time.perf_counter()
        updated = lexical_index(settings, store, generation)
        results["update_s"] = time.perf_counter() - started  # lists the ids again, as ingest does
        started = time.perf_counter()
        updated.save(settings.home)
        results["update_save_s"] = time.perf_counter() - started
        assert updated.terms is not None and set(updated.chunk_ids) == current

        rebuilt = LexicalIndex.build(generation, ChunkTerms.read(store.iter_texts()))
        questions = gold_questions(ROOT / "eval" / "gold.jsonl")
        results["update_equals_rebuild"] = same_index(updated, rebuilt, questions, 10)
        results["load_average_after"] = os.getloadavg()
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
