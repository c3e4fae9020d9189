"""Keyword search: a BM25 index (bm25s) over the chunks, saved beside the vector index.

The saved index names the store generation it was built from; a reader that finds another generation
rebuilds it from the store, so it can never answer from a corpus that is no longer indexed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bm25s
import numpy as np

# Numbers keep their separators (900,000 is one token, 900000); codes such as F-16 split at the
# hyphen, so "F-16s" still shares "16" with "F-16".
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
    ]
)


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Lower-cased, stop-worded, stemmed terms: the unit of every keyword comparison here.

    >>> terms("Which fighter jets did Thailand use?")
    ['fighter', 'jet', 'thailand', 'use']
    """
    words = [re.sub(r"(\d)s$", r"\1", w.replace(",", "")) for w in _TOKEN.findall(text.lower())]
    return _stemmer().stemWords([w for w in words if w not in _STOPWORDS])


@dataclass
class LexicalIndex:
    """BM25 over chunk texts, with the document frequency of every term (for the answerer's weights)."""

    generation: str
    chunk_ids: list[str]
    bm25: bm25s.BM25 | None

    @classmethod
    def build(cls, generation: str, chunk_ids: Sequence[str], texts: Iterable[str]) -> LexicalIndex:
        """Index ``texts`` (read once, in order); ``chunk_ids`` names them and may fill while they are read."""
        # Terms become ids as they are read: a hundred thousand chunks as lists of term strings would
        # hold some fifteen million string objects at once, the largest part of a big ingest's memory.
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(term, len(vocabulary)) for term in terms(text)] for text in texts]
        if not vocabulary:  # no chunk has a searchable word (only punctuation, or another script): bm25s fails
            return cls(generation, list(chunk_ids), None)
        bm25 = bm25s.BM25()
        bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
        return cls(generation, list(chunk_ids), bm25)

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
        if self.bm25 is None or term not in self.bm25.vocab_dict:
            return 0
        column = self.bm25.vocab_dict[term]
        indptr = self.bm25.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def spelling(self, term: str, slips: Slips | None = None) -> str | None:
        """How the corpus spells a (stemmed) term: the term itself when some chunk uses it, else the most
        used word one typing slip away (``Slips``: a letter dropped, added, changed, or two swapped), else
        None. People misspell names ("Islmabad"); a misspelt name is no sign that the articles are about
        something else."""
        if self.document_frequency(term):
            return term
        used = {v for v in (slips or SLIPS).of(term) if self.document_frequency(v)}
        return max(sorted(used), key=self.document_frequency, default=None)

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
        pointer = home / "bm25.json"
        previous = _read_pointer(pointer)
        temporary = home / f"bm25.json.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"generation": self.generation, "folder": folder.name}))
        os.replace(temporary, pointer)
        if previous and previous.get("folder") != folder.name:
            shutil.rmtree(home / str(previous["folder"]), ignore_errors=True)

    @classmethod
    def load(cls, home: Path, generation: str) -> LexicalIndex | None:
        """The saved index for ``generation``, or None when there is none (or it is of another one)."""
        pointer = _read_pointer(home / "bm25.json")
        if not pointer or pointer.get("generation") != generation:
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
    ``eval/spelling_slips.py`` measures both on the development sets."""

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
