"""Figures in news sentences — what they count and how many — and where articles disagree about them.

What a question counts is read from its own words: "How many people have been killed?" counts people
(the noun) killed (the verb); "How many votes did the mayor win?" counts votes; "How long is the land
border?" measures a border in a unit of length. A figure in a sentence counts the noun written after it
and the verb nearest to it in its clause ("killed at least 23 people …, and displaced more than 900,000"
gives 23 killed and 900,000 displaced). A figure for one place, nationality or group ("Seven Syrian
civilians were killed", "one of its soldiers", "12 people in Antakya") is not a total; one for a period
before its own article's month ("the July conflict that displaced 200,000" in a December article) is
not the current figure. Figures of the same quantity that differ between the cited passages are a
conflict the reader must see, newest report first. The check works on citations or passages alike, so
every answerer (extractive or LLM) can run it on what it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from rag.index.lexical import terms
from rag.news.dates import MONTHS
from rag.schema import Citation, Conflict, Passage

# Relative difference under which two figures are the same: a converted unit rounds (500 miles = 804.7 km is
# "805 km"), but counts a few hundred apart (52,310 and 51,980 votes) are two figures.
TOLERANCE = 0.001

T = TypeVar("T")

_UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS_WORDS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBERS = {
    **{w: i for i, w in enumerate(_UNITS_WORDS, start=1)},
    **{w: i for i, w in enumerate(_TEENS_WORDS, start=10)},
    **{w: 10 * i for i, w in enumerate(_TENS_WORDS, start=2)},
    "hundred": 100,
}
# "forty-one", "twenty five", "seven", "nineteen": a number in words below a hundred, or "hundred"; not
# the start of an ordinal ("the twenty-first century").
_WORD_NUMBER = (
    rf"(?:(?:{'|'.join(_TENS_WORDS)})(?:[-‐ ](?:{'|'.join(_UNITS_WORDS)})\b|(?![-‐][a-z]+(?:st|nd|rd|th)\b))|"
    rf"{'|'.join(_TEENS_WORDS + _UNITS_WORDS)}|hundred)"
)
_SCALES = (("billion", 1e9), ("million", 1e6), ("thousand", 1e3))
_NUMBER = (
    # Vague amounts ("dozens", "hundreds of thousands"), ordinals ("the 35th kilometre") and fractions
    # ("two-thirds of Americans") are left out: they are no figure to set against another.
    r"(?P<number>(?:half a|a quarter of a)\s+(?:billion|million|thousand)|(?:two|three|four|a)\s+dozen|"
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]\d)(?!\d|(?:st|nd|rd|th)\b)(?:\s+(?:billion|million|thousand)\b)?|"
    rf"(?<![-‐]){_WORD_NUMBER}\b(?![-‐](?:halves|half|thirds?|quarters?|fifths?|tenths?)\b)"
    r"(?:\s+(?:billion|million|thousand)\b)?)"
)
_QUALIFIER = r"(?P<qualifier>at least|more than|over|about|around|roughly|nearly|almost|some|up to|fewer than|)\s*"
FIGURE = re.compile(rf"(?P<currency>[$€£])?\b{_QUALIFIER}{_NUMBER}", re.I)

# Units, by what they measure; each with its factor to the dimension's base unit (km, km², tonnes).
_UNITS: dict[str, dict[str, float]] = {
    "length": {
        r"kilomet(?:er|re)s?|km": 1.0,
        r"miles?": 1.609344,
        r"met(?:er|re)s?": 0.001,
        r"feet|foot|ft": 0.0003048,
    },
    "area": {
        r"square kilomet(?:er|re)s?|sq(?:uare)?\.? km|km2|km²": 1.0,
        r"square miles?|sq(?:uare)?\.? mi(?:les?)?": 2.589988,
        r"hectares?": 0.01,
        r"acres?": 0.00404686,
    },
    "weight": {r"tonnes?|tons?|metric tons?": 1.0, r"kilograms?|kg": 0.001},
    "percent": {r"%|percent|per cent": 1.0},
    "money": {r"dollars?|euros?|pounds?|yuan|yen|rupees?": 1.0},
}
_UNIT_NAMES = {
    "length": ["kilometers", "km", "miles"],
    "area": ["square", "kilometers", "miles", "hectares", "acres"],
    "weight": ["tonnes", "tons"],
    "percent": ["percent"],
    "money": ["dollars", "million", "billion"],
}
_UNIT = re.compile(r"[\s-]*\(?(?P<unit>" + "|".join(u for units in _UNITS.values() for u in units) + r")(?!\w)", re.I)
_DURATION = re.compile(r"[\s-]+(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?)\b", re.I)
# Question words for a measured (not counted) quantity, and the dimension each asks for.
_MEASURES = {
    "long": "length",
    "far": "length",
    "wide": "length",
    "tall": "length",
    "high": "length",
    "deep": "length",
    "big": "area",
    "large": "area",
    "heavy": "weight",
}
# Words around a figure that hold it in a container: "the death toll rose to 1,200", "the number of dead".
_CONTAINERS = frozenset(("toll", "number", "total", "tally", "count", "figure"))
# English forms of one meaning that a stemmer cannot join (irregular forms, and the dying/killing pair
# every casualty report mixes: "the death toll" is the number "killed").
_LEXEMES = {
    "dead": "die",
    "death": "die",
    "fatal": "die",
    "kill": "die",
    "fled": "flee",
    "won": "win",
    "lost": "lose",
    "rose": "rise",
    "fell": "fall",
    "sold": "sell",
    "paid": "pay",
    "spent": "spend",
    "hurt": "injur",
    "wound": "injur",
}
# Verbs that say nothing of what is counted ("How many votes did she get?"): the noun decides.
_LIGHT_VERBS = frozenset(
    "be is are was were been have has had do does did get got receiv make made take took see saw give gave "
    "report record count reach there".split()
)
_AUXILIARIES = frozenset(
    "have has had were was are is be been being did do does will would could can may might must should to had".split()
)
_PREPOSITIONS = frozenset(
    "in on at by for from with of since during after before across along among between into over under "
    "within against around through".split()
)
# Words that end a noun phrase without being verbs or prepositions ("23 people and 20 …", "people who …").
_PHRASE_ENDS = frozenset("and or but who which that whom whose than".split())
# Auxiliaries after which the subject comes before the verb ("did the quake kill"): the verb is then last.
_DO_SUPPORT = frozenset("did do does can could will would may might should must".split())
_IRREGULAR_PAST = frozenset(
    "fled left lost won hurt held dead died gone taken given made seen struck hit shot sold paid spent "
    "built bought fallen fell rose risen cast".split()
)
_MONTH_WORD = re.compile(r"\b(?P<month>" + "|".join(m.title() for m in MONTHS if len(m) > 3) + r")\b")
_YEAR_WORD = re.compile(r"\b(?P<year>(?:19|20)\d\d)\b")
_SINCE = re.compile(r"\b(?:since|from|this)\s+$", re.I)
_IN_PLACES = re.compile(r"\bin (?P<a>[A-Z][\w-]+) and (?P<n2>\d[\d,]*) in (?P<b>[A-Z][\w-]+)")
_IN_PLACE = re.compile(r"^(?:[\w’'-]+\s+){0,5}?(?:in|among|from) (?:the )?(?P<place>[A-Z][\w’'-]+)")
_NAMED_AFTER = re.compile(r"\b(?:in|among|from|within|inside) (?:the )?(?P<name>[A-Z][\w’'-]*)")
_OPENING_PLACE = re.compile(r"\s*(?:In|Among|From|Across) (?:the )?(?P<place>[A-Z][\w’'-]+)[^,]{0,20},")
_MONTH_BEFORE = re.compile(r"\b(?:" + "|".join(m.title() for m in MONTHS) + r")\.?\s*$")
_MONTH_AFTER = re.compile(r"(?:st|nd|rd|th)?\s+(?:" + "|".join(m.title() for m in MONTHS) + r")\b")
_OF_GROUP = re.compile(r"^\s*of (?:its|their|his|her|our|whom|them|those)\b", re.I)
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


@dataclass(frozen=True)
class Quantity:
    """What a question counts or measures: "how many people have been killed" → noun ``peopl``, verb ``die``."""

    phrase: str  # the question's own words for it, for "Reports differ on …"
    noun: str | None  # lexeme of the counted noun ("peopl", "vote", "border")
    verb: str | None  # lexeme of the verb that says what happened to it ("die", "displac"); None when light
    dimension: str | None  # "length", "area", "money" … for a measure; None for a count
    scoped: bool  # the question restricts it to a place, nationality, group or period

    @property
    def words(self) -> str:
        """The phrase's content words and its units' names, for a wider search that finds every article's figure."""
        words = [w for w in _WORD.findall(self.phrase) if w.lower() not in _AUXILIARIES]
        return " ".join(words + _UNIT_NAMES.get(self.dimension or "", []))


