"""The short answer: the entity or number in the best sentences that fills what the question asks for.

Each of the best-scored sentences is read by the language layer; every mention that fills the question
(``rag.language.fillers``) gets a vote from each article that states it, worth that article's best sentence
score for it. The short answer comes from the best sentence that holds a filler (the sentence the answer
quotes); among that sentence's fillers, the one most articles back wins.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rag.answer.scorer import Candidate
from rag.language import Asked, Mention, Parsed, Reader, fillers, trimmed

# How many of the best sentences are read for a short answer (eval/short_answer.py re-derives it).
READ_SENTENCES = 8
# A sentence scoring this much below the best is not quoted for its filler (eval/short_answer.py).
LEAD_MARGIN = 0.2
# Another filler close behind is shown too, with its sentence, at most MAX_ALTERNATIVES of them.
ALTERNATIVE_MARGIN = 0.5
MAX_ALTERNATIVES = 2


@dataclass(frozen=True)
class Filler:
    """The short answer and the scored sentence that states it (``mention`` offsets are in its text)."""

    mention: Mention
    sentence: Candidate
    votes: float
    # Close behind, best first: sentences that give another filler (another name, figure or date for it).
    alternatives: tuple[Candidate, ...] = ()


def short_answer(asked: Asked, scored: list[Candidate], reader: Reader) -> Filler | None:
    """The filler of the best sentence (of ``scored``, best first) that holds one, if it scores within
    LEAD_MARGIN of the best; among its fillers, the one most articles back. None when the question asks for
    no entity or no sentence close enough holds one."""
    if not asked.wants_filler or not scored:
        return None
    best = scored[:READ_SENTENCES]
    parsed = reader.parse([s.span.text for s in best])
    asked = _with_evidence_labels(asked, parsed)
    found = [[trimmed(m, asked) for m in fillers(asked, reading)] for reading in parsed]
    support: dict[str, dict[str, float]] = defaultdict(dict)
    for sentence, mentions in zip(best, found, strict=True):
        for mention in mentions:
            by_article = support[_key(mention.text)]
            source = sentence.passage.source
            by_article[source] = max(by_article.get(source, 0.0), sentence.score)
    close = [(s, m) for s, m in zip(best, found, strict=True) if m and s.score >= best[0].score - LEAD_MARGIN]
    if not close:
        return None
    # A sentence that names what the question names ("Thailand's prime minister") before one that does not.
    sentence, mentions = max(close, key=lambda pair: _named_share(asked, pair[0].span.text))
    votes = {m: sum(support[_key(m.text)].values()) for m in mentions}
    mention = max(mentions, key=votes.__getitem__)  # the first of equals: the one the sentence leads with
    given = {_key(m.text) for m in mentions}
    alternatives = []
    for other, held in zip(best, found, strict=True):
        keys = {_key(m.text) for m in held} - given
        if other is not sentence and keys and other.score >= best[0].score - ALTERNATIVE_MARGIN:
            alternatives.append(other)
            given |= keys
    return Filler(mention, sentence, votes[mention], tuple(alternatives[:MAX_ALTERNATIVES]))


def _named_share(asked: Asked, sentence: str) -> float:
    """The share of the entities the question names that ``sentence`` names too."""
    if not asked.named:
        return 1.0
    lowered = sentence.lower()
    return sum(m.text.lower() in lowered for m in asked.named) / len(asked.named)


def _with_evidence_labels(asked: Asked, parsed: list[Parsed]) -> Asked:
    """For "which N": the labels of the entities that hold N in these sentences ("what year" → DATE, read
    from "last year"), so that a noun's kind is learnt from how the articles use it, not listed by hand."""
    if asked.noun is None:
        return asked
    labels = {
        m.label
        for reading in parsed
        for m in reading.mentions
        if m.label != "PHRASE" and asked.noun in (w.rstrip("s") for w in m.text.lower().split())
    }
    return Asked(asked.labels | labels, asked.noun, asked.lemmas, asked.named) if labels else asked


def _key(text: str) -> str:
    """Mentions that differ only in case, a leading article or a final possessive vote together."""
    words = text.lower().removesuffix("'s").removesuffix("’s").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
