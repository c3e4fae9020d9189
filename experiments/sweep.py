"""Re-derive one of the answerer's constants: ``rag eval``'s own loop over each gold set at every value.

    PYTHONPATH=. python experiments/sweep.py rag.answer.engine.RERANK_POOL 1 2 3 4 5 6 \
        --dev GOLD CORPUS HOME [--dev ...]
    PYTHONPATH=. python experiments/sweep.py rag.answer.extractive.DUPLICATE_SIMILARITY 0.85 0.9 1.01 --dev ...

For every value the constant is set in its module (each is read where it is used, on every question) and
every set's tuning and check splits are run apart (indexes kept in HOME, built on first use). It
prints hit@k, MRR, contains-gold with the top-passage baseline, answer length, abstention and false
abstentions. The value kept is the one whose answers contain the gold for the most tuning questions of
all sets together (each question counts once: a mean over sets would let one question of a 35-question
set outweigh seven of a 295-question one); on a tie, the first one listed, so list the values in the
order you would rather have them (the smaller pool costs time on every question; the lower similarity
quotes fewer repeats). With ``--abstentions``, a refusal of an unanswerable tuning question counts as well,
for a constant that decides what is refused. With ``--lowercase`` every question is asked as typed
without capitals (``rag.answer.casing``). ``--limit N`` reads only the first N questions of each set, for a
quick run (the smoke test's); the constant is set back to its shipped value when the sweep ends.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.evaluation.runner import evaluate_corpus
from rag.evaluation.scoring import ItemResult

COLUMNS = (
    "hit_at_k",
    "mrr",
    "contains_gold_700",
    "baseline_contains_gold_700",
    "answer_words",
    "abstention_recall",
    "false_abstention_rate",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("constant", help="module.NAME, e.g. rag.answer.engine.RERANK_POOL")
    parser.add_argument("values", type=float, nargs="+")
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--abstentions", action="store_true", help="count refused unanswerable questions too")
    parser.add_argument("--lowercase", action="store_true", help="ask every question in lower case")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N questions of each set (0: all)")
    args = parser.parse_args(argv)
    module_name, name = args.constant.rsplit(".", 1)
    module = importlib.import_module(module_name)
    shipped = getattr(module, name)
    kind = type(shipped)  # an int stays an int: a pool size is a count
    print(f"{name}\tset\tsplit\t" + "\t".join(COLUMNS))
    right: dict[float, float] = {}  # tuning questions, all sets, whose answer contains the gold (or refuses)
    try:
        for value in args.values:
            setattr(module, name, kind(value))
            right[value] = 0.0
            for gold, corpus, home in args.dev:
                items = load_gold(Path(gold))[: args.limit or None]
                for part in ("tune", "check"):
                    chosen = [i for i in items if split(i) == part]
                    if not chosen:
                        continue
                    if args.lowercase:
                        chosen = [replace(i, question=i.question.lower()) for i in chosen]
                    run = evaluate_corpus(chosen, Settings(corpus=Path(corpus)), home=Path(home))
                    overall = run.summary["overall"]
                    if part == "tune":
                        right[value] += sum(_right(r, args.abstentions) for r in run.results)
                    cells = "\t".join("–" if overall[c] is None else f"{overall[c]:.3f}" for c in COLUMNS)
                    print(f"{kind(value)}\t{gold}\t{part}\t{cells}", flush=True)
    finally:
        setattr(module, name, shipped)  # the module as it was: a caller in this process reads the shipped value
    for value in args.values:
        what = "contains the gold or refuses rightly" if args.abstentions else "contains the gold"
        print(f"{kind(value)}\ttuning questions whose answer {what}\t{right[value]:.0f}")
    best = max(args.values, key=lambda value: right[value])
    print(f"\nmost tuning questions right: {name} = {kind(best)}")
    return 0


def _right(result: ItemResult, abstentions: bool) -> float:
    """1 for a question that went right: its answer holds the gold, or (with ``abstentions``) it is
    unanswerable and was refused."""
    if abstentions and result.item.abstain:
        return float(result.answer.abstained)
    return result.scores.get("contains_gold_700") or 0.0


if __name__ == "__main__":
    raise SystemExit(main())
