"""What an answer searched: the indexed articles' count, outlets and date range (from the ledger)."""

from __future__ import annotations

from collections.abc import Iterable

from rag.index.store import ArticleRecord
from rag.schema import Coverage


def coverage_of(records: Iterable[ArticleRecord]) -> Coverage:
    """Summarise the indexed articles; incomplete ones (mid-ingest) are not counted."""
    complete = [r for r in records if r.complete]
    dates = sorted(r.published for r in complete if r.published)
    return Coverage(
        articles=len(complete),
        outlets=tuple(sorted({r.outlet for r in complete if r.outlet})),
        unattributed=sum(1 for r in complete if not r.outlet),
        earliest=dates[0] if dates else None,
        latest=dates[-1] if dates else None,
        inferred_dates=sum(1 for r in complete if r.published and r.published_inferred),
        undated=sum(1 for r in complete if not r.published),
    )
