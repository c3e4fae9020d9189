"""Who a claim or quote is attributed to, read from the sentence's dependency parse (``rag.language``).

A speaker is the subject (``nsubj``) of a reporting verb, and a reporting verb is known by what it governs,
not by a list of verbs: a clausal complement ("X said that …"; "“…,” X said", where the quote is its
``ccomp``), a quotation attached to it (``parataxis``, or a quotation mark among its dependents), an object
and an infinitive ("X urged Y to act") or a topic after "of"/"about" ("X warned of tremors"). "According to
X" is the one fixed phrase. The main reporting verb (the one nearest the root of the parse, outside any
quotation) names the speaker.

The speaker's name is the subject's noun phrase with its title ("Brazil's foreign minister Mauro Vieira",
"prosecutor Maria Lopez") when it holds a person, organisation, nationality or place; a name set off by
commas beside a description is that name alone ("The county clerk, Dana Whitfield, confirmed" → "Dana
Whitfield"). "He said" is the speaker, or the person, of the nearest sentence before that names one; a
quotation that runs on over several sentences is said by the speaker named where it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.language import Readings, doc_of
from rag.schema import Citation, Passage, Span

# The entity labels (OntoNotes, spaCy's scheme) a speaker's name holds: people, bodies, peoples, places.
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# The dependents of a subject that belong to its title, with all that hangs on them: "Brazil's" (poss,
# its 's hanging on it), "Prime Minister" (compound), "foreign" (amod).
_TITLE_DEPS = frozenset({"compound", "poss", "amod", "nmod"})
# The dependencies by which a clause (what was said) hangs on the verb that reports it.
_CLAUSES = frozenset({"ccomp", "parataxis"})
# Sentences searched before a "he said" for who he is, and after an opening quote for who ends it.
_REACH = 3
# Readings kept in memory (each a few short strings); past this many the store starts again.
_MEMORY = 20_000


@dataclass(frozen=True)
class _Reading:
    """What attribution keeps of one sentence's parse (a spaCy Doc is large; this is a few strings)."""

    said_by: str | None  # the named subject of its main reporting verb
    by_pronoun: bool  # its main reporting verb's subject is "he" or "she"
    person: str | None  # whom a "he" in the next sentence may be: its speaker, subject or first PERSON
    opens_quote: bool


def speaker(sentence: str, before: Sequence[str] = (), after: Sequence[str] = ()) -> str | None:
    """The person or body ``sentence`` attributes its claim to, or None. ``before`` are the sentences
    just before it, nearest first (who "he" is); ``after`` those just after it (a quote running on over
    several sentences names its speaker at its end).

    >>> speaker("“Turnout was strong,” said the Pennsylvania secretary of state, Al Schmidt, on Tuesday.")
    'Al Schmidt'
    """
    reading = _read(sentence)
    if reading.said_by:
        return reading.said_by
    if reading.by_pronoun:
        return _antecedent(before)
    if reading.opens_quote:
        for following in after[:_REACH]:
            ending = _read(following)
            if ending.said_by:
                return ending.said_by
            if ending.by_pronoun:
                return _antecedent(before)
    return None


def asks_for_speaker(question: str) -> bool:
    """Whether ``question`` asks who said something: "who" is the subject of its main verb, and that verb
    reports speech as the articles' own reporting verbs are read (``_reports``), so "Who wrote the book?" does
    not, "Who told reporters that the talks failed?" does.

    >>> asks_for_speaker("Who warned of further tremors?"), asks_for_speaker("Who wrote the book?")
    (True, False)
    """
    doc = doc_of(question)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return bool(len(doc) and doc[0].lower_ == "who" and doc[0].head == root and _reports(root, _quoted(doc)))


def said_by_pronoun(sentence: str) -> bool:
    """Whether ``sentence`` gives its speaker only as "he" or "she" (the subject of its reporting verb).

    >>> said_by_pronoun("“We will not retreat,” she told reporters.")
    True
    """
    return _read(sentence).by_pronoun


