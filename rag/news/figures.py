"""Figures in news sentences — what they count and how many — and where articles disagree about them.

Read through the language layer (rag/language.py): a figure is a number entity of spaCy's pipeline (CARDINAL,
QUANTITY, MONEY, PERCENT), or a number in words the small model missed, with what the dependency parse
attaches to it. "At least 80 people were killed": 80 counts *people* (its head), people were *killed* (theirs),
and "at least" is the number's own modifier. A question is read the same way: "How many people have been
killed?" counts people (the noun "many" modifies) killed (that noun's verb); "How long is the land border?"
measures a border in a unit of length. A figure for one place, nationality or group ("Seven Syrian civilians",
"12 people in Antakya": a named entity in its noun phrase or in a preposition of its verb) is not a total; one
for a period before its own article's month ("the July conflict that displaced 200,000" in a December article:
a month or year in its clause) is not the current figure. Figures of the same quantity that differ between the
cited passages are a conflict the reader must see, newest report first. The check works on citations or
passages alike, so every answerer (extractive or LLM) can run it on what it cites.

Number words are valued by number-parser ("Forty-one million" → 41,000,000). A sentence is parsed once per
process (and only when its tokens hold a number), in batches when many are asked for at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from number_parser import parse_number

from rag.index.lexical import terms
from rag.language import NUMBER_LABELS, Readings, doc_of, pipeline
from rag.news.dates import MONTHS
from rag.schema import Citation, Conflict, Passage

# Relative difference under which two figures are the same: a converted unit rounds (500 miles = 804.7 km is
# "805 km"), but counts a few hundred apart (52,310 and 51,980 votes) are two figures.
TOLERANCE = 0.001

T = TypeVar("T")

# The entity labels (OntoNotes, spaCy's scheme) of a time, beside those of a figure (NUMBER_LABELS): a number in
# a date ("February 6", "the 2019 vote") or a duration ("two weeks", "41 seconds") is none, and a time names no
# place or group.
_TIME_LABELS = ("DATE", "TIME", "ORDINAL")

# Units of measure by lemma: what each measures and its factor to that dimension's base unit (km, km², tonnes).
# By hand because spaCy's QUANTITY entity says a unit is there, not which, and no units library (pint,
# quantulum3) is a dependency; "square" before a unit of length makes one of area (its factor squared).
_UNITS: dict[str, tuple[str, float]] = {
    "kilometer": ("length", 1.0),
    "kilometre": ("length", 1.0),
    "km": ("length", 1.0),
    "mile": ("length", 1.609344),
    "meter": ("length", 0.001),
    "metre": ("length", 0.001),
    "foot": ("length", 0.0003048),
    "feet": ("length", 0.0003048),
    "hectare": ("area", 0.01),
    "acre": ("area", 0.00404686),
    "tonne": ("weight", 1.0),
    "ton": ("weight", 1.0),
    "kilogram": ("weight", 0.001),
    "kg": ("weight", 0.001),
}
_SQUARE = ("square", "sq")
_DIMENSIONS = frozenset(dimension for dimension, _ in _UNITS.values()) | {"area"}
# Multipliers number-parser does not value ("two dozen" is None to it, "half a million" is "half a 1000000").
_MULTIPLIERS = {"dozen": 12.0, "half": 0.5, "quarter": 0.25}
# The adjective of "how long / far / big …" and the dimension it asks for: the parser tags it ADJ or ADV but
# says nothing of what it measures.
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
# "What percentage of voters …" asks for a percent: the question's noun, which no entity or tag marks as one.
_SHARES = ("percentage", "percent", "share")
# Nouns that hold a count ("the death toll", "the number of dead"): "What is the death toll?" asks for a figure
# with no "how many" in it. No parser or lexicon marks a noun as a container of a number.
_CONTAINERS = ("toll", "tally", "count", "number", "total")
# One meaning that neither the lemmatiser nor the stemmer joins: the dying/killing pair every casualty report
# mixes ("the death toll" is the number "killed") and the words for the injured. WordNet would, as a dependency.
_LEXEMES = {"dead": "die", "death": "die", "fatal": "die", "kill": "die", "hurt": "injur", "wound": "injur"}
# Verbs (lemmas) that say nothing of what is counted ("How many votes did she get?"): the noun decides. The
# parser has no class for them: "get" and "receive" are as much verbs as "kill".
_LIGHT_VERBS = frozenset("be have do get receive make take see give report record count reach".split())
# "in the previous round": an earlier period with no date named, which the model tags no DATE.
_EARLIER = ("previous", "earlier", "last")


@dataclass(frozen=True)
class Quantity:
    """What a question counts or measures: "how many people have been killed" → noun ``peopl``, verb ``die``."""

    phrase: str  # the question's own words for it, for "Reports differ on …"
    noun: str | None  # lexeme of the counted noun ("peopl", "vote", "border")
    verb: str | None  # lexeme of the verb that says what happened to it ("die", "displac"); None when light
    dimension: str | None  # "length", "area", "money" … for a measure; None for a count
    scoped: bool  # the question restricts it to a place, nationality, group or period
    content: tuple[str, ...] = field(default=(), compare=False)  # the phrase's words less auxiliaries

    @property
    def words(self) -> str:
        """The phrase's content words and its units' names, for a wider search that finds every article's figure."""
        units = [unit for unit, (dimension, _) in _UNITS.items() if dimension == self.dimension]
        if self.dimension == "percent":
            units.append("percent")
        return " ".join([*self.content, *units])


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

    >>> q = asked_quantity("How many people have died in the clashes?")
    >>> (q.noun, q.verb, q.scoped)
    ('peopl', 'die', False)
    """
    text = question.strip().rstrip("?").strip()
    if not _may_ask_figure(text):
        return None
    doc = doc_of(text)
    for token in doc:
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if token.lower_ == "how" and following is not None and following.lower_ in _MEASURES:
            noun = next((t for t in doc[following.i + 1 :] if t.pos_ in ("NOUN", "PROPN")), None)
            noun = noun.head if noun is not None and noun.dep_ == "compound" else noun  # "land border"
            return _quantity(doc, token.i, noun, None, _MEASURES[following.lower_], current)
        if token.lower_ == "how" and following is not None and following.lower_ in ("many", "much"):
            counted = following.head if following.dep_ == "amod" and following.head.pos_ in ("NOUN", "PROPN") else None
            # "How much did the company pay?" asks for an amount of money
            dimension = "money" if following.lower_ == "much" else None
            return _quantity(doc, token.i, counted, _asked_verb(counted or following), dimension, current)
        if token.lower_ == "what" and token.head.lemma_.lower() in _SHARES:
            return _quantity(doc, token.i, _of_object(token.head), None, "percent", current)
    for token in doc:
        if token.lemma_.lower() in _CONTAINERS:
            start = token.left_edge.i
            if what := next((c for c in token.children if c.dep_ in ("compound", "amod")), None):  # "death toll"
                noun = _lexeme(what.lemma_)
                return replace(_quantity(doc, start, None, None, None, current), noun=noun, verb=noun)
            if (counted := _of_object(token)) is not None:  # "the number of people displaced"
                return _quantity(doc, start, counted, _asked_verb(counted), None, current)
    return None


def _may_ask_figure(text: str) -> bool:
    """Whether the words of a question could ask for a figure ("how many", "how long", "what percentage", "the
    death toll"): read from the tokenizer alone, so a question that cannot is not parsed here."""
    words = [t.lower_ for t in pipeline().tokenizer(text)]
    cues = {"many", "much", *_MEASURES, *_SHARES, *_CONTAINERS}
    return any(w in cues or w.rstrip("s") in _CONTAINERS for w in words)


def _quantity(doc: Any, start: int, noun: Any, verb: Any, dimension: str | None, current: str | None) -> Quantity:
    verb_lexeme = _lexeme(verb.lemma_) if verb is not None and verb.lemma_.lower() not in _LIGHT_VERBS else None
    content = tuple(t.text for t in doc[start:] if t.pos_ not in ("AUX", "PART", "PUNCT"))
    return Quantity(
        _phrase(doc, start),
        _lexeme(noun.lemma_) if noun is not None else None,
        verb_lexeme,
        dimension,
        _scoped(doc, start, noun, dimension in _DIMENSIONS, current),
        content,
    )


def _asked_verb(token: Any) -> Any:
    """The verb of the counted noun: "have been killed"; "have had to flee" (a light verb's complement)."""
    verb = _verb(token)
    if verb is not None and verb.lemma_.lower() in _LIGHT_VERBS:
        verb = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), verb)
    return verb


