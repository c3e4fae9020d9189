"""Re-derive the answerer's sentence scorer and abstention threshold from the development sets.

    python -m rag.evaluation.tune --dev GOLD CORPUS HOME [--dev ...] [--write]

Each ``--dev`` names a gold set, its corpus and the folder its index is kept in (built on first use, reused
after). Only the tuning part of each set is read (``gold.split``, by story): check items are never seen here.
For every question the answerer's own reading is done (``Engine.read``), every candidate sentence gets
its features (``rag.scorer``) and the label "holds an accepted answer". Weights that rank each question's
candidates are fitted on them and calibrated into a probability (``fit``); then, on the same questions, the
follower margin that maximises contains-gold, the abstention threshold: the lowest one whose false
abstentions on answerable questions stay within ``MAX_FALSE_ABSTENTIONS`` on every development set (not on
their pool, where a large set's share would hide a small one's), and the best sentence's probability from
which a short answer is given: the one with the most right short answers less wrong ones (right: a word in
common with an accepted answer). The curves are printed; ``--write`` stores the result in
``rag/answer/scorer_weights.json``, with what it was fitted on (each set's gold file, the part, its
questions) and the digest of the feature code (``rag.answer.fitted``), which a test compares with today's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.answer.engine import Engine, Reading
from rag.answer.extractive import MAX_CHARS, read_question, unknown_names
from rag.answer.fitted import feature_digest
from rag.answer.question import Question
from rag.answer.scorer import (
    FEATURES,
    QUESTION_FEATURES,
    WEIGHTS_FILE,
    Candidate,
    Model,
    candidates,
    constraints,
    question_features,
)
from rag.answer.short import short_answer
from rag.config import Settings
from rag.evaluation.gold import GoldItem, load_gold, split
from rag.evaluation.metrics import contains_gold, key_fact_hit, token_f1
from rag.language import Reader
from rag.schema import Passage
from rag.text import is_heading, is_question

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

PART = "tune"  # the part of each development set fitted on (gold.split); the check part is never read here
MAX_FALSE_ABSTENTIONS = 0.05  # the operating point: at most this share of answerable questions refused
THRESHOLDS = np.round(np.arange(1.0, -0.001, -0.02), 2)  # abstention thresholds tried, highest first
MARGINS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 1.0)
SENTENCES = (1, 2, 3, 4, 5)
RANK_C = 1.0  # the ranking fit's inverse L2 penalty, as sklearn's default C (docs/evaluation.md: its curve)
SHORT_THRESHOLDS = np.round(np.arange(0.0, 0.96, 0.05), 2)  # probabilities tried for giving a short answer
# The median answer a reader is given, in characters with its [n] markers, and the part read first.
MEDIAN_CHARS = 300
LEAD_CHARS = 200


@dataclass
class Asked:
    """One question's candidate sentences: features, labels, texts, and whether a named constraint is unknown."""

    item: GoldItem
    corpus: str  # the development set it comes from
    features: np.ndarray
    labels: np.ndarray
    texts: list[str]
    unknown_name: bool  # the question names something no indexed chunk mentions (always abstains)
    constrained: bool  # the question names something at all
    question: Question
    sentences: list[Candidate]  # in the order of ``features``' rows
    reader: Reader


def collect(gold: Path, corpus: Path, home: Path) -> list[Asked]:
    engine = Engine(Settings.from_env(home=home, corpus=corpus))
    found = []
    items = [i for i in load_gold(gold) if split(i) == PART]
    for n, item in enumerate(items, start=1):
        reading = engine.read(item.question)
        found.append(ask(item, str(corpus), reading, reading.retrieval.passages))
        if n % 50 == 0:
            print(f"tune: {gold.name}: {n}/{len(items)} questions read", file=sys.stderr)
    return found


def ask(item: GoldItem, corpus: str, reading: Reading, passages: tuple[Passage, ...]) -> Asked:
    """``item`` as the answerer sees it over ``passages`` (those of ``reading``, or fewer of them)."""
    asked = read_question(item.question, reading.lexical)
    sentences = candidates(
        asked, passages, reading.retrieval.question_vector, reading.lexical, reading.sentence_vectors, reading.reader
    )
    features = np.stack([c.features for c in sentences]) if sentences else np.zeros((0, len(FEATURES)))
    labels = np.asarray([not item.abstain and key_fact_hit(c.span.text, item.answers) for c in sentences])
    texts = [c.span.text for c in sentences]
    unknown = bool(unknown_names(asked, reading.lexical))
    constrained = bool(constraints(asked))
    return Asked(item, corpus, features, labels, texts, unknown, constrained, asked, sentences, reading.reader)


