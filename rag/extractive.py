"""The answerer that needs no language model: it quotes the sentences that answer, each cited.

Each sentence of the retrieved passages is scored by how close it is to the question in meaning
(its vector against the question's), how much of the question's rarer vocabulary it shares, and whether
it holds what the question asks for (a number for "how many", a name for "who" …). The best sentences,
at most three, become the answer, verbatim, each with its [n].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .lexical import LexicalIndex, idf, terms
from .question import Question, analyse, has_kind
from .retrieve import Retrieval
from .schema import Answer, Citation, Passage, Span

# Weights and thresholds: a grid search on the gold questions in eval/ (tests/test_gold.py guards them).
W_DENSE, W_LEXICAL, W_KIND, W_PASSAGE = 0.45, 0.35, 0.20, 0.05
HEADING_PENALTY = 0.15  # a line without a full stop is a heading: it names a topic, it states nothing
ABSTAIN_BELOW = 0.34  # best sentence score under which the articles are taken not to answer
FOLLOWER_MARGIN = 0.15  # further sentences must score within this of the best
MAX_SENTENCES, MAX_CHARS = 3, 600
DUPLICATE_SIMILARITY = 0.92


@dataclass(frozen=True)
class ScoredSentence:
    span: Span
    passage: Passage
    index: int  # position in passage.sentences
    vector: np.ndarray
    score: float


def answer_extractively(
    question: str,
    retrieval: Retrieval,
    *,
    lexical: LexicalIndex,
    sentence_vectors: dict[str, np.ndarray],
    refusal_text: str,
) -> Answer:
    """Compose a cited answer from ``retrieval``'s passages, or abstain when they do not answer."""
    asked = analyse(question)
    scored = score_sentences(asked, retrieval, lexical, sentence_vectors)
    if not scored or _out_of_scope(asked, scored[0].score, lexical):
        return Answer(question, refusal_text, (), retrieval.passages, abstained=True)
    chosen = _choose(asked, scored)
    citations = []
    for n, s in enumerate(chosen, start=1):
        quote = _with_speaker(s) if asked.kind == "person" else s.span
        citations.append(
            Citation(
                n=n,
                source=s.passage.source,
                title=s.passage.title,
                outlet=s.passage.outlet,
                published=s.passage.published,
                quote=quote.text,
                start=quote.start,
                end=quote.end,
                score=round(s.score, 4),
                chunk_id=s.passage.chunk_id,
            )
        )
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(question, text, tuple(citations), retrieval.passages, abstained=False)


def _out_of_scope(asked: Question, best: float, lexical: LexicalIndex) -> bool:
    """Whether the articles do not answer: the best sentence is weak, or the question names a person,
    place or figure that no article mentions ("Vietnam", "2026"). The price: a name the articles spell
    otherwise ("American" where they say "U.S.") makes a false abstention."""
    if any(lexical.document_frequency(name) == 0 for name in asked.names):
        return True
    return best < ABSTAIN_BELOW


def score_sentences(
    asked: Question, retrieval: Retrieval, lexical: LexicalIndex, sentence_vectors: dict[str, np.ndarray]
) -> list[ScoredSentence]:
    """Every sentence of every passage, best first."""
    documents = max(lexical.size, 1)
    weights = {t: idf(lexical.document_frequency(t), documents) for t in asked.terms}
    total = sum(weights.values()) or 1.0
    scored = []
    for passage in retrieval.passages:
        vectors = sentence_vectors.get(passage.chunk_id)
        for i, span in enumerate(passage.sentences):
            vector = vectors[i] if vectors is not None else np.zeros_like(retrieval.question_vector)
            dense = float(vector @ retrieval.question_vector)
            shared = set(terms(span.text)) & set(weights)
            lexical_share = sum(weights[t] for t in shared) / total
            score = (
                W_DENSE * dense
                + W_LEXICAL * lexical_share
                + W_KIND * (asked.kind != "other" and has_kind(span.text, asked.kind))
                + W_PASSAGE * passage.score
                - HEADING_PENALTY * _is_heading(span.text)
            )
            scored.append(ScoredSentence(span, passage, i, vector, score))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def _choose(asked: Question, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best sentence, then those close behind it that say something new, up to the length budget.

    For a number question, sentences from other articles are preferred: their figures may differ.
    """
    best = scored[0]
    chosen = [best]
    followers = [s for s in scored[1:] if s.score >= best.score - FOLLOWER_MARGIN]
    if asked.kind == "number":
        followers.sort(key=lambda s: (s.passage.source in {c.passage.source for c in chosen}, -s.score))
    length = len(best.span.text)
    for candidate in followers:
        if len(chosen) == MAX_SENTENCES:
            break
        if length + len(candidate.span.text) > MAX_CHARS:
            continue
        if any(_same(candidate, c) for c in chosen):
            continue
        chosen.append(candidate)
        length += len(candidate.span.text)
    return chosen


_PRONOUN_SPEAKER = re.compile(r"\b(he|she|they)\s+(said|says|wrote|writes|told|added|explained)\b", re.I)


def _with_speaker(s: ScoredSentence) -> Span:
    """For "who said …": a quote whose speaker is only "he" gets the sentence before it, which names him.

    Adjacent sentences of a passage are separated by whitespace alone, so the joined quote is still
    verbatim.
    """
    if not _PRONOUN_SPEAKER.search(s.span.text):
        return s.span
    before = s.passage.sentences[s.index - 1] if s.index else s.passage.preceding
    if before is None:
        return s.span
    return Span(f"{before.text} {s.span.text}", before.start, s.span.end)


def _same(a: ScoredSentence, b: ScoredSentence) -> bool:
    return a.span.text == b.span.text or float(a.vector @ b.vector) >= DUPLICATE_SIMILARITY


def _is_heading(text: str) -> bool:
    return not text.rstrip("”’\"')").endswith((".", "!", "?"))