def _of_object(token: Any) -> Any:
    """The noun of "of N" after ``token``: "percentage of voters" → voters."""
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def _scoped(doc: Any, start: int, noun: Any, measured: bool, current: str | None) -> bool:
    """Whether the question, past its figure words, limits them to a named place or group ("in Syria",
    "among Kurdish voters", "Syrian civilians") or to a period ("in July", "in 2019", "the previous round")
    other than the newest article's own (``current``, ISO); "since July" asks for the running total."""
    for token in doc[start:]:
        if _named(token) and (
            (noun is not None and token.head.i == noun.i and token.dep_ in ("amod", "compound", "nmod"))
            or any(a.dep_ == "prep" and not _identifies(a, noun, measured) for a in token.ancestors)
        ):
            return True
        if token.lower_ in _EARLIER:
            return True
    now = current or ""
    for year, month in _dates(doc, None):
        if month is not None and now[5:7] != f"{month:02d}":
            return True
        if month is None and year is not None and now[:4] != str(year):
            return True
    return False


def _identifies(prep: Any, noun: Any, measured: bool) -> bool:
    """Whether ``prep`` names which thing is measured ("the border between Chile and Argentina") rather
    than limiting a count to a place ("killed in Hatay", "people in Syria")."""
    return measured and noun is not None and prep.head.i == noun.i


