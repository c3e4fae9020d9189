"""Dates in news text: mentions resolved to calendar dates, and publication dates inferred when missing.

The reading is the libraries': spaCy's DATE entities (the language layer, ``rag.language``) find the date
phrases, its parse says whether the clause around one tells of something done or planned, and
``dateparser`` turns a phrase into a date seen from the article's own date (``RELATIVE_BASE``), the past
one or the coming one as the clause says (``PREFER_DATES_FROM``).

Many articles carry no date line. What they say can still date them: "the strike began on March 2, 2026",
"the vote set for March 20", "the council met on Monday", "its second week". A weekday names the
day on or after the latest past date the article gives plus the weeks it says have passed, and before
any date it calls upcoming; the year is the one the article writes out ("March 2, 2026"), unless it speaks
of a later one as past ("born December 23, 1971 … his first film in 1984": those dates are history). An article
is dated from its own text only, never from another article's. Every inferred date says how it was reached.

Dates in metadata (front matter, a date line, a byline) come in any format and are normalised to ISO
here too (``normalise_date``): the one place that decides what a date is.
"""

from __future__ import annotations

import calendar
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser

from rag.language import doc_of, pipeline
from rag.schema import Article

# The calendar's own names (Python's ``calendar``, in the C locale the process starts in), for modules
# that still read month and weekday words themselves: "january"/"jan" → 1 … "december"/"dec" → 12.
MONTHS = {
    name.lower(): i for names in (calendar.month_name, calendar.month_abbr) for i, name in enumerate(names) if name
}
WEEKDAYS = tuple(name.lower() for name in calendar.day_name)
# No library we depend on gives an ordinal word's number (spaCy's ``like_num`` knows "second" is one,
# not which): "its second week" means one week has passed. question.py imports it too, for now.
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
# English has no future tense, so the parse cannot tell a plan told with a bare participle ("talks set for
# December 24", "a vote scheduled for Monday") from a past event ("a man killed on Monday"); these verbs
# plan by their meaning. A modal, an infinitive or the present tense is read from the parse.
_PLANNING_VERBS = frozenset({"schedule", "plan", "set", "expect"})

_PRECISION = {"day": "day", "weekday": "day", "month": "month", "year": "year"}
_LONGEST_PHRASE = 6  # tokens of a DATE entity tried as a date ("early on Wednesday morning")


@dataclass(frozen=True)
class Mention:
    """A date phrase in a text, as ``text[start:end]``: ``day`` for "December 8" (with or without its
    year), ``month`` for "July", ``year`` for "1999", ``weekday`` for "Monday" (a day named only by its
    place in the week, resolved against the article's date)."""

    start: int
    end: int
    kind: str  # day, month, weekday, year
    text: str

    @property
    def has_year(self) -> bool:
        """Whether the phrase writes its year ("December 8, 2025", "1999"): then it needs no article date."""
        return _names_a_year(self.text)


def mentions(text: str) -> list[Mention]:
    """Every date phrase of ``text`` that names a calendar day, month or year, in order.

    Phrases that only count time ("two weeks", "the 1990s") or name it relative to now ("last year",
    "yesterday") are left out: the first are no date, and a timeline cannot place the second better
    than the article date itself.

    >>> [m.kind for m in mentions("Talks on December 24, after fighting in July; on Monday.")]
    ['day', 'month', 'weekday']
    """
    return _mentions_in(doc_of(text))


def is_future(sentence: str, at: int | None = None) -> bool | None:
    """Whether the clause of ``sentence`` around position ``at`` (default: the whole sentence) speaks of
    something planned rather than done ("talks set for December 24" but not "fighting resumed on 8 December");
    None when the sentence does not say.

    The verb the date hangs on decides (spaCy's parse and tags): a modal or an infinitive ("would be held",
    "is due to be sworn in") or a planning verb are the future, and so is the present tense when the date
    is the verb's own ("the verdict is due on Friday", not "the video shows the date of December 20"); the
    past tense is the past. A clause with no verb ("a five-day conflict in July") is read as the past. A date
    whose clause the parse finds no verb for, reported by a verb of its own ("the window closes on February
    1, the clerk said", where the small model reads "closes" as a noun), is not told by the reporting verb's
    tense: that says when it was said, not when it happens.
    """
    tense = _tense(doc_of(sentence), at)
    return None if tense == "reported" else tense == "future"


def guessed(mention: Mention, sentence: str) -> bool:
    """Whether resolving ``mention`` rests on a guess the reader should be told of: which week a weekday
    falls in, or which year a day or month without one is in when its ``sentence`` has no tense to say
    ("a deadline of December 24" in a paper of December 22: last year's or this year's?).

    >>> guessed(mentions("the vote on December 24")[0], "the vote on December 24")
    True
    """
    if mention.kind == "weekday":
        return True
    if mention.has_year:
        return False
    return _tense(doc_of(sentence), mention.start) in (None, "reported")


