"""The gold set through the public ``rag.query()``, on a fresh index that is thrown away afterwards."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag import ingest, query
from rag.answer.engine import shared_engine
from rag.config import Settings
from rag.errors import CorpusError
from rag.evaluation.gold import GoldItem
from rag.evaluation.judge import Judge
from rag.evaluation.news_metrics import summarise as news_summary
from rag.evaluation.scoring import ItemResult, baseline_text, score_item, summarise
from rag.ingestion.pipeline import Progress

QuestionProgress = Callable[[int, int, str], None]  # (done, total, id of the item just answered)


@dataclass(frozen=True)
class EvalRun:
    corpus: str
    top_k: int
    backend: str
    judged: bool
    results: tuple[ItemResult, ...]
    summary: dict[str, dict[str, float | None]]
    news: dict[str, float]  # the news-aware scores over eval/gold_news.jsonl (rag/news_metrics.py)

    @property
    def gated(self) -> dict[str, dict[str, float | None]]:
        """What the thresholds apply to: the per-kind summary and the ``news`` group."""
        return {**self.summary, "news": dict(self.news)}


def evaluate_corpus(
    items: Sequence[GoldItem],
    settings: Settings,
    *,
    judge: Any = None,
    progress: QuestionProgress | None = None,
    ingest_progress: Progress | None = None,
    news_items: Sequence[dict[str, Any]] = (),
    home: Path | None = None,
) -> EvalRun:
    """Index ``settings.corpus``, then run ``items``.

    The index goes into ``home`` when given, and is kept there: a later run over the same corpus re-indexes
    only the files that changed. Without ``home`` it goes into a temporary folder that is thrown away
    (``settings.home`` is never touched). ``judge`` is a llama-index LLM for the judged metrics, or ``None``.
    """
    if not Path(settings.corpus).is_dir():
        raise CorpusError(f"the corpus folder {settings.corpus} does not exist")
    if home is not None:
        kept = settings.with_(home=home)
        ingest(kept, progress=ingest_progress)
        return run_gold(items, kept, judge=judge, progress=progress, news_items=news_items)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as temporary:
        fresh = settings.with_(home=Path(temporary))
        ingest(fresh, progress=ingest_progress)
        return run_gold(items, fresh, judge=judge, progress=progress, news_items=news_items)


def run_gold(
    items: Sequence[GoldItem],
    settings: Settings,
    *,
    judge: Any = None,
    progress: QuestionProgress | None = None,
    news_items: Sequence[dict[str, Any]] = (),
) -> EvalRun:
    """Ask every item through ``rag.query(settings=settings)`` and score the answers (news items too)."""
    judging = Judge(judge) if judge is not None else None
    # One untimed question first: opening the index and warming the model are not any question's latency.
    query(items[0].question, settings=settings)
    results = []
    for done, item in enumerate(items, start=1):
        start = time.perf_counter()
        answer = query(item.question, settings=settings)
        latency_ms = (time.perf_counter() - start) * 1000
        retrieved = shared_engine(settings).retrieve(item.question).passages  # the baseline's, not timed
        scores = score_item(item, answer, settings.top_k, baseline_text(retrieved))
        if judging is not None:
            scores |= judging.score(item.question, answer)
        results.append(ItemResult(item, answer, latency_ms, scores))
        if progress is not None:
            progress(done, len(items), item.id)
    return EvalRun(
        corpus=str(settings.corpus),
        top_k=settings.top_k,
        backend=settings.llm,
        judged=judging is not None,
        results=tuple(results),
        summary=summarise(results),
        news=news_summary(news_items, lambda question: query(question, settings=settings)),
    )
