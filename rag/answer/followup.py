"""Follow-up questions made standalone, without a language model.

The heuristic, in order (the first that applies wins):
1. A follow-up that names something ("And how many in Syria?") takes the previous question and puts the
   new name where the previous one stood ("How many people have been killed in Turkey?" →
   "How many people have been killed in Syria?").
2. A follow-up that points back with a pronoun ("What did he say?"), opens with "and"/"what about", or is
   too short to stand alone (fewer than two content words) is joined to the previous question:
   "What did he say? (Who is Malaysia's foreign minister)". Retrieval then sees both.
3. Anything else is already standalone and is kept as it is.
"""

from __future__ import annotations

import re

from rag.index.lexical import terms

_LEAD = re.compile(r"^\s*(and|but|so|also|then|what about|how about)\b[\s,]*", re.I)
# Runs of capitalised words not at the start: "Syria", "Prime Minister Keir Starmer", "Ukraine's".
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w’'-]*(?:\s+(?:of\s+)?[A-Z][\w’'-]*)*)")
_PRONOUN = re.compile(r"\b(he|she|it|they|him|her|them|his|its|their|there|this|that|those)\b", re.I)
_QUESTION_WORDS = re.compile(r"^(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def standalone(question: str, previous: str | None) -> str:
    """``question`` rewritten so it can be understood without ``previous`` (the last standalone question)."""
    if not previous:
        return question
    follow = _LEAD.sub("", question).strip()
    led = follow != question.strip()
    follow = follow[:1].upper() + follow[1:]
    new_names = _names(follow)
    old_names = _names(previous)
    if new_names and old_names and (led or len(terms(follow)) <= 3):
        return previous.replace(old_names[-1], new_names[-1], 1)
    if led or _PRONOUN.search(follow) or len(terms(follow)) < 2:
        return f"{follow.rstrip('?')}? ({previous.rstrip('?')})"
    return question


def _names(text: str) -> list[str]:
    return [m.group() for m in _NAME.finditer(text) if not _QUESTION_WORDS.match(m.group())]