def resolve(mention: Mention, published: date, *, future: bool | None = None) -> tuple[str, str] | None:
    """The ISO date (or month, or year) a mention stands for, seen from an article of date ``published``,
    and its precision.

    ``future`` says which way the sentence looks: a past weekday is the latest such day on or before
    ``published`` ("met on Monday" in a Monday paper is that day), a coming one the next after it; a past
    month or day without a year is the latest one not after ``published``, a coming one the next. ``None``
    (the tense is not known, as in a question) takes a weekday in ``published``'s own week, and a month or
    day the nearer of the latest and the next: news names a day without its year when it is close.

    >>> resolve(mentions("ministers met on Monday")[0], date(2025, 12, 24), future=False)
    ('2025-12-22', 'day')
    """
    base = published
    if future is False and mention.kind == "weekday":
        base += timedelta(days=1)  # dateparser's past is strictly before its base: the day itself counts
    if future is None and mention.kind in ("day", "month"):
        readings = [w for prefer in ("past", "future") if (w := _parse(mention.text, base, prefer))]
        when = min(readings, key=lambda w: abs(w - published), default=None)
    else:
        prefer = "current_period" if future is None else "future" if future else "past"
        when = _parse(mention.text, base, prefer)
    if when is None:
        return None
    precision = _PRECISION[mention.kind]
    iso = {"day": when.isoformat(), "month": when.isoformat()[:7], "year": f"{when.year:04d}"}[precision]
    return iso, precision


def normalise_date(value: str) -> str | None:
    """A date as metadata writes it (front matter, a date line, a byline), in ISO; None when it names no
    single calendar day (no year, an ambiguous 03/05/2026, two different dates, no date at all).

    A numeric date is read month first and day first: when the two readings differ, it is not guessed.

    >>> normalise_date("December 20, 2025"), normalise_date("2025-12-20T08:30:00Z"), normalise_date("Monday")
    ('2025-12-20', '2025-12-20', None)
    """
    if value.strip().isdigit() or (month_first := _full_date(value, "MDY")) is None:
        return None  # a year alone, or no full date (dateparser reads a day-first date month first when it must)
    day_first = _full_date(value, "DMY")
    return month_first.isoformat() if day_first in (None, month_first) else None


def date_line(line: str) -> str | None:
    """The day, in ISO, that ``line`` names when it is only a date, as news puts one under a headline: in any
    form ``normalise_date`` reads, with a weekday or time, and after a label ("Published:", "Updated",
    "Last updated:", "Posted"); None for anything else, a headline that names a date among it.

    The label is what the parse makes of the words before the date: up to three ending in a colon, or a
    past participle ("Updated") with at most an adverb or adjective before it ("Last updated"); "Storm hits
    March 4, 2026" has a verb of its own, and is no date line.

    >>> date_line("Updated 4 March 2026 10:32 GMT"), date_line("Storm hits March 4, 2026")
    ('2026-03-04', None)
    """
    words = line.split()
    if not words or len(words) > 12:
        return None
    if iso := normalise_date(line):
        return iso
    for k in range(1, min(3, len(words) - 1) + 1):
        # The date first: most lines name none, and then the parse (the trained pipeline) is not needed.
        if (iso := normalise_date(" ".join(words[k:]))) is None:
            continue
        cut = len(" ".join(words[:k]))
        if _is_label([t for t in doc_of(" ".join(words)) if t.idx < cut]):
            return iso
    return None


def _is_label(tokens: list[Any]) -> bool:
    if tokens and tokens[-1].text == ":":
        return True
    return bool(tokens) and tokens[-1].tag_ == "VBN" and all(t.tag_ in ("JJ", "RB") for t in tokens[:-1])


def infer_date(article: Article) -> Article:
    """The article with a publication date filled in where its own text allows, marked as inferred.

    Only the article itself counts: its metadata, else the dates it writes out in full. An article that
    gives no year of its own stays undated rather than borrow one from another article.
    """
    if article.published:
        return article
    inferred = _from_own_dates(article)
    if inferred is None:
        return article
    return article.with_date(inferred[0], basis="inferred", note=inferred[1])


# --- reading ------------------------------------------------------------------------------------------


# Two bases that differ in year, month, day and weekday: a phrase that names its own day, month or year
# reads the same part from both; one that names it relative to the base ("Monday", "last year") does not.
_BASES = (date(2001, 3, 10), date(2009, 8, 20))


@lru_cache(maxsize=256)
def _parser(order: str, prefer: str, base: date, required: tuple[str, ...] = ()) -> DateDataParser:
    settings: dict[str, Any] = {
        "DATE_ORDER": order,
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
    }
    if required:
        settings["REQUIRE_PARTS"] = list(required)
    return DateDataParser(languages=["en"], settings=settings)