def _phrase(doc: Any, start: int) -> str:
    """The question's words for the quantity, to follow "Reports differ on": "how long the border is"."""
    if doc[start].lower_ == "what" and start + 1 < len(doc) and doc[start + 1].lemma_ == "be":
        start += 2
    phrase = doc[start:].text
    measure = len(doc) - start > 3 and doc[start].lower_ == "how" and doc[start + 1].lower_ in _MEASURES
    if measure and doc[start + 2].lemma_ == "be":  # "how long is the border" → "how long the border is"
        phrase = f"{doc[start : start + 2].text} {doc[start + 3 :].text} {doc[start + 2].text}"
    return phrase[:1].lower() + phrase[1:]


def _lexeme(word: str) -> str:
    stems = terms(word)
    stem = stems[0] if stems else word.lower()
    return _LEXEMES.get(stem, stem)


def _named(token: Any) -> bool:
    """Whether ``token`` is part of a name: a place, nationality, group, organisation or person."""
    return bool(token.ent_type_) and token.ent_type_ not in NUMBER_LABELS + _TIME_LABELS


def _verb(token: Any) -> Any:
    """The verb a noun or number belongs to: a participle or clause on it ("80 people killed", "people who
    fled"), else the first verb above it ("people have been killed", "rose to 5,021")."""
    for child in token.children:
        if child.dep_ in ("acl", "relcl") and child.pos_ == "VERB":
            return child
    while token.head.i != token.i:
        token = token.head
        if token.pos_ == "VERB" or (token.pos_ == "AUX" and token.dep_ == "ROOT"):
            return token
    return None


