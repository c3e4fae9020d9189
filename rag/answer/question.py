"""What a question asks for, read from its words: the answerer weighs sentences by it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.index.lexical import terms
from rag.news.dates import MONTHS, ORDINALS, WEEKDAYS

# Up to two words between "which" and the noun that says what is asked ("which U.S. official"), none of them
# an auxiliary: in "what did the governor declare" the governor is who acts, not what is asked for.
_QUALIFIERS = r"((?!(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)\b)[\w.’'-]+ ){0,2}"
_KIND_PATTERNS = (
    ("measure", r"\bhow (long|far|big|large|wide|deep|tall|high)\b"),
    ("number", r"\b(how (many|much|old)|what (number|percentage|share)|death toll|toll|count|figure)\b"),
    ("date", r"\b(when|(what|which) (date|day|month|year|time)|since when|how long ago)\b"),
    (
        "person",
        rf"\b(who|whom|whose|what is the name|(which|what) {_QUALIFIERS}(official|minister|leader|person|envoy|"
        r"president|senator|lawmaker|governor|mayor|judge|lawyer|attorney|spokes\w+|officer|commander|general|"
        r"chief|executive|director|author|actor|actress|singer|player|coach|candidate|doctor|victim|suspect|"
        r"man|woman)s?)\b",
    ),
    ("place", rf"\b(where|(which|what) {_QUALIFIERS}(province|country|city|town|region|place|site|area)s?)\b"),
    ("quote", r"\bwhat did .+ (say|tell|write|announce)\b"),
)
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
    specific: tuple[str, ...] = ()  # the names an answering article must hold (see ``specific_names``)
    periods: frozenset[tuple[str, int]] = frozenset()  # numbered periods it asks about (see ``periods``)


def analyse(question: str) -> Question:
    """Read the expected kind of answer and the content terms of ``question``.

    >>> analyse("How many people were displaced in Thailand?").kind
    'number'
    """
    kind, content = "other", question
    for name, pattern in _KIND_PATTERNS:
        if match := re.search(pattern, question, re.I):
            kind = name
            # The words of "how long" or "how many" say what kind of answer is wanted, not what it is about:
            # "long" must not make "long-running" look relevant. So does the verb of "what did Powell say":
            # news writes "said", which no stemmer makes "say", and a term no article uses weighs most.
            if kind in ("measure", "number"):
                content = question.replace(match.group(), " ")
            elif kind == "quote":
                content = question[: match.start(1)] + question[match.end(1) :]
            break
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


_DIGITS = re.compile(r"\d\d+")  # a year, or a number of two digits or more
_CALENDAR = frozenset(MONTHS) | frozenset(WEEKDAYS)
# Where a sentence starts: the question's start, or after a stop that does not end an initial ("U.S. Army").
_SENTENCE_START = re.compile(r"(^|(?<!\b[A-Z])[.?!:;]\s*|[(\[\"“]\s*)$")


def specific_names(question: str) -> tuple[str, ...]:
    """The stemmed names that an article answering ``question`` must hold: its years and other numbers of
    two digits or more (news writes those in digits), and the words it capitalises inside a sentence. A
    first word is capitalised for being first ("Approximately what share …"), a one-digit number may be
    written in words, a short all-capitals abbreviation may be spelt out ("U.S.", "MS"; but not a code with
    digits, "F-35"), and a month or weekday may be written as a date, so none of those is one.

    >>> specific_names("Who won the Brenholm marathon in 2015?")
    ('brenholm', '2015')
    >>> specific_names("Does HPV cause 99 percent of cervical cancers?")
    ('99',)
    >>> specific_names("Next goal is to win what? (U.S. general says)")
    ()
    """
    found = []
    for match in _NAME.finditer(question):
        word = match.group()
        if _DIGITS.fullmatch(word):
            found.append(word)
        elif not (
            word[0].isdigit()
            or word.lower() in _NOT_NAMES
            or re.sub(r"['’]s$", "", word.lower()) in _CALENDAR
            or _SENTENCE_START.search(question[: match.start()])
            or (word.isupper() and len(word) <= 4 and not any(c.isdigit() for c in word))
            or len(re.sub(r"\W", "", word)) < 3
        ):
            found += terms(word)
    return tuple(dict.fromkeys(found))


def respelt(asked: Question, spelling: Callable[[str], str | None]) -> Question:
    """``asked`` with its terms and names as the corpus spells them (``LexicalIndex.spelling``); a word
    the corpus has no spelling for is kept as it is."""

    def fix(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spelling(w) or w for w in words))

    return replace(asked, terms=fix(asked.terms), names=fix(asked.names), specific=fix(asked.specific))


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"dozens?|hundreds?|thousands?|millions?|half a million"
)
_UNITS = r"(km|kms|kilomet(er|re)s?|miles?|met(er|re)s?|feet|foot|days?|weeks?|months?|years?|hours?|minutes?)"
_FEATURES = {
    "measure": re.compile(rf"\b(\d[\d,.]*|{_NUMBER_WORDS})[\s-]*\(?{_UNITS}\b", re.I),
    "number": re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I),
    "date": re.compile(
        r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday|yesterday|today|tomorrow|week|weeks|month|months|year|(19|20)\d\d)\b",
        re.I,
    ),
    "person": re.compile(
        r"\b(minister|president|prime minister|secretary|spokes\w+|leader|envoy|chair|general|"
        r"[A-Z][a-z]+ [A-Z][a-z]+)\b|\bsaid\b"
    ),
    "quote": re.compile(r"[“”\"]"),
    "place": re.compile(r"\b(in|at|near|from|to) [A-Z][a-z]+|\b(province|provinces|border|city|capital)\b"),
}


def has_kind(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` holds the sort of thing a ``kind`` question asks for."""
    feature = _FEATURES.get(kind)
    return bool(feature and feature.search(sentence))


# The filler a kind of question asks for, as it stands in a sentence: a number, a date, a name, a place, a quote.
_FILLERS = {
    "number": re.compile(rf"\b\d[\d,.]*\b|\b({_NUMBER_WORDS})\b", re.I),
    "measure": _FEATURES["measure"],
    "date": _FEATURES["date"],
    "person": re.compile(r"\b[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)+"),
    "place": re.compile(r"\b(?:in|at|near|from|to) ([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*)"),
    "quote": re.compile(r"[“\"][^”\"]{10,}[”\"]"),
}


def has_new_filler(sentence: str, kind: str, question_terms: set[str]) -> bool:
    """Whether ``sentence`` holds a filler of the ``kind`` asked for that the question does not already name.

    >>> has_new_filler("Turnout was 61 percent in 2024.", "number", {"turnout", "2024"})
    True
    >>> has_new_filler("Turnout in 2024 was high.", "number", {"turnout", "2024"})
    False
    """
    pattern = _FILLERS.get(kind)
    if pattern is None:
        return False
    for match in pattern.finditer(sentence):
        found = set(terms(match.group(match.lastindex or 0) if kind == "place" else match.group()))
        if found - question_terms:
            return True
    return False
