"""Re-derive ``W_SPEAKER``: how much a sentence said by whom a "What did X say?" question names gains.

Only the questions that ask what someone said (``Question.speaker``) are affected, so only they are asked,
once per weight, on every development set given (gold set, corpus, index folder, as for
``rag.evaluation.tune``). The table gives, per weight, the answers containing a gold answer (700 characters)
on each set's tuning and check questions. The weight chosen is the smallest with the most such answers on the
tuning questions of all sets together; check figures are printed, never used to choose. ``--weights`` and
``--limit N`` (the first N such questions of each set) make a quick run; the shipped weight is set back when
the run ends.

    PYTHONPATH=. python experiments/speaker_weight.py \\
        --dev ../shared/devsets/newsqa-cnn/dev.jsonl ../shared/devsets/newsqa-cnn/corpus /tmp/newsqa-home \\
        --dev eval/norvania/gold.jsonl eval/norvania/corpus /tmp/rag-norvania-home \\
        --dev eval/gold.jsonl seeds /tmp/seed-home-q
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rag.answer import extractive
from rag.answer.engine import Engine
from rag.answer.question import analyse
from rag.config import Settings
from rag.evaluation.gold import load_gold, split
from rag.evaluation.metrics import contains_gold

WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--weights", type=float, nargs="+", default=WEIGHTS, help="the weights tried, smallest first")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N such questions of each set")
    args = parser.parse_args(argv)
    sets = []
    for gold, corpus, home in args.dev:
        items = [i for i in load_gold(Path(gold)) if not i.abstain and analyse(i.question).speaker]
        items = items[: args.limit or None]
        sets.append((Path(gold).parent.name or gold, Settings.from_env(home=Path(home), corpus=Path(corpus)), items))
        tuned = sum(split(i) == "tune" for i in items)
        print(f"{gold}: {len(items)} answerable questions ask what someone said ({tuned} tuning)")
    print("weight\t" + "\t".join(f"{name} tune\t{name} check" for name, _, _ in sets))
    tuning_hits = {}
    shipped = extractive.W_SPEAKER
    try:
        for weight in sorted(args.weights):
            extractive.W_SPEAKER = weight
            row, total = [], 0
            for _, settings, items in sets:
                engine = Engine(settings)  # a new engine per weight: nothing of another weight's answers is kept
                hits = {"tune": 0, "check": 0}
                for item in items:
                    answer = engine.ask(item.question)
                    hits[split(item)] += not answer.abstained and contains_gold(answer.text, item.answers)
                row += [str(hits["tune"]), str(hits["check"])]
                total += hits["tune"]
            tuning_hits[weight] = total
            print(f"{weight:.2f}\t" + "\t".join(row))
    finally:
        extractive.W_SPEAKER = shipped  # the module as it was, for anything else in this process
    best = max(tuning_hits.values())
    print(f"W_SPEAKER = {min(w for w, hits in tuning_hits.items() if hits == best)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