def _up_to(token: Any, clause: Any) -> list[Any]:
    """The heads above ``token`` below ``clause`` (all of them when ``clause`` is None)."""
    heads = []
    for head in token.ancestors:
        if clause is not None and head.i == clause.i:
            break
        heads.append(head)
    return heads


def _dates(doc: Any, clause: Any) -> list[tuple[int | None, int | None]]:
    """The (year, month) of the dates in ``clause`` (the whole ``doc`` when None) that name a period: a month
    or a year, not a day ("the January 30 bombing" is the event's own day) and not "since July" (a running
    total)."""
    found = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        if clause is not None and not clause.left_edge.i <= ent.root.i <= clause.right_edge.i:
            continue
        # "since July", "since a five-day conflict in July": the start of a running total, not its period
        if any(t.lower_ in ("since", "from") for t in [*_up_to(ent.root, clause), *ent]):
            continue
        month = next((MONTHS[t.lower_.rstrip(".")] for t in ent if t.lower_.rstrip(".") in MONTHS), None)
        years = [int(t.text) for t in ent if t.shape_ == "dddd"]
        has_day = any(t.like_num and t.shape_ in ("d", "dd") for t in ent)
        if month is not None and has_day:
            continue
        if month is not None or years:
            found.append((years[0] if years else None, month))
    return found


@dataclass(frozen=True)
class _Read:
    """A figure as its sentence's parse gives it, before its article's date places the periods it names."""

    figure: Figure
    dates: tuple[tuple[int | None, int | None], ...]


def read_figures(sentences: Iterable[str]) -> None:
    """Parse, in one batch, the ``sentences`` not read yet (only those whose tokens hold a number)."""
    _read.of(sentences)


def figures(sentence: str, published: str | None = None) -> list[Figure]:
    """The figures of ``sentence``, each once; ``published`` (ISO) is its article's date, against which a
    month or year named in a figure's clause is read.

    >>> [(f.value, sorted(f.counted)) for f in figures("At least eight people have been killed.")]
    [(8.0, ['die', 'peopl'])]
    """
    return [replace(r.figure, period=_period(r.dates, published)) for r in _read.of([sentence])[0]]


def _figures_of(doc: Any) -> tuple[_Read, ...]:
    found: list[_Read] = []
    summed: set[int] = set()  # the second number of "23 in Hatay and 20 in Adana", read with the first
    previous_end = -1
    for span in _number_spans(doc):
        if span.root.i in summed or (read := _figure_of(doc, span, summed)) is None:
            continue
        this, start, end = read
        previous = found[-1].figure if found else None
        if (
            previous is not None
            and this.figure.dimension is not None
            and previous.dimension == this.figure.dimension
            and abs(previous.value - this.figure.value) / max(this.figure.value, 1e-9) < 0.02
            and all(t.is_punct or t.pos_ == "CCONJ" for t in doc[previous_end:start])
        ):  # "500-mile (800-kilometer)", "500 miles, or 800 kilometers": one figure, in the unit written second
            merged = replace(this.figure, counted=previous.counted | this.figure.counted)
            found[-1] = replace(found[-1], figure=merged)
        else:
            found.append(this)
        previous_end = end
    return tuple(found)


def _without_numbers(sentence: str) -> tuple[_Read, ...] | None:
    """No figures, for a sentence none of whose tokens is a number; None: it needs a parse."""
    return None if any(t.like_num for t in pipeline().tokenizer(sentence)) else ()


# A sentence's figures, read once per process: an answer compares every sentence of its pool, and the next
# question on the same articles reads many of the same sentences.
_read: Readings[tuple[_Read, ...]] = Readings(_figures_of, 100_000, _without_numbers)


