"""Issue 13, problem 5: each fault under the index is named truly, in one line with the right next step, and
`rag ingest --rebuild` (which deletes the index) is suggested only for a damaged or mismatched one.

The faults are real: a full tmpfs, a read-only bind mount and a user without the right to write, each set up
for one `rag` process in a mount namespace of its own (``unshare -m``) or with its capabilities dropped
(``setpriv``), so nothing outside the test changes. They need root; elsewhere they are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import JOURNOS, SEEDS

REBUILD = "rag ingest --rebuild"
QUESTION = "Which fighter jets did Thailand use?"
# A user who is root in name only: without these capabilities the folder's permission bits apply to it.
AS_PLAIN_USER = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search,-fowner",
    "--bounding-set=-dac_override,-dac_read_search,-fowner",
]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
    reason="needs root, unshare and setpriv to set up real faults",
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / JOURNOS, folder / JOURNOS)
    return folder


def _rag(home: Path, corpus: Path, *args: str, shell: str = "", prefix: list[str] | None = None) -> tuple[int, str]:
    """Run `rag ARGS` in a new process; ``shell`` runs first in the same mount namespace (mounts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOME=str(home), RAG_CORPUS=str(corpus))
    command = [*(prefix or []), sys.executable, "-m", "rag", *args]
    if shell:
        command = ["unshare", "-m", "sh", "-ec", f'{shell}; exec "$@"', "sh", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stderr


def _one_line(code: int, err: str) -> str:
    assert code == 1, err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("rag: "), err
    return err.strip()


@pytest.fixture
def built(tmp_path: Path, corpus: Path) -> Path:
    home = tmp_path / "built" / "index"
    code, err = _rag(home, corpus, "ingest")
    assert code == 0, err
    (corpus / "second.txt").write_text("The navy said on Sunday that a marine was hurt by a land mine.\n")
    return home


def test_a_full_disk_is_named_and_the_index_kept(tmp_path: Path, corpus: Path) -> None:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    code, err = _rag(mount / "index", corpus, "ingest", shell=f"mount -t tmpfs -o size=400k tmpfs {mount}")
    message = _one_line(code, err)
    assert f"the disk holding {mount / 'index'} is full" in message and "free some space" in message
    assert REBUILD not in message


@pytest.mark.parametrize("command", [("ingest",), ("ask", QUESTION)])
def test_a_read_only_folder_is_named(built: Path, corpus: Path, command: tuple[str, ...]) -> None:
    folder = built.parent
    shell = f"mount --bind {folder} {folder}; mount -o remount,bind,ro {folder}"
    message = _one_line(*_rag(built, corpus, *command, shell=shell))
    assert message == (
        f"rag: {built} is on a read-only file system; mount it writable or set RAG_HOME to a writable folder"
    )


@pytest.mark.parametrize("command", [("ingest",), ("ask", QUESTION)])
def test_permission_denied_is_named(built: Path, corpus: Path, command: tuple[str, ...]) -> None:
    subprocess.run(["chmod", "-R", "a-w", str(built)], check=True)
    try:
        message = _one_line(*_rag(built, corpus, *command, prefix=AS_PLAIN_USER))
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(built)], check=True)
    assert message.startswith(f"rag: permission denied on {built}")
    assert f"`chmod -R u+rwX {built}`" in message and "set RAG_HOME to a folder you own" in message
    assert REBUILD not in message


def test_a_damaged_database_is_the_one_fault_rebuild_is_offered_for(built: Path, corpus: Path) -> None:
    database = built / "chroma" / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    message = _one_line(*_rag(built, corpus, "ask", QUESTION))
    assert message.startswith(f"rag: the index in {built} is damaged") and message.endswith(
        f"run `{REBUILD}` to rebuild it"
    )
