"""A missing, partly deleted, corrupted or mismatched index: a one-line message with the fix, or a correct
answer (rebuilt from what is left), never a traceback and never a silently wrong answer."""

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from conftest import CNN, JOURNOS, SEEDS

from rag import IndexMissingError, Settings
from rag.cli.main import main
from rag.index.store import Store

QUESTION = "Which jets did Thailand fly in its airstrikes?"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index of two seed articles, written by a `rag ingest` process that has exited (files flushed)."""
    root = tmp_path_factory.mktemp("built")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in (CNN, JOURNOS):
        shutil.copy(SEEDS / name, corpus / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOME=str(root / "index"), RAG_CORPUS=str(corpus))
    done = subprocess.run([sys.executable, "-m", "rag", "ingest"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root / "index", corpus


@pytest.fixture
def copy(built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built index, which the test may damage; RAG_* point at it."""
    index, corpus = built
    home = tmp_path / "index"
    shutil.copytree(index, home)
    monkeypatch.setenv("RAG_HOME", str(home))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))
    return home


def _ask(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["ask", QUESTION, "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line_with_the_fix(code: int, err: str) -> None:
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("rag: ")
    assert "rag ingest --rebuild" in err
    assert "Traceback" not in err


def test_a_missing_index_folder_is_reported_by_the_store_and_built_by_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "nowhere"
    with pytest.raises(IndexMissingError, match="run `rag ingest` first"):
        Store.open(Settings(home=home))
    monkeypatch.setenv("RAG_HOME", str(home))
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 0
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / JOURNOS, corpus / JOURNOS)
    monkeypatch.setenv("RAG_CORPUS", str(corpus))
    code, out, _ = _ask(capsys)
    assert code == 0 and "F-16" in json.loads(out)["text"]


def test_a_deleted_database_file_is_rebuilt_from_the_corpus(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "chroma" / "chroma.sqlite3").unlink()
    code, out, err = _ask(capsys)
    assert code == 0, err
    answer = json.loads(out)
    assert "F-16" in answer["text"]
    assert set(Store.open(Settings.from_env()).ledger()) == {CNN, JOURNOS}


def test_a_deleted_collection_is_reported_with_the_fix(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = chromadb.PersistentClient(str(copy / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    client.delete_collection("sentences")
    code, _, err = _ask(capsys)
    _assert_one_line_with_the_fix(code, err)
    assert "damaged" in err
    assert main(["ingest", "--rebuild"]) == 0
    capsys.readouterr()
    code, out, _ = _ask(capsys)
    assert code == 0 and "F-16" in json.loads(out)["text"]


def test_garbage_bytes_in_the_database_are_reported_with_the_fix(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = copy / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    noise = random.Random(7)
    for page in range(0, len(data), 4096):
        data[page : page + 64] = bytes(noise.randrange(256) for _ in range(64))
    database.write_bytes(bytes(data))
    for command in (["ask", QUESTION], ["status"], ["ingest"]):
        code = main(command)
        _assert_one_line_with_the_fix(code, capsys.readouterr().err)
    assert main(["ingest", "--rebuild"]) == 0
    capsys.readouterr()
    code, out, _ = _ask(capsys)
    assert code == 0 and "F-16" in json.loads(out)["text"]


def test_deleted_vector_segment_files_give_the_same_answer_or_the_fix(
    copy: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Chroma's per-collection folders (HNSW files) gone: it may recover from its log; if not, it must say so."""
    for segment in (copy / "chroma").iterdir():
        if segment.is_dir():
            shutil.rmtree(segment)
    code, out, err = _ask(capsys)
    if code == 0:
        intact = json.loads(out)
        for key in ("text", "citations"):
            assert intact[key] == _answer_from(built[0], capsys)[key]
    else:
        _assert_one_line_with_the_fix(code, err)


def _answer_from(home: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_HOME", str(home))
        code, out, _ = _ask(capsys)
    assert code == 0
    return json.loads(out)


def test_a_deleted_keyword_index_is_rebuilt_from_the_store(
    copy: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for leftover in copy.glob("bm25*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    code, out, err = _ask(capsys)
    assert code == 0, err
    assert json.loads(out)["citations"] == _answer_from(built[0], capsys)["citations"]


def test_a_garbled_keyword_index_is_rebuilt_from_the_store(
    copy: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pointer = json.loads((copy / "bm25.json").read_text())
    (copy / pointer["folder"] / "chunk_ids.json").write_text("[not json")
    code, out, err = _ask(capsys)
    assert code == 0, err
    assert json.loads(out)["citations"] == _answer_from(built[0], capsys)["citations"]


def test_another_embedding_model_is_refused_with_both_names_and_the_fix(
    copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_EMBED_MODEL", "sentence-transformers/all-mpnet-base-v2")
    code, _, err = _ask(capsys)
    _assert_one_line_with_the_fix(code, err)
    assert "all-MiniLM-L6-v2" in err and "all-mpnet-base-v2" in err


def test_an_index_of_the_other_embedding_backend_is_refused_with_both_names_and_the_fix(
    copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_EMBED_BACKEND", "onnx-int8")  # the index was built with the default, torch
    code, _, err = _ask(capsys)
    _assert_one_line_with_the_fix(code, err)
    assert "embed_backend 'torch' (index) vs 'onnx-int8'" in err and "RAG_EMBED_BACKEND=torch" in err
