"""Re-derive which typing slips a question's unknown name is read through (rag/index/lexical.py ``SLIPS``).

A name of a question that no indexed chunk uses makes the answerer abstain; a misspelt name ("Islmabad")
should not. For each gold set, every question with such a name is counted under each setting of
``Slips(shortest, shortest_changed)``: an answerable question whose unknown names all get a spelling is
a false abstention saved; an unanswerable one is an abstention lost. The setting kept saves the most
while losing none on the tuning split; among equals, the one that reads the most slips. Each HOME is indexed
on first use; ``--limit N`` reads the first N questions of each set, for a quick run.

    PYTHONPATH=. python experiments/spelling_slips.py --dev GOLD CORPUS HOME [--dev ...]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rag.answer.question import analyse
from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.index.lexical import SLIPS, Slips
from rag.index.store import Store
from rag.ingestion.pipeline import ingest, lexical_index

SETTINGS = [
    Slips(shortest, changed) for shortest in (4, 5, 6, 7) for changed in (4, 5, 6, 7, 8, 99) if changed >= shortest
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N questions of each set (0: all)")
    args = parser.parse_args(argv)
    asked = []  # (split, abstain, unknown names, lexical index)
    for gold, corpus, home in args.dev:
        settings = Settings(home=Path(home), corpus=Path(corpus))
        ingest(settings)  # a no-op when the folder is indexed already
        store = Store.open(settings)
        lexical = lexical_index(settings, store, store.generation())
        for item in load_gold(Path(gold))[: args.limit or None]:
            unknown = [n for n in analyse(item.question).names if not lexical.document_frequency(n)]
            if unknown:
                asked.append((split(item), item.abstain, unknown, lexical, item.question))
    tally: dict[Slips, tuple[int, int]] = {}
    print("shortest\tshortest_changed\tsplit\tsaved (answerable)\tlost (unanswerable)\tof answerable/unanswerable")
    for slips in SETTINGS:
        for part in ("tune", "check"):
            rows = [a for a in asked if a[0] == part]
            respelt = [all(lex.spelling(n, slips) for n in names) for _, _, names, lex, _ in rows]
            saved = sum(r and not a[1] for r, a in zip(respelt, rows, strict=True))
            lost = sum(r and a[1] for r, a in zip(respelt, rows, strict=True))
            owed = sum(not a[1] for a in rows)
            if part == "tune":
                tally[slips] = (saved, lost)
            print(f"{slips.shortest}\t{slips.shortest_changed}\t{part}\t{saved}\t{lost}\t{owed}/{len(rows) - owed}")
    best = max((s for s in SETTINGS if tally[s][1] == 0), key=lambda s: (tally[s][0], -s.shortest_changed, -s.shortest))
    print(f"\nkept: {best} (shipped: {SLIPS})")
    print("\nunknown names, and their spelling under the shipped setting:")
    for part, abstain, names, lexical, question in asked:
        kind = "unanswerable" if abstain else "answerable"
        print(f"{part}\t{kind}\t{[(n, lexical.spelling(n)) for n in names]}\t{question}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
