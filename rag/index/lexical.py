"""Keyword search: a BM25 index (bm25s) over the chunks, saved beside the vector index.

The saved index names the store generation it was built from; a reader that finds another generation
rebuilds it, so it can never answer from a corpus that is no longer indexed. Every chunk's terms are
saved with it (``ChunkTerms``): after a change only the chunks that are new need reading and stemming,
and the BM25 matrix is rebuilt from the saved terms, equal bit for bit to one built from every text.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

# Numbers keep their separators (900,000 is one token, 900000); codes such as F-35 split at the
# hyphen, so "F-35s" still shares "35" with "F-35".
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
# NLTK's English stop words as bm25s ships them, and three words news uses everywhere ("also said", "could",
# "would") that name no topic.
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"also", "could", "would"}


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Lower-cased, stop-worded, stemmed terms: the unit of every keyword comparison here.

    >>> terms("Which fighter jets did Chile use?")
    ['fighter', 'jet', 'chile', 'use']
    """
    words = [re.sub(r"(\d)s$", r"\1", w.replace(",", "")) for w in _TOKEN.findall(text.lower())]
    return _stemmer().stemWords([w for w in words if w not in _STOPWORDS])


# Bump when ``terms`` changes, or what is read into it: terms saved by an older reading must not be mixed
# with new ones, nor an index built from them be loaded. 2: a chunk's terms take in its article's title;
# 3: NLTK's stop words (contraction pieces such as "didn" and "ll" are dropped too).
TERMS_VERSION = 3


