"""A fitted file says what it was fitted on and goes stale visibly (rag/answer/fitted.py)."""

import ast
import json
from importlib.util import find_spec
from pathlib import Path

import pytest

from rag.answer import fitted
from rag.answer.fitted import FEATURE_MODULES, feature_digest
from rag.answer.scorer import WEIGHTS_FILE


def test_the_shipped_weights_were_fitted_on_todays_feature_code() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data.get("feature_digest") == feature_digest(), (
        f"the feature code ({', '.join(FEATURE_MODULES)}) changed since {WEIGHTS_FILE.name} was fitted: "
        f"refit it by rerunning `{data['fitted_by']} --write` and commit the file"
    )


def test_the_shipped_weights_say_what_they_were_fitted_on() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data["fitted_on"] and {d["part"] for d in data["fitted_on"]} == {"tune"}  # never the check part
    assert sum(d["questions"] for d in data["fitted_on"]) == data["questions"]
    for dev in data["fitted_on"]:
        assert f"--dev {dev['gold']} {dev['corpus']} " in data["fitted_by"]


def test_the_digest_changes_with_any_feature_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "feature_probe.py"
    module.write_text("WEIGHT = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    shipped = feature_digest()
    monkeypatch.setattr(fitted, "FEATURE_MODULES", (*FEATURE_MODULES, "feature_probe"))
    once = feature_digest()
    assert once != shipped and feature_digest() == once  # one more module counts; the same code, the same digest
    module.write_text("WEIGHT = 2\n")
    assert feature_digest() != once  # and so does an edit to it


def test_every_module_the_scorer_takes_code_from_is_digested() -> None:
    # rag.schema holds the dataclasses the features are read from, no code that computes them
    tree = ast.parse(find_spec("rag.answer.scorer").loader.get_source("rag.answer.scorer"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module.startswith("rag.")}
    assert imported - {"rag.schema"} <= set(FEATURE_MODULES)
