"""``rag eval``: the gold set on a fresh index of a corpus, a report, and the gate's verdict as exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rag import ConfigError, Settings
from rag.cli.progress import ProgressBar
from rag.evaluation import report
from rag.evaluation.gate import DEFAULT_THRESHOLDS, check, load_thresholds
from rag.evaluation.gold import SPLITS, load_gold, split
from rag.evaluation.judge import judge_llm
from rag.evaluation.news_metrics import load_items as load_news_items
from rag.evaluation.runner import evaluate_corpus

EXIT_BELOW_THRESHOLD = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", type=Path, help="gold questions, one JSON object a line (default eval/gold.jsonl)")
    parser.add_argument("--corpus", type=Path, help="articles to index (default RAG_CORPUS, seeds/)")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        help="only the items tuned on, or only the third kept to check on, split by story (default: all)",
    )
    parser.add_argument(
        "--home", type=Path, help="keep the index here and reuse it next time (default: a temporary folder)"
    )
    parser.add_argument(
        "--thresholds",
        type=Path,
        help="floors and ceilings to gate on (default eval/thresholds.toml without --gold; with --gold none)",
    )
    parser.add_argument("--report", type=Path, default=Path("artifacts/eval"), help="report folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of the table")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation; non-zero exit, naming each metric, when a threshold is broken."""
    # Without --gold this is the project's regression run: the seeds' gold set, its news items and its gate.
    # A user's own gold file is scored, and gated only on thresholds they name.
    own_gold = args.gold is not None
    if own_gold and not args.gold.is_file():
        raise ConfigError(f"no gold set at {args.gold}: pass --gold FILE, a JSON question a line")
    items = [i for i in (load_gold(args.gold) if own_gold else load_gold()) if args.split in (None, split(i))]
    gated = args.thresholds is not None or not own_gold
    thresholds = load_thresholds(args.thresholds or DEFAULT_THRESHOLDS) if gated else {}
    judge, notes = judge_llm(settings)
    if not thresholds:
        notes.append("no thresholds given (--thresholds): the scores are reported, nothing is gated")
    for note in notes:
        print(f"rag: {note}", file=sys.stderr)
    ingest_bar = ProgressBar()
    questions = _QuestionBar(before=ingest_bar.close)
    try:
        evaluation = evaluate_corpus(
            items,
            settings.with_(corpus=args.corpus or settings.corpus),
            judge=judge,
            progress=questions,
            ingest_progress=ingest_bar,
            news_items=[] if own_gold else load_news_items(),
            home=args.home,
        )
    finally:
        ingest_bar.close()
        questions.close()
    failures = check(evaluation.gated, thresholds)
    paths = report.write(evaluation, args.report, failures, notes)
    if args.json:
        print(json.dumps(report.to_json(evaluation, failures, notes), ensure_ascii=False, indent=2))
    else:
        print(report.table(evaluation))
        print(report.news_line(evaluation))
        print(f"\nreport: {', '.join(str(p) for p in paths)}")
    for failure in failures:
        print(f"rag: eval below threshold: {failure}", file=sys.stderr)
    return EXIT_BELOW_THRESHOLD if failures else 0


class _QuestionBar:
    """A tqdm bar on stderr over the gold questions, naming the one just answered."""

    def __init__(self, before: Callable[[], None]) -> None:
        self._before = before  # closes the ingest bar, so that the two never share the terminal
        self._bar = None

    def __call__(self, done: int, total: int, item_id: str) -> None:
        if self._bar is None:
            self._before()
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="question", desc="questions", file=sys.stderr, leave=False)
        self._bar.set_postfix_str(item_id, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
