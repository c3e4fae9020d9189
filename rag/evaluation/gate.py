"""The regression gate: measured scores against the floors and ceilings in ``eval/thresholds.toml``.

A table ``[min.GROUP]`` holds floors, ``[max.GROUP]`` ceilings (answer length); GROUP is ``overall`` or a kind
of question, and each key a metric name, e.g. ``key_fact_accuracy = 0.88``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from rag.errors import EvaluationError
from rag.evaluation.gold import KINDS
from rag.evaluation.news_metrics import NEWS_METRICS
from rag.evaluation.scoring import JUDGED, METRICS

DEFAULT_THRESHOLDS = Path("eval/thresholds.toml")  # relative to the working folder, like the gold set
Thresholds = dict[str, dict[str, dict[str, float]]]  # bound ("min"/"max") → group → metric → value


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> Thresholds:
    """Read and check the thresholds; an unknown group or metric is an error, not a silently idle gate."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EvaluationError(
            f"cannot read the thresholds {path}: {error.strerror} (name them with --thresholds PATH)"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise EvaluationError(f"{path} is not valid TOML: {error}") from None
    for bound, groups in raw.items():
        if bound not in ("min", "max") or not isinstance(groups, dict):
            raise EvaluationError(f"{path}: top-level tables are [min.GROUP] and [max.GROUP], got {bound!r}")
        for group, limits in groups.items():
            if group not in ("overall", "news") and group not in KINDS:
                raise EvaluationError(f"{path}: unknown group {bound}.{group}; use overall, news or a kind of question")
            known = NEWS_METRICS.values() if group == "news" else METRICS
            for metric, value in limits.items():
                if metric not in known or not isinstance(value, int | float):
                    raise EvaluationError(f"{path}: {bound}.{group}.{metric} is not a known metric with a number")
    return raw


def check(summary: dict[str, dict[str, float | None]], thresholds: Thresholds) -> list[str]:
    """One line per broken threshold, e.g. ``overall.key_fact_accuracy 0.812 < 0.900``.

    A metric that could not be measured fails too, except the judged ones when no judge ran.
    """
    failures = []
    for bound, groups in thresholds.items():
        for group, limits in groups.items():
            for metric, limit in limits.items():
                value = summary.get(group, {}).get(metric)
                if value is None:
                    if metric not in JUDGED:
                        failures.append(f"{group}.{metric} not measured ({bound} {limit:g})")
                elif bound == "min" and value < limit:
                    failures.append(f"{group}.{metric} {value:.3f} < {limit:.3f}")
                elif bound == "max" and value > limit:
                    failures.append(f"{group}.{metric} {value:.3f} > {limit:.3f}")
    return failures