@dataclass(frozen=True)
class Figure:
    """One figure as a sentence gives it: "at least 23 … in Hatay and 20 in Adana" is 43."""

    value: float
    text: str  # as written: "at least 80", "817-kilometer"
    qualifier: str
    dimension: str | None  # what its unit measures, None for a plain count
    counted: frozenset[str]  # lexemes of what it counts: its noun, its verb, the noun of its container
    scope: str | None = None  # the place, nationality or group it is limited to ("Syrian", "its")
    period: str | None = None  # an earlier month or year it is given for ("2025-07"), seen from its article

    def counts(self, quantity: Quantity) -> bool:
        """Whether this figure is a figure of ``quantity`` (its unit's dimension, its verb or noun)."""
        if quantity.dimension != self.dimension:
            return False
        if quantity.verb is not None:
            return quantity.verb in self.counted
        return quantity.noun is not None and quantity.noun in self.counted


def asked_quantity(question: str, current: str | None = None) -> Quantity | None:
    """What ``question`` counts or measures, or None when it asks for no figure. ``current`` (ISO) is the
    newest article's date: a month or year of the question that is its period asks for the current figure.

    >>> q = asked_quantity("How many people have been killed in the fighting?")
    >>> (q.noun, q.verb, q.scoped)
    ('peopl', 'die', False)
    """
    text = question.strip().rstrip("?").strip()
    if m := re.search(r"\bhow (?P<word>long|far|wide|tall|high|deep|big|large|heavy)\b", text, re.I):
        rest = _tokens(text[m.end() :])
        noun_phrase = _noun_phrase([w for w in rest if w.lower() not in _AUXILIARIES])
        noun = _lexeme(noun_phrase[-1]) if noun_phrase else None
        dimension = _MEASURES[m["word"].lower()]
        return Quantity(_phrase(text, m.start()), noun, None, dimension, _scoped(text, m.end(), current))
    if m := re.search(r"\bwhat (?:percentage|percent|share)\b", text, re.I):
        noun = _noun_after(text[m.end() :])
        return Quantity(_phrase(text, m.start()), noun, None, "percent", _scoped(text, m.end(), current))
    if m := re.search(r"\bhow many\b", text, re.I):
        return _counted(text, m.start(), _tokens(text[m.end() :]), current)
    if m := re.search(r"\bhow much\b", text, re.I):  # an amount of money: "How much did the company pay?"
        return replace(_counted(text, m.start(), _tokens(text[m.end() :]), current), dimension="money")
    if m := re.search(r"\b(?:the )?(?P<what>[a-z]+) (?:toll|tally|count)\b", text, re.I):
        noun = _lexeme(m["what"])
        return Quantity(_phrase(text, m.start()), noun, noun, None, _scoped(text, m.end(), current))
    if m := re.search(r"\b(?:the )?(?:number|total) of\b", text, re.I):
        return _counted(text, m.start(), _tokens(text[m.end() :]), current)
    return None


