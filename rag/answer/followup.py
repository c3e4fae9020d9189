"""Follow-up questions made standalone, without a language model, read with the language layer's parse.

The heuristic, in order (the first that applies wins):
1. A follow-up that names something ("And how many in Syria?") takes the previous question and puts the
   new name (a named entity) where the previous one's entity of the same kind stood ("How many people have
   been killed in Turkey?" → "How many people have been killed in Syria?").
2. A follow-up that points back with a pronoun ("What did he say?": a third-person or demonstrative
   pronoun), opens with a word that only joins it to the last question ("and", "so", "what about"), or is
   too short to stand alone (fewer than two content words) is joined to the previous question:
   "What did he say? (Who is Malaysia's foreign minister)". Retrieval then sees both.
3. Anything else is already standalone and is kept as it is.
"""

from __future__ import annotations

from typing import Any

from rag.index.lexical import terms
from rag.language import doc_of


def standalone(question: str, previous: str | None) -> str:
    """``question`` rewritten so it can be understood without ``previous`` (the last standalone question).

    >>> standalone("And how many in Peru?", "How many people were killed in Chile?")
    'How many people were killed in Peru?'
    """
    if not previous:
        return question
    doc = doc_of(question)
    lead = _lead(doc)
    rest = doc[lead:]
    follow = rest.text.strip() if lead else question.strip()
    follow = follow[:1].upper() + follow[1:]
    # a name the previous question already has is no new one ("Which jets did Brazil use?" after Brazil)
    new = next((n for n in reversed(_names(rest)) if n.text.lower() not in previous.lower()), None)
    old = None
    if new is not None:  # the previous question is parsed only when there is a name to put in it
        old = next((o for o in reversed(_names(doc_of(previous))) if o.label_ == new.label_), None)
    if new is not None and old is not None and (lead or len(terms(follow)) <= 3):
        return previous.replace(old.text, new.text, 1)
    if lead or _points_back(rest) or len(terms(follow)) < 2:
        return f"{follow.rstrip('?')}? ({previous.rstrip('?')})"
    return question


def _names(words: Any) -> list[Any]:
    """The named entities of ``words`` that are names (headed by a proper noun: "Syria", "Ana Silva", "Monday";
    not "this year" or "five")."""
    return [e for e in words.ents if e.root.pos_ == "PROPN"]


def _lead(doc: Any) -> int:
    """How many opening words only join the question to the one before: conjunctions and adverbs before the
    question proper ("And", "But", "So", "Also,"), or a question word on a bare preposition ("What about",
    "How about")."""
    if len(doc) > 1 and _asks(doc[0]) and doc[1].pos_ == "ADP" and doc[1].dep_ == "ROOT":
        return 2
    i = 0
    while i < len(doc) - 1 and (doc[i].pos_ == "CCONJ" or doc[i].tag_ == "RB" or (i and doc[i].is_punct)):
        i += 1
    return i


def _points_back(words: Any) -> bool:
    """Whether a pronoun in ``words`` stands for something said before: a third-person one ("he", "its",
    "them") or a demonstrative ("this", "those", "there"); question words are not."""
    return any(
        t.pos_ in ("PRON", "DET", "ADV")
        and not _asks(t)
        and ("3" in t.morph.get("Person") or "Dem" in t.morph.get("PronType"))
        for t in words
    )


def _asks(token: Any) -> bool:
    return str(token.tag_).startswith("W")  # WP, WP$, WDT, WRB: who, whose, which, how
