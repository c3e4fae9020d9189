"""The dated events of the corpus in order: each date phrase of each sentence ("on December 24",
"in July", "on Monday") resolved against its article's date, and mentions of the same event on the
same date from several articles gathered under one entry with all their citations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rag.config import Settings
from rag.errors import IndexMissingError
from rag.index.lexical import terms
from rag.index.store import Store
from rag.news.attribution import cite
from rag.news.dates import is_future, mentions, resolve
from rag.schema import Citation, Passage

_CLAUSE = re.compile(r"[;:—–]|,\s|\b(?:since|after|while|where|as)\b")
SAME_EVENT_TERMS = 2  # mentions of one date that share this many content words are one event
# Outlets name one event in other words ("fighting resumed", "clashes began"): such words count as one.
_SAME_WORD = {
    **dict.fromkeys(("clash", "fight", "combat", "skirmish", "hostil"), "fight"),
    **dict.fromkeys(("resum", "began", "begin", "start", "flare", "erupt"), "start"),
    **dict.fromkeys(("meet", "session", "gather", "talk"), "meet"),
}


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened (or is planned) on a date: ``2025-12-24`` (day), ``2025-07`` (month), ``1999``."""

    date: str
    precision: str  # day, month or year
    inferred: bool  # the date rests on an inferred article date or a weekday
    what: str  # the clause that names the event
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "precision": self.precision,
            "inferred": self.inferred,
            "what": self.what,
            "citations": [c.to_dict() for c in self.citations],
        }


def timeline(settings: Settings) -> tuple[TimelineEvent, ...]:
    """Every dated event in the indexed articles, oldest first.

    >>> timeline(Settings.from_env())[0].what  # doctest: +SKIP
    'which ended in 1999'
    """
    try:
        store = Store.open(settings)
    except IndexMissingError:
        return ()
    mentions_found: list[tuple[str, str, bool, str, Passage, int]] = []
    seen: set[tuple[str, int]] = set()
    for chunk in store.iter_chunks():
        if not chunk.published:
            continue
        try:
            published = date.fromisoformat(chunk.published)
        except ValueError:
            continue
        for i, sentence in enumerate(chunk.sentences):
            if (chunk.source, sentence.start) in seen:
                continue  # chunks overlap: a sentence is read once
            seen.add((chunk.source, sentence.start))
            for m in mentions(sentence.text):
                resolved = resolve(m, published, future=is_future(sentence.text, m.start))
                if resolved is None:
                    continue
                inferred = m.kind != "year" and (chunk.published_inferred or m.kind == "weekday")
                what = _clause(sentence.text, m.start)
                mentions_found.append((resolved[0], resolved[1], inferred, what, chunk, i))
    return tuple(_group(mentions_found))


def _clause(sentence: str, at: int) -> str:
    starts = [m.end() for m in _CLAUSE.finditer(sentence, 0, at)]
    ends = [m.start() for m in _CLAUSE.finditer(sentence, at)]
    clause = sentence[(starts[-1] if starts else 0) : (ends[0] if ends else len(sentence))].strip(' ,.“”"')
    if len(clause.split()) < 4:  # "on Monday" alone says nothing: take the sentence
        clause = sentence.strip()
    return clause


def _group(found: list[tuple[str, str, bool, str, Passage, int]]) -> list[TimelineEvent]:
    groups: list[dict[str, Any]] = []
    for when, precision, inferred, what, chunk, i in sorted(found, key=lambda f: f[0]):
        words = {_SAME_WORD.get(t, t) for t in terms(what)}
        group = next(
            (g for g in groups if g["date"] == when and len(g["terms"] & words) >= SAME_EVENT_TERMS),
            None,
        )
        if group is None:
            group = {"date": when, "precision": precision, "inferred": True, "whats": [], "terms": set(), "cites": {}}
            groups.append(group)
        group["terms"] |= words
        group["whats"].append(what)
        group["inferred"] = group["inferred"] and inferred
        group["cites"].setdefault((chunk.source, chunk.sentences[i].start), (chunk, i))
    events = []
    for g in groups:
        mentions_in_order = sorted(g["cites"].values(), key=lambda ci: ci[0].source)
        # Score 0: not ranked, every mention of the event is listed.
        citations = tuple(
            cite(n, chunk, i, chunk.sentences[i], 0.0) for n, (chunk, i) in enumerate(mentions_in_order, 1)
        )
        what = min(g["whats"], key=len)
        events.append(TimelineEvent(g["date"], g["precision"], g["inferred"], what, citations))
    return events