@dataclass(frozen=True)
class ChunkTerms:
    """Every chunk's terms as ids into one vocabulary, all chunks in one flat array: what BM25 is built from.

    A chunk id derives from the chunk's text (see chunking), so the terms saved for an id stay true in
    every later generation of the index.
    """

    chunk_ids: list[str]
    vocabulary: list[str]
    tokens: np.ndarray  # int32 term ids, the chunks one after another
    lengths: np.ndarray  # int64 number of terms of each chunk

    @classmethod
    def read(cls, pages: Iterable[tuple[Sequence[str], Sequence[str]]], vocabulary: Sequence[str] = ()) -> ChunkTerms:
        """Tokenise pages of (chunk ids, texts), extending ``vocabulary`` (ids of its terms are kept)."""
        index = {term: i for i, term in enumerate(vocabulary)}
        chunk_ids: list[str] = []
        tokens, lengths = [], []
        for page_ids, page_texts in pages:
            # One page at a time becomes arrays: a hundred thousand chunks as lists of Python ints would
            # be the largest part of a big ingest's memory.
            page = [[index.setdefault(term, len(index)) for term in terms(text)] for text in page_texts]
            chunk_ids += page_ids
            tokens.append(np.fromiter(chain.from_iterable(page), np.int32))
            lengths.append(np.fromiter(map(len, page), np.int64, len(page)))
        return cls(chunk_ids, list(index), _joined(tokens, np.int32), _joined(lengths, np.int64))

    def updated(self, current: Collection[str], added: Iterable[tuple[Sequence[str], Sequence[str]]]) -> ChunkTerms:
        """These chunks less those not in ``current``, plus the pages ``added`` (chunks not among these)."""
        new = ChunkTerms.read(added, self.vocabulary)  # the ids of terms known so far are kept, so both mix
        keep = np.fromiter((i in current for i in self.chunk_ids), bool, len(self.chunk_ids))
        return ChunkTerms(
            [i for i, kept in zip(self.chunk_ids, keep, strict=True) if kept] + new.chunk_ids,
            new.vocabulary,
            np.concatenate([self.tokens[np.repeat(keep, self.lengths)], new.tokens]),
            np.concatenate([self.lengths[keep], new.lengths]),
        )

    def canonical(self) -> ChunkTerms:
        """Chunks in id order, and only the terms they use in alphabetical order: the same chunks give the
        same arrays however they were read, so an updated index equals one rebuilt from every text."""
        order = np.array(sorted(range(len(self.chunk_ids)), key=self.chunk_ids.__getitem__), np.int64)
        lengths = self.lengths[order]
        old_starts = np.cumsum(self.lengths) - self.lengths
        new_starts = np.cumsum(lengths) - lengths
        tokens = self.tokens[np.repeat(old_starts[order] - new_starts, lengths) + np.arange(int(lengths.sum()))]
        used = np.unique(tokens)
        names = [self.vocabulary[i] for i in used.tolist()]
        alphabetical = np.array(sorted(range(len(names)), key=names.__getitem__), np.int64)
        renumber = np.zeros(len(self.vocabulary), np.int32)
        renumber[used[alphabetical]] = np.arange(len(used), dtype=np.int32)
        return ChunkTerms(
            [self.chunk_ids[i] for i in order.tolist()],
            [names[i] for i in alphabetical.tolist()],
            renumber[tokens],
            lengths,
        )

    def save(self, folder: Path) -> None:
        """Beside the index's own files (``chunk_ids.json`` names the chunks, in this order)."""
        np.savez(folder / "terms.npz", tokens=self.tokens, lengths=self.lengths)
        (folder / "vocabulary.json").write_text(json.dumps({"version": TERMS_VERSION, "terms": self.vocabulary}))

    @classmethod
    def load(cls, home: Path) -> ChunkTerms | None:
        """The terms saved with the last index (of any generation); None when missing, damaged or outdated."""
        pointer = _read_pointer(home / "bm25.json")
        if not pointer:
            return None
        folder = home / str(pointer.get("folder"))
        try:
            chunk_ids = json.loads((folder / "chunk_ids.json").read_text())
            vocabulary = json.loads((folder / "vocabulary.json").read_text())
            with np.load(folder / "terms.npz", allow_pickle=False) as arrays:
                tokens, lengths = arrays["tokens"], arrays["lengths"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # what numpy raises for a bad file
            return None
        if not isinstance(vocabulary, dict) or vocabulary.get("version") != TERMS_VERSION:
            return None
        saved = cls(chunk_ids, vocabulary.get("terms"), tokens, lengths)
        return saved if saved._consistent() else None

    def _consistent(self) -> bool:
        """Whether the arrays fit each other (a file cut short or mixed from two saves does not)."""
        return (
            isinstance(self.chunk_ids, list)
            and isinstance(self.vocabulary, list)
            and self.tokens.dtype == np.int32
            and self.lengths.dtype == np.int64
            and self.tokens.ndim == self.lengths.ndim == 1
            and len(self.lengths) == len(self.chunk_ids)
            and int(self.lengths.sum()) == len(self.tokens)
            and bool((self.lengths >= 0).all())
            and (not len(self.tokens) or 0 <= int(self.tokens.min()) <= int(self.tokens.max()) < len(self.vocabulary))
        )


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


class _ArrayBM25(bm25s.BM25):
    """bm25s with its documented hook for building the matrix fed ``ChunkTerms``: its own build loops over
    the chunks in Python. Computes what bm25s computes for its default method (Lucene), in the same
    floating-point steps, so the matrix is the same to the bit (a test compares the two)."""

    def build_index_from_ids(  # type: ignore[override]
        self, unique_token_ids: Sequence[int], corpus_token_ids: ChunkTerms, show_progress: bool = False, **_: object
    ) -> dict[str, object]:
        chunks = corpus_token_ids
        self.nonoccurrence_array = None  # as bm25s sets it for Lucene (only BM25L and BM25+ use one)
        n, vocabulary = len(chunks.lengths), len(chunks.vocabulary)
        doc = np.repeat(np.arange(n, dtype=np.int64), chunks.lengths)
        # One key per (term, chunk), sorted: the column-major order of a CSC matrix, and the count of a
        # key is the term's frequency in the chunk.
        keys, tf = np.unique(chunks.tokens.astype(np.int64) * n + doc, return_counts=True)
        term, doc = keys // n, keys % n
        df = np.bincount(term, minlength=vocabulary)
        idf = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df.tolist()], dtype=self.dtype)
        length = chunks.lengths[doc]
        average = chunks.lengths.mean()
        tfc = tf.astype(self.dtype) / (self.k1 * ((1 - self.b) + self.b * length / average) + tf.astype(self.dtype))
        indptr = np.zeros(vocabulary + 1, np.int64)
        np.cumsum(df, out=indptr[1:])
        return {
            "data": (idf[term] * tfc).astype(self.dtype),
            "indices": doc.astype(self.int_dtype),
            "indptr": indptr,
            "num_docs": n,
        }


