"""The evaluation written out: a text table for the terminal, report.json, report.md and a PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

from rag.evaluation.runner import EvalRun
from rag.evaluation.scoring import COLUMNS

_HEADERS = {m.name: m.header for m in COLUMNS}
_CHARTED = tuple(m.name for m in COLUMNS if m.charted and not m.count)
_WHOLE = frozenset(m.name for m in COLUMNS if m.count)


def _columns(run: EvalRun) -> list[str]:
    return [m.name for m in COLUMNS if run.judged or not m.judged]


def _cell(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    if metric in _WHOLE:
        return f"{value:.0f}"
    return f"{value:.2f}"


def table(run: EvalRun) -> str:
    """The per-kind table as aligned text, one row a kind plus ``overall``."""
    columns = _columns(run)
    rows = [["kind", "n", *(_HEADERS[m] for m in columns)]]
    for group, scores in run.summary.items():
        rows.append([group, f"{scores['n']:.0f}", *(_cell(m, scores[m]) for m in columns)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def news_line(run: EvalRun) -> str:
    """The news-aware scores (eval/gold_news.jsonl) on one line."""
    if not run.news:
        return "news: no items (eval/gold_news.jsonl)"
    return "news: " + ", ".join(f"{name} {value:.2f}" for name, value in run.news.items())


def markdown(run: EvalRun, failures: list[str], notes: list[str]) -> str:
    """report.md: the table, the gate's verdict, and every question that missed its key fact or abstention."""
    columns = _columns(run)
    lines = [
        "# rag eval",
        "",
        f"Corpus `{run.corpus}`, top_k {run.top_k}, answerer `{run.backend}`, {len(run.results)} questions.",
        "",
        "| kind | n | " + " | ".join(_HEADERS[m] for m in columns) + " |",
        "|---|" + "---:|" * (len(columns) + 1),
    ]
    for group, scores in run.summary.items():
        lines.append(f"| {group} | {scores['n']:.0f} | " + " | ".join(_cell(m, scores[m]) for m in columns) + " |")
    lines += ["", news_line(run), "", "![per-kind scores](scores.png)", ""]
    lines += [f"Note: {note}" for note in notes] + ([""] if notes else [])
    lines += ["## Gate", ""] + ([f"- FAIL {f}" for f in failures] or ["All thresholds met."])
    misses = [
        r for r in run.results if r.scores.get("key_fact_accuracy") == 0.0 or r.item.abstain != r.answer.abstained
    ]
    lines += ["", "## Misses", ""]
    for r in misses:
        expected = "abstain" if r.item.abstain else " / ".join(r.item.answers)
        lines.append(
            f"- `{r.item.id}` ({r.item.kind}) {r.item.question} — expected {expected}; got: {r.answer.text[:200]}"
        )
    if not misses:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def to_json(run: EvalRun, failures: list[str], notes: list[str]) -> dict[str, object]:
    return {
        "corpus": run.corpus,
        "top_k": run.top_k,
        "backend": run.backend,
        "judged": run.judged,
        "summary": run.summary,
        "news": run.news,
        "failures": failures,
        "notes": notes,
        "items": [r.to_dict() for r in run.results],
    }


def chart(run: EvalRun, path: Path) -> None:
    """A grouped bar chart of the 0..1 scores, one group of bars a kind of question."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    metrics = [m for m in _CHARTED if any(s[m] is not None for s in run.summary.values())]
    groups = list(run.summary)
    figure = Figure(figsize=(max(9, 1.4 * len(groups)), 4.5), layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: renders to PNG with no display and no global backend state
    axes = figure.add_subplot()
    width = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        values = [run.summary[g][metric] for g in groups]
        xs = [g + (i - (len(metrics) - 1) / 2) * width for g in range(len(groups))]
        axes.bar(xs, [v or 0.0 for v in values], width, label=_HEADERS[metric])
    axes.set_xticks(range(len(groups)), groups, rotation=20)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("score")
    axes.set_title(f"rag eval — {len(run.results)} questions, per kind")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the bars, not over them
    figure.savefig(path, dpi=110)


def write(run: EvalRun, directory: Path, failures: list[str], notes: list[str]) -> list[Path]:
    """Write report.json, report.md and scores.png into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "report.json", directory / "report.md", directory / "scores.png"]
    paths[0].write_text(
        json.dumps(to_json(run, failures, notes), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    paths[1].write_text(markdown(run, failures, notes), encoding="utf-8")
    chart(run, paths[2])
    return paths
