"""Add files and folders to the index: embed what is new or changed, drop what is gone from them.

``ingest`` adds what it is given to what is indexed (like ``llamaindex-cli rag --files`` or PrivateGPT's
ingest): a folder named today leaves the articles of another folder alone. A file that disappeared
leaves the index only when its folder is scanned again; ``remove`` takes articles out by id or path.

Crash safety comes from the order of writes. Before an article's chunks change, the ledger marks it
incomplete; only after all its chunks are written is it marked complete with its new hash. An ingest
that was killed leaves at worst an incomplete mark, which the next ingest treats as "changed" and
redoes. Chunk ids derive from content, so redoing writes the same records again, never duplicates.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.errors import CorpusError, IndexBusyError, IndexCorruptError, IndexMissingError
from rag.index.embedding import Embedder, load_embedder
from rag.index.faults import named_faults
from rag.index.lexical import ChunkTerms, LexicalIndex
from rag.index.store import ArticleRecord, Store
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import SUFFIXES, Corpus, Skipped, load_corpus
from rag.ingestion.formats import ENTRY_SEPARATOR
from rag.language import Reader
from rag.schema import Article, Chunk

_BATCH = 32  # chunks per forward pass and per write: sentence-transformers' default batch size
Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed in all)
_Plan = tuple[Article, list[Chunk], set[str], list[Chunk]]  # article, its chunks, ids indexed now, ids to embed


@dataclass(frozen=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    chunks_embedded: int = 0
    skipped: tuple[Skipped, ...] = field(default=())
    warnings: tuple[Skipped, ...] = field(default=())  # indexed, with a caveat (not UTF-8: read as Windows-1252, …)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @property
    def indexed(self) -> int:
        """How many articles of the corpus the index now holds."""
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged; {self.chunks_embedded} chunks embedded"
            + (f"; {len(self.skipped)} files skipped" if self.skipped else "")
        )


def ingest(
    settings: Settings,
    sources: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    wait: bool = False,
) -> IngestReport:
    """Index ``sources`` (files or folders; default ``settings.corpus``) in addition to what is indexed.

    New and changed articles are embedded; an indexed file that is gone from a folder named here leaves
    the index. ``rebuild`` empties the index first; without ``sources`` it then indexes the default corpus
    and again every file and folder the old index's articles came from, so no article added from
    elsewhere is lost.

    >>> ingest(Settings.from_env()).summary()  # doctest: +SKIP
    '0 added, 0 updated, 0 removed, 5 unchanged; 0 chunks embedded'
    """
    again = rebuild and not sources
    if again:
        sources = _indexed_sources(settings)
    named = [Path(source).absolute() for source in (sources or [settings.corpus])]
    corpus, origin = _load_sources(named, max_file_bytes=settings.max_file_mb * 2**20, first_wins=again)
    with _exclusive(settings, wait=wait):
        if rebuild:
            Store.destroy(settings)
            _remove_lexical(settings.home)
        store = Store.open(settings, create=True)
        if not store.exists:  # a new database: a keyword index left from an older one does not belong to it
            _remove_lexical(settings.home)
        return _sync(settings, store, corpus, origin, named, progress)


def _indexed_sources(settings: Settings) -> list[Path]:
    """For a rebuild: the default corpus (as a plain ``rag ingest`` adds it to what is indexed; first, so it
    wins a clash of file names), then the files and folders the index's articles came from that still exist."""
    try:
        ledger = Store.open(settings, check=False).ledger()
    except (IndexMissingError, IndexCorruptError):  # nothing readable to keep
        ledger = {}
    named = {record.ingested_from for record in ledger.values() if record.ingested_from}
    corpus = settings.corpus.absolute()
    sources = [corpus] if corpus.exists() else []
    sources += [Path(source) for source in sorted(named) if Path(source).exists()]
    return list(dict.fromkeys(sources)) or [corpus]


def remove(settings: Settings, targets: Sequence[str], *, wait: bool = False) -> IngestReport:
    """Take articles out of the index: each target is an article id or an indexed file or folder.

    The files themselves are not touched. Every target must match something, or nothing is removed.
    """
    if not targets:
        raise CorpusError("name the articles to remove: an article id, or a file or folder `rag status` lists")
    store = Store.open(settings)
    with _exclusive(settings, wait=wait):
        ledger = store.ledger()
        chosen: set[str] = set()
        for target in targets:
            matches = _matching(ledger, target)
            if not matches:
                raise CorpusError(
                    f"nothing indexed is {target!r}; name an article id or a file or folder that `rag status` lists"
                )
            chosen |= matches
        store.bump_generation()
        sentences = []
        for article_id in sorted(chosen):
            sentences += [s.text for p in store.get(store.chunk_ids(article_id)).values() for s in p.sentences]
            store.delete_article(article_id)
            store.forget(article_id)
        Reader(settings.home).forget(sentences)
        _refresh_lexical(settings, store, store.bump_generation())
    return IngestReport(removed=tuple(sorted(chosen)))