def _counted(text: str, at: int, words: list[str], current: str | None) -> Quantity:
    """The noun phrase right after "how many" and the verb of the rest: "… people have been killed in …"."""
    noun_phrase = _noun_phrase(words)
    rest = words[len(noun_phrase) :]
    # "have been killed", "have had to flee": the first word past the auxiliaries; "did the quake kill":
    # the last word before a preposition.
    do_support = bool(rest) and rest[0].lower() in _DO_SUPPORT
    verb = None
    for word in rest:
        lowered = word.lower()
        if lowered in _PREPOSITIONS:
            break
        if lowered not in _AUXILIARIES and not word[:1].isupper() and lowered not in ("the", "a", "an"):
            verb = _lexeme(word)
            if not do_support:
                break
    if verb in _LIGHT_VERBS:
        verb = None
    noun = _lexeme(noun_phrase[-1]) if noun_phrase else None
    modified = any(w[:1].isupper() for w in noun_phrase[:-1])
    return Quantity(_phrase(text, at), noun, verb, None, modified or _scoped(text, at, current))


def _noun_phrase(words: list[str]) -> list[str]:
    """Leading words up to the first verb, auxiliary or preposition: "Syrian civilians were …" → both."""
    phrase = []
    for word in words:
        lowered = word.lower()
        if lowered in _AUXILIARIES | _PREPOSITIONS | _PHRASE_ENDS or _looks_verbal(lowered) or lowered.endswith("ing"):
            break
        phrase.append(word)
        if len(phrase) == 3:
            break
    return phrase


