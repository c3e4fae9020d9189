"""Who a claim or quote is attributed to, when the sentence (or the one before it) names them.

"…,” said Thai Foreign Minister Sihasak Phuangketkeow" → "Thai Foreign Minister Sihasak Phuangketkeow";
"Malaysia’s Foreign Minister Mohamad Hasan said …" → "Malaysia’s Foreign Minister Mohamad Hasan";
"…,” he said" → the person the sentence before names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.schema import Citation, Passage, Span

_VERBS = (
    r"(?:said|says|told|wrote|writes|stated|explained|added|warned|urged|called|emphasi[sz]ed|hinted|accused|denied)"
)
# A speaker: a run of capitalised words, possessives and words of office ("Thailand's foreign minister Sihasak").
_TOKEN = (
    r"(?:[A-Z][\w.’'-]*|\w+(?:’s|'s)|foreign|prime|defen[cs]e|interior|minister|ministry|army|military|navy|air|"
    r"force|officials?|spokes\w+|former|senior|current|influential|leader|of|the)"
)
_WHO = rf"(?P<who>{_TOKEN}(?:\s+{_TOKEN})*)"
_AFTER = re.compile(rf"[,.!?]?[”\"]\s*{_VERBS}\s+{_WHO}")  # ", said Thai Foreign Minister Sihasak"
# "Hun Sen, the influential former leader of Cambodia and current Senate President said"
_BEFORE = re.compile(rf"{_WHO}(?:,\s+(?:the|a|an)\s[^“\",]{{3,90}})?\s+(?:had\s+|has\s+)?{_VERBS}\b")
# "Malaysia's foreign minister, Mohamad Hasan, urged"
_OFFICE_NAME = re.compile(rf"{_WHO},\s+(?P<name>[A-Z][\w-]+(?:\s+[A-Z][\w-]+)+),\s+(?:had\s+|has\s+)?{_VERBS}\b")
_QUOTE_WHO = re.compile(rf"[,.!?]?[”\"]\s*{_WHO}\s+{_VERBS}\b")  # ‘…,” Trump told reporters’
_QUOTE_OPENS = re.compile(r"^\s*[“\"]")
_ACCORDING = re.compile(rf"according to {_WHO}")
_PRONOUN = re.compile(rf"\b(?:he|she)\s+{_VERBS}\b", re.I)
_NOT_SPEAKERS = re.compile(
    r"^(?:it|this|that|they|he|she|there|both|the|which|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.I,
)


def speaker(sentence: str, before: Sequence[str] = (), after: Sequence[str] = ()) -> str | None:
    """The person or body ``sentence`` attributes its claim to, or None. ``before`` are the sentences
    just before it, nearest first (who "he" is); ``after`` those just after it (a quote running on over
    several sentences names its speaker at its end).

    >>> speaker("“A ceasefire must come from actions,” said Thailand's foreign minister Sihasak, warning …")
    "Thailand's foreign minister Sihasak"
    """
    if (match := _OFFICE_NAME.search(sentence)) and (who := _clean(match["who"])):
        return f"{who}, {match['name']}"
    for pattern in (_AFTER, _QUOTE_WHO, _BEFORE, _ACCORDING):
        if (match := pattern.search(sentence)) and (who := _clean(match["who"])):
            return who
    if _PRONOUN.search(sentence):
        for previous in before[:3]:
            if who := speaker(previous):
                return who
    if _QUOTE_OPENS.match(sentence):
        for following in after[:3]:
            for pattern in (_AFTER, _QUOTE_WHO):
                if (match := pattern.search(following)) and (who := _clean(match["who"])):
                    return who
            if (match := _PRONOUN.search(following)) and before:
                return speaker(following, before)
    return None


def _clean(who: str) -> str | None:
    who = re.sub(r"^(?:(?:the|and|but|on|in|of)\s+)+", "", who.strip(" ,"), flags=re.I)
    who = re.sub(r"(?:\s+(?:of|the))+$", "", who).rstrip(".")
    if _NOT_SPEAKERS.match(who) or not any(ch.isupper() for ch in who):
        return None
    return who


def cite(
    n: int, passage: Passage, index: int, quote: Span, score: float, also_reported_by: tuple[str, ...] = ()
) -> Citation:
    """Citation ``n`` of ``quote``, which holds sentence ``index`` of ``passage`` (its speaker read there)."""
    return Citation(
        n=n,
        origin=passage.origin,
        quote=quote.text,
        start=quote.start,
        end=quote.end,
        score=round(score, 4),
        chunk_id=passage.chunk_id,
        speaker=speaker(passage.sentences[index].text, *_around(passage, index)),
        also_reported_by=also_reported_by,
    )


def _around(passage: Passage, index: int) -> tuple[list[str], list[str]]:
    """The sentences before (nearest first, then the one before the passage) and after a sentence."""
    before = [x.text for x in reversed(passage.sentences[:index])]
    if passage.preceding is not None:
        before.append(passage.preceding.text)
    return before, [x.text for x in passage.sentences[index + 1 :]]
