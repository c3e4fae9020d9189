"""Retrieval quality of each embedding backend, side by side: hit@k and MRR over a gold set.

Indexes CORPUS once per backend into HOMES/<backend> (kept, so a rerun only re-reads), then retrieves for
every answerable question exactly as ``rag ask`` does (dense + BM25 fused). Two relevance rules:
``article`` (a passage from a gold article stating gold evidence, when the set has any: ``rag eval``'s rule)
and ``answer`` (a passage from a gold article containing a gold answer string).

    python experiments/compare_backends.py --gold eval/gold.jsonl --corpus seeds --homes /tmp/cmp-seeds
    python experiments/compare_backends.py --gold ../shared/devsets/newsqa-cnn/dev.jsonl \
        --corpus ../shared/devsets/newsqa-cnn/corpus --homes /tmp/cmp-newsqa [--articles 300]

``--articles N`` indexes only the gold articles of the first questions plus other stories up to N articles
(every question whose gold article is left out is skipped), for a quicker run on a busy machine; ``--limit N``
asks only the first N answerable questions. It ends with one indented JSON object: per backend, its ingest
time and the four scores in per cent.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from rag.config import EMBED_BACKENDS, Settings
from rag.evaluation import metrics
from rag.evaluation.gold import GoldItem, load_gold
from rag.index.embedding import load_embedder
from rag.index.store import Store
from rag.ingestion.pipeline import ingest, lexical_index
from rag.retrieval.search import retrieve


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--homes", type=Path, required=True, help="a folder for one index per backend")
    parser.add_argument("--articles", type=int, default=0, help="index a subset of this many articles")
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--backends", nargs="+", choices=EMBED_BACKENDS, default=list(EMBED_BACKENDS))
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N answerable questions (0: all)")
    args = parser.parse_args(argv)
    items = [item for item in load_gold(args.gold) if not item.abstain][: args.limit or None]
    corpus = args.corpus
    if args.articles:
        corpus, items = _subset(args.corpus, items, args.articles, args.homes / "corpus")
    results = {}
    for backend in args.backends:
        settings = Settings.from_env(home=args.homes / backend, corpus=corpus, embed_backend=backend)
        started = time.perf_counter()
        report = ingest(settings)
        results[backend] = {
            "ingest_s": round(time.perf_counter() - started, 1),
            "chunks_embedded": report.chunks_embedded,
            **_scores(settings, items, args.k),
        }
        print(json.dumps({backend: results[backend]}), flush=True)
    print(json.dumps({"questions": len(items), "k": args.k, "corpus": str(corpus), "results": results}, indent=1))
    return 0


def _subset(corpus: Path, items: list[GoldItem], size: int, target: Path) -> tuple[Path, list[GoldItem]]:
    """Gold articles of the first questions (up to half of ``size``), then other stories drawn at random."""
    names = sorted(p.name for p in corpus.iterdir() if p.is_file())
    gold: list[str] = []
    for item in items:
        if len(gold) + len(item.articles) > size // 2:
            break
        gold += [a for a in item.articles if a not in gold]
    others = [n for n in names if n not in gold]
    random.Random(0).shuffle(others)
    chosen = set(gold) | set(others[: size - len(gold)])
    if not target.exists():
        target.mkdir(parents=True)
        for name in chosen:
            shutil.copyfile(corpus / name, target / name)
    return target, [item for item in items if set(item.articles) <= chosen]


def _scores(settings: Settings, items: list[GoldItem], k: int) -> dict[str, float]:
    store = Store.open(settings)
    lexical = lexical_index(settings, store, store.generation())
    embedder = load_embedder(settings)
    store.check_embedder(embedder.dimension, embedder.backend)
    sums = {"article_hit": 0.0, "article_mrr": 0.0, "answer_hit": 0.0, "answer_mrr": 0.0}
    for item in items:
        found = retrieve(item.question, k=k, store=store, lexical=lexical, embedder=embedder)
        passages = [(p.article_id, p.text) for p in found.passages]
        sums["article_hit"] += metrics.hit_at_k(passages, item.articles, item.evidence, k)
        sums["article_mrr"] += metrics.reciprocal_rank(passages, item.articles, item.evidence)
        sums["answer_hit"] += metrics.hit_at_k(passages, item.articles, item.answers, k)
        sums["answer_mrr"] += metrics.reciprocal_rank(passages, item.articles, item.answers)
    return {key: round(100 * value / len(items), 1) for key, value in sums.items()}


if __name__ == "__main__":
    raise SystemExit(main())