def _noun_after(text: str) -> str | None:
    """The noun of "of voters turned out" (after "what percentage")."""
    phrase = _noun_phrase([w for w in _tokens(text) if w.lower() not in _AUXILIARIES | {"the", "a", "an", "of"}])
    return _lexeme(phrase[-1]) if phrase else None


def _scoped(text: str, after: int, current: str | None = None) -> bool:
    """Whether the question, past its figure words, limits them to a named place or group
    ("in Syria", "among Kurdish voters") or to a period ("in July", "in 2019", "earlier", "previous")
    other than the newest article's own (``current``, ISO)."""
    rest = text[after:]
    if any(not _MONTH_WORD.fullmatch(m["name"]) for m in _NAMED_AFTER.finditer(rest)):  # not "in February"
        return True
    if re.search(r"\b(?:previous|earlier|last)\b", rest, re.I):
        return True
    # "since July" / "since 2019" asks for the running total, not for a period's figure
    dated = [*_MONTH_WORD.finditer(text), *_YEAR_WORD.finditer(rest)]
    now = current or ""
    return any(
        not re.search(r"\bsince\s+$", m.string[: m.start()], re.I)
        and not (m.re is _MONTH_WORD and now[5:7] == f"{MONTHS[m['month'].lower()]:02d}")
        and not (m.re is _YEAR_WORD and now[:4] == m.group())
        for m in dated
    )


def _phrase(text: str, start: int) -> str:
    phrase = text[start:].strip()
    phrase = re.sub(r"^what (?:is|was|are|were) ", "", phrase, flags=re.I)
    # "how long is the border" reads "how long the border is" after "Reports differ on"
    phrase = re.sub(r"^(how \w+) (is|are|was|were) (.+)$", r"\1 \3 \2", phrase, flags=re.I)
    return phrase[:1].lower() + phrase[1:]


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _looks_verbal(word: str) -> bool:
    return (len(word) > 4 and word.endswith("ed")) or word in _IRREGULAR_PAST


def _lexeme(word: str) -> str:
    stems = terms(word)
    stem = stems[0] if stems else word.lower()
    return _LEXEMES.get(stem, stem)


# What stands between one figure and the same in another unit: "500-mile (800-kilometer)", "5 miles, or 8
# kilometers". Anything else ("59.8 percent, lower than the 61 percent") parts two figures.
_ALSO_IN = re.compile(r"[\s(/,-]*(?:or|about|some|nearly|roughly)?[\s(]*", re.I)


def figures(sentence: str, published: str | None = None) -> list[Figure]:
    """The figures of ``sentence``, each once; ``published`` (ISO) is its article's date, against which a
    month or year named with a figure is read.

    >>> [(f.value, sorted(f.counted)) for f in figures("At least eight people have been killed.")]
    [(8.0, ['die', 'peopl'])]
    """
    found: list[Figure] = []
    consumed: list[int] = []
    previous_end = 0
    for m in FIGURE.finditer(sentence):
        if m.start("number") in consumed or _is_date(sentence, m):
            continue
        value = _number(m["number"])
        end = m.end()
        dimension, text = None, m.group().strip()
        if m["currency"]:
            dimension = "money"
        elif unit := _UNIT.match(sentence, end):
            dimension, factor = next(
                (d, f) for d, units in _UNITS.items() for u, f in units.items() if re.fullmatch(u, unit["unit"], re.I)
            )
            value, end, text = value * factor, unit.end(), sentence[m.start() : unit.end()].strip(" (")
        elif _DURATION.match(sentence, end):
            continue
        # the clause before it, from its last conjunction on: "killed 23 … and displaced 900,000"
        before = re.split(r"[;:,()]|\b(?:and|but|while|or)\b", sentence[: m.start()])[-1]
        # a unit given twice, "500-mile (800-kilometer) land border", names what it measures past the bracket
        after = re.split(r"[;:(]|,", sentence[end:].lstrip(") "))[0]
        if places := _IN_PLACES.search(sentence, end, end + 80):
            consumed.append(places.start("n2"))
            value += _number(places["n2"])
            parts = f"{m['number']} in {places['a']}, {places['n2']} in {places['b']}"
            text = f"{m['qualifier']} {value:,.0f} ({parts})".strip()
            after = after.replace(places.group(), " ")
        if dimension is None and value <= 1:
            continue
        words_after = _tokens(after)
        noun_phrase = _noun_phrase(words_after)
        scope = next((w for w in noun_phrase[:-1] if w[:1].isupper()), None)
        if scope is None and (group := _OF_GROUP.match(after)):
            scope = group.group().split()[-1]
        if scope is None and not places and (place := _IN_PLACE.match(after.strip())):
            scope = place["place"]
        if scope is None and (place := _OPENING_PLACE.match(sentence[: m.start()])):  # "In Antakya alone, …"
            scope = place["place"]
        counted = {_lexeme(noun_phrase[-1])} if noun_phrase else set()
        counted |= _verb_and_container(_tokens(before), words_after[len(noun_phrase) :])
        if dimension is not None:  # a measure names what it measures right after it: "817km land border"
            counted |= {_lexeme(w) for w in words_after[:3]}
        previous = found[-1] if found else None
        if (
            previous is not None
            and dimension is not None
            and previous.dimension == dimension
            and abs(previous.value - value) / max(value, 1e-9) < 0.02
            and _ALSO_IN.fullmatch(sentence[previous_end : m.start()])
        ):  # "500-mile (800-kilometer)": one figure, given in the unit written second
            found[-1] = replace(previous, value=round(value, 1), text=text, counted=previous.counted | counted)
            previous_end = end
            continue
        previous_end = end
        # a month names a period within its comma clause; a year within the whole clause: "The last deadly
        # earthquake, in 1987, killed 23 people" but "The December 30 bombing, in Khost, killed seven"
        period = _period(
            re.split(r"[;:,()]", sentence[: m.start()])[-1] + " " + after,
            re.split(r"[;:()]", sentence[: m.start()])[-1] + " " + after,
            published,
        )
        found.append(
            Figure(round(value, 1), text, m["qualifier"].lower(), dimension, frozenset(counted), scope, period)
        )
    return found