def _matching(ledger: Mapping[str, ArticleRecord], target: str) -> set[str]:
    """The indexed articles ``target`` names: by id, by the file name of a feed or JSON Lines file (all its
    articles, ``news.jsonl#1``, ``news.jsonl#2``, …), or by a path that is their file or a folder above it."""
    if target in ledger:
        return {target}
    path = Path(target).absolute()
    return {
        article_id
        for article_id, record in ledger.items()
        if record.path
        and (
            Path(record.path) == path
            or path in Path(record.path).parents
            or (Path(record.path).name == target and article_id.startswith(f"{target}{ENTRY_SEPARATOR}"))
        )
    }


def _sync(
    settings: Settings,
    store: Store,
    corpus: Corpus,
    origin: Mapping[str, Path],
    named: Sequence[Path],
    progress: Progress | None,
) -> IngestReport:
    ledger = store.ledger()
    current = {a.article_id: a for a in corpus.articles}
    _refuse_name_clashes(current, ledger)
    records = {a.article_id: _record(a, origin[a.article_id]) for a in corpus.articles}
    # An article is unchanged when its text is, and so is the date inferred for it: a new article can
    # date an old one ("Monday's meeting"), and then only its labels are rewritten, nothing re-embedded.
    unchanged = sorted(
        i
        for i, a in current.items()
        if i in ledger
        and ledger[i].complete
        and ledger[i].content_hash == a.content_hash
        and (ledger[i].published, ledger[i].published_inferred) == (a.published, a.published_inferred)
        and (ledger[i].path, ledger[i].ingested_from) == (records[i].path, records[i].ingested_from)
    )
    todo = [a for i, a in sorted(current.items()) if i not in unchanged]
    # Only a folder scanned now can say a file of it is gone; articles of other sources stay.
    gone = sorted(i for i, r in ledger.items() if i not in current and _scanned(r, named))
    if not todo and not gone:
        _refresh_lexical(settings, store, store.generation())
        return IngestReport(unchanged=tuple(unchanged), skipped=corpus.skipped, warnings=corpus.warnings)

    splitter = make_splitter(settings.chunk_tokens, settings.chunk_overlap)
    planned: list[_Plan] = []
    for article in todo:
        chunks = chunk_article(article, splitter)
        indexed = set(store.chunk_ids(article.article_id))
        planned.append((article, chunks, indexed, [c for c in chunks if c.id not in indexed]))
    total = sum(len(fresh) for *_, fresh in planned)
    embedder: Embedder | None = None
    if total:
        embedder = load_embedder(settings)
        store.create(embedder.dimension, embedder.backend)
        store.check_embedder(embedder.dimension, embedder.backend)
    if not store.exists:  # only removals or re-labels, and nothing was ever indexed
        return IngestReport(
            removed=tuple(gone), unchanged=tuple(unchanged), skipped=corpus.skipped, warnings=corpus.warnings
        )

    store.bump_generation()  # from here on, derived indexes built before this ingest are stale
    # Every changed article is marked incomplete before any chunk is written and complete after all
    # are: a killed ingest redoes them all, and content-hash ids make the redo skip what was written.
    # Writing in few large calls, and embedding full batches across articles, keeps ingest close to
    # the model's own speed (each Chroma call commits).
    store.record_many([replace(records[article.article_id], complete=False, chunks=0) for article, *_ in planned])
    for _, chunks, indexed, _ in planned:
        store.delete_chunks(sorted(indexed - {c.id for c in chunks}))
    pending = [chunk for *_, fresh in planned for chunk in fresh]
    done = 0
    if pending:
        assert embedder is not None
        # Each batch is written while the next one is embedded: Chroma's commits and the model then share
        # the cores instead of taking turns. One write in flight at most, so memory stays one batch.
        with ThreadPoolExecutor(max_workers=1) as writer:
            writing: Future[int] | None = None
            for batch, vectors, sentence_vectors in embedder.embed_stream(pending, _BATCH):
                if writing is not None:
                    done += writing.result()
                    if progress:
                        progress(done, total)
                writing = writer.submit(_write, store, batch, records, vectors, sentence_vectors)
            if writing is not None:
                done += writing.result()
                if progress:
                    progress(done, total)
    for article, chunks, indexed, _ in planned:
        store.relabel([c for c in chunks if c.id in indexed], records[article.article_id])
    store.record_many([replace(records[article.article_id], chunks=len(chunks)) for article, chunks, *_ in planned])
    for article_id in gone:
        store.delete_article(article_id)
        store.forget(article_id)
    generation = store.bump_generation()
    _refresh_lexical(settings, store, generation)
    added = tuple(a.article_id for a in todo if a.article_id not in ledger)
    return IngestReport(
        added=added,
        updated=tuple(a.article_id for a in todo if a.article_id in ledger),
        removed=tuple(gone),
        unchanged=tuple(unchanged),
        chunks_embedded=done,
        skipped=corpus.skipped,
        warnings=corpus.warnings,
    )


