"""The gold question set: one JSON object a line, read into frozen ``GoldItem``s and checked on the way."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import EvaluationError

KINDS = ("fact", "number", "multi-source", "conflict", "time", "attribution", "paraphrase", "unanswerable")
# Relative to the working folder: the seeds' gold set in a checkout; elsewhere name one with --gold.
DEFAULT_GOLD = Path("eval/gold.jsonl")


@dataclass(frozen=True)
class GoldItem:
    """A question with what a right answer looks like.

    ``articles`` hold the answer, ``evidence`` are substrings of them that state it (none: the evidence is broad,
    any passage of a gold article will do), ``answers`` are accepted alternatives (any one in the answer text is
    enough), and ``abstain`` says the articles do not answer.
    """

    id: str
    kind: str
    question: str
    articles: tuple[str, ...]
    evidence: tuple[str, ...]
    answers: tuple[str, ...]
    abstain: bool


def load_gold(path: Path = DEFAULT_GOLD) -> list[GoldItem]:
    """Read and check ``path``; a malformed line is refused with its line number, not skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise EvaluationError(
            f"cannot read the gold set {path}: {error.strerror} (name one with --gold FILE)"
        ) from None
    items: list[GoldItem] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            items.append(_item(line, f"{path}:{number}"))
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise EvaluationError(f"{path}: duplicate ids {', '.join(duplicates)}")
    if not items:
        raise EvaluationError(f"{path}: the gold set is empty")
    return items


SPLITS = ("tune", "check")


def split(item: GoldItem) -> str:
    """Which part of its set an item belongs to: the stories of a third, fixed by a hash, are kept to check on.

    The key is the story, not the question: the item's first gold article (in sorted order), or its own id
    when it has none (a question to abstain on). Two questions about one article land in the same part:
    a check question never shares its story with a tuning one that has the same first article.

    >>> first = GoldItem("q1", "fact", "Who spoke?", ("cnn-0001.txt",), (), ("Ana",), False)
    >>> second = GoldItem("q2", "time", "When?", ("cnn-0003.txt", "cnn-0001.txt"), (), ("May",), False)
    >>> other = GoldItem("q3", "fact", "Where?", ("cnn-0002.txt",), (), ("Oslo",), False)
    >>> split(first), split(second), split(other)
    ('check', 'check', 'tune')
    >>> split(GoldItem("nqa-dev-001", "unanswerable", "Why?", (), (), (), True))
    'tune'
    """
    key = min(item.articles) if item.articles else item.id
    return "check" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def _item(line: str, where: str) -> GoldItem:
    try:
        raw = json.loads(line)
        item = GoldItem(
            id=str(raw["id"]),
            kind=str(raw["kind"]),
            question=str(raw["question"]),
            articles=tuple(raw["articles"]),
            evidence=tuple(raw["evidence"]),
            answers=tuple(raw["answers"]),
            abstain=bool(raw["abstain"]),
        )
    except json.JSONDecodeError as error:
        raise EvaluationError(f"{where}: not JSON ({error.msg})") from None
    except (KeyError, TypeError) as error:
        raise EvaluationError(f"{where}: missing or malformed field {error}") from None
    if item.kind not in KINDS:
        raise EvaluationError(f"{where}: kind must be one of {', '.join(KINDS)}, got {item.kind!r}")
    if not item.abstain and not (item.articles and item.answers):
        raise EvaluationError(f"{where}: an answerable item needs gold articles and answers")
    if item.kind == "conflict" and not item.evidence:
        raise EvaluationError(f"{where}: a conflict item needs one evidence string per differing figure")
    if item.abstain and (item.articles or item.answers):
        raise EvaluationError(f"{where}: an item to abstain on has no gold articles or answers")
    return item
