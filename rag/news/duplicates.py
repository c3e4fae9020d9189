"""Passages that repeat one another across articles (a quote two outlets both carry) become one citation
"reported by 2 articles": the first citation stays, the others' articles are listed on it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.schema import Citation, Passage

MIN_WORDS = 6  # shorter sentences ("He said.") repeat by chance
CONTAINMENT = 0.8  # share of the shorter sentence's words found in the longer one


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")))


_CURRENCY = re.compile(r"[$€£¥]|\b(dollar|euro|pound|yuan|yen|rupee)s?\b", re.I)
_SYMBOLS = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen"}


def currencies(text: str) -> set[str]:
    """The currencies a sentence names, by symbol or word: "$1.3 billion" and "1.3 billion euros" differ."""
    return {_SYMBOLS.get(m.group(), (m.group(1) or "").lower()) for m in _CURRENCY.finditer(text)}


def near_duplicate(a: str, b: str) -> bool:
    """Whether two sentences say the same thing in (almost) the same words.

    >>> near_duplicate("We must build trust among the parties.", "We must build trust among all the parties")
    True
    """
    x, y = words(a), words(b)
    if {w for w in x if w.isdigit()} != {w for w in y if w.isdigit()}:
        return False  # "12 were killed" and "13 were killed" are two reports, not one repeated
    if currencies(a) != currencies(b):
        return False  # nor are "$1.3 billion" and "1.3 billion euros"
    shorter = min(len(x), len(y))
    return shorter >= MIN_WORDS and len(x & y) / shorter >= CONTAINMENT


def collapse(citations: Sequence[Citation], passages: Sequence[Passage]) -> tuple[Citation, ...]:
    """Merge citations that repeat an earlier one from another article, and list on each citation the
    other articles among ``passages`` that carry the same sentence. Citations are renumbered 1..n."""
    kept: list[Citation] = []
    for c in citations:
        twin = next((k for k in kept if k.article_id != c.article_id and near_duplicate(k.quote, c.quote)), None)
        if twin is not None:
            kept[kept.index(twin)] = replace(twin, also_reported_by=_add(twin.also_reported_by, c.article_id))
            continue
        kept.append(c)
    result = []
    for n, c in enumerate(kept, start=1):
        others = c.also_reported_by
        for p in passages:
            if (
                p.article_id != c.article_id
                and p.article_id not in others
                and any(near_duplicate(c.quote, s.text) for s in p.sentences)
            ):
                others = _add(others, p.article_id)
        result.append(replace(c, n=n, also_reported_by=others))
    return tuple(result)


def _add(article_ids: tuple[str, ...], article_id: str) -> tuple[str, ...]:
    return article_ids if article_id in article_ids else tuple(sorted((*article_ids, article_id)))