def _read(text: str, base: date, prefer: str = "current_period", order: str = "MDY") -> tuple[date, str] | None:
    data = _parser(order, prefer, base).get_date_data(text)
    return (data.date_obj.date(), data.period) if data.date_obj else None


def _parse(text: str, base: date, prefer: str) -> date | None:
    read = _read(text, base, prefer)
    return read[0] if read else None


def _full_date(text: str, order: str) -> date | None:
    """The day ``text`` writes out with day, month and year, read in ``order``; None for anything less
    (a relative day such as "yesterday" has all three only through its base, so two bases must agree)."""
    days = set()
    for base in _BASES:
        data = _parser(order, "current_period", base, ("day", "month", "year")).get_date_data(text)
        days.add(data.date_obj.date() if data.date_obj and data.period == "day" else None)
    return days.pop() if len(days) == 1 else None


_PART = {"day": lambda d: (d.month, d.day), "month": lambda d: d.month, "year": lambda d: d.year}


def _mentions_in(doc: Any) -> list[Mention]:
    return [m for entity in doc.ents if entity.label_ == "DATE" and (m := _mention(entity)) is not None]


def _mention(entity: Any) -> Mention | None:
    for span in _subspans(entity):
        readings = [_read(span.text, base) for base in _BASES]
        if None in readings:
            continue
        (first, period), (second, _) = (r for r in readings if r is not None)
        if period not in _PART:
            return None  # "two weeks", "this week", "5 p.m.": a span of time or an hour, no date
        if _PART[period](first) == _PART[period](second):
            if _writes(span, period):
                return Mention(span.start_char, span.end_char, period, span.text)
            continue  # "November 2-4": not the range "2-4", but "November 2"
        if period == "day" and any(t.lower_ in WEEKDAYS for t in span):
            return Mention(span.start_char, span.end_char, "weekday", span.text)
        return None
    return None


def _writes(span: Any, period: str) -> bool:
    """Whether ``span`` writes out the part of a date dateparser read in it: a year as four digits, a month
    by its name or in a numeric date with its year (dateparser also reads "seven-year" as a month and the
    range "2-4" as February 4)."""
    if period == "year":
        return any(t.shape_ == "dddd" for t in span)
    numeric_date = all(t.is_digit or t.is_punct for t in span) and _names_a_year(span.text)  # not "2-4"
    return any(t.lower_.rstrip(".") in MONTHS for t in span) or numeric_date


def _subspans(entity: Any) -> Iterator[Any]:
    """The entity, then ever shorter parts of it ("early Wednesday" → "Wednesday", "Monday's" → "Monday",
    "mid-July" → "July"), longest first: dateparser reads a date, not the words news puts around one."""
    n = min(len(entity), _LONGEST_PHRASE)
    for size in range(n, 0, -1):
        for i in range(len(entity) - size + 1):
            span = entity[i : i + size]
            if not (span[0].is_punct or span[-1].is_punct or span[-1].tag_ == "POS"):
                yield span


def _tense(doc: Any, at: int | None) -> str | None:
    """``future``, ``past``, ``reported`` (what a verb reports, with no verb of its own) or None (no verb to
    tell) for the clause around character ``at`` of ``doc``."""
    if not len(doc):
        return None
    at_token = next((t for t in doc if at is not None and t.idx <= at < t.idx + len(t) + 1), None)
    token = at_token or next(doc.sents).root
    path = list(token.ancestors)
    verb = next((t for t in path if t.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return None
    below = path[: path.index(verb)]
    if below and below[-1].dep_ == "ccomp":
        return "reported"  # the date is in what the verb reports, and the parse found no verb of its own there
    # "the video shows the date of December 20": a date that names a thing, not when the verb happens.
    of_a_thing = any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in below)
    auxiliaries = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ in ("MD", "TO") for a in auxiliaries) or verb.lemma_ in _PLANNING_VERBS:
        return "future"  # would be held, to be sworn in, set for
    tenses = [verb.tag_, *(a.tag_ for a in auxiliaries)]
    if "VBD" in tenses or any(a.lemma_ == "have" for a in auxiliaries):
        return "past"  # met, were cancelled, has said
    if any(t in ("VBZ", "VBP") for t in tenses) and not of_a_thing:
        return "future"  # the present of a timetable: "the verdict is due on Friday", "talks begin Monday"
    return None


# --- publication dates inferred from the text --------------------------------------------------------


