"""The vector store: the only module that talks to Chroma.

Three collections live in one Chroma database (or on a Chroma server), their names led by the index's
``RAG_COLLECTION`` prefix so that one server can hold several projects:
- ``chunks``: one record per chunk (its embedding, text and article facts);
- ``sentences``: one vector per sentence of each chunk, for picking the sentence that answers;
- ``articles``: the ledger of indexed articles, written before and after each article's chunks,
  so an ingest that was killed can tell what it had finished.
The ``chunks`` collection's metadata describes the index (model, its backend, dimension, chunker settings) and
holds a generation number that every write bumps, so derived data (BM25) knows when it is stale.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.index.faults import diagnose, is_fault, named_faults
from rag.schema import Chunk, Passage, Source, Sourced, Span

# Raised when what is stored per chunk changes meaning, so that an older index asks to be rebuilt rather
# than answer from stale data: 2 = sentence bounds that neither end at a title ("Gov.", "Sgt.") nor start
# with a dateline ("WASHINGTON (CNN) --"); 3 = unfenced ``title:``/``date:`` lines atop a file are its
# metadata, not its first paragraph; 4 = each article's date basis (metadata, byline, date line, inferred)
# and URL.
SCHEMA_VERSION = 4
# How widely the chunks' approximate (HNSW) search looks, stated rather than left to Chroma's default: wider
# finds more of the exact nearest chunks but, with the weights fitted on this one, answers fewer questions
# (experiments/hnsw_recall.py re-derives it; docs/evaluation.md).
SEARCH_EF = 100
_COLLECTIONS = ("chunks", "sentences", "articles")


def index_signature(settings: Settings) -> dict[str, Any]:
    """What must match between the index on disk and the settings that read it."""
    return {
        "embed_model": settings.embed_model,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "tokenizer": "cl100k_base",
        "schema": SCHEMA_VERSION,
    }


@dataclass(frozen=True)
class ArticleRecord(Sourced):
    """The ledger's line for one article; ``complete`` is False while its chunks are being written."""

    origin: Source
    content_hash: str
    complete: bool
    chunks: int = 0
    path: str | None = None  # the article's file (absolute); None in indexes made before paths were kept
    ingested_from: str | None = None  # the file or folder named to `rag ingest` that brought it in

    def metadata(self) -> dict[str, Any]:
        where = {"path": self.path, "ingested_from": self.ingested_from}
        return {
            **self.origin.metadata(),
            "content_hash": self.content_hash,
            "complete": self.complete,
            "chunks": self.chunks,
            **{k: v for k, v in where.items() if v is not None},
        }

    @classmethod
    def from_metadata(cls, article_id: str, metadata: Mapping[str, Any]) -> ArticleRecord:
        origin = Source.from_metadata(article_id, metadata)
        return cls(
            origin,
            metadata["content_hash"],
            bool(metadata["complete"]),
            int(metadata.get("chunks", 0)),
            path=metadata.get("path"),
            ingested_from=metadata.get("ingested_from"),
        )


_F = TypeVar("_F", bound=Callable[..., Any])


def _guarded(method: _F) -> _F:
    """Turn storage errors inside a ``Store`` method into the one-line error that names their cause."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with named_faults(self._settings):
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def collection_names(settings: Settings) -> tuple[str, str, str]:
    """The names of this index's chunks, sentences and articles collections (``RAG_COLLECTION``)."""
    prefix = settings.collection_prefix()
    chunks, sentences, articles = (f"{prefix}{name}" for name in _COLLECTIONS)
    return chunks, sentences, articles


def _damaged(settings: Settings, error: Exception) -> IndexCorruptError:
    detail = " ".join(str(error).split())[:200] or error.__class__.__name__
    return IndexCorruptError(
        f"the index in {settings.home} is damaged ({detail}); run `rag ingest --rebuild` to rebuild it"
    )


