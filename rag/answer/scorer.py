"""How well a sentence answers a question: a few named features and a logistic model over them.

The features say what any question of any news corpus can be checked for: closeness in meaning, shared
rare words, whether the question's constraints (names, numbers, years, quoted titles) hold in the sentence
and in its passage, whether the sentence holds a new filler of the kind asked for (a number for "how
many", a name for "who") rather than only restating the question, and where it stands. The weights
and the abstention threshold live in ``scorer_weights.json``, fitted on the development sets by
``python -m rag.evaluation.tune`` (see docs/evaluation.md, "How the answerer is tuned").
"""

from __future__ import annotations

import json
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rag.answer.question import Question, names_another_period
from rag.index.lexical import LexicalIndex, idf, terms
from rag.language import Reader, fillers, holds_kind, named_share, new_entities
from rag.schema import Passage, Span
from rag.text import is_heading

# Package data, a plain file in an installed wheel and in a checkout (which the tuning script rewrites).
WEIGHTS_FILE = Path(str(resources.files("rag.answer") / "scorer_weights.json"))


class SentenceFeatures(NamedTuple):
    """What a sentence is judged on: does it hold the answer?"""

    # The first five are also compared with the best candidate of the same question (``GAPPED``).
    dense: float  # cosine of the sentence's vector with the question's
    passage_dense: float  # cosine of its passage's vector with the question's (0 when only BM25 found it)
    lexical: float  # idf-weighted share of the question's terms in the sentence
    passage_lexical: float  # the same share in the sentence's passage: the context that carries the constraints
    constraints_sentence: float  # share of the question's constraints (names, numbers, years, titles) in it
    constraints_passage: float  # the same in the passage and its article's date
    kind_fit: float  # the sentence holds the kind of thing asked for (a number, a date, a name, a place)
    new_filler: float  # it holds a name, number or date the question does not: it adds something
    new_kind_filler: float  # it holds a filler of the kind asked for (a number for "how many" …) the question lacks
    named_share: float  # share of the entities the question names that it names too
    verb_match: float  # it uses the question's main verb ("convicted" for "Who was convicted …?")
    novelty: float  # share of the sentence's terms that are not the question's
    passage_rank: float  # 1 / rank of its passage in the retrieval
    lead: float  # how early in its article it stands (news puts the main facts first)
    heading: float  # a line without a full stop: a heading names a topic, it states nothing
    previous_lexical: float  # the share of the question's terms in the sentence before (the answer often follows)


# How far each of these falls short of the best candidate for the same question: the model compares
# sentences with each other, not only with a fixed scale.
GAPPED = SentenceFeatures._fields[:5]
FEATURES = SentenceFeatures._fields + tuple(f"{name}_gap" for name in GAPPED)


class QuestionFeatures(NamedTuple):
    """What the question as a whole is judged on when deciding to abstain: do the best candidates cover it?"""

    best: float  # the best sentence's probability of holding the answer
    best_constraints_sentence: float  # the question's constraints held by the best sentence
    best_constraints_passage: float  # ... by the best sentence's passage
    max_constraints_passage: float  # ... by the passage that holds most of them
    best_dense: float  # the closest sentence in meaning
    top_passage_dense: float  # the first passage's closeness in meaning
    best_lexical: float  # the largest share of the question's rarer words in one sentence
    constrained: float  # the question names something (a name, number, year or title) at all
    best_named_share: float  # the entities the question names, as the language layer reads them, in the best one
    max_named_share: float  # ... in the sentence that names most of them
    best_kind_filler: float  # the best sentence holds a new filler of the kind asked for


QUESTION_FEATURES = QuestionFeatures._fields


