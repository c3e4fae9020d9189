"""``rag bench``: what indexing and answering cost on this machine, measured in one run.

Everything is built in temporary folders from a copy of the corpus (``RAG_CORPUS``, the seeds by
default); the user's index is never opened. Latencies are warm (the model and index are loaded
first) over the questions of ``eval/gold.jsonl``, except ``cold_start_s``, which times a new process.
The scale part runs in a process of its own, so its peak memory is its own: an index of N chunks made
of seed sentences recombined, with random unit vectors standing in for embeddings (the model would
take hours to embed them here, and vector search costs the same whatever the vectors say).
Timings are best (throughput) or median (latency) of a few repeats, to damp other load on the machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from rag.answer.engine import Engine
from rag.config import Settings
from rag.errors import CorpusError, RagError
from rag.index.embedding import load_embedder
from rag.index.store import ArticleRecord, Store
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus
from rag.ingestion.pipeline import ingest, lexical_index
from rag.retrieval.search import retrieve
from rag.schema import Chunk, Source, Span

GOLD = Path("eval/gold.jsonl")  # the questions timed; relative to the working folder
DEFAULT_SCALE = 100_000
REPEATS = 3
SCALE_MODES = ("dense", "bm25", "hybrid")

# key → (comparison, bound): the targets; they are reported, never asserted.
TARGETS: dict[str, tuple[str, float]] = {
    "ingest_vs_torch_encode_ratio": (">=", 1.5),
    "noop_reingest_s": ("<", 1.0),
    "one_file_vs_embed_ratio": ("<=", 1.2),
    "retrieval_p95_ms": ("<=", 30.0),
    "answer_p95_ms": ("<=", 150.0),
    "scale_retrieval_p95_ms": ("<=", 60.0),
    "scale_peak_rss_mb": ("<=", 1500.0),
}

Log = Callable[[str], None]


def run(
    settings: Settings,
    *,
    scale: int = DEFAULT_SCALE,
    corpus_timing: Path | None = None,
    gold: Path = GOLD,
    log: Log | None = None,
) -> dict[str, object]:
    """Measure everything; returns the flat JSON object ``rag bench --json`` prints.

    With ``corpus_timing``, also the time to index that folder from nothing (a larger corpus than the seeds).
    """
    say = log or (lambda _: None)
    questions = gold_questions(gold)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as scratch:
        root = Path(scratch)
        corpus = root / "corpus"
        if not settings.corpus.is_dir():
            raise CorpusError(f"no corpus folder at {settings.corpus}: set RAG_CORPUS to the articles to benchmark")
        shutil.copytree(settings.corpus, corpus)
        # Always a local database in the scratch folder, even when the user's settings name a server; the
        # model's int8 copy is made there too, never in the user's index folder.
        base = settings.with_(corpus=corpus, home=root / "model", chroma_url="", chroma_host="")
        results: dict[str, object] = {"chunks": 0, "articles": 0, "questions": len(questions)}
        say("loading the model")
        started = time.perf_counter()
        embedder = load_embedder(base)
        results["model_load_s"] = _round(time.perf_counter() - started)
        results["embed_backend"] = embedder.backend  # what ran: torch when the int8 copy could not be made
        say("encode vs ingest")
        home = _throughput(base, root, embedder, results)
        settings = base.with_(home=home)
        say("re-ingest")
        _reingest(settings, results)
        say("retrieval and answers")
        _latency(settings, questions, results)
        say("cold start")
        results["cold_start_s"] = _round(_cold_start(settings, questions[0]))
        results["peak_rss_mb"] = _round(_peak_rss_mb())
        if corpus_timing is not None:
            say(f"indexing {corpus_timing}")
            results.update(_corpus_timing(base.with_(home=root / "timed", corpus=corpus_timing)))
        if scale > 0:
            say(f"scale: {scale} chunks with random vectors (in a separate process)")
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                results.update(pool.submit(scale_run, base.with_(home=root / "scale"), scale, questions).result())
    results["notes"] = _notes(scale)
    results["missed"] = [key for key in TARGETS if key in results and not _met(key, results[key])]
    return results


def gold_questions(path: Path = GOLD) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise RagError(
            f"cannot read the benchmark questions in {path}: {error.strerror}; run rag bench in the checkout, "
            "or name a question file with --gold"
        ) from None
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _throughput(base: Settings, root: Path, embedder, results: dict[str, object]) -> Path:  # type: ignore[no-untyped-def]
    """Raw sentence-transformers ``encode`` (torch, fp32, its default batch of 32) of the chunks against the
    whole ingest of the same chunks with the configured backend, interleaved, best of a few."""
    splitter = make_splitter(base.chunk_tokens, base.chunk_overlap)
    articles = load_corpus(base.corpus).articles
    texts = [c.text for a in articles for c in chunk_article(a, splitter)]
    results["chunks"], results["articles"] = len(texts), len(articles)
    embedder.model.encode(texts[:8])  # warm-up: the first call pays for lazy initialisation
    embedder.embed(texts[:8])
    encode, whole = [], []
    home = root / "home-0"
    for attempt in range(REPEATS):
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=32)
        encode.append(len(texts) / (time.perf_counter() - started))
        home = root / f"home-{attempt}"
        started = time.perf_counter()
        report = ingest(base.with_(home=home))
        whole.append(report.chunks_embedded / (time.perf_counter() - started))
    results["torch_encode_chunks_per_s"] = _round(max(encode))
    results["ingest_chunks_per_s"] = _round(max(whole))
    results["ingest_vs_torch_encode_ratio"] = _round(max(whole) / max(encode), 3)
    return home


def _corpus_timing(settings: Settings) -> dict[str, object]:
    """One ingest of a whole folder into an empty index, model already loaded."""
    if not settings.corpus.is_dir():
        raise CorpusError(f"--corpus-timing: no folder at {settings.corpus}")
    started = time.perf_counter()
    report = ingest(settings)
    elapsed = time.perf_counter() - started
    return {
        "corpus_timing_articles": report.indexed,
        "corpus_timing_chunks": report.chunks_embedded,
        "corpus_timing_index_s": _round(elapsed),
        "corpus_timing_chunks_per_s": _round(report.chunks_embedded / elapsed),
    }


def _reingest(settings: Settings, results: dict[str, object]) -> None:
    """A no-op re-ingest, then one article edited in the middle against embedding all of its chunks."""
    noop = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        ingest(settings)
        noop.append(time.perf_counter() - started)
    results["noop_reingest_s"] = _round(statistics.median(noop), 3)

    splitter = make_splitter(settings.chunk_tokens, settings.chunk_overlap)
    embedder = load_embedder(settings)
    largest = max(load_corpus(settings.corpus).articles, key=lambda a: len(a.text))
    path = Path(largest.path)
    original = path.read_text(encoding="utf-8")
    reingest, embed, embedded = [], [], []
    for attempt in range(REPEATS):
        middle = original.index(". ", len(original) // 2) + 1  # a sentence end mid-article
        path.write_text(f"{original[:middle]} The benchmark edited this article ({attempt}).{original[middle:]}")
        started = time.perf_counter()
        report = ingest(settings)
        reingest.append(time.perf_counter() - started)
        embedded.append(report.chunks_embedded)
        edited = next(a for a in load_corpus(settings.corpus).articles if a.article_id == largest.article_id)
        chunks = chunk_article(edited, splitter)
        started = time.perf_counter()
        embedder.embed_chunks(chunks)
        embed.append(time.perf_counter() - started)
    path.write_text(original)
    ingest(settings)
    results["one_file_reingest_s"] = _round(statistics.median(reingest), 3)
    results["one_file_embed_s"] = _round(statistics.median(embed), 3)
    results["one_file_vs_embed_ratio"] = _round(statistics.median(reingest) / statistics.median(embed), 3)
    results["one_file_chunks"] = len(chunks)
    results["one_file_chunks_embedded"] = max(embedded)
    if not max(embedded):
        raise RagError(f"the benchmark's edit of {largest.article_id} changed no chunk; the measurement would be void")


def _latency(settings: Settings, questions: Sequence[str], results: dict[str, object]) -> None:
    engine = Engine(settings)
    store = Store.open(settings)
    lexical = lexical_index(settings, store, store.generation())
    embedder = load_embedder(settings)
    for question in questions:  # warm pass: Chroma's segments, the tokenizer, the stemmer
        engine.ask(question)
    retrieval = _timed(
        lambda q: retrieve(q, k=settings.top_k, store=store, lexical=lexical, embedder=embedder), questions
    )
    answers = _timed(engine.ask, questions)
    results["retrieval_p50_ms"], results["retrieval_p95_ms"] = _percentiles(retrieval)
    results["answer_p50_ms"], results["answer_p95_ms"] = _percentiles(answers)


def _cold_start(settings: Settings, question: str) -> float:
    """A new ``python -m rag ask`` process against the built index, until its answer is printed."""
    package_root = str(Path(__file__).resolve().parents[2])  # this copy of rag, installed or not
    env = {
        **os.environ,
        "RAG_HOME": str(settings.home),
        "RAG_CORPUS": str(settings.corpus),
        "RAG_CHROMA_URL": "",
        "RAG_CHROMA_HOST": "",
        "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rag", "ask", question], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "[1]" not in done.stdout:
        raise RagError(f"the cold-start process failed: {done.stderr.strip().splitlines()[-1:]}")
    return elapsed


def scale_run(settings: Settings, n: int, questions: Sequence[str]) -> dict[str, object]:
    """Build an index of ``n`` synthetic chunks (random unit vectors) and time the three searches on it.

    Runs in a fresh process (see ``run``), so ``scale_peak_rss_mb`` is this process's peak: the model,
    Chroma with ``n`` vectors, and the BM25 index.
    """
    embedder = load_embedder(settings)
    started = time.perf_counter()
    store = synthetic_store(settings, n, embedder.dimension, embedder.backend)
    generation = store.generation()
    stored = time.perf_counter()
    lexical_index(settings, store, generation).save(settings.home)
    built = time.perf_counter()
    # What every later process pays instead of a rebuild: loading the saved keyword index.
    lexical = lexical_index(settings, store, generation)
    loaded = time.perf_counter()
    k = settings.top_k

    def dense(question: str) -> object:
        return store.get([i for i, _ in store.search(embedder.embed([question])[0], k)])

    def keyword(question: str) -> object:
        return store.get([i for i, _ in lexical.search(question, k)])

    def hybrid(question: str) -> object:
        return retrieve(question, k=k, store=store, lexical=lexical, embedder=embedder)

    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for mode, search in zip(SCALE_MODES, (dense, keyword, hybrid), strict=True):
        for question in questions[:10]:  # warm-up: the first vector query loads the HNSW index
            search(question)
        p50[mode], p95[mode] = _percentiles(_timed(search, questions))
    # After an ingest that changed one article: the keyword index updated from the terms saved with it.
    generation = replace_synthetic_article(settings, store, n, embedder.dimension)
    changed = time.perf_counter()
    lexical_index(settings, store, generation).save(settings.home)
    updated = time.perf_counter()
    return {
        "scale_chunks": n,
        "scale_build_s": _round(built - started),
        "scale_store_s": _round(stored - started),
        "scale_bm25_build_s": _round(built - stored),
        "scale_bm25_update_s": _round(updated - changed, 3),
        "scale_bm25_load_s": _round(loaded - built, 3),
        "scale_retrieval_p50_ms": p50,
        "scale_retrieval_p95_ms": p95,
        "scale_peak_rss_mb": _round(_peak_rss_mb()),
    }


def synthetic_store(settings: Settings, n: int, dimension: int, backend: str) -> Store:
    """A new index of ``n`` chunks of the corpus's sentences recombined, with random unit vectors."""
    rng = np.random.default_rng(0)
    sentences = corpus_sentences(settings)
    store = Store.open(settings, create=True)
    store.create(dimension, backend)
    batch = 5000
    for first in range(0, n, batch):
        chunks = [synthetic_chunk(i, sentences, rng) for i in range(first, min(first + batch, n))]
        add_synthetic(store, chunks, rng, dimension)
    store.bump_generation()
    return store


