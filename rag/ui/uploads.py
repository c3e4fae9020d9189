"""Files handed in through the browser: checked, renamed safely, copied into the corpus folder.

An upload's name is untrusted: ``../../etc/x.txt``, ``/abs/path.md`` or control characters must not
decide where a file lands. Only the last path component survives, reduced to a plain character set,
and the destination is checked to sit directly inside the corpus folder. A batch is checked whole
before anything is written, so a bad file changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag import CorpusError
from rag.ingestion.corpus import READERS, SUFFIXES, parse_article, read_file
from rag.ingestion.encoding import decode_text

_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Upload:
    """A file the browser sent: where the server keeps it and the name the user gave it."""

    path: Path
    name: str


def safe_name(name: str) -> str:
    """A file name that can only mean a file directly inside the corpus folder.

    >>> safe_name("../../etc/passwd.txt")
    'passwd.txt'
    >>> safe_name("C:\\\\temp\\\\Report <1>.MD")
    'Report _1.md'
    """
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUFFIXES:
        raise CorpusError(f"{name!r}: only {', '.join(SUFFIXES)} files can be added")
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:100]
    if not stem:
        raise CorpusError(f"{name!r}: the file name has no usable characters; rename it")
    return f"{stem}.{suffix.lower()}"


def add_uploads(uploads: Sequence[Upload], corpus: Path, *, max_mb: float) -> list[Path]:
    """Copy ``uploads`` into ``corpus`` after checking all of them; returns the written paths.

    Raises ``CorpusError`` naming the first bad file (wrong type, too large, binary or not text in a known
    encoding, empty, a name twice in the batch); nothing is written then.
    """
    if not uploads:
        raise CorpusError("no files were uploaded")
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder {corpus} does not exist (set RAG_CORPUS)")
    folder = corpus.resolve()
    planned: list[tuple[Path, Path]] = []
    for upload in uploads:
        name = safe_name(upload.name)
        size = upload.path.stat().st_size
        if size > max_mb * 1024 * 1024:
            raise CorpusError(f"{upload.name!r} is {size / 1024 / 1024:.1f} MB; the limit is {max_mb:g} MB")
        raw = upload.path.read_bytes()
        if Path(name).suffix in READERS:  # a page, feed or JSON Lines file: its reader must find an article
            _check_format(upload.name, name, raw)
        else:
            # The same decision ingest makes (a Windows-1252 article is read as one; binary or noise is not
            # text), so what is accepted here is what the next ingest indexes.
            decoded = decode_text(raw)
            if isinstance(decoded, str):
                raise CorpusError(f"{upload.name!r}: {decoded}; save the article as UTF-8 text and upload it again")
            if not parse_article(name, name, decoded.text, "").text:
                raise CorpusError(f"{upload.name!r} has no readable article text")
        target = folder / name
        if target.parent != folder or any(t == target for _, t in planned):
            raise CorpusError(f"{upload.name!r}: two uploads would share the name {name}; rename one")
        planned.append((upload.path, target))
    written = []
    for source, target in planned:
        # Written beside the target, then renamed over it: a reader never sees half a file, and a
        # symlink already at the target is replaced, not followed.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
        with os.fdopen(handle, "wb") as out, open(source, "rb") as data:
            shutil.copyfileobj(data, out)
        os.replace(temporary, target)
        written.append(target)
    return written


def _check_format(given: str, name: str, raw: bytes) -> None:
    """Refuse a page, feed or JSON Lines upload in which its reader finds no article, saying why."""
    if b"\x00" in raw:
        raise CorpusError(f"{given!r} is binary (NUL bytes), not a {Path(name).suffix} file")
    found = read_file(Path(name), raw)
    if not found.articles:
        raise CorpusError(f"{given!r} has no readable article: {found.skipped[0].reason}")


def remove_article(article_id: str, corpus: Path, trash: Path) -> Path:
    """Move the article file ``article_id`` out of ``corpus`` into ``trash`` (kept, not deleted)."""
    folder = corpus.resolve()
    matches = [p for p in folder.rglob("*") if p.name == article_id and p.is_file() and not p.is_symlink()]
    if not matches:
        raise CorpusError(f"no file named {article_id!r} in {corpus}; it may have been removed already")
    source = matches[0]
    if folder not in source.resolve().parents:
        raise CorpusError(f"{article_id!r} is outside the corpus folder; remove it by hand")
    trash.mkdir(parents=True, exist_ok=True)
    target = trash / source.name
    if target.exists():
        target = trash / f"{source.stem}.{os.getpid()}-{len(list(trash.iterdir()))}{source.suffix}"
    shutil.move(str(source), target)
    return target
