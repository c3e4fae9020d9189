"""The ``rag`` command. User mistakes become one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Settings
from .engine import Engine
from .errors import ConfigError, QuestionError, RagError
from .ingestion import ingest
from .schema import Answer

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(top_k=getattr(args, "k", None))
        return int(args.run(args, settings) or 0)
    except QuestionError as error:
        print(f"rag: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except RagError as error:
        print(f"rag: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Cited answers from a folder of news articles.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question from the indexed articles")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, help="passages to retrieve (default RAG_TOP_K, 6)")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    ask.set_defaults(run=_ask)

    build = commands.add_parser("ingest", help="index the corpus (only what changed since last time)")
    build.add_argument("paths", nargs="*", type=Path, help="files or folders to index (default RAG_CORPUS)")
    build.add_argument("--rebuild", action="store_true", help="throw the index away and build it anew")
    build.set_defaults(run=_ingest)

    status = commands.add_parser("status", help="what is indexed, where, and with which model")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=_status)

    bench = commands.add_parser("bench", help="measure indexing and answering on this machine (temporary folders)")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument("--scale", type=int, default=100_000, help="chunks in the scale test (default 100000; 0 skips)")
    bench.set_defaults(run=_bench)
    return parser


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    answer = Engine(settings).ask(args.question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 0


def render(answer: Answer) -> str:
    """The answer text, then one line per citation: ``[n] title — outlet, date (file): "quote"``."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        where = ", ".join(x for x in (c.outlet, c.published) if x)
        heading = f"{c.title or c.source}" + (f" — {where}" if where else "")
        lines.append(f"[{c.n}] {heading} ({c.source}, chars {c.start}-{c.end})")
    if answer.notice:
        lines.append(f"note: {answer.notice}")
    return "\n".join(lines)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    bar = _ProgressBar()
    report = ingest(settings, args.paths or None, rebuild=args.rebuild, progress=bar)
    bar.close()
    for skipped in report.skipped:
        print(f"rag: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    status = Engine(settings).status()
    if args.json:
        print(json.dumps(status.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"corpus: {status.corpus}\nindex:  {status.home}\nmodel:  {status.embed_model}\nllm:    {status.llm}")
    print(f"{len(status.articles)} articles, {status.chunks} chunks")
    for a in status.articles:
        facts = ", ".join(x for x in (a.outlet, a.published) if x)
        print(f"  {a.id}  {a.chunks:>3} chunks  {a.title or ''}" + (f" ({facts})" if facts else ""))
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from . import bench

    if args.scale < 0:
        raise ConfigError(f"--scale must be 0 (skip) or a number of chunks, got {args.scale}")
    results = bench.run(settings, scale=args.scale, log=lambda step: print(f"rag bench: {step}", file=sys.stderr))
    print(json.dumps(results, indent=2) if args.json else bench.render(results))
    return 0


class _ProgressBar:
    """A tqdm bar on stderr, opened on the first embedded batch (a no-op ingest shows none)."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


if __name__ == "__main__":
    raise SystemExit(main())
