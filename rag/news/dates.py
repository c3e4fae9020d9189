"""Dates in news text: mentions resolved to calendar dates, and publication dates inferred when missing.

Most articles carry no date line. What they say still dates them: "fighting resumed on December 8",
"talks on December 24", "the meeting in Kuala Lumpur on Monday", "its third week". A weekday names the
day on or after the latest past date the article gives plus the weeks it says have passed, and before
any date it calls upcoming. An article with no explicit date borrows the date of the same weekday event
("Monday's Kuala Lumpur meeting") from another article. Every inferred date says how it was reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rag.schema import Article, format_date

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
_FUTURE = re.compile(
    r"\b(will|would|to be held|scheduled|set to|set for|planned|agreed to hold|expected|upcoming)\b", re.I
)
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
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


def infer_dates(articles: tuple[Article, ...]) -> tuple[Article, ...]:
    """The articles with a publication date filled in where the text allows, marked as inferred."""
    dated = [date.fromisoformat(a.published) for a in articles if a.published and _is_iso(a.published)]
    if not dated:
        return articles
    anchor_year = max(dated).year
    result = {a.id: a for a in articles}
    for article in articles:
        if not article.published:
            inferred = _from_own_dates(article, anchor_year)
            if inferred:
                result[article.id] = article.with_date(inferred[0], inferred=True, basis=inferred[1])
    # Second pass: an article that gives no date of its own borrows the date of the same weekday event.
    for article in articles:
        if not result[article.id].published:
            borrowed = _from_shared_event(article, [a for a in result.values() if a.published])
            if borrowed:
                result[article.id] = article.with_date(borrowed[0], inferred=True, basis=borrowed[1])
    return tuple(result[a.id] for a in articles)


def _is_iso(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# Date inference runs over every article at every ingest, unchanged ones too (a new article can change
# what an undated one is inferred to be), so it splits sentences with a plain rule rather than punkt:
# loading punkt (llama-index, nltk) would make a no-op `rag ingest` slow (README, Performance).
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z0-9\"“‘(])")


def _sentences(text: str) -> list[str]:
    return [s for p in text.split("\n\n") for s in _SENTENCE_END.split(p) if s]


def _from_own_dates(article: Article, year: int) -> tuple[str, str] | None:
    """A weekday event dated by the article's own explicit dates and the weeks it says have passed."""
    past: list[tuple[date, str]] = []
    upcoming: list[date] = []
    weeks = 0
    weekday: int | None = None
    for sentence in _sentences(article.text):
        for m in mentions(sentence):
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
            weeks = max(weeks, _ORDINALS[w["ordinal"].lower()] - 1 if w["ordinal"] else _count(w["count"]))
    if not past or weekday is None:
        return None
    since, phrase = max(past)
    earliest = since + timedelta(days=1 + 7 * weeks - (1 if weeks else 0))
    day = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    if upcoming and day >= min(upcoming):
        return None
    basis = f"the {WEEKDAYS[weekday].title()} the text names, after “{phrase}”"
    basis += f" and {weeks} week{'s' if weeks != 1 else ''} of fighting" if weeks else ""
    basis += f", before {min(upcoming).strftime('%-d %B')}" if upcoming else ""
    return day.isoformat(), basis


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


_NAME = re.compile(r"\b[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)*")
_NOT_NAMES = frozenset(WEEKDAYS) | {"the", "and", "in", "on", "by", "a", "an", "but", "it", "this"}


def _names(text: str) -> set[str]:
    return {n for n in _NAME.findall(text) if n.lower() not in _NOT_NAMES}


def _weekday_events(article: Article) -> list[tuple[int, set[str]]]:
    events = []
    for sentence in _sentences(article.text):
        for m in mentions(sentence):
            if m.kind == "weekday" and not is_future(sentence, m.start):
                names = _names(sentence)
                events.append((m.weekday, names))
    return events


def _from_shared_event(article: Article, dated: list[Article]) -> tuple[str, str] | None:
    """The date of another article whose same-weekday sentences name most of the same places and bodies."""
    # Names every article uses (the two countries) tell events apart no better than "the".
    everywhere = set.intersection(*[_names(a.text) for a in [article, *dated]])
    best: tuple[int, Article, int] | None = None
    for weekday, names in _weekday_events(article):
        for other in dated:
            for other_weekday, other_names in _weekday_events(other):
                shared = len((names & other_names) - everywhere)
                if other_weekday == weekday and shared >= 2 and (best is None or shared > best[0]):
                    best = (shared, other, weekday)
    if best is None:
        return None
    _, other, weekday = best
    assert other.published
    published = date.fromisoformat(other.published)
    day = published - timedelta(days=(published.weekday() - weekday) % 7)
    return day.isoformat(), f"the same {WEEKDAYS[weekday].title()} event as {other.id} ({format_date(other.published)})"