def _antecedent(before: Sequence[str]) -> str | None:
    """Who "he" or "she" is: the speaker or person of the nearest of ``before`` that names one."""
    for previous in before[:_REACH]:
        if who := _read(previous).person:
            return who
    return None


def _read(sentence: str) -> _Reading:
    return _readings.of([sentence])[0]


def _reading(doc: Any) -> _Reading:
    """The subject of the main reporting verb (nearest the root, outside quotation marks) and the rest."""
    said_by, by_pronoun = None, False
    quoted = _quoted(doc)
    verbs = [t for t in doc if not quoted[t.i] and _reports(t, quoted)]
    for verb in sorted(verbs, key=lambda t: (_depth(t), t.i)):
        subject = _subject(verb)
        if subject is None:
            continue
        if subject.pos_ == "PRON":
            by_pronoun = _he_or_she(subject)
        else:
            said_by = _name(subject)
        break
    if said_by is None and not by_pronoun:
        said_by = _according_to(doc)
    return _Reading(said_by, by_pronoun, said_by or _person(doc), len(doc) > 0 and doc[0].is_quote)


# What each sentence says of its speaker, read once per process: a citation's neighbours are read again for
# the next question.
_readings: Readings[_Reading] = Readings(_reading, _MEMORY)


def _reports(token: Any, quoted: list[bool]) -> bool:
    """Whether ``token`` is a verb that reports speech, judged by the dependents the parse gives it."""
    if token.pos_ != "VERB":
        return False
    deps = {c.dep_ for c in token.children}
    has_object = "dobj" in deps or any(c.dep_ == "prep" and _has(c, "pobj") for c in token.children)
    return bool(
        deps & _CLAUSES
        or any(c.is_quote for c in token.children)
        # the parser sometimes hangs the speaker's clause on the quoted one ("X called for Y: “Our goal …")
        or (token.dep_ in _CLAUSES and quoted[token.head.i])
        # an object and an infinitive: "urged EU representatives to act", "called on the EU to press"
        or ("xcomp" in deps and has_object)
        # a topic: "warned of further tremors", "accused Brazil of launching", "spoke about the talks"
        or any(c.dep_ == "prep" and c.lower_ in ("of", "about") and _has(c, "pobj", "pcomp") for c in token.children)
    )


def _has(token: Any, *deps: str) -> bool:
    return any(c.dep_ in deps for c in token.children)


def _subject(verb: Any) -> Any:
    """The subject of ``verb``, or of the verb it is joined to ("Brazil accused … and said …")."""
    while True:
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is not None or verb.dep_ != "conj" or verb.head.i == verb.i:
            return subject
        verb = verb.head


def _quoted(doc: Any) -> list[bool]:
    """For each token, whether it stands inside quotation marks. A closing mark with no opening one ends a
    quote begun in an earlier sentence, so it covers the words before it; an opening mark with no closing
    one begins a quote that runs on."""
    inside = [False] * len(doc)
    opened: int | None = None
    for token in doc:
        if not token.is_quote:
            continue
        if _opens(token):
            opened = token.i
        else:
            for i in range(0 if opened is None else opened, token.i):
                inside[i] = True
            opened = None
    if opened is not None:
        for i in range(opened, len(doc)):
            inside[i] = True
    return inside


def _opens(mark: Any) -> bool:
    """Whether a quotation mark opens a quote: a curly one says so itself; a straight one opens when it
    starts the sentence or follows a space (the tagger's guess between `` and '' fails before a no-break
    space)."""
    if mark.text in "“‘«":
        return True
    if mark.text in "”’»":
        return False
    return mark.i == 0 or bool(mark.doc[mark.i - 1].whitespace_)


