"""Figures in news sentences — what they count and how many — and where articles disagree about them.

"At least eight people have been killed", "more than 900,000 civilians … displaced" and "817-kilometer
land border" are read as (quantity, value, how it is qualified). Figures of the same quantity that differ
between the cited passages are a conflict the reader must see, newest report first. The check works on
citations or passages alike, so every answerer (extractive or LLM) can run it on what it cites.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.schema import Citation, Conflict, Passage

# What a figure counts, recognised by the words near it; and the question words that ask for it.
QUANTITIES = {
    "killed": (
        r"\bkill(?:ed|ing|s)?\b|\bdead\b|\bdeaths?\b|\bdied\b|\bdeath toll\b",
        r"\bkill|\bdead|\bdeath|\bdied|\btoll|\bcasualt",
    ),
    "displaced": (
        r"\bdisplac\w*|\bevacuat\w*|\bfrom their homes\b|\bfled\b|\bhomeless\b",
        r"\bdisplac|\bevacuat|\bfled|\bflee|\bhomes?\b|\brefugee",
    ),
    "border length": (r"\bborder\b", r"\bborder\b|\bfrontier\b"),
    "wounded": (r"\bwound\w*|\binjur\w*", r"\bwound|\binjur"),
}
SEARCH_WORDS = {
    "killed": "killed people dead",
    "displaced": "displaced evacuated homes civilians",
    "border length": "kilometer km mile land border",
    "wounded": "wounded injured",
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
_NUMBER = (
    # Vague amounts ("dozens", "hundreds of thousands") are left out: they are no figure to set against another.
    r"(?P<number>(?:half a|a quarter of a)\s+(?:million|thousand)|(?:two|three|four|a)\s+dozen|"
    r"\d[\d,]*(?:\.\d+)?(?:\s+(?:million|thousand))?|" + "|".join(_WORD_NUMBERS) + r")"
)
_QUALIFIER = r"(?P<qualifier>at least|more than|over|about|around|roughly|nearly|almost|some|up to|fewer than|)\s*"
FIGURE = re.compile(rf"\b{_QUALIFIER}{_NUMBER}\b", re.I)
LENGTH = re.compile(r"\b(?P<number>\d[\d,]*(?:\.\d+)?)[\s-]*(?P<unit>kilomet(?:er|re)s?|km|miles?)\b", re.I)
_SCOPE = re.compile(
    r"^\s*(?:\w+\s+){0,1}?(?P<scope>(?:thai|cambodian|chinese)\s+\w+|of (?:its|their|his|her) \w+)", re.I
)
_IN_PLACES = re.compile(r"\bin (?P<a>[A-Z]\w+) and (?P<n2>\d[\d,]*) in (?P<b>[A-Z]\w+)")
_DURATION = re.compile(r"[\s-]+(?:days?|weeks?|months?|years?|hours?)\b", re.I)
_OTHER_PERIOD = re.compile(r"\b(?:january|february|march|april|june|july|august|september|october|november)\b", re.I)
TOLERANCE = 0.01  # relative difference under which two figures are the same (500 miles ≈ 800 km)


@dataclass(frozen=True)
class Figure:
    """One figure as a sentence gives it: "at least 23 … in Thailand and 20 in Cambodia" is 43."""

    quantity: str
    value: float
    text: str  # as written: "at least 80", "817-kilometer"
    qualifier: str
    period: str | None = None  # a month named with it ("July") sets it apart from the current fighting


def figures(sentence: str) -> list[Figure]:
    """The figures of ``sentence`` whose quantity this module knows, each once.

    >>> [(f.quantity, f.value) for f in figures("At least eight people have been killed.")]
    [('killed', 8.0)]
    """
    found: list[Figure] = []
    period = m.group().title() if (m := _OTHER_PERIOD.search(sentence)) else None
    for m in LENGTH.finditer(sentence):
        if re.search(QUANTITIES["border length"][0], sentence[m.end() : m.end() + 40]):
            km = _number(m["number"]) * (1.609344 if m["unit"].lower().startswith("mile") else 1.0)
            if found and abs(found[-1].value - km) / km < 0.02:  # "500-mile (800-kilometer)": one figure
                if not m["unit"].lower().startswith("mile"):
                    found[-1] = Figure("border length", km, m.group(), "", None)
                continue
            found.append(Figure("border length", round(km, 1), m.group(), "", None))
    consumed: list[int] = []
    for m in FIGURE.finditer(sentence):
        if (
            LENGTH.match(sentence, m.start("number"))
            or m.start("number") in consumed
            or _DURATION.match(sentence, m.end())
        ):
            continue
        quantity = _counted(sentence, m.start(), m.end())
        if quantity is None or _scoped(sentence[m.end() : m.end() + 40]):
            continue
        value = _number(m["number"])
        text = m.group().strip()
        if places := _IN_PLACES.search(sentence, m.end(), m.end() + 80):
            consumed.append(places.start("n2"))
            value += _number(places["n2"])
            parts = f"{m['number']} in {places['a']}, {places['n2']} in {places['b']}"
            text = f"{m['qualifier']} {value:,.0f} ({parts})".strip()
        if value <= 1:
            continue
        found.append(Figure(quantity, value, text, m["qualifier"].lower(), period))
    return found


def _counted(sentence: str, start: int, end: int) -> str | None:
    """The quantity a number counts: the nearest trigger word in its clause, after it or just before."""
    after = re.split(r"[;:]|,\s+(?:and|but|while)\b", sentence[end:])[0][:120]
    before = re.split(r"[;:,]", sentence[:start])[-1][-45:]
    best: tuple[int, str] | None = None
    for quantity, (trigger, _) in QUANTITIES.items():  # a trigger right after the number wins
        m = re.search(trigger, after[:25], re.I) if quantity != "border length" else None
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), quantity)
    if best is not None:
        return best[1]
    for quantity, (trigger, _) in QUANTITIES.items():
        if quantity == "border length":
            continue
        for m in re.finditer(trigger, after, re.I):
            if best is None or m.start() < best[0]:
                best = (m.start(), quantity)
        for m in re.finditer(trigger, before, re.I):
            distance = len(before) - m.end()
            if best is None or distance < best[0]:
                best = (distance, quantity)
    if best is None:
        return None
    return (
        best[1]
        if re.search(
            r"\b(people|civilians|persons|residents|from their homes|killed|displaced)\b|^\s*$",
            after[:60] + " " + before,
            re.I,
        )
        else None
    )


def _scoped(after: str) -> bool:
    """A count of one group ("Seven Cambodian civilians", "one of its soldiers") is not the total."""
    return bool(_SCOPE.match(after))


def _number(text: str) -> float:
    lowered = text.lower().strip()
    if lowered.startswith("half a"):
        return 500_000.0 if "million" in lowered else 500.0
    if lowered.startswith("a quarter of a"):
        return 250_000.0 if "million" in lowered else 250.0
    if lowered.endswith("dozen"):
        return 12.0 * _WORD_NUMBERS.get(lowered.split()[0], 1)
    scale = 1.0
    for word, factor in (("million", 1e6), ("thousand", 1e3)):
        if lowered.endswith(word):
            scale, lowered = factor, lowered[: -len(word)].strip()
    if lowered in _WORD_NUMBERS:
        return _WORD_NUMBERS[lowered] * scale
    return float(lowered.replace(",", "")) * scale


def asked_quantities(question: str) -> tuple[str, ...]:
    """The quantities a question asks about: "How many have been killed?" → ("killed",)."""
    lowered = question.lower()
    if not re.search(r"\bhow (many|much|long|big|far)\b|\btoll\b|\bnumber\b|\bfigure|\bcount\b|\blength\b", lowered):
        return ()
    asked = [q for q, (_, ask) in QUANTITIES.items() if re.search(ask, lowered)]
    if "border length" in asked and not re.search(r"\bhow long\b|\blength\b|\bkilomet|\bmiles?\b", lowered):
        asked.remove("border length")
    return tuple(asked)


def find_conflicts(question: str, evidence: Sequence[Citation] | Sequence[Passage]) -> tuple[Conflict, ...]:
    """Figures of a quantity the question asks about that differ between the citations (or passages),
    one row per article and figure, grouped by quantity, newest report first. Empty when they agree.

    A citation row carries its ``[n]``; a passage row (the LLM backend checks its passages) has none.
    """
    rows: list[Conflict] = []
    for quantity in asked_quantities(question):
        found = [row for item in evidence for row in _rows(item, quantity)]
        values: list[float] = []
        for row in found:
            if all(abs(row.number - v) / max(v, 1) > TOLERANCE for v in values):
                values.append(row.number)
        if len(values) < 2:
            continue
        unique = {(r.article, r.number): r for r in found}
        rows += sorted(unique.values(), key=lambda r: (r.published or "", r.number), reverse=True)
    return tuple(rows)


def _rows(item: Citation | Passage, quantity: str) -> list[Conflict]:
    pieces = [(item.quote, item.n)] if isinstance(item, Citation) else [(s.text, None) for s in item.sentences]
    rows = []
    for text, n in pieces:
        for f in figures(text):
            if f.quantity == quantity and f.period is None:
                rows.append(
                    Conflict(
                        quantity=quantity,
                        value=f.text,
                        number=f.value,
                        origin=item.origin,
                        citation=n,
                        quote=text,
                    )
                )
    return rows


def link(conflicts: tuple[Conflict, ...], citations: Sequence[Citation]) -> tuple[Conflict, ...]:
    """Give each conflict row the ``[n]`` of the citation that quotes its figure (or repeats it)."""
    linked = []
    for row in conflicts:
        n = next(
            (
                c.n
                for c in citations
                if (c.source == row.article or row.article in c.also_reported_by)
                and any(abs(f.value - row.number) / max(row.number, 1) <= TOLERANCE for f in figures(c.quote))
            ),
            row.citation,
        )
        linked.append(replace(row, citation=n))
    return tuple(linked)
