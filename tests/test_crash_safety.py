"""A real `rag ingest` process killed with SIGKILL in the middle of embedding, then run again, ends with
exactly the index a clean ingest gives; a second ingest on the same index is refused while one runs."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS, index_records

from rag import Settings, ingest
from rag.index.lexical import LexicalIndex
from rag.index.store import Store
from rag.ingestion.corpus import load_corpus

FILES = 200


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred short articles made of the seed articles' sentences, each file distinct."""
    folder = tmp_path_factory.mktemp("many")
    sentences = [
        s.strip() + "."
        for article in load_corpus(SEEDS).articles
        for s in article.text.replace("\n\n", " ").split(". ")
        if 40 < len(s) < 300
    ]
    for i in range(FILES):
        body = f"{sentences[i % len(sentences)]} {sentences[(i * 7 + 3) % len(sentences)]}"
        (folder / f"report_{i:03d}.txt").write_text(f"Field report {i}\n\n{body}\n")
    return folder


@pytest.fixture(scope="module")
def reference(many_files: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a clean, uninterrupted ingest of ``many_files`` holds."""
    settings = Settings(home=tmp_path_factory.mktemp("clean"), corpus=many_files)
    ingest(settings)
    return _snapshot(settings.home)


def _snapshot(home: Path) -> dict[str, Any]:
    """Every record of the index (ids, texts, metadata) and the keyword index's chunk ids."""
    snapshot = index_records(home)
    store = Store.open(Settings(home=home, corpus=Path(".")))
    lexical = LexicalIndex.load(home, store.generation())
    snapshot["bm25"] = sorted(lexical.chunk_ids) if lexical else None
    return snapshot


class _Ingest:
    """`rag ingest` in its own process, with its progress (``done/total`` on stderr) followed live."""

    def __init__(self, home: Path, corpus: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env.update(RAG_HOME=str(home), RAG_CORPUS=str(corpus))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rag", "ingest"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.stderr = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        while chunk := self.process.stderr.read1(4096):  # type: ignore[attr-defined]
            self.stderr += chunk

    def embedded(self) -> int:
        counts = re.findall(rb"(\d+)/(\d+) \[", self.stderr)
        return int(counts[-1][0]) if counts else -1

    def wait_until(self, embedded: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.embedded() < embedded:
            assert self.process.poll() is None, f"ingest ended early: {self.stderr.decode()[-500:]}"
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.05)

    def finish(self) -> tuple[int, str]:
        self.process.wait(timeout=300)
        self._reader.join(timeout=10)
        return self.process.returncode, self.stderr.decode()


def test_a_killed_ingest_run_again_gives_exactly_the_clean_index(
    tmp_path: Path, many_files: Path, reference: dict[str, Any]
) -> None:
    home = tmp_path / "index"
    first = _Ingest(home, many_files)
    first.wait_until(embedded=FILES // 4)  # a few batches are in, most are not
    first.process.send_signal(signal.SIGKILL)
    first.finish()
    assert first.process.returncode == -signal.SIGKILL

    # Really killed in the middle: some chunks are written, not all, and no article is marked complete
    # (ingest marks every changed article complete only after all chunks are in).
    interrupted = Store.open(Settings(home=home, corpus=many_files))
    assert 0 < interrupted.count() < len(reference["chunks"])
    assert not any(r.complete for r in interrupted.ledger().values())

    code, err = _Ingest(home, many_files).finish()
    assert code == 0, err
    assert _snapshot(home) == reference


def test_a_second_ingest_on_the_same_index_is_refused_and_the_first_finishes_cleanly(
    tmp_path: Path, many_files: Path, reference: dict[str, Any]
) -> None:
    home = tmp_path / "index"
    first = _Ingest(home, many_files)
    first.wait_until(embedded=1)  # it holds the lock now
    code, err = _Ingest(home, many_files).finish()
    assert code == 1
    assert err.count("\n") == 1
    assert re.fullmatch(rf"rag: another ingest \(pid {first.process.pid}\) is writing to {home}; wait .*\n", err)
    code, err = first.finish()
    assert code == 0, err
    assert _snapshot(home) == reference
