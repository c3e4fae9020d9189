"""The short answer: the entity or number in the answer's first sentence that fills what the question asks.

The first sentence of the answer is the one the fitted model scores best; the language layer reads it and
the sentences close behind it. A mention of the first sentence that fills the question
(``rag.language.fillers``) is the short answer; when it holds several, each gets a vote from every article
among the best sentences that states it too, worth that article's best sentence score, and the one most
articles back wins.

Taking the filler of a lower sentence instead, when the first holds none, was measured and lost answers (the
docs/evaluation.md, "Short answers"): the model's best sentence is more often right than a lower one that merely holds
a name of the kind asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from rag.answer.scorer import Candidate
from rag.language import PHRASE, Asked, Mention, Parsed, Reader, fillers, trimmed

# How many of the best sentences vote among the first sentence's fillers.
READ_SENTENCES = 8


@dataclass(frozen=True)
class Filler:
    """The short answer and the scored sentence that states it (``mention`` offsets are in its text)."""

    mention: Mention
    sentence: Candidate


def short_answer(asked: Asked, scored: list[Candidate], reader: Reader, *, above: float) -> Filler | None:
    """The filler of the first of ``scored`` (best first) that most articles back, or None when the question
    asks for no entity, that sentence holds none, or its score is below ``above``: a short answer is read as
    the answer itself, so it is given only where the best sentence is likely enough to hold it
    (``Model.short_above``, derived by ``rag.evaluation.tune``)."""
    if not asked.wants_filler or not scored or scored[0].score < above:
        return None
    best = scored[:READ_SENTENCES]
    parsed = reader.parse([s.span.text for s in best])
    asked = _with_evidence_labels(asked, parsed)
    found = [[trimmed(m, asked) for m in fillers(asked, reading)] for reading in parsed]
    found[0] = [m for m in found[0] if asked.may_be_short(m)]
    if not found[0]:
        return None
    support: dict[str, dict[str, float]] = defaultdict(dict)
    for sentence, mentions in zip(best, found, strict=True):
        for mention in mentions:
            by_article = support[_key(mention.text)]
            article_id = sentence.passage.article_id
            by_article[article_id] = max(by_article.get(article_id, 0.0), sentence.score)
    votes = {m: sum(support[_key(m.text)].values()) for m in found[0]}
    mention = max(found[0], key=votes.__getitem__)  # the first of equals: the one the sentence leads with
    return Filler(mention, best[0])


def _with_evidence_labels(asked: Asked, parsed: list[Parsed]) -> Asked:
    """For "which N": the labels of the entities that hold N in these sentences ("what year" → DATE, read
    from "last year"), so that a noun's kind is learnt from how the articles use it, not listed by hand."""
    if asked.noun is None:
        return asked
    labels = {
        m.label
        for reading in parsed
        for m in reading.mentions
        if m.label != PHRASE and asked.noun in (w.rstrip("s") for w in m.text.lower().split())
    }
    return replace(asked, labels=asked.labels | labels, short_labels=asked.short_labels | labels) if labels else asked


def _key(text: str) -> str:
    """Mentions that differ only in case, a leading article or a final possessive vote together."""
    words = text.lower().removesuffix("'s").removesuffix("’s").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
