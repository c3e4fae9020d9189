"""The dated events of the corpus in order: each date phrase of each sentence ("on December 24",
"in July", "on Monday") resolved against its article's date, and mentions of one event on one date
gathered under one entry with all their citations. Whether two mentions of a date are one event is
read from their meaning, not their words ("That agreement was signed in Malaysia in October" and "a
truce declaration in October"): the cosine of the MiniLM vectors of the clauses around the date, against
a cut measured on labelled mentions (experiments/timeline_similarity.py; docs/news.md gives the curve). The
clause, not the sentence vector the index holds: those carry their chunk's context, so two events told
in one chunk look alike (pair F1 0.75 against 0.96 on the labelled news)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexMissingError
from rag.index.embedding import load_embedder
from rag.index.store import Store
from rag.news.attribution import cite
from rag.news.dates import guessed, is_future, mentions, resolve
from rag.schema import Citation, Passage

_CLAUSE = re.compile(r"[;:—–]|,\s|\b(?:since|after|while|where|as)\b")
# Two mentions of one date whose sentences are at least this close (cosine) tell of one event.
SAME_EVENT_SIMILARITY = 0.38  # experiments/timeline_similarity.py: the middle of the best cuts on other news


@dataclass(frozen=True)
class DatedMention:
    """A sentence's mention of a date, resolved, with the sentence's vector."""

    date: str
    precision: str
    inferred: bool
    what: str  # the clause around the date phrase
    passage: Passage
    index: int  # the sentence's position in passage.sentences
    vector: np.ndarray  # the unit vector of ``what``


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened (or is planned) on a date: ``2025-12-24`` (day), ``2025-07`` (month), ``1999``."""

    date: str
    precision: str  # day, month or year
    inferred: bool  # the date rests on a guess (a weekday's week, a year unsaid) or an inferred article date
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


def timeline(settings: Settings, *, similarity: float = SAME_EVENT_SIMILARITY) -> tuple[TimelineEvent, ...]:
    """Every dated event in the indexed articles, oldest first.

    >>> timeline(Settings.from_env())[0].what  # doctest: +SKIP
    'which ended in 1999'
    """
    try:
        store = Store.open(settings)
    except IndexMissingError:
        return ()
    embedder = load_embedder(settings)
    return tuple(group(dated_mentions(store, embedder.embed), similarity))


def dated_mentions(store: Store, embed: Callable[[list[str]], np.ndarray]) -> list[DatedMention]:
    """Every resolvable date mention of the indexed articles, each sentence read once, its clause
    embedded with ``embed``."""
    found: list[tuple[str, str, bool, str, Passage, int]] = []
    seen: set[tuple[str, int]] = set()
    for chunk in store.iter_chunks():
        if not chunk.published:
            continue
        try:
            published = date.fromisoformat(chunk.published)
        except ValueError:
            continue
        for i, sentence in enumerate(chunk.sentences):
            if (chunk.article_id, sentence.start) in seen:
                continue  # chunks overlap: a sentence is read once
            seen.add((chunk.article_id, sentence.start))
            for m in mentions(sentence.text):
                resolved = resolve(m, published, future=is_future(sentence.text, m.start))
                if resolved is None:
                    continue
                inferred = guessed(m, sentence.text) or (chunk.published_inferred and not m.has_year)
                found.append((resolved[0], resolved[1], inferred, _clause(sentence.text, m.start), chunk, i))
    vectors = embed([what for _, _, _, what, _, _ in found]) if found else []
    return [
        DatedMention(when, precision, inferred, what, chunk, i, vector)
        for (when, precision, inferred, what, chunk, i), vector in zip(found, vectors, strict=True)
    ]


def _clause(sentence: str, at: int) -> str:
    starts = [m.end() for m in _CLAUSE.finditer(sentence, 0, at)]
    ends = [m.start() for m in _CLAUSE.finditer(sentence, at)]
    clause = sentence[(starts[-1] if starts else 0) : (ends[0] if ends else len(sentence))].strip(' ,.“”"')
    if len(clause.split()) < 4:  # "on Monday" alone says nothing: take the sentence
        clause = sentence.strip()
    return clause


def _sentence(mention: DatedMention) -> tuple[str, int]:
    """Where a mention's sentence stands: its article and its offset in the article's file."""
    return mention.passage.article_id, mention.passage.sentences[mention.index].start


def same_event(a: DatedMention, b: DatedMention, similarity: float = SAME_EVENT_SIMILARITY) -> bool:
    """Whether two mentions of one date tell of one event: the same sentence, or sentences this close."""
    if _sentence(a) == _sentence(b):
        return True
    return float(a.vector @ b.vector) >= similarity


def group(found: Sequence[DatedMention], similarity: float = SAME_EVENT_SIMILARITY) -> list[TimelineEvent]:
    """One event per date and meaning: the mentions of a date linked, directly or through others, by
    ``same_event`` (single linkage, so the result does not depend on the order the index returns them in),
    oldest date first."""
    ordered = sorted(found, key=lambda m: m.date)
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            if ordered[j].date != a.date:
                break
            if same_event(a, ordered[j], similarity):
                parent[root(j)] = root(i)
    by_root: dict[int, list[DatedMention]] = {}
    for i, mention in enumerate(ordered):
        by_root.setdefault(root(i), []).append(mention)
    groups = list(by_root.values())  # in order of each group's first mention, so oldest date first
    events = []
    for members in groups:
        sentences = {_sentence(m): m for m in members}
        in_order = sorted(sentences.values(), key=_sentence)
        # Score 0: not ranked, every mention of the event is listed.
        citations = tuple(
            cite(n, m.passage, m.index, m.passage.sentences[m.index], 0.0) for n, m in enumerate(in_order, 1)
        )
        first = members[0]
        what = min((m.what for m in members), key=len)
        inferred = all(m.inferred for m in members)
        events.append(TimelineEvent(first.date, first.precision, inferred, what, citations))
    return events