@dataclass
class LexicalIndex:
    """BM25 over chunk texts, with the document frequency of every term (for the answerer's weights)."""

    generation: str
    chunk_ids: list[str]
    bm25: bm25s.BM25 | None
    terms: ChunkTerms | None = None  # what it was built from, saved with it for the next update

    @classmethod
    def build(cls, generation: str, chunks: ChunkTerms) -> LexicalIndex:
        """BM25 over ``chunks`` (put in canonical order first, so the same chunks give the same index)."""
        chunks = chunks.canonical()
        if not chunks.vocabulary:  # no chunk has a searchable word (only punctuation, or another script): bm25s fails
            return cls(generation, chunks.chunk_ids, None, chunks)
        bm25 = _ArrayBM25()
        vocabulary = {term: i for i, term in enumerate(chunks.vocabulary)}
        bm25.index(bm25s.tokenization.Tokenized(ids=chunks, vocab=vocabulary), show_progress=False)  # type: ignore[arg-type]
        return cls(generation, chunks.chunk_ids, bm25, chunks)

    def search(self, question: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first; only chunks sharing a term with the question."""
        query = [t for t in terms(question) if self.bm25 is not None and t in self.bm25.vocab_dict]
        if not query or self.bm25 is None:
            return []
        k = min(k, len(self.chunk_ids))
        documents, scores = self.bm25.retrieve([query], k=k, show_progress=False, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(documents[0], scores[0], strict=True) if s > 0]

    def document_frequency(self, term: str) -> int:
        """In how many chunks a (stemmed) term occurs; 0 for a term the corpus never uses."""
        return len(self._postings(term))

    def spelling(self, term: str, slips: Slips | None = None) -> str | None:
        """How the corpus spells a (stemmed) term: the term itself when some chunk uses it, else the most
        used word one typing slip away (``Slips``: a letter dropped, added, changed, or two swapped), else
        None. People misspell names ("Islmabad"); a misspelt name is no sign that the articles are about
        something else."""
        if self.document_frequency(term):
            return term
        used = {v for v in (slips or SLIPS).of(term) if self.document_frequency(v)}
        return max(sorted(used), key=self.document_frequency, default=None)

    def spelt_together(self, names: tuple[str, ...], slips: Slips | None = None) -> dict[str, str]:
        """Names of one question that no chunk uses together with any of its other names, each mapped to the
        word one typing slip away (as ``spelling``) that chunks use with most of them. "Natalie Holloway":
        "natali" is in one chunk, about someone else, while "natale" is in the chunks about Holloway. The
        rarer names are read first, each against the others as already read, so that of "Charles Schultz"
        only "schultz" becomes "schulz", and "charl" then stays. A name that some chunk uses with another,
        or that has no such variant, is left out."""
        chunks = {name: self._chunks_of(name) for name in names}  # of each name as read so far
        found = {}
        for name in sorted(names, key=lambda n: (len(chunks[n]), n)):
            others = [chunks[n] for n in names if n != name and chunks[n]]
            if not others or any(chunks[name] & o for o in others):
                continue
            together = {v: sum(bool(self._chunks_of(v) & o) for o in others) for v in (slips or SLIPS).of(name)}
            best = max(sorted(together), key=lambda v: (together[v], self.document_frequency(v)), default=None)
            if best is not None and together[best]:
                found[name] = best
                chunks[name] = self._chunks_of(best)
        return found

    def holding_all(self, words: Sequence[str]) -> list[str]:
        """The ids of the chunks that use every one of the (stemmed) ``words``, in index order."""
        if not words:
            return []
        positions = self._postings(words[0])
        for term in words[1:]:
            positions = np.intersect1d(positions, self._postings(term))
        return [self.chunk_ids[int(i)] for i in np.sort(positions)]

    def _chunks_of(self, term: str) -> set[int]:
        """The positions of the chunks that use a (stemmed) term."""
        return set(self._postings(term).tolist())

    def _postings(self, term: str) -> np.ndarray:
        """The positions of the chunks that use a (stemmed) term: a view into the BM25 matrix, no copy."""
        if self.bm25 is None or term not in self.bm25.vocab_dict:
            return np.zeros(0, dtype=np.int64)
        column = self.bm25.vocab_dict[term]
        indptr = self.bm25.scores["indptr"]
        return self.bm25.scores["indices"][indptr[column] : indptr[column + 1]]

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def save(self, home: Path) -> None:
        """Write to a fresh folder, then switch a one-line pointer file to it: readers never see half."""
        folder = home / f"bm25-{self.generation}-{os.getpid()}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder), show_progress=False)
        (folder / "chunk_ids.json").write_text(json.dumps(self.chunk_ids))
        if self.terms is not None:
            self.terms.save(folder)
        pointer = home / "bm25.json"
        previous = _read_pointer(pointer)
        temporary = home / f"bm25.json.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"generation": self.generation, "folder": folder.name, "terms": TERMS_VERSION}))
        os.replace(temporary, pointer)
        if previous and previous.get("folder") != folder.name:
            shutil.rmtree(home / str(previous["folder"]), ignore_errors=True)

    @classmethod
    def load(cls, home: Path, generation: str) -> LexicalIndex | None:
        """The saved index for ``generation``, or None when there is none (or it is of another one)."""
        pointer = _read_pointer(home / "bm25.json")
        if not pointer or pointer.get("generation") != generation or pointer.get("terms") != TERMS_VERSION:
            return None
        folder = home / str(pointer["folder"])
        try:
            chunk_ids = json.loads((folder / "chunk_ids.json").read_text())
            bm25 = (
                bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
                if (folder / "params.index.json").exists()
                else None
            )
        except (OSError, ValueError):
            return None
        return cls(generation, chunk_ids, bm25)


@dataclass(frozen=True)
class Slips:
    """Which typing slips a word may be read through. Short words are a slip away from many others ("pope",
    "hope"), so only words of ``shortest`` letters or more are respelt, and a changed letter (the slip that
    turns one real word into another most often) only in words of ``shortest_changed`` or more.
    ``experiments/spelling_slips.py`` measures both on the development sets."""

    shortest: int
    shortest_changed: int

    def of(self, word: str) -> Iterator[str]:
        if len(word) < self.shortest or not word.isalpha():
            return
        letters = "abcdefghijklmnopqrstuvwxyz"
        for i in range(len(word) + 1):
            head, tail = word[:i], word[i:]
            if tail:
                yield head + tail[1:]
                if len(tail) > 1:
                    yield head + tail[1] + tail[0] + tail[2:]
            for letter in letters:
                yield head + letter + tail
                if tail and len(word) >= self.shortest_changed:
                    yield head + letter + tail[1:]


SLIPS = Slips(shortest=4, shortest_changed=5)


def _read_pointer(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency, floored at a small positive weight."""
    return float(max(np.log((documents - document_frequency + 0.5) / (document_frequency + 0.5) + 1), 0.05))
