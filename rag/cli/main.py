"""The ``rag`` command. User mistakes become one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from rag import (
    Answer,
    Citation,
    ConfigError,
    IndexMissingError,
    QuestionError,
    RagError,
    Settings,
    ingest,
    remove,
    timeline,
)
from rag.answer.engine import Engine
from rag.cli.evaluate import add_arguments as add_eval_arguments
from rag.cli.progress import ProgressBar
from rag.index.store import Store
from rag.schema import format_date

EXIT_USER_ERROR = 2
# What a shell reports for a command that a closed pipe stopped (`yes | head -1`): 128 + SIGPIPE.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(top_k=getattr(args, "k", None))
        code = int(args.run(args, settings) or 0)
        # Flushed here, not at exit: a reader gone by then (`| head -1`) is caught below, not left to
        # Python's shutdown, which would print "Exception ignored … BrokenPipeError".
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader of our output has stopped (`rag timeline | head -2`): what it did not read is not wanted.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except QuestionError as error:
        print(f"rag: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except RagError as error:
        print(f"rag: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the output still buffered is dropped at exit instead of failing again.

    The way Python's documentation handles SIGPIPE (the ``signal`` module's notes). A stdout that is no
    file (pytest's capture) has nothing to redirect.
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Cited answers from a folder of news articles.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question from the indexed articles")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, help="passages to retrieve (default RAG_TOP_K, 6)")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    ask.set_defaults(run=_ask)

    build = commands.add_parser(
        "ingest", help="add files or folders to the index (only what changed since last time is embedded)"
    )
    build.add_argument(
        "paths", nargs="*", type=Path, help="files or folders to add to what is indexed (default RAG_CORPUS)"
    )
    build.add_argument("--rebuild", action="store_true", help="throw the index away and build it anew")
    build.set_defaults(run=_ingest)

    take_out = commands.add_parser("remove", help="take articles out of the index (the files are kept)")
    take_out.add_argument("targets", nargs="+", metavar="PATH|ID", help="article ids, or indexed files or folders")
    take_out.set_defaults(run=_remove)

    status = commands.add_parser("status", help="what is indexed, where, and with which model")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=_status)

    evaluate = commands.add_parser("eval", help="score answers on the gold questions (eval/gold.jsonl)")
    evaluate.set_defaults(run=_eval)
    add_eval_arguments(evaluate)
    events = commands.add_parser("timeline", help="the dated events of the indexed articles, in order")
    events.add_argument("--json", action="store_true")
    events.set_defaults(run=_timeline)
    bench = commands.add_parser("bench", help="measure indexing and answering on this machine (temporary folders)")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument("--scale", type=int, default=100_000, help="chunks in the scale test (default 100000; 0 skips)")
    bench.add_argument(
        "--corpus-timing",
        type=Path,
        metavar="DIR",
        help="also time indexing the articles in DIR from nothing (e.g. a development corpus)",
    )
    bench.add_argument(
        "--gold",
        type=Path,
        metavar="FILE",
        help="the questions timed, one JSON object with a 'question' per line (default: eval/gold.jsonl)",
    )
    bench.set_defaults(run=_bench)
    return parser


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.json:
        answer = Engine(settings).ask(args.question)
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    # The text is printed as it arrives (a language model writes for seconds), the sources once it is done.
    stream = Engine(settings).stream(args.question)
    for piece in stream:
        print(piece, end="", flush=True)
    print(render(stream.answer, text=False))
    return 0


def render(answer: Answer, *, text: bool = True) -> str:
    """The answer text, then one line per citation: ``[n] title — outlet, date (file): "quote"``."""
    lines = [answer.text] if text else [""]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        lines.append(_citation_line(c))
    if answer.unsupported:
        lines.append(f"note: {len(answer.unsupported)} sentence(s) marked [unsupported]: no source says that")
    if answer.notice:
        lines.append(f"note: {answer.notice}")
    if answer.coverage:
        lines.append(f"({answer.coverage.describe()})")
    return "\n".join(lines)


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.cli.evaluate import run  # matplotlib and the evaluators load only for this command

    return run(args, settings)


def _citation_line(c: Citation) -> str:
    """``[n] title — outlet, date (file, chars a-b)``, the article's web address when its file gives one, the
    speaker and the other articles that repeat it."""
    when = format_date(c.published, c.published_inferred) if c.published else None
    where = ", ".join(x for x in (c.outlet, when) if x)
    heading = f"{c.title or c.article_id}" + (f" — {where}" if where else "")
    line = f"[{c.n}] {heading} ({c.article_id}, chars {c.start}-{c.end})"
    if c.url:
        line += f" {c.url}"
    if c.speaker:
        line += f"; speaker: {c.speaker}"
    if c.also_reported_by:
        reporters = (c.article_id, *c.also_reported_by)
        line += f"; reported by {len(reporters)} articles: {', '.join(reporters)}"
    return line


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    bar = ProgressBar()
    report = ingest(settings, args.paths or None, rebuild=args.rebuild, progress=bar)
    bar.close()
    for warning in report.warnings:
        print(f"rag: warning: {warning.path}: {warning.reason}", file=sys.stderr)
    for skipped in report.skipped:
        print(f"rag: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(report.summary())
    if report.skipped:
        print(f"skipped {len(report.skipped)} files: " + ", ".join(Path(s.path).name for s in report.skipped))
    if not report.indexed and report.skipped:
        print("rag: nothing was indexed: every file was skipped (see above)", file=sys.stderr)
        return 1
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    status = Engine(settings).status()
    if args.json:
        print(json.dumps(status.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"index:  {status.home}\nmodel:  {status.embed_model}\nllm:    {status.llm}")
    print(f"{len(status.articles)} articles, {status.chunks} chunks")
    print(f"coverage: {status.coverage.describe()}")
    if not status.articles:
        print(f"nothing indexed: `rag ingest PATH` adds a folder or files (plain `rag ingest` adds {status.corpus})")
    for source, articles in status.sources.items():
        print(f"source: {source or '(indexed before sources were recorded)'} ({len(articles)} articles)")
        for a in articles:
            when = a.origin.dated() + (f" from its {a.date_basis}" if a.published and not a.published_inferred else "")
            facts = ", ".join(x for x in (a.outlet, when) if x)
            print(f"  {a.article_id}  {a.chunks:>3} chunks  {a.title or ''} ({facts})")
    return 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    report = remove(settings, args.targets)
    print(f"{len(report.removed)} removed: {', '.join(report.removed)}")
    return 0


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    events = timeline(settings)
    if not events:
        try:
            indexed = len(Store.open(settings).ledger())
        except IndexMissingError:
            indexed = 0
        if indexed:  # an index of undated articles is no missing index: asking to ingest would not help
            raise RagError(
                f"no dated events in the {indexed} indexed articles: only the events of a dated article can be "
                "placed (`rag status` shows each article's date)"
            )
        raise IndexMissingError(f"no dated events: is there an index in {settings.home}? run `rag ingest` first")
    if args.json:
        print(json.dumps([e.to_dict() for e in events], ensure_ascii=False, indent=2))
        return 0
    for e in events:
        print(f"{e.date:<10}  {e.what}" + ("  (date inferred)" if e.inferred else ""))
        for c in e.citations:
            print(f"    {_citation_line(c)}")
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation import bench

    if args.scale < 0:
        raise ConfigError(f"--scale must be 0 (skip) or a number of chunks, got {args.scale}")
    results = bench.run(
        settings,
        scale=args.scale,
        corpus_timing=args.corpus_timing,
        gold=args.gold or bench.GOLD,
        log=lambda step: print(f"rag bench: {step}", file=sys.stderr),
    )
    print(json.dumps(results, indent=2) if args.json else bench.render(results))
    return 0