@dataclass(frozen=True)
class Model:
    """Logistic-regression weights over FEATURES (does this sentence answer?) and over QUESTION_FEATURES
    (do the articles answer at all?), the abstention threshold and the follower margin."""

    weights: tuple[float, ...]
    bias: float
    abstain_weights: tuple[float, ...]
    abstain_bias: float
    abstain_above: float  # P(not answered) over which the answerer abstains
    follower_margin: float  # further sentences must be within this (probability) of the best
    max_sentences: int  # sentences quoted at most
    short_above: float  # the best sentence's probability from which it gives a short answer

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(sentence holds the answer) for each row of ``features`` (columns in FEATURES order)."""
        return _sigmoid(features @ np.asarray(self.weights) + self.bias)

    def unanswered(self, question_features: np.ndarray) -> float:
        """P(the articles do not answer) from the question's features (QUESTION_FEATURES order)."""
        return float(_sigmoid(question_features @ np.asarray(self.abstain_weights) + self.abstain_bias))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def question_features(features: np.ndarray, chances: np.ndarray, constrained: bool) -> np.ndarray:
    """QUESTION_FEATURES from the candidates' feature rows and their probabilities (best first or not)."""
    if not len(chances):
        return np.asarray(QuestionFeatures(*[0.0] * 7, float(constrained), 0.0, 0.0, 0.0))
    column = {name: features[:, i] for i, name in enumerate(FEATURES)}
    best = int(np.argmax(chances))
    return np.asarray(
        QuestionFeatures(
            best=float(chances[best]),
            best_constraints_sentence=float(column["constraints_sentence"][best]),
            best_constraints_passage=float(column["constraints_passage"][best]),
            max_constraints_passage=float(column["constraints_passage"].max()),
            best_dense=float(column["dense"].max()),
            top_passage_dense=float(column["passage_dense"][column["passage_rank"].argmax()]),
            best_lexical=float(column["lexical"].max()),
            constrained=float(constrained),
            best_named_share=float(column["named_share"][best]),
            max_named_share=float(column["named_share"].max()),
            best_kind_filler=float(column["new_kind_filler"][best]),
        )
    )


@cache
def load_model(path: Path = WEIGHTS_FILE) -> Model:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES or tuple(data["question_features"]) != QUESTION_FEATURES:
        raise ValueError(f"{path} was fitted for other features; run python -m rag.evaluation.tune --write")
    return Model(
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        abstain_weights=tuple(float(w) for w in data["abstain_weights"]),
        abstain_bias=float(data["abstain_bias"]),
        abstain_above=float(data["abstain_above"]),
        follower_margin=float(data["follower_margin"]),
        max_sentences=int(data["max_sentences"]),
        short_above=float(data["short_above"]),
    )


_QUOTED = re.compile(r"[\"“‘']([^\"”’']{3,80})[\"”’']")


def constraints(asked: Question) -> tuple[str, ...]:
    """What must hold in an answer's evidence: the question's names and numbers (stemmed) and quoted titles."""
    quoted = tuple(" ".join(terms(m.group(1))) for m in _QUOTED.finditer(asked.text))
    return asked.names + tuple(q for q in quoted if q)


def _covered(constraint: str, words: AbstractSet[str], text: str, published: str | None) -> bool:
    if " " in constraint:  # a quoted title: its words in order
        return constraint in text
    if len(constraint) == 4 and constraint.isdecimal() and published and published.startswith(constraint):
        return True  # "in 2021" holds for an article written in 2021
    return constraint in words


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, as the answerer weighs it."""

    span: Span
    passage: Passage
    index: int  # position in passage.sentences
    vector: np.ndarray
    features: np.ndarray  # in FEATURES order
    score: float = 0.0  # the fitted model's probability that it holds the answer, once scored


def candidates(
    asked: Question,
    passages: tuple[Passage, ...],
    question_vector: np.ndarray,
    lexical: LexicalIndex,
    sentence_vectors: dict[str, np.ndarray],
    reader: Reader,
) -> list[Candidate]:
    """Every sentence of every passage with its features, in retrieval order, but for those of articles
    that do not name what the question names (``Question.specific``) and tell another story than those
    that do (``same_story``): "Who won the Lakeside marathon?" is not answered by the Harlow Bay one,
    however alike the sentences. Nor is a sentence whose every term is the question's: "Tesla Q2 2020
    revenue." restates "What was Tesla's revenue in Q2 2020?" and answers nothing; nor one that names
    another quarter, half or round than the one asked ("the first quarter" for "in Q2"). The sentences left
    out still count in the features that compare a sentence with the best of the pool."""
    documents = max(lexical.size, 1)
    weights = {t: idf(lexical.document_frequency(t), documents) for t in asked.terms}
    total = sum(weights.values()) or 1.0
    needed = constraints(asked)
    question_terms = set(terms(asked.text))
    asks = asked.asks
    # Every sentence read at once (the layer parses those it has not read before, in one batch).
    parsed = iter(reader.parse([span.text for p in passages for span in p.sentences]))
    found, rows = [], []
    for rank, passage in enumerate(passages, start=1):
        vectors = sentence_vectors.get(passage.chunk_id)
        passage_words = passage_terms(passage)
        passage_lexical = sum(w for t, w in weights.items() if t in passage_words) / total
        passage_cover = passage_coverage(needed, passage)
        previous_share = 0.0
        for i, span in enumerate(passage.sentences):
            vector = vectors[i] if vectors is not None else np.zeros_like(question_vector)
            words = terms(span.text)
            word_set = set(words)
            lexical_share = sum(w for t, w in weights.items() if t in word_set) / total
            reading = next(parsed)
            row = SentenceFeatures(
                dense=float(vector @ question_vector),
                passage_dense=passage.dense_score or 0.0,
                lexical=lexical_share,
                passage_lexical=passage_lexical,
                constraints_sentence=_share(needed, word_set, " ".join(words), None),
                constraints_passage=passage_cover,
                kind_fit=float(holds_kind(asks, reading)),
                new_filler=float(new_entities(asks, reading)),
                new_kind_filler=float(bool(fillers(asks, reading))),
                named_share=named_share(asks, span.text),
                verb_match=float(asks.verb is not None and asks.verb in reading.lemmas),
                novelty=len(word_set - question_terms) / max(len(word_set), 1),
                passage_rank=1.0 / rank,
                lead=1.0 / (1.0 + span.start / 1000.0),
                heading=float(is_heading(span.text)),
                previous_lexical=previous_share,
            )
            previous_share = lexical_share
            found.append((span, passage, i, vector))
            rows.append(row)
    if not rows:
        return []
    table = np.asarray(rows, dtype=float)
    columns = [FEATURES.index(name) for name in GAPPED]
    table = np.hstack([table, table[:, columns] - table[:, columns].max(axis=0)])
    told = same_story(articles_naming(asked.specific, passages), passages, sentence_vectors)
    novelty = FEATURES.index("novelty")
    return [
        Candidate(*parts, table[j])
        for j, parts in enumerate(found)
        if parts[1].origin.article_id in told
        and table[j, novelty] > 0
        and not (asked.periods and names_another_period(asked.periods, parts[0].text))
    ]


def passage_coverage(needed: tuple[str, ...], passage: Passage) -> float:
    """The share of ``needed`` (see ``constraints``) held by the passage, its title or its article's date."""
    return _share(needed, passage_terms(passage), " ".join(_text_terms(passage.text)), passage.published)


