"""Where a whole ingest's time goes: the forward pass against everything else, for the configured backend.

Copies the first N articles of CORPUS to a scratch folder, loads the model (timed), then:
- ``forward_s``: the embedding of every chunk alone (``Embedder.embed_chunks``, as ingest batches it), best of
  a few passes;
- ``ingest_s``: a whole ingest of the same articles into an empty index, best of a few;
- ``torch_encode_s``: raw sentence-transformers ``encode`` (torch, fp32, batch 32) of the same chunks, as
  ``rag bench`` times it;
and prints the functions of one more ingest that took the most time (cProfile, the calling thread only).

    RAG_EMBED_BACKEND=onnx-int8 PYTHONPATH=. python eval/ingest_profile.py --corpus seeds
    RAG_EMBED_BACKEND=onnx-int8 PYTHONPATH=. python eval/ingest_profile.py \\
        --corpus ../shared/devsets/newsqa-cnn/corpus --articles 200 --passes 1
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rag.config import Settings
from rag.index.embedding import load_embedder
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus
from rag.ingestion.pipeline import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=0, help="the first N files by name (0: all)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--top", type=int, default=25, help="functions of the profile to print")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rag-ingest-profile-") as scratch:
        root = Path(scratch)
        corpus = root / "corpus"
        corpus.mkdir()
        files = sorted(p for p in args.corpus.iterdir() if p.is_file())
        for path in files[: args.articles or None]:
            shutil.copy(path, corpus / path.name)
        base = Settings.from_env(home=root / "home-0", corpus=corpus, chroma_url="", chroma_host="")
        started = time.perf_counter()
        embedder = load_embedder(base)
        load_s = time.perf_counter() - started
        splitter = make_splitter(base.chunk_tokens, base.chunk_overlap)
        chunks = [c for a in load_corpus(corpus).articles for c in chunk_article(a, splitter)]
        texts = [c.text for c in chunks]
        embedder.model.encode(texts[:8])  # warm-up, as rag bench does
        embedder.embed(texts[:8])
        homes = itertools.count(1)

        def whole() -> None:
            ingest(base.with_(home=root / f"home-{next(homes)}"))

        figures = {
            "backend": embedder.backend,
            "articles": len(list(corpus.iterdir())),
            "chunks": len(chunks),
            "model_load_s": round(load_s, 2),
            "torch_encode_s": _best(lambda: embedder.model.encode(texts, batch_size=32), args.passes),
            "forward_s": _best(lambda: embedder.embed_chunks(chunks), args.passes),
            "ingest_s": _best(whole, args.passes),
        }
        figures["rest_of_ingest_s"] = round(figures["ingest_s"] - figures["forward_s"], 3)
        figures["ingest_vs_torch_encode_ratio"] = round(figures["torch_encode_s"] / figures["ingest_s"], 3)
        print(json.dumps(figures, indent=1))
        profile = cProfile.Profile()
        profile.runcall(whole)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


def _best(call: Callable[[], object], passes: int) -> float:
    seconds = []
    for _ in range(passes):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return round(min(seconds), 3)


if __name__ == "__main__":
    main()
