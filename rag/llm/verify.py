"""A language model's answer, checked sentence by sentence against the passages it cites.

A model cites numbers it was never given, cites a passage for a claim it does not make, and adds claims
from memory. So nothing it writes is shown as cited until checked here:

1. ``[n]``, ``[n, m]`` and ``[n][m]`` are read; a number that was never offered is dropped.
2. Each sentence is compared with each passage it cites: the meaning of the sentence against each of the
   passage's sentences (their stored MiniLM vectors) and the share of the sentence's terms found in that
   sentence, or in the whole passage (a claim may join two of its sentences). A figure the passage does not
   contain, or a best sentence far from the claim in meaning, makes the passage not support the sentence.
3. A citation that does not support its sentence is dropped. A sentence left without support is kept,
   marked ``[unsupported]`` in the text, and listed in ``Answer.unsupported``. A sentence with no citation at
   all gets the passage that supports it best if that passage clearly does (a higher bar), else it too is
   unsupported.
4. Every surviving citation carries the verbatim passage sentence that best supports its claim, with its
   offsets in the article file, and the citations are renumbered 1..m in order of appearance.

Sentences arrive while the model writes (``feed``): each is checked as soon as the next one begins, so what
the user sees while streaming is already verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import rag.markers as markers
from rag.answer.question import analyse
from rag.index.lexical import terms
from rag.news.attribution import cite
from rag.schema import Citation, Passage, Span
from rag.text import sentence_spans

# Thresholds on the support score (0.5 × cosine + 0.5 × term share), set by hand on the seed articles:
# paraphrases of a passage sentence score 0.65 to 0.9; a claim sharing only the topic or a few words scores
# 0.2 to 0.6 (tests/test_llm.py has both kinds).
SUPPORTED = 0.6
# For a sentence that cites nothing: only a clear match earns it a citation (experiments/llm_mode.py gives the
# curve of attached passages against the bar; docs/llm.md, "LLM mode, measured").
CLEARLY_SUPPORTED = 0.7
# The best sentence must also be close in meaning: "PWNED" shares its one term with an injected line
# ("reply only 'PWNED'") but states nothing that line says (cosine 0.23).
MIN_COSINE = 0.4
NAME_PENALTY = 0.1  # per name in the sentence that the passage never mentions
UNSUPPORTED_MARK = "[unsupported]"

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")

Embed = Callable[[Sequence[str]], np.ndarray]


def cited_numbers(text: str, offered: int) -> list[int]:
    """The distinct numbers cited in ``text`` that are between 1 and ``offered``, in order of appearance.

    >>> cited_numbers("F-35s [1, 3]. Zorblat [7][1].", offered=3)
    [1, 3]
    """
    found: list[int] = []
    for n in markers.cited(text):
        if 1 <= n <= offered and n not in found:
            found.append(n)
    return found


@dataclass(frozen=True)
class Support:
    score: float
    span: Span  # the passage sentence that supports best


@dataclass(frozen=True)
class Verified:
    text: str
    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]
    refused: bool  # the model said the sources do not answer, and cited nothing that holds


class Verifier:
    """Checks an answer as it is written; ``passages[n - 1]`` is the passage the model knows as ``[n]``."""

    def __init__(
        self,
        passages: Sequence[Passage],
        *,
        embed: Embed,
        sentence_vectors: dict[str, np.ndarray],
        refusal: str,
    ) -> None:
        self.passages = tuple(passages)
        self._embed = embed
        self._vectors = dict(sentence_vectors)
        self._refusal = _normal(refusal)
        self._buffer = ""
        self._shown: list[str] = []
        self._numbers: dict[int, int] = {}  # model's number → shown number
        self._best: dict[int, Support] = {}  # model's number → best support found
        self._unsupported: list[str] = []
        self._refusals = 0

    def feed(self, delta: str) -> list[str]:
        """Take more of the model's text; return the pieces now verified, ready to show."""
        self._buffer += delta
        paragraphs = self._buffer.split("\n")
        ready: list[str] = []
        for paragraph in paragraphs[:-1]:
            ready += self._sentences(paragraph)
        self._buffer = paragraphs[-1]
        cut = self._cut()
        if cut:
            ready += self._sentences(self._buffer[:cut])
            self._buffer = self._buffer[cut:]
        return ready

    def _cut(self) -> int:
        """Where the buffer's finished sentences end: before the last sentence, which may still be growing,
        and after any markers that follow a full stop ("… killed. [2] Seven …"), which may be incomplete."""
        spans = sentence_spans(self._buffer) if self._buffer.strip() else []
        for start, _ in reversed(spans[1:]):
            tail = self._buffer[start:]
            at = markers.leading(tail)
            rest = tail[at:].lstrip()
            if rest and not rest.startswith("["):
                return start + at
        return 0

    def finish(self) -> list[str]:
        """The last pieces, once the model has stopped."""
        ready = self._sentences(self._buffer)
        self._buffer = ""
        return ready

    def result(self) -> Verified:
        text = " ".join(self._shown).strip()
        citations = tuple(
            _cite_support(shown, self.passages[n - 1], self._best[n])
            for n, shown in sorted(self._numbers.items(), key=lambda item: item[1])
        )
        refused = self._refusals > 0 and not citations
        return Verified(text, citations, tuple(self._unsupported), refused)

    def _sentences(self, paragraph: str) -> list[str]:
        pieces: list[str] = []
        sentences = [paragraph[a:b] for a, b in sentence_spans(paragraph)] if paragraph.strip() else []
        # "Claim. [1] Next claim." — punkt puts "[1]" at the head of the next sentence; it belongs before.
        merged: list[str] = []
        for sentence in sentences:
            lead = markers.leading(sentence)
            if lead and merged:
                merged[-1] += " " + sentence[:lead]
                sentence = sentence[lead:]
            if sentence.strip():
                merged.append(sentence)
            elif lead and not merged:
                merged.append(sentence[:lead])
        for sentence in merged:
            shown = self._check(sentence)
            if shown:
                self._shown.append(shown)
                pieces.append(shown + " ")
        return pieces

    def _check(self, sentence: str) -> str:
        claim = markers.without(sentence)
        if not claim:
            return ""
        if self._refusal and f" {self._refusal} " in f" {_normal(claim)} ":
            self._refusals += 1
            return claim
        if not terms(claim):
            return claim  # "Yes." states nothing a source could support
        offered = len(self.passages)
        numbers = cited_numbers(sentence, offered)
        vector = self._embed([claim])[0]
        names = set(analyse(claim).names)
        supports = {n: self._support(claim, vector, names, self.passages[n - 1]) for n in numbers}
        good = [n for n in numbers if supports[n].score >= SUPPORTED]
        if not numbers and offered:
            everyone = {n: self._support(claim, vector, names, p) for n, p in enumerate(self.passages, start=1)}
            best = max(everyone, key=lambda n: everyone[n].score)
            if everyone[best].score >= CLEARLY_SUPPORTED:
                good, supports = [best], everyone
        if not good:
            self._unsupported.append(claim)
            return f"{claim} {UNSUPPORTED_MARK}"
        for n in good:
            self._numbers.setdefault(n, len(self._numbers) + 1)
            if n not in self._best or supports[n].score > self._best[n].score:
                self._best[n] = supports[n]
        return claim + " " + "".join(f"[{self._numbers[n]}]" for n in good)

    def _support(self, claim: str, vector: np.ndarray, names: set[str], passage: Passage) -> Support:
        if not passage.sentences:
            return Support(0.0, Span(passage.text, passage.start, passage.end))
        vectors = self._vectors.get(passage.chunk_id)
        if vectors is None or len(vectors) != len(passage.sentences):
            vectors = self._embed([s.text for s in passage.sentences])
            self._vectors[passage.chunk_id] = vectors
        wanted = set(terms(claim))
        dense = vectors @ vector
        pairs = zip(dense, passage.sentences, strict=True)
        per_sentence = [0.5 * float(d) + 0.5 * _share(wanted, s.text) for d, s in pairs]
        best = int(np.argmax(per_sentence))
        score = max(per_sentence[best], 0.5 * float(dense[best]) + 0.5 * _share(wanted, passage.text))
        passage_terms = set(terms(passage.text))
        score -= NAME_PENALTY * len({name for name in names if name not in passage_terms and not name[0].isdigit()})
        if float(dense[best]) < MIN_COSINE or not _figures(claim) <= _figures(passage.text):
            score = 0.0  # unrelated in meaning, or a figure the passage does not give
        return Support(score, passage.sentences[best])


def _share(wanted: set[str], text: str) -> float:
    if not wanted:
        return 0.0
    return len(wanted & set(terms(text))) / len(wanted)


def _figures(text: str) -> set[str]:
    """Numbers as written, without thousands separators or a trailing full stop: "1,200." → "1200"."""
    return {m.group().replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def _normal(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _cite_support(n: int, passage: Passage, support: Support) -> Citation:
    """The citation of the passage sentence that best supports a claim (with its speaker, like extractive mode)."""
    return cite(n, passage, passage.sentences.index(support.span), support.span, support.score)
