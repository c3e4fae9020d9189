"""CPU time of the embedding step alone, per backend, on one thread: what the forward pass costs.

Chunks CORPUS as ingest does, then embeds the first N chunks, longest first in batches of 32 as ingest
does, with each backend in turn, interleaved, best of a few passes. One thread, so the figure is the
model's cost and not how busy the second core was.

    PYTHONPATH=. python experiments/embed_speed.py --corpus ../shared/devsets/newsqa-cnn/corpus --chunks 200 \\
        --home /tmp/embed-speed
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from rag.config import EMBED_BACKENDS, Settings
from rag.index.embedding import load_embedder
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True, help="where the int8 copy is made and kept")
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args(argv)
    base = Settings.from_env(home=args.home, corpus=args.corpus)
    splitter = make_splitter(base.chunk_tokens, base.chunk_overlap)
    chunks = [c for a in load_corpus(args.corpus).articles for c in chunk_article(a, splitter)][: args.chunks]
    texts = sorted((c.text for c in chunks), key=len, reverse=True)
    embedders = {b: load_embedder(base.with_(embed_backend=b)) for b in EMBED_BACKENDS}
    seconds: dict[str, list[float]] = {b: [] for b in embedders}
    for _ in range(args.passes):
        for backend, embedder in embedders.items():
            started = time.process_time()
            for first in range(0, len(texts), 32):
                embedder.embed(texts[first : first + 32], threads=1)
            seconds[backend].append(time.process_time() - started)
    best = {b: round(min(s), 2) for b, s in seconds.items()}
    print(
        json.dumps(
            {
                "chunks": len(chunks),
                "cpu_s": best,
                "speedup_vs_torch": {b: round(best["torch"] / s, 2) for b, s in best.items()},
                "backend_used": {b: e.backend for b, e in embedders.items()},
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
