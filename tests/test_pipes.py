"""Every command's output can be piped into ``head``: no traceback when the reader stops early (issue 27).

Real processes and a real ``head``: the failure lives in how a process meets a closed pipe, which an
in-process call cannot show. ``head -n 0`` exits before reading anything, so the command's first write
always meets a closed pipe; ``head -n 1`` is what a user types.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS

from rag import Settings

pytestmark = pytest.mark.slow  # processes that each load the model

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Which fighter jets did Thailand use for its airstrikes?"
BROKEN_PIPE = 128 + signal.SIGPIPE


def _piped(command: list[str], lines: int, home: Path, tmp_path: Path) -> tuple[int, str, str]:
    """``python -m rag COMMAND | head -n LINES``: the command's exit code, what head printed, the command's stderr."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "RAG_HOME": str(home), "RAG_CORPUS": str(SEEDS)}
    errors = tmp_path / f"stderr-{len(list(tmp_path.iterdir()))}.txt"
    with errors.open("wb") as stderr:
        rag = subprocess.Popen(
            [sys.executable, "-m", "rag", *command], stdout=subprocess.PIPE, stderr=stderr, env=environment
        )
        assert rag.stdout is not None
        head = subprocess.Popen(["head", "-n", str(lines)], stdin=rag.stdout, stdout=subprocess.PIPE)
        rag.stdout.close()  # head alone reads the pipe: when it exits, the pipe is closed for rag
        shown, _ = head.communicate(timeout=300)
        code = rag.wait(timeout=300)
    return code, shown.decode(), errors.read_text()


@pytest.fixture(scope="module")
def gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One gold question of our own, so `rag eval` runs in seconds."""
    item = {
        "id": "jets",
        "kind": "fact",
        "question": QUESTION,
        "articles": ["003_bfbc2abef2fd135d.txt"],
        "evidence": ["using F-16 fighter jets"],
        "answers": ["F-16"],
        "abstain": False,
    }
    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    path.write_text(json.dumps(item) + "\n")
    return path


COMMANDS = {
    "ask": ["ask", QUESTION],
    "status": ["status"],
    "timeline": ["timeline"],
    "timeline --json": ["timeline", "--json"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_reader_that_reads_nothing_ends_the_command_quietly(
    name: str, seed_settings: Settings, tmp_path: Path
) -> None:
    code, shown, err = _piped(COMMANDS[name], 0, seed_settings.home, tmp_path)
    assert shown == ""
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == BROKEN_PIPE  # as a shell reports `yes | head -n 0`


@pytest.mark.parametrize(("name", "first"), [("ask", "F-16 — "), ("timeline", "20"), ("status", "index:  ")])
def test_head_1_shows_the_first_line_and_no_traceback(
    name: str, first: str, seed_settings: Settings, tmp_path: Path
) -> None:
    code, shown, err = _piped(COMMANDS[name], 1, seed_settings.home, tmp_path)
    assert shown.count("\n") == 1 and shown.startswith(first), shown
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
    # 0 when everything fitted in the pipe before head stopped reading, 141 when a write came after.
    assert code in (0, BROKEN_PIPE)


def test_rag_eval_piped_into_head(gold: Path, seed_settings: Settings, tmp_path: Path) -> None:
    # An index of its own (the seeds' is read-only for the tests), kept for the second run.
    command = ["eval", "--gold", str(gold), "--corpus", str(SEEDS), "--home", str(tmp_path / "eval-index")]
    code, shown, err = _piped(command, 1, seed_settings.home, tmp_path)
    assert shown.startswith("kind ") and shown.count("\n") == 1, shown
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
    assert code in (0, BROKEN_PIPE)
    code, shown, err = _piped(command, 0, seed_settings.home, tmp_path)
    assert (code, shown) == (BROKEN_PIPE, "") and "Traceback" not in err, err