def _figure_of(doc: Any, span: Any, summed: set[int]) -> tuple[_Read, int, int] | None:
    """The figure of the number ``span``, with where it starts and ends in ``doc``; None when it is no figure."""
    value = _value(span)
    if value is None:
        return None
    dimension, factor, unit = _dimension(span)
    value *= factor
    start = next(t.i for t in span if t.pos_ != "DET")
    end = max(span.end, unit.i + 1 if unit is not None else 0)
    words = [t.lower_ for t in doc[start : _first_numeral(span).i] if t.is_alpha and t.pos_ != "DET"]
    qualifier = " ".join(w for w in words if w not in _MULTIPLIERS)  # "more than" of "more than half a million"
    text = doc[start:end].text
    anchor = unit if unit is not None and unit.i >= span.end else span.root
    noun = anchor.head if anchor.dep_ in ("nummod", "compound", "nmod", "amod") else None
    noun = noun if noun is not None and noun.pos_ in ("NOUN", "PROPN") else None
    while noun is not None and noun.dep_ == "compound" and noun.head.pos_ in ("NOUN", "PROPN"):
        noun = noun.head  # "817km land border": the border
    holder = noun if noun is not None else anchor
    verb = _verb(holder)
    scope, place = _scope(holder, noun, verb, dimension in _DIMENSIONS)
    if place is not None and (other := _other_place(doc, place)) is not None:
        # "at least 23 people have been killed in Hatay and 20 in Adana": the two make the total
        number, other_place = other
        other_value = _value(number)
        if other_value is not None:
            summed.add(number.root.i)
            parts = f"{_numerals(span)} in {place.text}, {number.text} in {other_place.text}"
            value += other_value
            text, scope = f"{qualifier} {value:,.0f} ({parts})".strip(), None
    if dimension is None and value <= 1:
        return None
    clause = verb if verb is not None else holder
    while clause.dep_ in ("conj", "relcl", "acl") and clause.head.i != clause.i:
        clause = clause.head  # "the July conflict that killed dozens and displaced 200,000"
    figure = Figure(round(value, 1), text, qualifier, dimension, frozenset(_counted(holder, noun, verb)), scope)
    return _Read(figure, tuple(_dates(doc, clause))), start, end


def _number_spans(doc: Any) -> list[Any]:
    """The figure entities of ``doc`` whose head is a number, and runs of numbers outside any entity (the small
    model misses some in words: "Sixty people were killed"). A fraction ("two-thirds", headed by "thirds") and
    a vague amount ("dozens") have no number for a head."""
    spans = [e for e in doc.ents if e.label_ in NUMBER_LABELS and any(t.like_num for t in e) and _headed_by_number(e)]
    loose = [t for t in doc if t.like_num and not t.ent_type_]
    runs: list[list[Any]] = []
    for token in loose:
        if runs and token.i - runs[-1][-1].i <= 2 and all(t.is_punct for t in doc[runs[-1][-1].i + 1 : token.i]):
            runs[-1].append(token)  # "Forty - one"
        else:
            runs.append([token])
    spans += [doc[run[0].i : run[-1].i + 1] for run in runs]
    return sorted(spans, key=lambda s: s.start)


def _headed_by_number(ent: Any) -> bool:
    if ent.label_ != "CARDINAL":
        return True
    return bool(ent.root.like_num or ent.root.lower_ in _MULTIPLIERS)


def _first_numeral(span: Any) -> Any:
    return next(t for t in span if t.like_num)


def _numerals(span: Any) -> str:
    numerals = [t for t in span if t.like_num]
    return span.doc[numerals[0].i : numerals[-1].i + 1].text


def _value(span: Any) -> float | None:
    """The number ``span`` gives: digits ("900,000", "4.5 billion") or words ("Forty-one million"), times a
    multiplier ("two dozen", "half a million")."""
    numerals = [t for t in span if t.like_num]
    if not numerals:
        return None
    multiplier = 1.0
    for token in span:
        multiplier *= _MULTIPLIERS.get(token.lower_, 1.0)
    try:
        value = float(numerals[0].text.replace(",", ""))
        scales = numerals[1:]
    except ValueError:
        value, scales = parse_number(_numerals(span)), []
    for scale in scales:  # "4.5 billion"
        factor = parse_number(scale.lower_)
        if factor is None:
            return None
        value *= factor
    return None if value is None else float(value) * multiplier