def _write(
    store: Store,
    chunks: list[Chunk],
    records: dict[str, ArticleRecord],
    vectors: np.ndarray,
    sentence_vectors: list[np.ndarray],
) -> int:
    store.add(chunks, records, vectors, sentence_vectors)
    return len(chunks)


def lexical_index(settings: Settings, store: Store, generation: str) -> LexicalIndex:
    """The keyword index for the store as it is now: the saved one; else the terms saved with the last
    one, updated by what changed since; else built from every chunk's text."""
    saved = LexicalIndex.load(settings.home, generation)
    if saved is not None:
        return saved
    previous = ChunkTerms.load(settings.home)
    if previous is None:  # none saved yet, or damaged, or from an older tokenisation
        # A page at a time: the texts of a large index are never all in memory at once.
        return LexicalIndex.build(generation, ChunkTerms.read(store.iter_texts()))
    # Only the new chunks are read and stemmed; chunk ids derive from text, so a known id needs nothing.
    current = store.all_chunk_ids()
    added = sorted(current.difference(previous.chunk_ids))
    return LexicalIndex.build(generation, previous.updated(current, store.texts(added)))


def _refresh_lexical(settings: Settings, store: Store, generation: str) -> None:
    with named_faults(settings):  # a full disk or a read-only folder, said as such
        if LexicalIndex.load(settings.home, generation) is None and store.exists:
            lexical_index(settings, store, generation).save(settings.home)


def _scanned(record: ArticleRecord, named: Sequence[Path]) -> bool:
    """Whether this run read the folder (or file) ``record`` came from, so its absence means it is gone."""
    if not record.path:
        return False
    path = Path(record.path)
    return any(path == source or source in path.parents for source in named)


def _refuse_name_clashes(current: Mapping[str, Article], ledger: Mapping[str, ArticleRecord]) -> None:
    """An article id is its file name: a second file of that name elsewhere must not replace the first."""
    for article_id, article in current.items():
        record = ledger.get(article_id)
        if record and record.path and record.path != article.path and Path(record.path).exists():
            raise CorpusError(
                f"{article.path} has the same file name as the indexed {record.path} (article ids are file "
                f"names); rename one, or take the indexed one out first with `rag remove {record.path}`"
            )


def _record(article: Article, source: Path) -> ArticleRecord:
    """The ledger line of a finished article (its chunk count is filled in once they are written)."""
    return ArticleRecord(
        article.origin, content_hash=article.content_hash, complete=True, path=article.path, ingested_from=str(source)
    )


def _load_sources(
    sources: Sequence[Path], *, max_file_bytes: int, first_wins: bool = False
) -> tuple[Corpus, dict[str, Path]]:
    """The articles of every source, and for each article id the source (file or folder) it came from.

    Two files of one name are refused, unless ``first_wins`` (a rebuild from the sources an index was made
    of, where another machine's folder may share this one's names): then the later is skipped, and said.
    """
    articles: dict[str, Article] = {}
    skipped: list[Skipped] = []
    warnings: list[Skipped] = []
    origin: dict[str, Path] = {}
    for source in sources:
        if not source.exists() and not source.is_symlink():
            raise CorpusError(f"{source} does not exist; name a file or folder of articles ({', '.join(SUFFIXES)})")
        loaded = load_corpus(source, max_file_bytes=max_file_bytes)
        for article in loaded.articles:
            first = articles.setdefault(article.article_id, article)
            origin.setdefault(article.article_id, source)
            if first.path != article.path and first_wins:
                skipped.append(Skipped(str(article.path), f"{article.article_id} is indexed from {first.path}"))
            elif first.path != article.path:
                raise CorpusError(
                    f"{first.path} and {article.path} share the file name {article.article_id} (article ids are file "
                    "names); rename one"
                )
        skipped += loaded.skipped
        warnings += loaded.warnings
    if not articles and not skipped:
        raise CorpusError(f"no {', '.join(SUFFIXES)} files in {', '.join(str(s) for s in sources)}")
    return Corpus(tuple(articles.values()), tuple(skipped), tuple(warnings)), origin


@contextmanager
def _exclusive(settings: Settings, *, wait: bool) -> Iterator[None]:
    """One writer per index, across processes (an advisory lock on a file in the index folder)."""
    home = settings.home
    with named_faults(settings):
        home.mkdir(parents=True, exist_ok=True)
        handle = open(home / "ingest.lock", "a+")  # noqa: SIM115 (closed below, after the lock is released)
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexBusyError(
                f"another ingest ({holder}) is writing to {home}; wait for it to finish and run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_lexical(home: Path) -> None:
    for leftover in home.glob("bm25*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
