"""Uploads through the UI: names cannot escape the corpus folder; bad batches change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import CorpusError
from rag.ui.uploads import Upload, add_uploads, remove_article, safe_name

ARTICLE = "Harbour news\n\nThe harbour authority said the ferry terminal will open in March after two years of work.\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/evil.txt", "evil.txt"),
        ("/etc/cron.d/evil.md", "evil.md"),
        ("..\\..\\windows\\evil.TXT", "evil.txt"),
        ("...hidden.txt", "hidden.txt"),
        ("new\nline\x00name.md", "newlinename.md"),
        ("report <1>; rm -rf ~.txt", "report _1_ rm -rf.txt"),
        ("Ünïcödé café.md", "Ünïcödé café.md"),
    ],
)
def test_safe_names_stay_a_plain_file_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["notes.pdf", "archive.txt.exe", "noextension", "../..", "/", "...txt", "<>.md"])
def test_names_without_a_usable_stem_or_type_are_refused(name: str) -> None:
    with pytest.raises(CorpusError):
        safe_name(name)


def _upload(tmp_path: Path, name: str, data: bytes) -> Upload:
    incoming = tmp_path / "incoming"
    incoming.mkdir(exist_ok=True)
    path = incoming / f"{len(list(incoming.iterdir()))}.bin"
    path.write_bytes(data)
    return Upload(path, name)


def test_uploads_with_hostile_names_land_inside_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["../outside.txt", str(tmp_path / "absolute.md"), "sub/dir/../../x.txt"]
    written = add_uploads([_upload(tmp_path, n, ARTICLE.encode()) for n in names], corpus, max_mb=10)
    assert sorted(p.name for p in corpus.iterdir()) == ["absolute.md", "outside.txt", "x.txt"]
    assert all(p.parent == corpus.resolve() for p in written)
    assert not (tmp_path / "outside.txt").exists()


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (corpus / "a.txt").symlink_to(victim)
    add_uploads([_upload(tmp_path, "a.txt", ARTICLE.encode())], corpus, max_mb=10)
    assert victim.read_text() == "keep me"
    assert not (corpus / "a.txt").is_symlink()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.txt", b"word " * 300_000, "the limit is 1 MB"),
        # Five bytes: too few to tell Latin-1 from noise, so refused as not text, with the next step.
        ("latin.txt", "café".encode("latin-1"), "not text .* save the article as UTF-8"),
        ("empty.md", b"   \n\n", "no readable article text"),
        ("binary.txt", b"abc\x00def", r"binary \(NUL bytes\)"),
        ("photo.md", b"\x89PNG\r\n\x1a\nIHDR" + b"The council voted on Monday. " * 20, r"binary \(image/png\)"),
        ("slides.pdf", b"%PDF", "only .txt, .md, .html"),
        ("blank.html", b"<html><body><script>app()</script></body></html>", "no article text found in the page"),
        ("link.rss", b"https://example.org/feed.rss", "no entries: not an RSS or Atom feed"),
        ("export.jsonl", b'{"title": "no text"}\n', "no valid line"),
        ("page.html", b"<html>\x00\x01</html>", "binary"),
    ],
)
def test_a_bad_file_refuses_the_whole_batch(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = _upload(tmp_path, "good.txt", ARTICLE.encode())
    with pytest.raises(CorpusError, match=message):
        add_uploads([good, _upload(tmp_path, name, data)], corpus, max_mb=1)
    assert list(corpus.iterdir()) == []


def test_two_uploads_with_one_name_are_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    uploads = [_upload(tmp_path, "a/x.txt", ARTICLE.encode()), _upload(tmp_path, "b/x.txt", ARTICLE.encode())]
    with pytest.raises(CorpusError, match=r"share the name x\.txt"):
        add_uploads(uploads, corpus, max_mb=10)
    assert list(corpus.iterdir()) == []


def test_removing_moves_the_file_out_of_the_corpus_and_keeps_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE)
    kept = remove_article("a.txt", corpus, tmp_path / "removed")
    assert not (corpus / "a.txt").exists() and kept.read_text() == ARTICLE
    with pytest.raises(CorpusError, match="no file named"):
        remove_article("a.txt", corpus, tmp_path / "removed")


def test_a_windows_1252_article_is_accepted_as_ingest_would_read_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "Council vote\n\nMayor Renée Núñez said the council’s “budget” passed — narrowly — on Monday.\n" * 3
    written = add_uploads([_upload(tmp_path, "vote.txt", text.encode("cp1252"))], corpus, max_mb=1)
    assert [p.name for p in written] == ["vote.txt"] and written[0].read_bytes() == text.encode("cp1252")


def test_pages_feeds_and_json_lines_can_be_uploaded(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    formats = Path(__file__).resolve().parent / "fixtures" / "formats"
    names = ["harbour-bridge.html", "regional.rss", "science.atom", "export.jsonl"]
    uploads = [_upload(tmp_path, name, (formats / name).read_bytes()) for name in names]
    written = add_uploads(uploads, corpus, max_mb=1)
    assert sorted(p.name for p in written) == sorted(names)
