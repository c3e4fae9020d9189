"""Re-derive how many passages the answerer reads per passage it shows (``rag.answer.engine.RERANK_POOL``).

Every pool size runs ``rag eval``'s own loop over each gold set (indexes kept in HOME, built on first use)
and prints hit@k, MRR, contains-gold (with the top-passage baseline), abstention and false abstentions,
for the tuning split and the held-out split apart. The size kept is the best mean contains-gold over the
sets' tuning splits (the smaller on a tie: a larger pool costs time on every question).

    PYTHONPATH=. python eval/retrieval_sweep.py --dev GOLD CORPUS HOME [--dev ...] [--pools N ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import rag.answer.engine
from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.evaluation.runner import evaluate_corpus

POOLS = (1, 2, 3, 4, 5, 6)
COLUMNS = (
    "hit_at_k",
    "mrr",
    "contains_gold_700",
    "baseline_contains_gold_700",
    "abstention_recall",
    "false_abstention_rate",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--pools", type=int, nargs="+", default=POOLS)
    args = parser.parse_args()
    print("pool\tset\tsplit\t" + "\t".join(COLUMNS))
    tuned: dict[int, list[float]] = {}
    for pool in args.pools:
        rag.answer.engine.RERANK_POOL = pool  # read by Engine.read on every question
        for gold, corpus, home in args.dev:
            items = load_gold(Path(gold))
            for part in ("tune", "held-out"):
                chosen = [i for i in items if split(i.id) == part]
                run = evaluate_corpus(chosen, Settings(corpus=Path(corpus)), home=Path(home))
                overall = run.summary["overall"]
                if part == "tune":
                    tuned.setdefault(pool, []).append(overall["contains_gold_700"] or 0.0)
                cells = "\t".join("–" if overall[c] is None else f"{overall[c]:.3f}" for c in COLUMNS)
                print(f"{pool}\t{gold}\t{part}\t{cells}", flush=True)
    best = max(sorted(tuned), key=lambda pool: round(sum(tuned[pool]) / len(tuned[pool]), 4))
    print(f"\nbest mean contains-gold on the tuning splits: RERANK_POOL = {best}")


if __name__ == "__main__":
    main()
