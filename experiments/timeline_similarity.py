"""Re-derive the timeline's SAME_EVENT_SIMILARITY: how close two sentences mentioning one date must be to
be read as one event.

Labelled mentions (tests/fixtures/news/events.jsonl: corpus, article, date, a phrase of the sentence,
event) over four corpora: the seeds and three kinds of other news written for the tests (an earthquake,
an election, a trial). Every pair of labelled mentions of one date is a "same event" or "different event"
example. For each kind of vector (the index's own sentence vectors; MiniLM on the sentence; MiniLM on
the clause around the date) the script prints precision, recall and F1 of "same event" over a sweep of
cuts, picks the cut with the best F1 on the other news, and checks it on the seeds (not tuned on them),
counting timeline rows against labelled events. The last line is the cut of the timeline's own (clause)
vectors, ``SAME_EVENT_SIMILARITY``. ``--corpora`` reads only the corpora named (``earthquake election`` is a
quick run; without ``seeds`` there is no check on them).

    PYTHONPATH=. python experiments/timeline_similarity.py [--home DIR] [--corpora seeds earthquake ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag import Settings, ingest
from rag.index.embedding import Embedder, load_embedder
from rag.index.store import Store
from rag.news.timeline import DatedMention, dated_mentions, group

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "news"
CORPORA = {"seeds": ROOT / "seeds", **{n: FIXTURES / n for n in ("earthquake", "election", "trial")}}
TIMELINE = "clause (the timeline's)"  # the vectors rag.news.timeline compares: the derived value is this variant's
CUTS = [round(0.30 + 0.01 * i, 2) for i in range(66)]


def labelled(
    home: Path, embedder: Embedder, corpora: Sequence[str] = tuple(CORPORA)
) -> dict[str, list[tuple[DatedMention, str, np.ndarray]]]:
    """The labelled mentions of each corpus named, with the index's sentence vector of each."""
    labels = [json.loads(line) for line in (FIXTURES / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    found: dict[str, list[tuple[DatedMention, str, np.ndarray]]] = {}
    for name in corpora:
        folder = CORPORA[name]
        settings = Settings(home=home / name, corpus=folder)
        ingest(settings)
        store = Store.open(settings)
        mentions = dated_mentions(store, embedder.embed)
        # the index's own sentence vectors, to compare with
        indexed = store.sentence_vectors({m.passage.chunk_id: len(m.passage.sentences) for m in mentions})
        for mention in mentions:
            text = mention.passage.sentences[mention.index].text
            event = next(
                (
                    row["event"]
                    for row in labels
                    if row["corpus"] == name
                    and row["article"] == mention.passage.article_id
                    and row["date"] == mention.date
                    and row["contains"] in text
                ),
                None,
            )
            if event is not None:
                found.setdefault(name, []).append((mention, event, indexed[mention.passage.chunk_id][mention.index]))
    return found


def pairs(items: list[tuple[DatedMention, str]]) -> list[tuple[float, bool]]:
    out = []
    for i, (a, event_a) in enumerate(items):
        for b, event_b in items[i + 1 :]:
            same_sentence = a.passage is b.passage and a.index == b.index  # one passage: one article too
            if a.date == b.date and not same_sentence:
                out.append((float(a.vector @ b.vector), event_a == event_b))
    return out


def scores(examples: list[tuple[float, bool]], cut: float) -> tuple[float, float, float]:
    tp = sum(s >= cut and y for s, y in examples)
    fp = sum(s >= cut and not y for s, y in examples)
    fn = sum(s < cut and y for s, y in examples)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_cuts(examples: list[tuple[float, bool]]) -> list[float]:
    """The cuts within 0.01 of the best F1 (23 pairs make a coarse curve); the middle one is kept, furthest
    from both edges."""
    top = max(scores(examples, c)[2] for c in CUTS)
    return [c for c in CUTS if scores(examples, c)[2] >= top - 0.01]


def rows_against_events(items: list[tuple[DatedMention, str]], cut: float) -> tuple[int, int, int]:
    """Timeline rows made at ``cut``, labelled events, and rows that mix two events."""
    events = group([m for m, _ in items], cut)
    label = {(m.passage.article_id, m.passage.sentences[m.index].start): e for m, e in items}
    mixed = sum(len({label[(c.article_id, c.start)] for c in ev.citations}) > 1 for ev in events)
    return len(events), len({(m.date, e) for m, e in items}), mixed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="where to keep the small indexes (default: a temporary folder)")
    parser.add_argument(
        "--corpora", nargs="+", choices=tuple(CORPORA), default=list(CORPORA), help="the labelled corpora (default all)"
    )
    args = parser.parse_args(argv)
    if not set(args.corpora) - {"seeds"}:
        parser.error("name at least one corpus other than the seeds: the cut is chosen on the other news")
    embedder = load_embedder(Settings())
    with tempfile.TemporaryDirectory() as temporary:
        found = labelled(args.home or Path(temporary), embedder, args.corpora)
    variants: dict[str, Callable[[DatedMention, np.ndarray], np.ndarray]] = {
        TIMELINE: lambda m, indexed: m.vector,
        "sentence": lambda m, indexed: embedder.embed([m.passage.sentences[m.index].text])[0],
        "index sentence": lambda m, indexed: indexed,
    }
    print("labelled mentions: " + ", ".join(f"{n} {len(v)}" for n, v in found.items()))
    chosen: dict[str, float] = {}
    for variant, vector in variants.items():
        data = {n: [(replace(m, vector=vector(m, v)), e) for m, e, v in items] for n, items in found.items()}
        other = [p for n, items in data.items() if n != "seeds" for p in pairs(items)]
        seeds = pairs(data.get("seeds", []))
        print(
            f"\n== {variant} vectors: {len(other)} pairs of other news ({sum(y for _, y in other)} same), "
            f"{len(seeds)} pairs of seeds ({sum(y for _, y in seeds)} same)"
        )
        print("cut   other news P / R / F1     seeds P / R / F1")
        for cut in CUTS[::5]:
            o, s = scores(other, cut), scores(seeds, cut)
            print(f"{cut:.2f}  {o[0]:.2f} / {o[1]:.2f} / {o[2]:.2f}        {s[0]:.2f} / {s[1]:.2f} / {s[2]:.2f}")
        plateau = best_cuts(other)
        best = chosen[variant] = plateau[len(plateau) // 2]
        o, s = scores(other, best), scores(seeds, best)
        print(
            f"best cut on other news: {best:.2f} (F1 {o[2]:.2f}, best from {plateau[0]:.2f} to {plateau[-1]:.2f}); "
            f"on the seeds, not tuned on: P {s[0]:.2f} R {s[1]:.2f} F1 {s[2]:.2f}"
        )
        for name, items in data.items():
            rows, events, mixed = rows_against_events(items, best)
            print(f"  {name}: {rows} rows for {events} labelled events, {mixed} rows mixing two events")
    print(f"\nthe timeline's clause vectors: SAME_EVENT_SIMILARITY = {chosen[TIMELINE]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
