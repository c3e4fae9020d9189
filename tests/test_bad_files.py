"""Bad files in a corpus: each one is skipped (or read with a warning) and named; the rest is indexed."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import CNN, JOURNOS, SEEDS

from rag import Settings, ingest
from rag.cli.main import main
from rag.index.store import Store
from rag.ingestion.corpus import load_corpus

GOOD = "The ceasefire talks resumed in Kuala Lumpur on Monday after a week of clashes."


def _reasons(folder: Path, **kwargs: object) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in load_corpus(folder, **kwargs).skipped}  # type: ignore[arg-type]


def test_a_binary_file_is_skipped_as_binary(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert _reasons(tmp_path) == {"photo.txt": "binary (NUL bytes), not text"}
    assert [a.article_id for a in load_corpus(tmp_path).articles] == ["good.txt"]


def test_non_utf8_text_is_read_as_latin1_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "cafe.txt").write_bytes("Le café de Phnom Penh a rouvert après les combats.".encode("latin-1"))
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == ()
    assert corpus.articles[0].text == "Le café de Phnom Penh a rouvert après les combats."
    assert len(corpus.warnings) == 1 and corpus.warnings[0].path.endswith("cafe.txt")
    assert "Latin-1" in corpus.warnings[0].reason


def test_an_empty_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n\t\n")
    assert _reasons(tmp_path) == {"empty.txt": "empty file", "blank.md": "no text left after cleaning"}


def test_a_file_larger_than_the_limit_is_skipped_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(GOOD * (2**20 // len(GOOD) + 1))
    (tmp_path / "good.txt").write_text(GOOD)
    reasons = _reasons(tmp_path, max_file_bytes=2**20)
    assert list(reasons) == ["dump.txt"] and "larger than RAG_MAX_FILE_MB (1 MB)" in reasons["dump.txt"]
    assert _reasons(tmp_path, max_file_bytes=2 * 2**20) == {}


def test_a_folder_or_a_pipe_named_like_an_article_is_skipped(tmp_path: Path) -> None:
    """Paths that look like articles but cannot be read as files (a FIFO would block a naive reader)."""
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(GOOD)
    assert _reasons(tmp_path) == {
        "folder.txt": "a folder, not a file",
        "pipe.txt": "not a regular file (a pipe, socket or device)",
    }


def test_an_unreadable_file_is_skipped(tmp_path: Path) -> None:
    """chmod 000 stops every user but root, and the tests may run as root: then a child process that
    has dropped to user ``nobody`` reads the corpus, so the permission check is a real one."""
    with tempfile.TemporaryDirectory(dir="/tmp") as name:
        folder = Path(name)
        folder.chmod(0o755)
        (folder / "good.txt").write_text(GOOD)
        (folder / "good.txt").chmod(0o644)
        (folder / "secret.txt").write_text(GOOD)
        (folder / "secret.txt").chmod(0o000)
        assert _reasons_as_another_user(folder) == {"secret.txt": "cannot read (Permission denied)"}


def _reasons_as_another_user(folder: Path) -> dict[str, str]:
    if os.geteuid() != 0:
        return _reasons(folder)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, json.dumps(_reasons(folder)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = pipe.read()
    os.waitpid(child, 0)
    return json.loads(result)


def test_a_symlink_loop_is_skipped_and_a_linked_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder loop: sub/up/sub/up/...
    (tmp_path / "sub" / "good.txt").write_text(GOOD)
    corpus = load_corpus(tmp_path)
    assert {Path(s.path).name: s.reason for s in corpus.skipped} == {
        "loop.txt": "symlink loop",
        "dangling.md": "broken symlink",
    }
    assert [a.article_id for a in corpus.articles] == ["good.txt"]


def test_an_unknown_extension_is_reported_and_hidden_files_are_passed_over(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00")
    (tmp_path / "good.txt").write_text(GOOD)
    read = ".txt, .md, .html, .htm, .xml, .rss, .atom, .jsonl"
    assert _reasons(tmp_path) == {"notes.pdf": f"not one of the formats read ({read})"}


def test_rag_ingest_indexes_the_rest_and_ends_with_a_summary_of_skipped_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (CNN, JOURNOS):
        shutil.copy(SEEDS / name, corpus / name)
    (corpus / "photo.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "cafe.txt").write_bytes("Le café a rouvert après les combats à la frontière.".encode("latin-1"))
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))

    assert main(["ingest"]) == 0
    out, err = capsys.readouterr()
    assert sorted(
        line.split(": ")[1][len("skipped ") :] for line in err.splitlines() if line.startswith("rag: skipped")
    ) == sorted(str(corpus / n) for n in ("empty.txt", "loop.md", "photo.txt"))
    assert f"rag: warning: {corpus / 'cafe.txt'}: not UTF-8" in err
    assert "3 added" in out and "3 files skipped" in out
    assert out.strip().splitlines()[-1] == "skipped 3 files: empty.txt, loop.md, photo.txt"
    assert set(Store.open(Settings.from_env()).ledger()) == {CNN, JOURNOS, "cafe.txt"}


def test_rag_ingest_fails_when_every_file_was_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    assert main(["ingest", str(tmp_path)]) == 1
    assert "nothing was indexed" in capsys.readouterr().err


def test_max_file_mb_is_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"RAG_MAX_FILE_MB": "1", "RAG_HOME": str(tmp_path / "index")})
    assert settings.max_file_mb == 1
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text(GOOD * (2**20 // len(GOOD) + 1))
    (corpus / "good.txt").write_text(GOOD)
    report = ingest(settings, [corpus])
    assert report.added == ("good.txt",)
    assert [Path(s.path).name for s in report.skipped] == ["big.txt"]