def fit(questions: list[Asked]) -> tuple[np.ndarray, float]:
    """The sentence scorer's weights and bias: ranked, then calibrated.

    The weights are those that best rank each question's candidates (a conditional logit: the softmax over
    one question's sentences puts its mass on those holding an answer), since the answer quotes the best of
    them; a pointwise logistic regression over all sentences of all questions ranked the right one first
    less often (docs/evaluation.md). The ranking score is then calibrated into P(holds an answer) by a
    logistic regression on it alone (Platt scaling), which keeps the order and gives the abstainer, the
    follower margin and ``short_above`` a probability to work with.
    """
    from sklearn.linear_model import LogisticRegression

    rows = [q for q in questions if len(q.labels)]
    direction = rank_weights([q for q in rows if q.labels.any()])
    x = np.concatenate([q.features for q in rows]) @ direction
    y = np.concatenate([q.labels for q in rows]).astype(int)
    platt = LogisticRegression(C=1.0, max_iter=2000).fit(x[:, None], y)
    return float(platt.coef_[0][0]) * direction, float(platt.intercept_[0])


def rank_weights(questions: list[Asked], c: float = RANK_C) -> np.ndarray:
    """The weights of a conditional logit over each question's candidates (L2 penalty ``1 / c``): the target
    is the share of the question's answering sentences, uniform among them."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = 0.5 / c * float(w @ w), w / c
        for q in questions:
            scores = q.features @ w
            p = np.exp(scores - scores.max())
            p /= p.sum()
            target = q.labels / q.labels.sum()
            total -= float(target @ np.log(p + 1e-12))
            gradient = gradient - q.features.T @ (target - p)
        return total, gradient

    return np.asarray(minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x)


def compose(q: Asked, chances: np.ndarray, margin: float, most: int) -> str:
    """The answer text the answerer would write: the best sentence and followers within ``margin``."""
    order = [i for i in np.argsort(-chances) if not is_question(q.texts[i])]  # as the answerer, which never quotes one
    if not order:
        return ""
    chosen, length = [order[0]], len(q.texts[order[0]])
    for i in order[1:]:
        if len(chosen) == most or chances[i] < chances[order[0]] - margin:
            break
        if length + len(q.texts[i]) <= MAX_CHARS and q.texts[i] not in {q.texts[c] for c in chosen}:
            chosen.append(i)
            length += len(q.texts[i])
    return " ".join(f"{q.texts[i]} [{n}]" for n, i in enumerate(chosen, start=1))


def derive(questions: list[Asked], weights: np.ndarray, bias: float) -> tuple[Model, list[str]]:
    """The follower margin, the abstention model and its threshold for ``weights``, with the curves behind them."""
    probe = Model(tuple(weights), bias, (0.0,) * len(QUESTION_FEATURES), 0.0, 1.0, 0.0, 0, 0.0)
    chances = [probe.probability(q.features) if len(q.labels) else np.zeros(0) for q in questions]
    answerable = [(q, c) for q, c in zip(questions, chances, strict=True) if not q.item.abstain and len(c)]
    lines = ["sentences\tmargin\tcontains_gold_700 (answerable, no abstention)\tgold_in_first_200\tmedian_chars"]
    gains, medians = {}, {}
    for most in SENTENCES:
        for margin in MARGINS:
            texts = [(compose(q, c, margin, most), q.item.answers) for q, c in answerable]
            gains[most, margin] = float(np.mean([contains_gold(t, gold) for t, gold in texts]))
            first = np.mean([contains_gold(t[:LEAD_CHARS], gold) for t, gold in texts])
            medians[most, margin] = float(np.median([len(t) for t, _ in texts]))
            lines.append(f"{most}\t{margin:.2f}\t{gains[most, margin]:.3f}\t{first:.3f}\t{medians[most, margin]:.0f}")
    # The most answers holding the gold whose median length stays within MEDIAN_CHARS (a reader's glance: the
    # long answers are kept for the questions whose best sentences are close, where it is unsure); among those
    # within half a point of it, the shortest.
    within = [g for g in gains if medians[g] <= MEDIAN_CHARS] or [min(gains, key=medians.__getitem__)]
    top = max(gains[g] for g in within)
    max_sentences, follower_margin = min((g for g in within if gains[g] >= top - 0.005), key=lambda g: (g[0], g[1]))
    x = np.stack([question_features(q.features, c, q.constrained) for q, c in zip(questions, chances, strict=True)])
    abstainer = fit_abstainer(x, [q.item.abstain for q in questions])
    unanswered = abstainer.predict_proba(x)[:, 1]
    due = [i for i, q in enumerate(questions) if q.item.abstain]
    owed = [i for i, q in enumerate(questions) if not q.item.abstain]
    corpora = sorted({q.corpus for q in questions})

    def refused(threshold: float) -> np.ndarray:
        return np.asarray([q.unknown_name for q in questions]) | (unanswered > threshold)

    def worst_false(threshold: float) -> float:
        return max(refused(threshold)[[i for i in owed if questions[i].corpus == c]].mean() for c in corpora)

    lines.append("threshold\tabstention_recall\tabstention_precision\tfalse_abstentions (the worst set)")
    for t in THRESHOLDS:
        shown = refused(t)
        recall = shown[due].mean() if due else float("nan")
        precision = shown[due].sum() / shown.sum() if shown.sum() else float("nan")
        lines.append(f"{t:.2f}\t{recall:.3f}\t{precision:.3f}\t{worst_false(t):.3f}")
    threshold = operating_point(worst_false)
    given = [short for q, c in answerable if (short := short_given(q, c)) is not None]
    lines.append("short_above\tshort answers given\tright\twrong")
    net = {}
    for t in SHORT_THRESHOLDS:
        right = sum(score >= t and hit for score, hit in given)
        wrong = sum(score >= t and not hit for score, hit in given)
        net[t] = right - wrong
        lines.append(f"{t:.2f}\t{right + wrong}\t{right}\t{wrong}")
    short_above = float(min(t for t in net if net[t] == max(net.values())))
    model = Model(
        tuple(float(w) for w in weights),
        bias,
        tuple(float(w) for w in abstainer.coef_[0]),
        float(abstainer.intercept_[0]),
        threshold,
        follower_margin,
        max_sentences,
        short_above,
    )
    return model, lines


def short_given(q: Asked, chances: np.ndarray) -> tuple[float, bool] | None:
    """The best sentence's probability and whether the short answer it gives, at any probability, is right;
    None when it gives none. The sentences are ranked as the answerer ranks them (no question, no heading)."""
    order = [i for i in np.argsort(-chances) if not is_question(q.texts[i]) and not is_heading(q.texts[i])]
    scored = [replace(q.sentences[i], score=float(chances[i])) for i in order]
    filler = short_answer(q.question.asks, scored, q.reader, above=0.0)
    if filler is None:
        return None
    return scored[0].score, token_f1(filler.mention.text, q.item.answers) > 0


def fit_abstainer(x: np.ndarray, unanswerable: Sequence[bool]) -> LogisticRegression:
    """The abstention model over question features ``x`` (QUESTION_FEATURES), classes weighted as balanced:
    unanswerable questions are few."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x, np.asarray(unanswerable, int))


