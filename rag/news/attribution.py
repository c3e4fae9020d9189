"""Who a claim or quote is attributed to, when the sentence (or the one before it) names them.

The speaker is the subject of a verb of speaking (said, told, according to, added …), read wherever the
sentence puts it: "…,” said Interior Minister Ali Kaya" → the phrase after the verb; "Turkey’s
Foreign Minister Hakan Fidan said …" → the phrase before it; "said the Pennsylvania secretary of
state, Al Schmidt" and "Ali Kaya, the interior minister …, said" → the name the
description stands beside; "…,” he said" → the person the sentence before names. No list of offices:
any run of names, possessives and plain nouns can be a speaker, provided it holds a capitalised word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.schema import Citation, Passage, Span

# Verbs of speaking and writing, in the forms news reports them.
_VERBS = (
    r"(?:said|says|say|told|tells|wrote|writes|stated|states|explained|added|adds|warned|warns|urged|urges|"
    r"called|emphasi[sz]ed|stressed|hinted|accused|denied|noted|argued|insisted|announced|declared|claimed|"
    r"confirmed|replied|responded|testified|posted|tweeted|asserted|acknowledged|maintained|vowed|pledged)"
)
_VERB = re.compile(rf"\b{_VERBS}\b")
_ACCORDING = re.compile(r"\baccording to\b", re.I)
# Words that end a speaker's phrase: it is a noun phrase, these begin a clause or another phrase.
_STOP = frozenset(
    """a an and or but nor that which who whom whose when where while as if because since than then so also
    it its this these those there he she they we i you him her them us his their our your my
    is are was were be been being has have had do does did will would could should can may might must not
    on in at to for from with by about into over after before during against between through under
    late early just still even only very""".split()
)
_WORD = re.compile(r"[\w’'.-]+|[^\w\s]")
_NAME_RUN = r"[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)*"
# "Sarah Lin, the long-serving head of the county election board, said": the name before the description.
_NAMED_BEFORE = re.compile(
    rf"(?P<name>{_NAME_RUN}),\s+(?:the|a|an)\s[^“”\",]{{3,90}}?,?\s+(?:has\s+|had\s+)?{_VERBS}\b"
)
# "…, the Pennsylvania secretary of state, Al Schmidt" / "Malaysia's foreign minister, Mohamad Hasan,": a
# description, then the name it belongs to.
_APPOSITION = re.compile(rf"^,\s+(?P<name>{_NAME_RUN})\s*(?:[,.;:!?]|$)")
_DESCRIBED_NAME = re.compile(rf"(?:^|[.;:”\"]\s*)(?P<desc>[^,“”\"]{{3,80}}),\s+(?P<name>{_NAME_RUN}),?$")
_PRONOUN = re.compile(rf"\b(?:he|she)\s+{_VERBS}\b", re.I)
_QUOTE_OPENS = re.compile(r"^\s*[“\"]")
_NOT_SPEAKERS = re.compile(
    r"^(?:it|this|that|they|he|she|there|both|the|which|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.I,
)
_MAX_WORDS = 8


def speaker(sentence: str, before: Sequence[str] = (), after: Sequence[str] = ()) -> str | None:
    """The person or body ``sentence`` attributes its claim to, or None. ``before`` are the sentences
    just before it, nearest first (who "he" is); ``after`` those just after it (a quote running on over
    several sentences names its speaker at its end).

    >>> speaker("“Turnout was strong,” said the Pennsylvania secretary of state, Al Schmidt, on Tuesday.")
    'Al Schmidt'
    """
    if who := _subject(sentence):
        return who
    if _PRONOUN.search(sentence):
        for previous in before[:3]:
            if who := speaker(previous):
                return who
    if _QUOTE_OPENS.match(sentence):
        for following in after[:3]:
            if who := _subject(following):
                return who
            if _PRONOUN.search(following) and before:
                return speaker(following, before)
    return None


def _subject(sentence: str) -> str | None:
    """The subject of the sentence's first verb of speaking (or of "according to") that has one."""
    if match := _NAMED_BEFORE.search(sentence):
        return _clean(match["name"])
    for match in _ACCORDING.finditer(sentence):
        if who := _phrase_after(sentence[match.end() :]):
            return who
    for match in _VERB.finditer(sentence):
        head = sentence[: match.start()].rstrip()
        # After a quote or a comma the order is inverted ("…,” said X"; "…, said X"); X may also stand
        # between the quote and the verb ("…,” Trump told reporters").
        if (named := _DESCRIBED_NAME.search(head)) and _is_description(named["desc"]):
            return _clean(named["name"])  # "Malaysia's foreign minister, Mohamad Hasan, urged"
        if head.endswith((",", "”", '"')) and (who := _phrase_after(sentence[match.end() :])):
            return who
        if who := _phrase_before(head):
            return who
    return None


def _phrase_after(text: str) -> str | None:
    tokens = _WORD.findall(text)
    phrase: list[str] = []
    for token in tokens:
        if not _in_phrase(token, first=not phrase) or len(phrase) == _MAX_WORDS:
            break
        phrase.append(token)
    if not phrase:
        return None
    rest = text[text.find(phrase[-1]) + len(phrase[-1]) :]
    if apposition := _APPOSITION.match(rest):
        return _clean(apposition["name"])
    return _clean(" ".join(phrase))


def _phrase_before(text: str) -> str | None:
    text = re.sub(r"(?:\s+(?:has|had|also|have))+$", "", text)
    tokens = _WORD.findall(text)
    phrase: list[str] = []
    for token in reversed(tokens):
        if not _in_phrase(token, first=False) or len(phrase) == _MAX_WORDS:
            break
        phrase.insert(0, token)
    return _clean(" ".join(phrase)) if phrase else None


def _is_description(text: str) -> bool:
    """Whether ``text`` reads as a noun phrase ("The county clerk", "Malaysia's foreign minister")."""
    tokens = _WORD.findall(text)
    return 0 < len(tokens) <= _MAX_WORDS and all(_in_phrase(t, first=False) for t in tokens)


def _in_phrase(token: str, *, first: bool) -> bool:
    """Whether a token can be part of a speaker's phrase: a name, a possessive or a plain noun."""
    lowered = token.lower()
    if not re.match(r"[\w’']", token) or token[0].isdigit():
        return False
    if lowered in ("the", "of"):
        return True
    if token[0].isupper():
        return not (first and lowered in _STOP)
    return lowered not in _STOP and not lowered.endswith("ly") and not _VERB.fullmatch(lowered)


def _clean(who: str) -> str | None:
    who = re.sub(r"^(?:(?:the|of)\s+)+", "", who.strip(" ,"), flags=re.I)
    who = re.sub(r"(?:\s+(?:of|the))+$", "", who).rstrip(".")
    who = re.sub(r"\s+([’'])", r"\1", who)  # the tokenizer's "city ’s" back to "city’s"
    if not who or _NOT_SPEAKERS.match(who) or not any(ch.isupper() for ch in who):
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
        speaker=speaker_of(passage, index),
        also_reported_by=also_reported_by,
    )


def speaker_of(passage: Passage, index: int) -> str | None:
    """The speaker of sentence ``index`` of ``passage``, read with the sentences around it."""
    return speaker(passage.sentences[index].text, *_around(passage, index))


def _around(passage: Passage, index: int) -> tuple[list[str], list[str]]:
    """The sentences before (nearest first, then the one before the passage) and after a sentence."""
    before = [x.text for x in reversed(passage.sentences[:index])]
    if passage.preceding is not None:
        before.append(passage.preceding.text)
    return before, [x.text for x in passage.sentences[index + 1 :]]