def _dimension(span: Any) -> tuple[str | None, float, Any]:
    """What the unit of ``span`` measures, its factor to the base unit and its token ("800 kilometers")."""
    label = span.label_ if span.label_ in NUMBER_LABELS else "CARDINAL"
    if label == "MONEY":
        return "money", 1.0, None
    if label == "PERCENT":
        return "percent", 1.0, None
    head = span.root.head
    candidates = [t for t in span if not t.like_num and not t.is_punct]
    if label == "CARDINAL":  # the unit outside the entity: "500 miles" read as a count of miles
        candidates = [head] if head.i >= span.end else []
    unit = next((t for t in candidates if t.lemma_.lower() in _UNITS), None)
    if unit is None:
        return (
            (candidates[-1].lemma_.lower(), 1.0, candidates[-1])
            if label == "QUANTITY" and candidates
            else (None, 1.0, None)
        )
    dimension, factor = _UNITS[unit.lemma_.lower()]
    if dimension == "length" and any(t.lower_.rstrip(".") in _SQUARE for t in span.doc[max(unit.i - 2, 0) : unit.i]):
        return "area", factor * factor, unit
    return dimension, factor, unit


def _scope(holder: Any, noun: Any, verb: Any, measured: bool) -> tuple[str | None, Any]:
    """The name a figure is limited to, and the place token when it comes from a preposition ("in Hatay"):
    a name in its noun phrase ("Seven Syrian civilians"), in a preposition of its noun or verb ("killed in
    Hatay"), or an owner ("one of its soldiers")."""
    if noun is not None:
        for child in noun.children:
            if child.dep_ in ("amod", "compound", "nmod") and _named(child):
                return child.text, None
    for head in (holder, verb):
        if head is None:
            continue
        for prep in head.children:
            if prep.dep_ != "prep" or _identifies(prep, noun, measured):
                continue
            for place in (c for c in prep.children if c.dep_ == "pobj"):
                named = [t for t in place.subtree if _named(t)]
                if named:
                    return named[0].text, named[0]
                owner = next((c for c in place.children if c.dep_ == "poss"), None)
                if prep.lower_ == "of" and owner is not None and head is holder:
                    return owner.text, None
    return None, None


def _other_place(doc: Any, place: Any) -> tuple[Any, Any] | None:
    """A number coordinated right after a figure's place, with a place of its own: "… 23 people in Hatay and
    20 in Adana". The parser attaches the second number to the noun, the verb or the next clause from one
    sentence to the next, so it is found next to the place, and its place in its own preposition."""
    after = doc[place.right_edge.i + 1 :]
    number = next((t for t in after if not (t.is_punct or t.pos_ == "CCONJ")), None)
    if number is None or not number.like_num or not any(t.pos_ == "CCONJ" for t in doc[after.start : number.i]):
        return None
    for prep in (c for c in number.children if c.dep_ == "prep"):
        other = next((t for t in prep.subtree if _named(t)), None)
        if other is not None:
            return doc[number.i : number.i + 1], other
    return None


def _counted(holder: Any, noun: Any, verb: Any) -> set[str]:
    """Lexemes of what a figure counts: its noun, the noun of "of N" on it, the verb it belongs to, and for a
    bare number the subject that holds it ("the death toll rose to 5,021")."""
    counted = set()
    if noun is not None:
        counted.add(_lexeme(noun.lemma_))
    if (counted_of := _of_object(holder)) is not None:
        counted.add(_lexeme(counted_of.lemma_))
    if verb is not None:
        counted.add(_lexeme(verb.lemma_))
        if noun is None:
            for subject in (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i != holder.i):
                counted |= {
                    _lexeme(t.lemma_)
                    for t in (subject, *subject.children)
                    if t.dep_ in ("nsubj", "nsubjpass", "compound")
                }
                if (container_of := _of_object(subject)) is not None:
                    counted.add(_lexeme(container_of.lemma_))
    return {c for c in counted if c and not c[0].isdigit()}