def passage_terms(passage: Passage) -> frozenset[str]:
    """The terms of a passage's text and title."""
    return _term_set(passage.text, passage.title or "")


@lru_cache(maxsize=4096)
def _term_set(text: str, title: str) -> frozenset[str]:
    # Asked for about a hundred times an answer (each passage, for each step of ``_text_terms``'s list).
    return frozenset(_text_terms(text)) | frozenset(_text_terms(title))


@lru_cache(maxsize=4096)
def _text_terms(text: str) -> tuple[str, ...]:
    # One answer reads a passage's words in several steps (which articles name what is asked, the
    # constraints each passage holds, then each sentence's features, and the figures' passages), and the
    # next question often retrieves the same passages.
    return tuple(terms(text))


def articles_naming(names: tuple[str, ...], passages: tuple[Passage, ...]) -> set[str]:
    """The ids of the articles whose passages among ``passages`` hold every one of ``names`` (in their
    text, title or, for a year, date)."""
    words: dict[str, set[str]] = {}
    for p in passages:
        words.setdefault(p.origin.article_id, set()).update(passage_terms(p))
    published = {p.origin.article_id: p.published for p in passages}
    return {a for a, w in words.items() if all(_covered(n, w, "", published[a]) for n in names)}


# Articles this alike tell one story (experiments/story_similarity.py re-derives it; docs/evaluation.md).
STORY_SIMILARITY = 0.55


def same_story(naming: set[str], passages: tuple[Passage, ...], sentence_vectors: dict[str, np.ndarray]) -> set[str]:
    """``naming`` and the articles that tell the same story as one of them: whose retrieved sentences, taken
    together, are at least STORY_SIMILARITY alike in meaning to theirs (``article_centroids``)."""
    others = {p.origin.article_id for p in passages} - naming
    if not naming or not others:
        return set(naming)
    centroid = article_centroids(passages, sentence_vectors)
    told = set(naming)
    for article in others & centroid.keys():
        if any(float(centroid[article] @ centroid[n]) >= STORY_SIMILARITY for n in naming if n in centroid):
            told.add(article)
    return told


def article_centroids(passages: tuple[Passage, ...], sentence_vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each article's retrieved sentences in one unit vector: the direction of their mean."""
    gathered: dict[str, list[np.ndarray]] = {}
    for p in passages:
        if p.chunk_id in sentence_vectors:
            gathered.setdefault(p.origin.article_id, []).append(sentence_vectors[p.chunk_id])
    centroid = {}
    for article, parts in gathered.items():
        mean = np.concatenate(parts).mean(axis=0)
        centroid[article] = mean / (np.linalg.norm(mean) or 1.0)
    return centroid


def _share(needed: tuple[str, ...], words: AbstractSet[str], joined: str, published: str | None) -> float:
    if not needed:
        return 1.0
    return sum(_covered(c, words, joined, published) for c in needed) / len(needed)