def replace_synthetic_article(settings: Settings, store: Store, n: int, dimension: int) -> str:
    """Rewrite the middle one of the synthetic articles in an index of ``n`` chunks: its chunks are taken
    out and as many new ones written (what an ingest of one edited article does); returns the new generation."""
    rng = np.random.default_rng(1)
    sentences = corpus_sentences(settings)
    first = n // 2 // 10 * 10  # synthetic articles have ten chunks each
    fresh = [synthetic_chunk(i, sentences, rng) for i in range(first, min(first + 10, n))]
    edit = store.bump_generation()  # names the new chunks too, so a second rewrite writes new ids again
    store.delete_article(fresh[0].article_id)
    add_synthetic(store, [replace(chunk, id=f"{chunk.id}@{edit}") for chunk in fresh], rng, dimension)
    return store.bump_generation()


def corpus_sentences(settings: Settings) -> list[str]:
    splitter = make_splitter(settings.chunk_tokens, settings.chunk_overlap)
    return [
        s.text for a in load_corpus(settings.corpus).articles for c in chunk_article(a, splitter) for s in c.sentences
    ]


def add_synthetic(store: Store, chunks: Sequence[Chunk], rng: np.random.Generator, dimension: int) -> None:
    """Write synthetic chunks with random unit vectors and no sentence vectors."""
    record = ArticleRecord(Source("scale", title="Synthetic", outlet="rag bench"), content_hash="", complete=True)
    vectors = rng.standard_normal((len(chunks), dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.add(
        chunks, {c.article_id: record for c in chunks}, vectors, [np.zeros((0, dimension), np.float32)] * len(chunks)
    )


def synthetic_chunk(i: int, sentences: Sequence[str], rng: np.random.Generator) -> Chunk:
    picked = [sentences[j] for j in rng.choice(len(sentences), size=int(rng.integers(3, 7)), replace=False)]
    text = " ".join(picked)
    spans, cursor = [], 0
    for sentence in picked:
        spans.append(Span(sentence, cursor, cursor + len(sentence)))
        cursor += len(sentence) + 1
    return Chunk(
        id=f"scale-{i}",
        origin=Source(f"scale-{i // 10:06d}.txt", title="Synthetic", outlet="rag bench"),
        index=i % 10,
        text=text,
        start=0,
        end=len(text),
        token_count=0,
        sentences=tuple(spans),
    )


def _timed(call: Callable[[str], object], questions: Sequence[str], passes: int = 2) -> list[float]:
    times = []
    for _ in range(passes):
        for question in questions:
            started = time.perf_counter()
            call(question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _percentiles(milliseconds: Sequence[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(milliseconds, [50, 95])
    return _round(float(p50)), _round(float(p95))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def _round(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def _met(key: str, value: object) -> bool:
    comparison, bound = TARGETS[key]
    values = list(value.values()) if isinstance(value, dict) else [value]
    worst = min(values) if comparison == ">=" else max(values)  # type: ignore[type-var]
    return {">=": worst >= bound, "<": worst < bound, "<=": worst <= bound}[comparison]


def _notes(scale: int) -> list[str]:
    notes = [
        "seed figures: the corpus copied to a temporary folder and indexed there; latencies are warm, over "
        "eval/gold.jsonl, two passes; throughput is the best and latency the median of a few repeats",
        f"timed on {os.cpu_count()} CPU(s) shared with whatever else runs: expect noise",
    ]
    if scale:
        notes.append(
            f"scale figures: {scale} synthetic chunks of seed sentences recombined, with random unit vectors "
            "standing in for embeddings (the questions are embedded by the real model)"
        )
    return notes


def render(results: dict[str, object]) -> str:
    """A plain table: figure, value, target and whether it was met."""
    lines = [f"{'figure':<28} {'value':>34}  target"]
    for key, value in results.items():
        if key in ("notes", "missed"):
            continue
        shown = ", ".join(f"{m} {v}" for m, v in value.items()) if isinstance(value, dict) else str(value)
        target = ""
        if key in TARGETS:
            comparison, bound = TARGETS[key]
            target = f"{comparison} {bound:g}  {'ok' if _met(key, value) else 'MISSED'}"
        lines.append(f"{key:<28} {shown:>34}  {target}".rstrip())
    lines += [f"note: {note}" for note in results.get("notes", [])]  # type: ignore[union-attr]
    return "\n".join(lines)