def _is_date(sentence: str, m: re.Match[str]) -> bool:
    """A day of a month ("February 6", "6 February") or a bare year ("the 2019 vote") is no figure."""
    number = m["number"]
    if m["qualifier"] or m["currency"]:
        return False
    if _MONTH_BEFORE.search(sentence[: m.start()]) or _MONTH_AFTER.match(sentence, m.end()):
        return True
    return bool(re.fullmatch(r"(?:19|20)\d\d", number)) and not _UNIT.match(sentence, m.end())


def _verb_and_container(before: list[str], after: list[str]) -> set[str]:
    """The verb nearest to a figure in its clause (after it within eight words, before it within six, or
    a participle right before it), and the noun of a container before it in its clause ("the death toll
    rose to")."""
    counted: set[str] = set()
    # on a tie the verb before wins: it governs the figure ("killed 23 people and displaced 900,000")
    distances = [(i, 0, w) for i, w in enumerate(reversed(before[-6:])) if _looks_verbal(w.lower())]
    content_after = [w for w in after if w.lower() not in _AUXILIARIES]  # "were injured": injured is next
    distances += [(i, 1, w) for i, w in enumerate(content_after[:8]) if _looks_verbal(w.lower())]
    if distances:
        counted.add(_lexeme(min(distances)[2]))
    if before and before[-1].lower().endswith("ing"):  # a participle right before it: "killing at least 12"
        counted.add(_lexeme(before[-1]))
    lowered = [w.lower() for w in before]  # the clause's subject holds it: "the death toll from … has risen to"
    for i, word in enumerate(lowered):
        if word in _CONTAINERS and i:
            counted.add(_lexeme(lowered[i - 1]))
        if word in _CONTAINERS and i + 2 < len(lowered) and lowered[i + 1] == "of":
            counted.add(_lexeme(lowered[i + 2]))
    return counted


def _period(clause: str, sentence_clause: str, published: str | None) -> str | None:
    """The month (named in ``clause``) or year (named in the wider ``sentence_clause``) a figure is given
    for, when it lies before its article's month ("the July conflict" in a December article); "since
    July" is a running total, not a period."""
    try:
        today = date.fromisoformat(published or "")
    except ValueError:
        return None
    for m in _MONTH_WORD.finditer(clause):
        if _SINCE.search(clause[: m.start()]):
            continue
        month = MONTHS[m["month"].lower()]
        year = today.year if month <= today.month else today.year - 1
        if (year, month) < (today.year, today.month):
            return f"{year:04d}-{month:02d}"
    for m in _YEAR_WORD.finditer(sentence_clause):
        if int(m["year"]) < today.year and not _SINCE.search(sentence_clause[: m.start()]):
            return m["year"]
    return None