def _client(settings: Settings) -> chromadb.api.ClientAPI:
    """The local database in ``home``, or a Chroma server when ``RAG_CHROMA_URL`` / ``RAG_CHROMA_HOST`` is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    server = settings.chroma_server()
    path = str(settings.home / "chroma")
    try:
        if server is not None:
            host, port, ssl = server
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        return chromadb.PersistentClient(path=path, settings=chroma_settings)
    except Exception as error:
        if not is_fault(settings, error):
            raise
        # Chroma caches its per-folder system before starting it; a failed start must not stay cached,
        # or the folder could not be opened again in this process even after a rebuild.
        SharedSystemClient._identifier_to_system.pop(path, None)
        raise diagnose(settings, error) from None


class Store:
    """An open index. ``Store.open`` checks it was built with the same settings."""

    def __init__(self, settings: Settings, client: Any, chunks: Any | None) -> None:
        self._settings = settings
        self._client = client
        self._signature = index_signature(settings)
        self._names = collection_names(settings)
        self._chunks = chunks
        self._sentences = self._articles = None
        if chunks is not None:
            with named_faults(settings):
                try:
                    self._sentences = client.get_collection(self._names[1], embedding_function=None)
                    self._articles = client.get_collection(self._names[2], embedding_function=None)
                except NotFoundError as error:  # chunks without its companions: a partly deleted index
                    raise _damaged(settings, error) from error

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False, check: bool = True) -> Store:
        """Open the index; with ``create`` an absent one is fine (it is made on the first write). Without
        ``check`` an index built with other settings opens too, to be read before it is rebuilt."""
        if not create and settings.chroma_server() is None and not (settings.home / "chroma").exists():
            raise IndexMissingError(f"no index in {settings.home}: run `rag ingest` first")
        client = _client(settings)
        with named_faults(settings):
            try:
                chunks = client.get_collection(collection_names(settings)[0], embedding_function=None)
            except NotFoundError:
                if not create:
                    raise IndexMissingError(f"no index in {settings.home}: run `rag ingest` first") from None
                return cls(settings, client, None)
        if check:
            _check_signature(dict(chunks.metadata or {}), index_signature(settings), settings)
        return cls(settings, client, chunks)

    @classmethod
    def destroy(cls, settings: Settings) -> None:
        """Delete this index's collections (for ``rag ingest --rebuild``), whatever its settings; on a
        shared server, those of other projects (other ``RAG_COLLECTION`` names) are left alone.

        A local database too damaged to open is removed with its folder instead.
        """
        try:
            client = _client(settings)
        except IndexCorruptError:
            if settings.chroma_server() is not None:
                raise
            shutil.rmtree(settings.home / "chroma", ignore_errors=True)
            return
        with named_faults(settings):
            for name in collection_names(settings):
                with contextlib.suppress(NotFoundError):
                    client.delete_collection(name)

    def check_embedder(self, dimension: int, backend: str) -> None:
        """Refuse to mix vectors: the model must make vectors of the index's size, by the index's backend."""
        if self._chunks is None:
            return
        if self.dimension != dimension:
            raise IndexMismatchError(
                f"the index holds {self.dimension}-dimensional vectors but the model makes {dimension}; "
                "run `rag ingest --rebuild`"
            )
        # Indexes from before the backend was recorded were all embedded by torch.
        found = self._chunks.metadata.get("embed_backend", "torch")
        if found != backend:
            raise IndexMismatchError(
                f"the index in {self._settings.home} was built with other settings: embed_backend {found!r} "
                f"(index) vs {backend!r} (settings); set RAG_EMBED_BACKEND={found} to read it as it is, or run "
                "`rag ingest --rebuild` to rebuild it with the current ones"
            )

    # -- description -------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self._chunks is not None

    @property
    def dimension(self) -> int | None:
        return int(self._chunks.metadata["dimension"]) if self._chunks is not None else None

    @_guarded
    def generation(self) -> str:
        """Changed by every write; re-read from the database so other processes' (and machines') writes show.

        The collection's id is part of it: an index rebuilt elsewhere restarts its counter, and a
        keyword index saved for the old one must not match the new one.
        """
        if self._chunks is None:
            return "0"
        current = self._client.get_collection(self._names[0], embedding_function=None)
        return f"{current.id}.{int(current.metadata['generation'])}"

    @_guarded
    def is_current(self) -> bool:
        """False when the index on disk was rebuilt or deleted since this store was opened: open it again."""
        if self._chunks is None:
            return True
        try:
            return self._client.get_collection(self._names[0], embedding_function=None).id == self._chunks.id
        except NotFoundError:
            return False

    @_guarded
    def bump_generation(self) -> str:
        assert self._chunks is not None
        current = self._client.get_collection(self._names[0], embedding_function=None)
        metadata = dict(current.metadata)
        metadata["generation"] = int(metadata["generation"]) + 1
        self._chunks.modify(metadata=metadata)
        return f"{current.id}.{metadata['generation']}"

    @_guarded
    def count(self) -> int:
        return self._chunks.count() if self._chunks is not None else 0

    @_guarded
    def create(self, dimension: int, backend: str) -> None:
        """Make the three collections for vectors of ``dimension`` made by ``backend`` (first write only)."""
        if self._chunks is not None:
            return
        metadata = {**self._signature, "dimension": dimension, "embed_backend": backend, "generation": 0}
        space = {"hnsw": {"space": "cosine"}}
        self._chunks = self._client.get_or_create_collection(
            self._names[0],
            metadata=metadata,
            configuration={"hnsw": {**space["hnsw"], "ef_search": SEARCH_EF}},
            embedding_function=None,
        )
        self._sentences = self._client.get_or_create_collection(  # read by id only, never searched
            self._names[1], configuration=space, embedding_function=None
        )
        self._articles = self._client.get_or_create_collection(self._names[2], embedding_function=None)

    # -- the article ledger -------------------------------------------------------------------

    @_guarded
    def ledger(self) -> dict[str, ArticleRecord]:
        if self._articles is None:
            return {}
        rows = self._articles.get(include=["metadatas"])
        return {
            row_id: ArticleRecord.from_metadata(row_id, meta)
            for row_id, meta in zip(rows["ids"], rows["metadatas"], strict=True)
        }

    @_guarded
    def record(self, record: ArticleRecord) -> None:
        self.record_many([record])

    @_guarded
    def record_many(self, records: Sequence[ArticleRecord]) -> None:
        """Write ledger lines in one call (Chroma applies a call's records together)."""
        assert self._articles is not None
        if not records:
            return
        # Chroma keeps records only with a vector; the ledger needs none, so each carries a constant one.
        metadatas = [r.metadata() for r in records]
        self._articles.upsert(
            ids=[r.article_id for r in records], embeddings=[[1.0]] * len(records), metadatas=metadatas
        )

    @_guarded
    def forget(self, article_id: str) -> None:
        assert self._articles is not None
        self._articles.delete(ids=[article_id])

    # -- chunks ---------------------------------------------------------------------------------

    @_guarded
    def chunk_ids(self, article_id: str) -> list[str]:
        if self._chunks is None:
            return []
        return list(self._chunks.get(where={"article_id": article_id}, include=[])["ids"])

    @_guarded
    def add(
        self,
        chunks: Sequence[Chunk],
        records: Mapping[str, ArticleRecord],
        vectors: np.ndarray,
        sentence_vectors: Sequence[np.ndarray],
    ) -> None:
        """Write chunks (and their sentence vectors) in batches Chroma accepts; ``records`` by article id."""
        assert self._chunks is not None and self._sentences is not None
        batch = self._client.get_max_batch_size()
        # Sentences first: a chunk on record then always has its sentences, so an ingest killed between the
        # two writes redoes the chunk (it is not on record) instead of keeping it without them.
        sentence_rows = [
            (f"{c.id}#{j}", vector, c.id, c.article_id)
            for c, vectors_of_chunk in zip(chunks, sentence_vectors, strict=True)
            for j, vector in enumerate(vectors_of_chunk)
        ]
        for i in range(0, len(sentence_rows), batch):
            part_rows = sentence_rows[i : i + batch]
            self._sentences.upsert(
                ids=[r[0] for r in part_rows],
                embeddings=np.stack([r[1] for r in part_rows]),
                metadatas=[{"chunk_id": r[2], "article_id": r[3]} for r in part_rows],
            )
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c, records[c.article_id]) for c in part],
            )

    @_guarded
    def relabel(self, chunks: Sequence[Chunk], record: ArticleRecord) -> None:
        """Refresh offsets and article facts of chunks whose text (so vector) did not change."""
        assert self._chunks is not None
        batch = self._client.get_max_batch_size()
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self._chunks.update(ids=[c.id for c in part], metadatas=[_chunk_metadata(c, record) for c in part])

    @_guarded
    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        if not chunk_ids or self._chunks is None or self._sentences is None:
            return
        self._chunks.delete(ids=list(chunk_ids))
        self._sentences.delete(where={"chunk_id": {"$in": list(chunk_ids)}})

    @_guarded
    def delete_article(self, article_id: str) -> None:
        if self._chunks is None or self._sentences is None:
            return
        self._chunks.delete(where={"article_id": article_id})
        self._sentences.delete(where={"article_id": article_id})

    # -- reading --------------------------------------------------------------------------------

    @_guarded
    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity, best first."""
        # No count() first: Chroma returns fewer than ``k`` when it holds fewer, and the count cost a
        # database round trip per question (docs/performance.md).
        if self._chunks is None or k < 1:
            return []
        result = self._chunks.query(query_embeddings=[vector], n_results=k, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    @_guarded
    def get(self, chunk_ids: Sequence[str]) -> dict[str, Passage]:
        """The chunks that still exist among ``chunk_ids`` (one may have gone in a concurrent ingest)."""
        if self._chunks is None or not chunk_ids:
            return {}
        rows = self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        return {
            i: _passage(i, text, meta)
            for i, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
        }

    @_guarded
    def sentence_vectors(self, sentence_counts: Mapping[str, int]) -> dict[str, np.ndarray]:
        """For each chunk id (with its number of sentences), its sentence vectors in sentence order;
        a chunk without all of them is left out."""
        if self._sentences is None or not sentence_counts:
            return {}
        keys = {chunk_id: [f"{chunk_id}#{j}" for j in range(n)] for chunk_id, n in sentence_counts.items()}
        rows = self._sentences.get(ids=[k for ks in keys.values() for k in ks], include=["embeddings"])
        found = dict(zip(rows["ids"], rows["embeddings"], strict=True))
        return {
            chunk_id: np.asarray([found[k] for k in ks], dtype=np.float32)
            for chunk_id, ks in keys.items()
            if ks and all(k in found for k in ks)
        }

    def iter_chunks(self, page: int = 1000) -> Iterator[Passage]:
        """Every chunk with its sentences and article facts, a page at a time (for the timeline)."""
        if self._chunks is None:
            return
        offset = 0
        while True:
            with named_faults(self._settings):
                rows = self._chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not rows["ids"]:
                return
            for i, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True):
                yield _passage(i, text, meta)
            offset += len(rows["ids"])

    def iter_texts(self, page: int = 5000) -> Iterator[tuple[list[str], list[str]]]:
        """All chunk ids and searchable texts (``_searchable``), a page at a time (for rebuilding the
        keyword index)."""
        if self._chunks is None:
            return
        offset = 0
        while True:
            with named_faults(self._settings):
                rows = self._chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not rows["ids"]:
                return
            yield list(rows["ids"]), _searchable(rows)
            offset += len(rows["ids"])

    def texts(self, chunk_ids: Sequence[str], page: int = 5000) -> Iterator[tuple[list[str], list[str]]]:
        """The ids and searchable texts of those of ``chunk_ids`` that exist, a page at a time."""
        if self._chunks is None:
            return
        for first in range(0, len(chunk_ids), page):
            with named_faults(self._settings):
                rows = self._chunks.get(ids=list(chunk_ids[first : first + page]), include=["documents", "metadatas"])
            yield list(rows["ids"]), _searchable(rows)

    @_guarded
    def all_chunk_ids(self, page: int = 50_000) -> set[str]:
        """The id of every chunk (no text: for updating the keyword index by what changed)."""
        found: set[str] = set()
        offset = 0
        while self._chunks is not None:
            rows = self._chunks.get(include=[], limit=page, offset=offset)
            if not rows["ids"]:
                break
            found.update(rows["ids"])
            offset += len(rows["ids"])
        return found


def _check_signature(found: Mapping[str, Any], expected: Mapping[str, Any], settings: Settings) -> None:
    differences = [
        f"{key} {found.get(key)!r} (index) vs {expected[key]!r} ({'this version' if key == 'schema' else 'settings'})"
        for key in expected
        if found.get(key) != expected[key]
    ]
    if differences:
        raise IndexMismatchError(
            f"the index in {settings.home} was built with other settings: {'; '.join(differences)}; "
            "run `rag ingest --rebuild` to rebuild it with the current ones"
        )


def _chunk_metadata(chunk: Chunk, record: ArticleRecord) -> dict[str, Any]:
    local = [
        [a, b, sentence.start, sentence.end]
        for (a, b), sentence in zip(chunk.sentence_bounds(), chunk.sentences, strict=True)
    ]
    metadata = {
        "article_id": chunk.article_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "token_count": chunk.token_count,
        "sentences": json.dumps(local),
        "preceding": json.dumps([p.text, p.start, p.end]) if (p := chunk.preceding) else None,
        **record.origin.metadata(),
    }
    return {k: v for k, v in metadata.items() if v is not None}


def _searchable(rows: Mapping[str, Any]) -> list[str]:
    """Each chunk's text under its article's title: a headline names what its article is about ("Italy
    wins Euro 2020" over "Italy beat England on penalties …"), so a question may name what only it says."""
    return [
        f"{meta['title']}\n{text}" if meta.get("title") else text
        for text, meta in zip(rows["documents"], rows["metadatas"], strict=True)
    ]


def _passage(chunk_id: str, text: str, meta: Mapping[str, Any]) -> Passage:
    sentences = tuple(Span(text[a:b], start, end) for a, b, start, end in json.loads(meta["sentences"]))
    return Passage(
        chunk_id=chunk_id,
        origin=Source.from_metadata(str(meta["article_id"]), meta),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        sentences=sentences,
        preceding=Span(*json.loads(meta["preceding"])) if "preceding" in meta else None,
    )