def _period(dates: tuple[tuple[int | None, int | None], ...], published: str | None) -> str | None:
    """The month or year a figure is given for, when it lies before its article's month ("the July conflict"
    in a December article), or None."""
    try:
        today = date.fromisoformat(published or "")
    except ValueError:
        return None
    for year, month in dates:
        if month is not None:
            year = year or (today.year if month <= today.month else today.year - 1)
            if (year, month) < (today.year, today.month):
                return f"{year:04d}-{month:02d}"
    for year, month in dates:
        if month is None and year is not None and year < today.year:
            return str(year)
    return None


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
    one row per article (its best-supported figure, ``one_figure_per_article``), newest report first. Empty
    when they agree, or when they all come from one article (its several figures are no reports that differ).

    A citation row carries its ``[n]``; a passage row (the LLM backend checks its passages) has none.
    """
    quantity = compared_quantity(question, newest(evidence))
    if quantity is None:
        return ()
    read_figures(text for item in evidence for text, _ in _pieces(item))
    found = [row for item in evidence for row in _rows(item, quantity)]
    found = one_figure_per_article(found, lambda row: row.article_id, lambda row: row.number)
    if not reports_differ(by_figure(found, lambda row: row.number), lambda row: row.article_id):
        return ()
    unique: dict[str, Conflict] = {}
    for row in found:  # the first sentence an article gives its figure in quotes it
        unique.setdefault(row.article_id, row)
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


def one_figure_per_article(items: Sequence[T], article: Callable[[T], str], number: Callable[[T], float]) -> list[T]:
    """``items`` (best first) without the figures an article gives beside its best-supported one: the figure
    it gives most often, and of figures given equally often the first. An article is one report of a
    quantity: "Five voted for it and two against" after "Five members voted for it" reads "two" as a count
    of those who voted too, but the article's count is five, and listing both made it two reports.

    >>> one_figure_per_article([("a", 2), ("a", 5), ("b", 6), ("a", 5)], lambda i: i[0], lambda i: i[1])
    [('a', 5), ('b', 6), ('a', 5)]
    """
    best: dict[str, float] = {}
    for name in dict.fromkeys(map(article, items)):
        groups = by_figure((i for i in items if article(i) == name), number)
        best[name] = max(groups, key=lambda value: len(groups[value]))  # max keeps the first of equal counts
    return [i for i in items if same_figure(number(i), best[article(i)])]


def reports_differ(groups: dict[float, list[T]], article: Callable[[T], str]) -> bool:
    """Two figures or more, from two articles or more: one article's several figures are no reports that
    differ (a film's takings and another film's in one story)."""
    return len(groups) >= 2 and len({article(item) for group in groups.values() for item in group}) >= 2


def newest(evidence: Sequence[Citation] | Sequence[Passage]) -> str | None:
    """The newest date (ISO) among the evidence's articles, or None when none is dated."""
    return max((item.published for item in evidence if item.published), default=None)


def _pieces(item: Citation | Passage) -> list[tuple[str, int | None]]:
    """The texts of ``item`` to read figures in, with the citation number of each (a passage's have none)."""
    return [(item.quote, item.n)] if isinstance(item, Citation) else [(s.text, None) for s in item.sentences]


def _rows(item: Citation | Passage, quantity: Quantity) -> list[Conflict]:
    return [
        Conflict(
            quantity=quantity.phrase,
            value=f.text,
            number=f.value,
            origin=item.origin,
            citation=n,
            quote=text,
        )
        for text, n in _pieces(item)
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
                if (c.article_id == row.article_id or row.article_id in c.also_reported_by)
                and any(same_figure(f.value, row.number) for f in figures(c.quote))
            ),
            row.citation,
        )
        linked.append(replace(row, citation=n))
    return tuple(linked)
