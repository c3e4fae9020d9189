"""Shared fixtures: real MiniLM, real Chroma in temporary folders, never the user's index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag import Settings, ingest

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


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A writable corpus of two seed articles, for tests that change files."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in (CNN, JOURNOS):
        shutil.copy(SEEDS / name, folder / name)
    return folder
