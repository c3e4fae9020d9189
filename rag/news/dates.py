"""Dates in news text: mentions resolved to calendar dates, and publication dates inferred when missing.

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

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rag.schema import Article

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DAY_MONTH = re.compile(
    rf"\b(?:{_MONTH}\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')})\b"
)
MONTH_ONLY = re.compile(rf"\b(?:in|since|from|during|until|of|last|early|late|mid-?)\s+{_MONTH}\b(?!\s+\d)")
WEEKDAY = re.compile(r"\b(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s|’s)?\b")
YEAR = re.compile(r"\b(?:in|since|of)\s+(?P<year>(?:19|20)\d\d)\b")
_YEAR4 = r"(?P<year>(?:19|20)\d\d)"
_WRITTEN_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR4}\b")
_WRITTEN_DAY_FIRST = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR4}\b")
_NUMERIC_YEAR_FIRST = re.compile(rf"\b{_YEAR4}[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}})(?!\d)")
# 03/05/2026 is March 5 in the US and 3 May elsewhere: read only when one of the two cannot be a month.
_NUMERIC_YEAR_LAST = re.compile(rf"(?<!\d)(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR4}\b")
_FUTURE = re.compile(
    r"\b(will|would|to be held|scheduled|set to|set for|planned|agreed to hold|expected|upcoming|"
    r"due to be|(?:is|are) due)\b",
    re.I,
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a": 1}
_WEEK_COUNT = re.compile(
    r"\b(?:(?P<ordinal>second|third|fourth|fifth) week|(?P<count>one|two|three|four|five|\d) weeks)\b", re.I
)


@dataclass(frozen=True)
class Mention:
    """A date phrase in a text: ``day`` precision for "December 8", ``month`` for "in July"."""

    start: int
    end: int
    kind: str  # day, month, weekday, year
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    year: int | None = None


def mentions(text: str) -> list[Mention]:
    """Every date phrase of ``text``, in order.

    >>> [m.kind for m in mentions("Talks on December 24, after fighting in July; on Monday.")]
    ['day', 'month', 'weekday']
    """
    found: list[Mention] = []
    for m in DAY_MONTH.finditer(text):
        month = MONTHS[(m["month"] or m["month2"]).lower()]
        day = int(m["day"] or m["day2"])
        if 1 <= day <= 31:
            found.append(Mention(m.start(), m.end(), "day", month=month, day=day))
    taken = [(m.start, m.end) for m in found]
    for m in MONTH_ONLY.finditer(text):
        if not any(a <= m.start("month") < b for a, b in taken) and m["month"] != "May":
            found.append(Mention(m.start("month"), m.end(), "month", month=MONTHS[m["month"].lower()]))
    for m in WEEKDAY.finditer(text):
        found.append(Mention(m.start(), m.end(), "weekday", weekday=WEEKDAYS.index(m["weekday"].lower())))
    for m in YEAR.finditer(text):
        found.append(Mention(m.start("year"), m.end(), "year", year=int(m["year"])))
    return sorted(found, key=lambda x: x.start)


_CLAUSE_BREAK = re.compile(r"[,;:—–]|\b(?:and|but|as|since|after|while|where|just)\b")


def is_future(sentence: str, at: int | None = None) -> bool:
    """Whether the clause of ``sentence`` around position ``at`` (default: the whole sentence) speaks of
    something planned rather than done ("talks set for December 24" but not "fighting resumed on 8 December")."""
    if at is not None:
        starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)]
        ends = [m.start() for m in _CLAUSE_BREAK.finditer(sentence, at)]
        sentence = sentence[(starts[-1] if starts else 0) : (ends[0] if ends else len(sentence))]
    return bool(_FUTURE.search(sentence))


def resolve(mention: Mention, published: date, *, future: bool = False) -> tuple[str, str] | None:
    """The ISO date (or month, or year) a mention stands for, seen from an article of date ``published``,
    and its precision. A weekday is the latest such day on or before ``published`` (the next one when
    the sentence speaks of the future); a month without a year is the latest one not after ``published``.
    """
    if mention.kind == "year":
        return f"{mention.year:04d}", "year"
    if mention.kind == "weekday":
        assert mention.weekday is not None
        if future:
            ahead = (mention.weekday - published.weekday()) % 7 or 7
            return (published + timedelta(days=ahead)).isoformat(), "day"
        back = (published.weekday() - mention.weekday) % 7
        return (published - timedelta(days=back)).isoformat(), "day"
    assert mention.month is not None
    year = published.year if mention.month <= published.month or future else published.year - 1
    if mention.kind == "month":
        return f"{year:04d}-{mention.month:02d}", "month"
    try:
        return date(year, mention.month, mention.day or 1).isoformat(), "day"
    except ValueError:
        return None


def full_dates(text: str) -> list[date]:
    """Every date ``text`` writes out with its year, in order ("December 20, 2025", "20 Dec 2025",
    "2025-12-20", "2025/12/20", "20.12.2025"); ambiguous day/month orders are left out.

    >>> [d.isoformat() for d in full_dates("Sat, 20 Dec 2025 10:00 GMT; updated December 21, 2025")]
    ['2025-12-20', '2025-12-21']
    """
    found: list[tuple[int, date]] = []
    for pattern in (_WRITTEN_MONTH_FIRST, _WRITTEN_DAY_FIRST, _NUMERIC_YEAR_FIRST):
        for m in pattern.finditer(text):
            month = int(m["month"]) if m["month"].isdigit() else MONTHS[m["month"].lower()]
            if when := _calendar(int(m["year"]), month, int(m["day"])):
                found.append((m.start(), when))
    for m in _NUMERIC_YEAR_LAST.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if (a > 12) != (b > 12) and (when := _calendar(int(m["year"]), min(a, b), max(a, b))):
            found.append((m.start(), when))
    return [when for _, when in sorted(found)]


def normalise_date(value: str) -> str | None:
    """A date as metadata writes it (front matter, a date line, a byline), in ISO; None when it names no
    single calendar day (no year, an ambiguous 03/05/2026, two different dates, no date at all).

    >>> normalise_date("December 20, 2025"), normalise_date("2025-12-20T08:30:00Z"), normalise_date("Monday")
    ('2025-12-20', '2025-12-20', None)
    """
    days = set(full_dates(value))
    return days.pop().isoformat() if len(days) == 1 else None


def _calendar(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


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
    return article.with_date(inferred[0], inferred=True, basis=inferred[1])


# Date inference runs over every article at every ingest, unchanged ones too, so it splits sentences
# with a plain rule rather than punkt: loading punkt (llama-index, nltk) would cost a no-op `rag ingest`
# two seconds.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z0-9\"“‘(])")


def _sentences(text: str) -> list[str]:
    return [s for p in text.split("\n\n") for s in _SENTENCE_END.split(p) if s]


def _from_own_dates(article: Article) -> tuple[str, str] | None:
    """A weekday event dated by the article's own explicit dates and the weeks it says have passed."""
    written = full_dates(article.text)
    if not written:
        return None
    year = max(written).year
    past: list[tuple[date, str]] = []
    upcoming: list[date] = []
    weeks = 0
    weekday: int | None = None
    for sentence in _sentences(article.text):
        for m in mentions(sentence):
            if m.kind == "year" and m.year > year and not is_future(sentence, m.start):
                return None  # "born December 23, 1971 … his first role in 1982": the dates written out are history
            if m.kind == "day":
                try:
                    when = date(year, m.month or 1, m.day or 1)
                except ValueError:
                    continue
                (
                    upcoming.append(when)
                    if is_future(sentence, m.start)
                    else past.append((when, sentence[m.start : m.end]))
                )
            elif m.kind == "weekday" and weekday is None and not is_future(sentence, m.start):
                weekday = m.weekday
        for w in _WEEK_COUNT.finditer(sentence):
            weeks = max(weeks, ORDINALS[w["ordinal"].lower()] - 1 if w["ordinal"] else _count(w["count"]))
    if not past or weekday is None:
        return None
    since, phrase = max(past)
    earliest = since + timedelta(days=1 + 7 * weeks - (1 if weeks else 0))
    day = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    if upcoming and day >= min(upcoming):
        return None
    basis = f"the {WEEKDAYS[weekday].title()} the text names, after “{phrase}” ({year}, the year the text gives)"
    basis += f" and the {weeks} week{'s' if weeks != 1 else ''} it says have passed" if weeks else ""
    basis += f", before {min(upcoming).strftime('%-d %B')}" if upcoming else ""
    return day.isoformat(), basis


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]