# Date inference runs over every undated article at every ingest, unchanged ones too, so the trained
# pipeline reads only the sentences that can date one: plain string tests (a weekday's name, a four-digit
# year) pass the rest by, as cheap gates that may let through more than they should, never less.
def _names_a_weekday(text: str) -> bool:
    lowered = text.lower()
    return any(day in lowered for day in WEEKDAYS)


def _names_a_year(text: str) -> bool:
    words = (w.strip(string.punctuation) for w in text.split())
    return any(y[:2] in ("19", "20") and y.isdigit() for w in words for y in (w[:4], w[-4:]))


def _may_write_a_day(text: str) -> bool:
    """Whether ``text`` may write out a whole day: a year within a few words of a month's name ("December 8,
    2025", "8 Dec 2025"), or a numeric date ("2025-12-20", "20.12.2025")."""
    words = [w.strip(string.punctuation).lower() for w in text.split()]
    for i, word in enumerate(words):
        if _names_a_year(word) and (not word.isdigit() or any(w in MONTHS for w in words[max(0, i - 3) : i + 2])):
            return True
    return False


def _may_date(sentence: str) -> bool:
    """Whether a sentence has what any date phrase read here needs: a digit, a month or weekday, a week."""
    lowered = sentence.lower()
    return any(c.isdigit() for c in sentence) or any(word in lowered for word in _CALENDAR_WORDS)


_CALENDAR_WORDS = (*MONTHS, *WEEKDAYS, "week")


@lru_cache(maxsize=1)
def _splitter() -> Any:
    """spaCy's rule-based sentence splitter on a blank English tokenizer (the parser's sentences would
    cost a parse of every sentence)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _sentences(text: str) -> list[str]:
    return [s.text for p in text.split("\n\n") for s in _splitter()(p).sents if s.text.strip()]


def _from_own_dates(article: Article) -> tuple[str, str] | None:
    """A weekday event dated by the article's own explicit dates and the weeks it says have passed."""
    if not (_names_a_weekday(article.text) and _may_write_a_day(article.text)):
        return None  # the day it infers is a weekday after a date written with its year
    sentences = _sentences(article.text)
    nlp = pipeline()
    # The small model's entity recogniser has its own token vectors: the other components are not needed.
    entities_only = [name for name in nlp.pipe_names if name != "ner"]
    written = [
        when
        for doc in nlp.pipe((s for s in sentences if _names_a_year(s) and _may_write_a_day(s)), disable=entities_only)
        for e in doc.ents
        if e.label_ == "DATE" and _names_a_year(e.text) and (when := _written_date(e.text))
    ]
    if not written:
        return None
    year = max(written).year
    middle = date(year, 7, 1)  # a day or month without a year is in the year the text writes out
    past: list[tuple[date, str, bool]] = []
    upcoming: list[date] = []
    weeks = 0
    weekday: int | None = None
    for doc in nlp.pipe(s for s in sentences if _may_date(s)):
        for m in _mentions_in(doc):
            future = _tense(doc, m.start) == "future"
            if m.kind == "year" and (_parse(m.text, middle, "past") or middle).year > year and not future:
                return None  # "born December 23, 1971 … his first role in 1982": the dates written out are history
            if m.kind == "day" and (when := _parse(m.text, middle, "current_period")):
                (upcoming.append(when) if future else past.append((when, m.text, m.has_year)))
            elif m.kind == "weekday" and weekday is None and not future:
                weekday = (_parse(m.text, middle, "current_period") or middle).weekday()
        weeks = max(weeks, _weeks_passed(doc))
    if not past or weekday is None:
        return None
    since, phrase, phrase_has_year = max(past)
    earliest = since + timedelta(days=1 + 7 * weeks - (1 if weeks else 0))
    day = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    if upcoming and day >= min(upcoming):
        return None
    basis = f"the {WEEKDAYS[weekday].title()} the text names, after “{phrase}”"
    basis += "" if phrase_has_year else f" ({year}, the year the text gives)"
    basis += f" and the {weeks} week{'s' if weeks != 1 else ''} it says have passed" if weeks else ""
    basis += f", before {min(upcoming).strftime('%-d %B')}" if upcoming else ""
    return day.isoformat(), basis


def _written_date(phrase: str) -> date | None:
    iso = normalise_date(phrase)
    return date.fromisoformat(iso) if iso else None


def _weeks_passed(doc: Any) -> int:
    """The weeks a sentence says have passed by the time of writing: "the strike is in its third week" (two
    have passed). A count of weeks ("for six weeks", "two weeks after he died") is a span of time, not
    the time since a date, so it counts for nothing here."""
    weeks = 0
    for entity in doc.ents:
        if entity.label_ == "DATE" and entity.root.lemma_ == "week":
            ordinal = next((ORDINALS[t.lower_] for t in entity if t.lower_ in ORDINALS), None)
            weeks = max(weeks, ordinal - 1) if ordinal else weeks
    return weeks
