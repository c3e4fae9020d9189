"""What went wrong under the index, named truly: each fault its own one-line message and next step.

Chroma reports a full disk, a read-only folder and a permission problem with the same exception types
as a damaged file (SQLite's codes inside an ``InternalError``'s text, sometimes a bare compaction
failure). Only a damaged or mismatched index is fixed by `rag ingest --rebuild`, which deletes it; so
every other cause is ruled out first, from the error and then from the folder itself.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from chromadb.errors import ChromaError

from rag.config import Settings
from rag.errors import (
    DiskFullError,
    IndexCorruptError,
    IndexPermissionError,
    RagError,
    ReadOnlyIndexError,
    StoreServerError,
    StoreUnavailableError,
)

# Errors raised by Chroma's local database: its own, SQLite's, or the OS's on a file of the index.
_LOCAL_FAULTS = (ChromaError, sqlite3.Error, OSError)
# And by its HTTP client: ChromaError for the errors it knows, httpx's for the connection, ValueError when
# the first connection fails, and a bare ``Exception`` carrying the reply of an error it does not know.
_SERVER_FAULTS = (ChromaError, httpx.HTTPError, OSError, ValueError)
# Chroma writes segment files of several MB: with less free space than this, a failed write is a full disk.
_NEARLY_FULL_BYTES = 16 * 2**20
_SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = "(code: 8)", "(code: 13)", "(code: 14)"


@contextmanager
def named_faults(settings: Settings) -> Iterator[None]:
    """Inside, a storage error (disk, database, server) becomes the one-line ``RagError`` naming its cause."""
    try:
        yield
    except RagError:
        raise
    except Exception as error:
        if not is_fault(settings, error):
            raise
        raise diagnose(settings, error) from error


def is_fault(settings: Settings, error: BaseException) -> bool:
    """Whether ``error`` came from the index's storage (disk, database, server), not from a bug."""
    if settings.chroma_server() is not None:
        return isinstance(error, _SERVER_FAULTS) or type(error) is Exception
    return isinstance(error, _LOCAL_FAULTS)


def diagnose(settings: Settings, error: BaseException) -> RagError:
    """The one-line error for ``error``, raised while reading or writing the index ``settings`` names."""
    if isinstance(error, RagError):
        return error
    if settings.chroma_server() is not None and not isinstance(error, OSError | sqlite3.Error):
        return _server_fault(settings, error)
    return _local_fault(settings, error)


def _detail(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or error.__class__.__name__


def _server_fault(settings: Settings, error: BaseException) -> RagError:
    host, port, _ = settings.chroma_server() or ("", 0, False)
    if isinstance(error, httpx.TransportError) or "Could not connect to a Chroma server" in str(error):
        return StoreUnavailableError(
            f"cannot reach the Chroma server at {host}:{port} ({_detail(error)}); start it with `chroma run` "
            "or correct RAG_CHROMA_URL / RAG_CHROMA_HOST / RAG_CHROMA_PORT"
        )
    return StoreServerError(
        f"the Chroma server at {host}:{port} answered with an error ({_detail(error)}); "
        "check the server's log and its disk, then run the command again"
    )


def _local_fault(settings: Settings, error: BaseException) -> RagError:
    home = settings.home
    codes = {e.errno for e in _chain(error) if isinstance(e, OSError)}
    text = " ".join(str(e) for e in _chain(error))
    where = next((e.filename for e in _chain(error) if isinstance(e, OSError) and e.filename), None) or home
    if codes & {errno.ENOSPC, errno.EDQUOT} or _SQLITE_FULL in text or "disk is full" in text:
        return _disk_full(home)
    if errno.EROFS in codes or (_read_only_file_system(home) and (codes or _SQLITE_READONLY in text)):
        return _read_only(home)
    if codes & {errno.EACCES, errno.EPERM} or _SQLITE_READONLY in text or "readonly database" in text:
        return _permission(home, where)
    if _SQLITE_CANTOPEN in text and not _accessible(home / "chroma"):
        return _permission(home, home / "chroma")
    # Nothing in the error names its cause: look at the folder before calling the index damaged.
    if _read_only_file_system(home):
        return _read_only(home)
    if not _accessible(home):
        return _permission(home, home)
    if _free_bytes(home) < _NEARLY_FULL_BYTES:
        return _disk_full(home)
    return IndexCorruptError(
        f"the index in {home} is damaged ({_detail(error)}); run `rag ingest --rebuild` to rebuild it"
    )


def _disk_full(home: Path) -> DiskFullError:
    return DiskFullError(
        f"the disk holding {home} is full ({_free_bytes(home) / 2**20:.1f} MB free); free some space and run "
        "the command again (the index is kept: the next `rag ingest` finishes what this one could not)"
    )


def _read_only(home: Path) -> ReadOnlyIndexError:
    return ReadOnlyIndexError(
        f"{home} is on a read-only file system; mount it writable or set RAG_HOME to a writable folder"
    )


def _permission(home: Path, where: object) -> IndexPermissionError:
    return IndexPermissionError(
        f"permission denied on {where}; make {home} readable and writable for this user "
        f"(e.g. `chmod -R u+rwX {home}`) or set RAG_HOME to a folder you own"
    )


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(_existing(path)).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _accessible(path: Path) -> bool:
    path = _existing(path)
    wanted = os.R_OK | os.W_OK | (os.X_OK if path.is_dir() else 0)
    return os.access(path, wanted)


def _free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(_existing(path)).free
    except OSError:
        return 0
