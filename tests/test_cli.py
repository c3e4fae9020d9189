import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS

from rag.cli.main import main


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, seed_settings) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAG_HOME", str(seed_settings.home))
    monkeypatch.setenv("RAG_CORPUS", str(seed_settings.corpus))


def test_ask_json_prints_the_answer_dictionary(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Which fighter jets did Thailand use?", "--json", "-k", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "F-16" in data["text"]
    assert len(data["passages"]) == 4
    # one key for the article's id wherever one is named: citations, passages, conflicts
    assert data["citations"][0]["article_id"] == "003_bfbc2abef2fd135d.txt"
    assert all("article_id" in p and "source" not in p for p in data["passages"])


def test_ask_prints_text_and_sources(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Which country chairs the Ottawa Convention?"]) == 0
    out = capsys.readouterr().out
    assert "Zambia" in out
    assert "[1] " in out and "003_bfbc2abef2fd135d.txt" in out


def test_empty_question_is_one_line_and_exit_2(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "  "]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("rag: ")


def test_status_json_counts_articles_and_chunks(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["articles"] == 5
    assert data["chunks"] > 20
    assert {"corpus", "home", "embed_model"} <= data.keys()
    assert sorted(a["article_id"] for a in data["indexed"]) == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_ingest_reports_counts(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 0
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in capsys.readouterr().out


def test_missing_corpus_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_mismatched_settings_are_one_line(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "120")
    assert main(["ask", "anything"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rag ingest --rebuild" in err


@pytest.mark.slow  # a subprocess
def test_the_installed_rag_command_answers(env: None) -> None:
    """The console script, in a new process: what a user types."""
    rag = Path(sys.executable).parent / "rag"
    done = subprocess.run(
        [str(rag), "ask", "Which jets did Thailand fly in its airstrikes?"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "F-16" in done.stdout and "[1]" in done.stdout
    assert "Traceback" not in done.stderr


def test_timeline_of_undated_articles_says_so_rather_than_asking_to_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text("Ferry news\n\nThe island council said its new ferry carried 4,000 people.\n")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    assert main(["timeline"]) == 1  # no index yet: ingest is the next step
    assert "run `rag ingest` first" in capsys.readouterr().err
    assert main(["ingest", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["timeline"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no dated events in the 1 indexed articles" in err and "rag ingest" not in err
