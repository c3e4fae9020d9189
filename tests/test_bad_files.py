"""Bad files in a corpus: each one is skipped (or read with a warning) and named; the rest is indexed."""

import json
import os
import random
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


def test_latin1_text_is_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "cafe.txt").write_bytes("Le café de Phnom Penh a rouvert après les combats.".encode("latin-1"))
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == ()
    assert corpus.articles[0].text == "Le café de Phnom Penh a rouvert après les combats."
    assert len(corpus.warnings) == 1 and corpus.warnings[0].path.endswith("cafe.txt")
    # Latin-1 and Windows-1252 agree on every letter here; the warning names the superset.
    assert corpus.warnings[0].reason == "not UTF-8 (byte 6); read as Windows-1252"


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


NOISE = "not text (bytes decode only as noise)"
TAIL = b"The council voted five to two for the budget on Monday evening, the mayor said.\n" * 12
# A real-looking news article in Windows-1252: accented names, curly quotes and dashes (0x80-0x9F bytes,
# which Latin-1 reads as control characters and Windows-1250 reads as other letters: "Núńez").
CP1252_ARTICLE = (
    "Council approves budget after late-night vote\n\n"
    "By Zoë Lefèvre, Riverside Gazette\n\n"
    "Mayor Renée Núñez said the council’s “hard choices” had paid off — the €4.2 million budget passed "
    "five votes to two on Tuesday. Councillor François Müller, who voted against it, called the cuts "
    "to the library “a mistake we will regret”. The café owners’ association welcomed the vote.\n"
)


def _noise(size: int, seed: int) -> bytes:
    """Random bytes without a NUL byte, so the old NUL test cannot be what catches them."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(size))


@pytest.mark.parametrize("size", [40, 300, 5_000, 60_000, 400_000])
def test_random_bytes_are_skipped_as_noise_and_the_rest_is_indexed(tmp_path: Path, size: int) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    for seed in range(3):
        (tmp_path / f"noise{seed}.txt").write_bytes(_noise(size, seed * 7919 + size))
    corpus = load_corpus(tmp_path)
    assert {Path(s.path).name: s.reason for s in corpus.skipped} == {f"noise{n}.txt": NOISE for n in range(3)}
    assert [a.article_id for a in corpus.articles] == ["good.txt"] and corpus.warnings == ()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x0f\x0cIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x01\x10JFIF", "image/jpeg"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"PK\x03\x04\x14\x06\x08", "application/zip"),
    ],
)
def test_a_binary_header_with_a_text_tail_is_skipped_naming_its_format(tmp_path: Path, head: bytes, kind: str) -> None:
    """No NUL byte anywhere, and the rest reads as English: only the format's signature gives it away."""
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "picture.md").write_bytes(head + TAIL)
    assert _reasons(tmp_path) == {"picture.md": f"binary ({kind}), not text"}


def test_text_that_starts_like_a_signature_is_still_text(tmp_path: Path) -> None:
    """ "BM" is a bitmap's signature and "GIF" a GIF's: articles about BMW or GIFs are not images."""
    (tmp_path / "cars.txt").write_text("BMW recalls 40,000 cars\n\nBMW said on Monday it would recall the cars.\n")
    (tmp_path / "gifs.md").write_text("GIF89a artists gather\n\nGIF artists met in Berlin on Friday.\n")
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == () and sorted(a.article_id for a in corpus.articles) == ["cars.txt", "gifs.md"]


def test_a_windows_1252_article_is_indexed_decoded_right(tmp_path: Path) -> None:
    (tmp_path / "budget.txt").write_bytes(CP1252_ARTICLE.encode("cp1252"))
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == ()
    [article] = corpus.articles
    assert article.title == "Council approves budget after late-night vote"
    for words in ("Renée Núñez", "François Müller", "“hard choices”", "— the €4.2 million", "Zoë"):
        assert words in article.text or words in (article.origin.byline or ""), words
    first = CP1252_ARTICLE.index("ë")  # everything before it is ASCII: one byte a character
    assert [w.reason for w in corpus.warnings] == [f"not UTF-8 (byte {first}); read as Windows-1252"]


def test_a_utf8_article_with_a_few_bad_bytes_keeps_its_utf8_letters(tmp_path: Path) -> None:
    """Read as Latin-1, every "é" of it would become "Ã©"; the bad bytes alone are replaced."""
    raw = CP1252_ARTICLE.encode("utf-8")
    cut = raw.index(b"The caf")
    (tmp_path / "budget.txt").write_bytes(raw[:cut] + b"\x97\xff " + raw[cut:])
    corpus = load_corpus(tmp_path)
    [article] = corpus.articles
    assert "Renée Núñez" in article.text and "“hard choices”" in article.text and "Ã" not in article.text
    assert "\ufffd\ufffd The café owners" in article.text
    [warning] = corpus.warnings
    assert warning.reason == f"not valid UTF-8 (2 bad bytes, the first at byte {cut}); read with them replaced"


def test_rag_ingest_names_noise_and_binary_files_on_one_line_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The newcomer's files of issue 27: random bytes saved as .txt and a PNG saved as .md."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / CNN, corpus / CNN)
    (corpus / "budget.txt").write_bytes(CP1252_ARTICLE.encode("cp1252"))
    (corpus / "random.txt").write_bytes(_noise(20_000, 27))
    (corpus / "header.md").write_bytes(b"\x89PNG\r\n\x1a\n" + TAIL)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))

    assert main(["ingest"]) == 0
    out, err = capsys.readouterr()
    assert f"rag: skipped {corpus / 'random.txt'}: {NOISE}\n" in err
    assert f"rag: skipped {corpus / 'header.md'}: binary (image/png), not text\n" in err
    assert "Traceback" not in err and out.strip().splitlines()[-1] == "skipped 2 files: header.md, random.txt"
    assert set(Store.open(Settings.from_env()).ledger()) == {CNN, "budget.txt"}
