"""The metrics, each a small function of plain values so that hand-made cases can test it.

A *quoted* piece is ``(source, text)``: a retrieved passage or a citation's quote with its article id.
Gold ``evidence`` strings are substrings of the gold articles that state the answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

import rag.markers as markers

Quoted = tuple[str, str]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_COMPOUND = re.compile(rf"\b({_TENS})[- ](one|two|three|four|five|six|seven|eight|nine)\b")
# "two dozen", "half a million": a number word before one of these is part of a phrase, not a count.
_MULTIPLIERS = {"dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion"}


def normalise(text: str) -> str:
    """Lower case, no punctuation or ``[n]`` markers, thousands separators dropped, counting words as digits.

    >>> normalise("Four Chilean miners [1], 200,000 people, twenty-four hurt, two dozen dead; F-35s")
    '4 chilean miners 200000 people 24 hurt two dozen dead f 35s'
    """
    text = markers.without(text).casefold().translate(_QUOTES)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = _COMPOUND.sub(lambda g: str(_NUMBER_WORDS[g[1]] + _NUMBER_WORDS[g[2]]), text)  # twenty-four → 24
    tokens = re.findall(r"\w+", text)
    out = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _NUMBER_WORDS and following not in _MULTIPLIERS:
            out.append(str(_NUMBER_WORDS[token]))
        else:
            out.append(token)
    return " ".join(out)


def key_fact_hit(text: str, answers: Iterable[str]) -> bool:
    """Whether any accepted answer appears in ``text`` once both are normalised.

    A match starts at a word boundary; a number must also end at one (``4`` is not in ``400000``), a word
    may go on (``landmine`` in ``landmines``).
    """
    haystack = f" {normalise(text)} "
    for answer in answers:
        needle = normalise(answer)
        if not needle:
            continue
        end = r"(?= )" if needle[-1].isdigit() else ""
        if re.search(r"(?<= )" + re.escape(needle) + end, haystack):
            return True
    return False


ANSWER_WINDOW = 700  # characters of an answer a reader is taken to read; the hidden news sets score this much


def contains_gold(text: str, answers: Iterable[str], window: int = ANSWER_WINDOW) -> bool:
    """Whether the first ``window`` characters of ``text`` hold an accepted answer (as ``key_fact_hit``).

    >>> contains_gold("x" * 700 + " 42", ["42"]), contains_gold("The toll rose to 42. [1]", ["42"])
    (False, True)
    """
    return key_fact_hit(text[:window], answers)


LEAD_WINDOW = 200  # characters a reader sees first: the answer should lead with the point


def gold_in_first(text: str, answers: Iterable[str], window: int = LEAD_WINDOW) -> bool:
    """Whether an accepted answer (as ``key_fact_hit``) is in the first ``window`` characters of ``text`` once
    its citation markers are removed: does the answer lead with the point?

    >>> gold_in_first("The toll rose to 42. [1] " + "x" * 300, ["42"]), gold_in_first("x" * 200 + " 42", ["42"])
    (True, False)
    """
    return key_fact_hit(markers.without(text)[:window], answers)


def answer_chars(text: str) -> int:
    """Characters of an answer a reader reads: ``[n]`` markers left out."""
    return len(markers.without(text))


_ARTICLES = {"a", "an", "the"}


def answer_tokens(text: str) -> list[str]:
    """An answer's words for token F1, SQuAD-style: ``normalise``d (case, punctuation, ``four`` = ``4``) and
    without the articles a, an, the."""
    return [t for t in normalise(text).split() if t not in _ARTICLES]


def token_f1(predicted: str, answers: Iterable[str]) -> float:
    """The SQuAD token F1 of ``predicted`` against the best-matching accepted answer (0.0 when there is none).

    >>> token_f1("the F-35 jets", ["F-35"]), token_f1("Boric", ["Gabriel Boric", "Kast"])
    (0.8, 0.6666666666666666)
    """
    guess = answer_tokens(predicted)
    best = 0.0
    for answer in answers:
        gold = answer_tokens(answer)
        common = sum((Counter(guess) & Counter(gold)).values())
        if common:
            precision, recall = common / len(guess), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def median(values: Sequence[float]) -> float | None:
    """The median of ``values``; ``None`` when there are none."""
    return float(np.median(np.asarray(values, dtype=float))) if values else None


def _fold(text: str) -> str:
    return " ".join(text.casefold().translate(_QUOTES).split())


def states_evidence(text: str, evidence: Iterable[str]) -> bool:
    """Whether ``text`` holds a gold evidence string, or lies inside one (a quote shorter than the evidence)."""
    folded = _fold(text)
    return any(_fold(e) in folded or (folded and folded in _fold(e)) for e in evidence)


def is_relevant(piece: Quoted, articles: Sequence[str], evidence: Sequence[str]) -> bool:
    """A passage or quote from a gold article that states gold evidence (any of the article when none is given)."""
    source, text = piece
    return source in articles and (not evidence or states_evidence(text, evidence))


def hit_at_k(passages: Sequence[Quoted], articles: Sequence[str], evidence: Sequence[str], k: int) -> float:
    """1.0 when one of the first ``k`` passages is relevant, else 0.0."""
    return float(any(is_relevant(p, articles, evidence) for p in passages[:k]))


def recall_at_k(passages: Sequence[Quoted], articles: Sequence[str], k: int) -> float:
    """Share of the gold articles that at least one of the first ``k`` passages comes from."""
    if not articles:
        raise ValueError("recall needs gold articles")
    found = {source for source, _ in passages[:k]}
    return len(found & set(articles)) / len(set(articles))


def reciprocal_rank(passages: Sequence[Quoted], articles: Sequence[str], evidence: Sequence[str]) -> float:
    """1 / rank of the first relevant passage; 0.0 when none is."""
    for rank, passage in enumerate(passages, start=1):
        if is_relevant(passage, articles, evidence):
            return 1.0 / rank
    return 0.0


def citation_precision(citations: Sequence[Quoted], articles: Sequence[str], evidence: Sequence[str]) -> float | None:
    """Share of citations whose quote lies in gold evidence (in a gold article, when the evidence is broad:
    none given). ``None`` for an answer without citations: there is nothing to be precise about.
    """
    if not citations:
        return None
    return sum(is_relevant(c, articles, evidence) for c in citations) / len(citations)


def citation_recall(citations: Sequence[Quoted], articles: Sequence[str], evidence: Sequence[str]) -> float:
    """Share of the gold articles cited with a quote that lies in gold evidence."""
    if not articles:
        raise ValueError("recall needs gold articles")
    cited = {source for source, quote in citations if is_relevant((source, quote), articles, evidence)}
    return len(cited) / len(set(articles))


def conflict_coverage(citations: Sequence[Quoted], evidence: Sequence[str]) -> float:
    """Share of the differing figures (one gold evidence string each) that some citation quotes.

    1.0 means every source of a differing figure is cited, so the reader sees the disagreement.
    """
    if not evidence:
        raise ValueError("conflict coverage needs the differing figures as evidence")
    return sum(any(states_evidence(quote, [e]) for _, quote in citations) for e in evidence) / len(evidence)


def abstention_precision(pairs: Iterable[tuple[bool, bool]]) -> float | None:
    """Of the questions refused, the share that should have been; ``pairs`` are ``(should, did)``.

    ``None`` when nothing was refused.
    """
    refused = [should for should, did in pairs if did]
    return sum(refused) / len(refused) if refused else None


def abstention_recall(pairs: Iterable[tuple[bool, bool]]) -> float | None:
    """Of the questions that should be refused, the share that were; ``None`` when there are none."""
    due = [did for should, did in pairs if should]
    return sum(due) / len(due) if due else None


def answer_words(text: str) -> int:
    """Words in an answer, ``[n]`` markers left out."""
    return len(markers.without(text).split())


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100), interpolated linearly between the nearest values."""
    if not values:
        raise ValueError("no values")
    return float(np.percentile(np.asarray(values, dtype=float), q))