def _number(text: str) -> float:
    lowered = text.lower().strip()
    for prefix, share in (("half a", 0.5), ("a quarter of a", 0.25)):
        if lowered.startswith(prefix):
            return share * dict(_SCALES)[lowered.split()[-1]]
    if lowered.endswith("dozen"):
        return 12.0 * _WORD_NUMBERS.get(lowered.split()[0], 1)
    scale = 1.0
    for word, factor in _SCALES:
        if lowered.endswith(word):
            scale, lowered = factor, lowered[: -len(word)].strip()
    if words := re.fullmatch(r"([a-z]+)(?:[-‐ ]([a-z]+))?", lowered):
        return sum(_WORD_NUMBERS[w] for w in words.groups() if w) * scale
    return float(lowered.replace(",", "")) * scale


def totals(quantity: Quantity, text: str, published: str | None) -> list[Figure]:
    """The figures of ``text`` that are totals of ``quantity`` for its article's current period."""
    return [f for f in figures(text, published) if f.counts(quantity) and f.scope is None and f.period is None]


def compared_quantity(question: str, current: str | None = None) -> Quantity | None:
    """The quantity whose figures the articles' reports should be set side by side for, or None: a
    question about one place, group or earlier period ("How many were killed in Syria?") asks for no
    total, so the reports' totals are not its answer. ``current`` is the newest article's date (ISO):
    "in February" asked of February's articles is their current period."""
    quantity = asked_quantity(question, current)
    return None if quantity is None or quantity.scoped else quantity


def find_conflicts(question: str, evidence: Sequence[Citation] | Sequence[Passage]) -> tuple[Conflict, ...]:
    """Figures of the quantity the question asks about that differ between the citations (or passages),
    one row per article and figure, newest report first. Empty when they agree, or when they all come from
    one article (its several figures are no reports that differ).

    A citation row carries its ``[n]``; a passage row (the LLM backend checks its passages) has none.
    """
    quantity = compared_quantity(question, newest(evidence))
    if quantity is None:
        return ()
    found = [row for item in evidence for row in _rows(item, quantity)]
    if not reports_differ(by_figure(found, lambda row: row.number), lambda row: row.article):
        return ()
    unique = {(r.article, r.number): r for r in found}
    return tuple(sorted(unique.values(), key=lambda r: (r.published or "", r.number), reverse=True))


def same_figure(a: float, b: float) -> bool:
    """Whether ``a`` is ``b`` written again (within TOLERANCE of it)."""
    return abs(a - b) / max(b, 1) <= TOLERANCE


def by_figure(items: Iterable[T], number: Callable[[T], float]) -> dict[float, list[T]]:
    """``items`` grouped by their figure, in order: one joins the first group whose figure it repeats.

    >>> by_figure([805, 500, 804.5], float)
    {805.0: [805, 804.5], 500.0: [500]}
    """
    groups: dict[float, list[T]] = {}
    for item in items:
        value = number(item)
        key = next((v for v in groups if same_figure(value, v)), value)
        groups.setdefault(key, []).append(item)
    return groups


def reports_differ(groups: dict[float, list[T]], article: Callable[[T], str]) -> bool:
    """Two figures or more, from two articles or more: one article's several figures are no reports that
    differ (a film's takings and another film's in one story)."""
    return len(groups) >= 2 and len({article(item) for group in groups.values() for item in group}) >= 2


def newest(evidence: Sequence[Citation] | Sequence[Passage]) -> str | None:
    """The newest date (ISO) among the evidence's articles, or None when none is dated."""
    return max((item.published for item in evidence if item.published), default=None)


def _rows(item: Citation | Passage, quantity: Quantity) -> list[Conflict]:
    pieces = [(item.quote, item.n)] if isinstance(item, Citation) else [(s.text, None) for s in item.sentences]
    return [
        Conflict(
            quantity=quantity.phrase,
            value=f.text,
            number=f.value,
            origin=item.origin,
            citation=n,
            quote=text,
        )
        for text, n in pieces
        for f in totals(quantity, text, item.published)
    ]


def link(conflicts: tuple[Conflict, ...], citations: Sequence[Citation]) -> tuple[Conflict, ...]:
    """Give each conflict row the ``[n]`` of the citation that quotes its figure (or repeats it)."""
    linked = []
    for row in conflicts:
        n = next(
            (
                c.n
                for c in citations
                if (c.source == row.article or row.article in c.also_reported_by)
                and any(same_figure(f.value, row.number) for f in figures(c.quote))
            ),
            row.citation,
        )
        linked.append(replace(row, citation=n))
    return tuple(linked)
