"""What a question asks for, read from its words: the answerer weighs sentences by it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.index.lexical import terms
from rag.language import Asked, asked_for
from rag.news.dates import MONTHS, ORDINALS, WEEKDAYS

# "What did the police say?": what someone said is asked for, and who said it, when the verb named is the
# question's main verb in the parse. (The parse gives "say" as the verb, but not that it reports speech; the
# project reads reporting verbs nowhere else from a list.)
_SAID_BY = re.compile(r"\bwhat \w+ (?P<who>.+?) (?P<verb>say|tell|write|announce)\b", re.I)
# Capitalised words that are sentence furniture in questions, not names to look up.
_NOT_NAMES = frozenset(
    """what which who whom whose when where why how did does do is are was were has have had can could will
    would should shall may might in on at according and the a an name list tell give describe explain
    summarise summarize i if""".split()
)
_NAME = re.compile(r"\b[A-Z][\w’'.-]*[A-Za-z0-9]|\b\d[\d,.]*\b")


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # measure, number, date, person, place, quote or other
    terms: tuple[str, ...]  # stemmed content terms
    names: tuple[str, ...]  # stemmed terms of capitalised words and numbers: names, places, years
    specific: tuple[str, ...]  # the names an answering article must hold (see ``specific_names``)
    periods: frozenset[tuple[str, int]]  # numbered periods it asks about (see ``periods``)
    asks: Asked  # what the language layer reads it to ask for
    speaker: str | None = None  # whose words "what did … say" asks for


def analyse(question: str) -> Question:
    """Read the expected kind of answer and the content terms of ``question``.

    >>> analyse("How many people were displaced in Chile?").kind
    'number'
    """
    asks = asked_for(question)
    kind, content = asks.kind, question
    # The words of "how long" or "how many" say what kind of answer is wanted, not what it is about: "long"
    # must not make "long-running" look relevant. So does the verb of "what did Powell say": news writes
    # "said", which no stemmer makes "say", and a term no article uses weighs most.
    quote = None if kind in ("measure", "number") else _SAID_BY.search(question)
    if quote and asks.verb not in (None, quote["verb"].lower()):  # "What makes people say that?": what makes them
        quote = None
    if kind in ("measure", "number"):
        content = question[: asks.asking[0]] + " " + question[asks.asking[1] :]
    elif quote:
        kind = "quote"
        content = question[: quote.start("verb")] + question[quote.end("verb") :]
    names = []
    for match in _NAME.finditer(question):
        word = match.group()
        if word.lower() in _NOT_NAMES:
            continue
        names += terms(word)
    return Question(
        question,
        kind,
        tuple(dict.fromkeys(terms(content))),
        tuple(dict.fromkeys(names)),
        specific_names(question),
        periods(question),
        asks,
        quote["who"] if quote else None,
    )


_PERIOD = re.compile(
    rf"\b(?P<ordinal>{'|'.join(ORDINALS)}|\d+(?:st|nd|rd|th))[- ](?P<noun>quarter|half|round|stage|leg|phase|wave)s?\b"
    r"|\bQ(?P<quarter>[1-4])\b",
    re.I,
)


def periods(text: str) -> frozenset[tuple[str, int]]:
    """The numbered parts of a year, a race or a contest that ``text`` names, as (part, number).

    >>> sorted(periods("Revenue rose in Q2 after a weak first quarter; the 3rd round starts Monday."))
    [('quarter', 1), ('quarter', 2), ('round', 3)]
    """
    found = set()
    for m in _PERIOD.finditer(text):
        if m["quarter"]:
            found.add(("quarter", int(m["quarter"])))
        else:
            ordinal = m["ordinal"].lower()
            found.add((m["noun"].lower(), ORDINALS.get(ordinal) or int(ordinal[:-2])))
    return frozenset(found)


def names_another_period(asked: frozenset[tuple[str, int]], sentence: str) -> bool:
    """Whether ``sentence`` names another of the parts the question asks about and not the one asked: "the
    first quarter" does not answer a question about the second."""
    said = periods(sentence)
    return any((part, n) not in said and any(p == part for p, _ in said) for part, n in asked)


_CALENDAR = frozenset(MONTHS) | frozenset(WEEKDAYS)
# Where a sentence starts: the question's start, or after a stop that does not end an initial ("U.S. Army").
_SENTENCE_START = re.compile(r"(^|(?<!\b[A-Z])[.?!:;]\s*|[(\[\"“]\s*)$")


def specific_names(question: str) -> tuple[str, ...]:
    """The stemmed names that an article answering ``question`` must hold: its years and other numbers of
    two digits or more (news writes those in digits), and the words it capitalises inside a sentence. A
    first word is capitalised for being first ("Approximately what share …"), a one-digit number may be
    written in words, a short all-capitals abbreviation may be spelt out ("U.S.", "MS"; but not a code with
    digits, "F-35"), and a month or weekday may be written as a date, so none of those is one.

    >>> specific_names("Who won the Lakeside marathon in 2015?")
    ('lakesid', '2015')
    >>> specific_names("Does PFAS cause 90 percent of the damage?")
    ('90',)
    >>> specific_names("Next step is to build what? (U.N. envoy says)")
    ()
    """
    found = []
    for match in _NAME.finditer(question):
        word = match.group()
        if word.isdecimal() and len(word) > 1:  # a year, or a number of two digits or more
            found.append(word)
        elif not (
            word[0].isdigit()
            or word.lower() in _NOT_NAMES
            or word.lower().removesuffix("'s").removesuffix("’s") in _CALENDAR
            or _SENTENCE_START.search(question[: match.start()])
            or (word.isupper() and len(word) <= 4 and not any(c.isdigit() for c in word))
            or sum(map(str.isalnum, word)) < 3
        ):
            found += terms(word)
    return tuple(dict.fromkeys(found))


def respelt(asked: Question, spelling: Callable[[str], str | None]) -> Question:
    """``asked`` with its terms and names as the corpus spells them (``LexicalIndex.spelling``); a word
    the corpus has no spelling for is kept as it is."""

    def fix(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spelling(w) or w for w in words))

    return replace(asked, terms=fix(asked.terms), names=fix(asked.names), specific=fix(asked.specific))