def _depth(token: Any) -> int:
    depth = 0
    while token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _he_or_she(pronoun: Any) -> bool:
    """A third-person singular personal pronoun that is not "it": one that stands for a person."""
    morph = pronoun.morph
    return morph.get("Person") == ["3"] and morph.get("Number") == ["Sing"] and morph.get("Gender") != ["Neut"]


def _according_to(doc: Any) -> str | None:
    # "According to X" is a fixed phrase, not a verb with a subject: the parse gives "according" as a
    # preposition whose "to" governs X.
    for token in doc:
        if token.lower_ == "according":
            for to in token.children:
                for obj in to.children:
                    if obj.dep_ == "pobj" and (who := _name(obj)):
                        return who
    return None


def _name(head: Any) -> str | None:
    """The name of the noun phrase ``head`` heads, with its title, when it holds a speaker's entity."""
    span = _named(head)
    return None if span is None else _text(span)


def _named(head: Any) -> Any:
    """The span of ``_name``: a comma-set appositive name alone, else the title through the name."""
    doc = head.doc
    for appos in (c for c in head.children if c.dep_ == "appos"):
        entity = _entity(appos)
        if entity is None:
            continue
        if appos.left_edge.i and doc[appos.left_edge.i - 1].is_punct:
            return entity  # "the county clerk, Dana Whitfield,"
        return doc[_title_start(head) : entity.end]  # "Brazil's foreign minister Mauro Vieira"
    entity = _entity(head)
    span = doc[_title_start(head) : max(head.i + 1, entity.end if entity is not None else 0)]
    return span if any(t.ent_type_ in _SPEAKER_LABELS for t in span) else None


def _entity(token: Any) -> Any:
    """The named entity of a speaker's label that holds ``token``, or None."""
    return next((e for e in token.doc.ents if e.start <= token.i < e.end and e.label_ in _SPEAKER_LABELS), None)


def _title_start(head: Any) -> int:
    """Where the title before ``head`` begins: its leftmost title dependent and all that hangs on it."""
    return min([c.left_edge.i for c in head.lefts if c.dep_ in _TITLE_DEPS] + [head.i])


def _text(span: Any) -> str | None:
    words = [t for t in span if not (t.pos_ == "DET" and t.i == span.start)]  # "the U.S. Geological Survey"
    return span.doc[words[0].i : words[-1].i + 1].text if words else None


def _person(doc: Any) -> str | None:
    """The person a sentence is about: its main subject when that names a person, else its first PERSON."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None) if root is not None else None
    span = _named(subject) if subject is not None and subject.pos_ != "PRON" else None
    if span is not None and any(t.ent_type_ == "PERSON" for t in span):
        return _text(span)
    return next((e.text for e in doc.ents if e.label_ == "PERSON"), None)


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


def speakers_of(places: Sequence[tuple[Passage, int]]) -> list[str | None]:
    """The speaker of each (passage, sentence index), the sentences parsed in one batch (their neighbours,
    needed for "he said" alone, are parsed when needed)."""
    _readings.of(passage.sentences[index].text for passage, index in places)
    return [speaker_of(passage, index) for passage, index in places]


def speaker_of(passage: Passage, index: int) -> str | None:
    """The speaker of sentence ``index`` of ``passage``, read with the sentences around it."""
    return speaker(passage.sentences[index].text, *_around(passage, index))


def speaker_context(passage: Passage, index: int) -> list[str]:
    """Every sentence ``speaker_of`` may take the speaker's name from: the sentence and its neighbours.

    A caller that looks for one speaker can skip (and so not parse) a sentence whose context never writes
    the name.
    """
    before, after = _around(passage, index)
    return [passage.sentences[index].text, *before[:_REACH], *after[:_REACH]]


def _around(passage: Passage, index: int) -> tuple[list[str], list[str]]:
    """The sentences before (nearest first, then the one before the passage) and after a sentence."""
    before = [x.text for x in reversed(passage.sentences[:index])]
    if passage.preceding is not None:
        before.append(passage.preceding.text)
    return before, [x.text for x in passage.sentences[index + 1 :]]
