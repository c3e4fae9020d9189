"""Shared fixtures: real MiniLM, real Chroma in temporary folders, never the user's index or model cache."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from rag import Settings, ingest

# Models made here (the int8 copy, Settings.model_cache) go to a cache of this session's own, shared by its
# tests and the processes they start, never to the user's ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="rag-tests-cache-")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CNN = "000_1e4ec062dc75476f.txt"
JOURNOS = "003_bfbc2abef2fd135d.txt"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's RAG_* settings; anything that falls back to them writes to tmp."""
    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "default-home"))
    monkeypatch.setenv("RAG_CORPUS", str(SEEDS))


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The five seed articles, indexed once per test session. Read-only for the tests that use it."""
    settings = Settings(home=tmp_path_factory.mktemp("seed-index"), corpus=SEEDS)
    ingest(settings)
    return settings


@pytest.fixture(scope="session")
def dated_seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The seeds as a publisher's feed delivers them, each with a date line: 000 has its own (9 Dec 2025);
    001–004 name no year, so they are undated in ``seeds/`` and here get the day they report on, the
    Monday of the Kuala Lumpur meeting (22 Dec 2025). For tests of what dates do (newest first, the
    timeline), not of how they are found. Read-only for the tests that use it."""
    root = tmp_path_factory.mktemp("dated-seeds")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        (corpus / path.name).write_text(text if path.name == CNN else f"date 2025-12-22\n\n{text}", encoding="utf-8")
    settings = Settings(home=root / "index", corpus=corpus)
    ingest(settings)
    return settings


# Short articles written for the tests (an earthquake, an election, a trial, business news) and gold questions
# written for them: a development set in miniature, for the tests of `rag eval --gold` and the tuning script.
NEWS_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "news"
NEWS_GOLD = NEWS_FIXTURES / "gold.jsonl"


@pytest.fixture
def news_corpus(tmp_path: Path) -> Path:
    """The articles of tests/fixtures/news (not its README) in a folder of their own, which NEWS_GOLD is about."""
    folder = tmp_path / "news"
    for story in ("earthquake", "election", "trial", "deals"):
        shutil.copytree(NEWS_FIXTURES / story, folder / story)
    return folder


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A writable corpus of two seed articles, for tests that change files."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in (CNN, JOURNOS):
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chroma_is_up(url: str, server: subprocess.Popen, seconds: float = 30) -> bool:
    """Wait for the Chroma server at ``url`` to answer its heartbeat; False when it exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                return True
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.1)


@contextmanager
def _chroma_run(folder: Path) -> Iterator[str]:
    """A real ``chroma run`` on 127.0.0.1 (the CLI that ships with chromadb): its URL, killed on exit."""
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if not chroma_is_up(url, server):
                raise RuntimeError(f"chroma run did not start: {(folder / 'server.log').read_text()}")
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scratch Chroma server; tests that write to it empty it first (see ``backend``)."""
    with _chroma_run(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="session")
def seed_server_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The seed articles indexed once on a Chroma server of their own. Read-only for the tests that use it."""
    with _chroma_run(tmp_path_factory.mktemp("chroma-seed-server")) as url:
        settings = Settings(home=tmp_path_factory.mktemp("seed-server-home"), corpus=SEEDS, chroma_url=url)
        ingest(settings)
        yield settings


def empty_server(url: str) -> None:
    """Drop every collection on the server, so a test starts from an empty index."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    for collection in client.list_collections():
        client.delete_collection(collection.name)


@pytest.fixture(params=["local", "chroma-server"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _isolated_environment: None) -> str:
    """Run a test twice: against the local database, and against an emptied real Chroma server.

    The server is selected the way a user selects it, through ``RAG_CHROMA_URL`` (read by
    ``Settings.from_env``); the lock and the BM25 files stay in the test's own ``RAG_HOME``.
    """
    if request.param == "chroma-server":
        url = request.getfixturevalue("chroma_server")
        empty_server(url)
        monkeypatch.setenv("RAG_CHROMA_URL", url)
    return str(request.param)


def index_records(home: Path) -> dict[str, Any]:
    """Every record of the local index in ``home`` (ids, texts, metadata), per collection, in a comparable form."""
    client = chromadb.PersistentClient(str(home / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    found: dict[str, Any] = {}
    for name in ("chunks", "sentences", "articles"):
        rows = client.get_collection(name).get(include=["documents", "metadatas"])
        metadatas = [tuple(sorted((m or {}).items())) for m in rows["metadatas"]]
        found[name] = sorted(zip(rows["ids"], rows["documents"], metadatas, strict=True))
    return found


# The fast tier (`pytest -m "not slow"`, run between edits) leaves out the tests that start a subprocess, a
# server, a browser or a language model, export a model, or run a whole gold set; CI runs them all.
SLOW_MODULES = {
    "test_app",  # a browser and the UI server
    "test_crash_safety",  # ingest processes killed mid-run
    "test_eval",  # rag eval end to end, each run on a fresh index, and a scripted judge server
    "test_faults",  # the CLI in subprocesses, on read-only and full folders
    "test_index_problems",  # indexes damaged and rebuilt
    "test_local_llm",  # a real language model
    "test_server",  # Chroma servers
}
SLOW_FIXTURES = {"chroma_server", "seed_server_settings", "int8"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        # any parameter that puts a test on a Chroma server (conftest's `backend`, test_query's `seed_backend`)
        params = callspec.params.values() if callspec is not None else ()
        on_server = any(isinstance(value, str) and value == "chroma-server" for value in params)
        if item.path.stem in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or on_server:
            item.add_marker(pytest.mark.slow)