def operating_point(worst_false: Callable[[float], float]) -> float:
    """The lowest of THRESHOLDS at which the false abstentions of the worst development set
    (``worst_false(threshold)``) stay within MAX_FALSE_ABSTENTIONS; 1.0 when none does."""
    return float(min((t for t in THRESHOLDS if worst_false(t) <= MAX_FALSE_ABSTENTIONS), default=1.0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.evaluation.tune", description=__doc__.split("\n")[0])
    parser.add_argument("--dev", nargs=3, action="append", metavar=("GOLD", "CORPUS", "HOME"), required=True)
    parser.add_argument("--write", action="store_true", help=f"store the result in {WEIGHTS_FILE.name}")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="where --write stores it")
    args = parser.parse_args(argv)
    questions, fitted_on = [], []
    for gold, corpus, home in args.dev:
        found = collect(Path(gold), Path(corpus), Path(home))
        questions += found
        fitted_on.append({"gold": gold, "corpus": corpus, "part": PART, "questions": len(found)})
    weights, bias = fit(questions)
    model, curves = derive(questions, weights, bias)
    print("\n".join(curves))
    for name, weight in zip(FEATURES, weights, strict=True):
        print(f"weight\t{name}\t{weight:+.3f}")
    for name, weight in zip(QUESTION_FEATURES, model.abstain_weights, strict=True):
        print(f"abstain weight\t{name}\t{weight:+.3f}")
    print(f"bias\t{bias:+.3f}\nabstain_above\t{model.abstain_above:.2f}")
    print(f"follower_margin\t{model.follower_margin:.2f}\nmax_sentences\t{model.max_sentences}")
    print(f"short_above\t{model.short_above:.2f}")
    if args.write:
        data = {
            "fitted_by": "python -m rag.evaluation.tune " + " ".join(f"--dev {g} {c} {h}" for g, c, h in args.dev),
            "questions": len(questions),
            "fitted_on": fitted_on,
            # The code that computed the features (rag.answer.fitted); a test fails when it no longer matches.
            "feature_digest": feature_digest(),
            "features": list(FEATURES),
            "weights": [round(float(w), 4) for w in weights],
            "bias": round(bias, 4),
            "question_features": list(QUESTION_FEATURES),
            "abstain_weights": [round(w, 4) for w in model.abstain_weights],
            "abstain_bias": round(model.abstain_bias, 4),
            "abstain_above": model.abstain_above,
            "follower_margin": model.follower_margin,
            "max_sentences": model.max_sentences,
            "short_above": model.short_above,
            "max_false_abstentions": MAX_FALSE_ABSTENTIONS,
        }
        args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"written: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
