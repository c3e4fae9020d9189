"""Who a claim or quote is attributed to, when the sentence (or the one before it) names them.

"…,” said Thai Foreign Minister Sihasak Phuangketkeow" → "Thai Foreign Minister Sihasak Phuangketkeow";
"Malaysia’s Foreign Minister Mohamad Hasan said …" → "Malaysia’s Foreign Minister Mohamad Hasan";
"…,” he said" → the person the sentence before names.
"""

from __future__ import annotations

import re

_VERBS = (
    r"(?:said|says|told|wrote|writes|stated|explained|added|warned|urged|called|emphasi[sz]ed|hinted|accused|denied)"
)
# A speaker: a run of capitalised words, possessives and words of office ("Thailand's foreign minister Sihasak").
_TOKEN = (
    r"(?:[A-Z][\w.’'-]*|\w+(?:’s|'s)|foreign|prime|defen[cs]e|interior|minister|ministry|army|military|navy|air|"
    r"force|officials?|spokes\w+|former|senior|current|influential|leader|of|the)"
)
_WHO = rf"(?P<who>{_TOKEN}(?:\s+{_TOKEN})*)"
_AFTER = re.compile(rf"[,”\"]\s*{_VERBS}\s+{_WHO}")  # ", said Thai Foreign Minister Sihasak"
# "Hun Sen, the influential former leader of Cambodia and current Senate President said"
_BEFORE = re.compile(rf"{_WHO}(?:,\s+(?:the|a|an)\s[^“\",]{{3,90}})?\s+(?:had\s+|has\s+)?{_VERBS}\b")
_ACCORDING = re.compile(rf"according to {_WHO}")
_PRONOUN = re.compile(rf"\b(?:he|she)\s+{_VERBS}\b", re.I)
_NOT_SPEAKERS = re.compile(
    r"^(?:it|this|that|they|he|she|there|both|the|which|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.I,
)


def speaker(sentence: str, previous: str | None = None) -> str | None:
    """The person or body ``sentence`` attributes its claim to, or None.

    >>> speaker("“A ceasefire must come from actions,” said Thailand's foreign minister Sihasak, warning …")
    "Thailand's foreign minister Sihasak"
    """
    for pattern in (_AFTER, _BEFORE, _ACCORDING):
        if (match := pattern.search(sentence)) and (who := _clean(match["who"])):
            return who
    if _PRONOUN.search(sentence) and previous:
        return speaker(previous)
    return None


def _clean(who: str) -> str | None:
    who = re.sub(r"^(?:(?:the|and|but|on|in|of)\s+)+", "", who.strip(" ,"), flags=re.I)
    who = re.sub(r"(?:\s+(?:of|the))+$", "", who).rstrip(".")
    if _NOT_SPEAKERS.match(who) or not any(ch.isupper() for ch in who):
        return None
    return who
