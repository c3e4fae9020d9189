"""A question typed without capitals, read with the capitals the articles give its words.

The answerer knows a name by its capital: "Who won the Bolivian election?" must be answered from an
article that names Bolivia, and "Who won the Peruvian election?" is refused where no article names Peru.
Typed as "who won the bolivian election", the same question names nothing. So a word of a question with
no capital past its first letter is written as the articles write it in mid-sentence, when they give it a
capital in at least ``CAPITALISED_SHARE`` of those uses (counted in up to ``SAMPLE`` chunks that use it):
"bolivian" becomes "Bolivian", "nato" "NATO", "election" stays. A word no article uses stays as typed.
``experiments/sweep.py rag.answer.casing.CAPITALISED_SHARE … --lowercase`` derives the share (docs/evaluation.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from rag.index.lexical import terms

CAPITALISED_SHARE = 0.9
SAMPLE = 20

_LETTER = r"[^\W\d_]"  # a letter of any alphabet: "Erdoğan", "Pogačar"
_WORD = re.compile(rf"{_LETTER}(?:{_LETTER}|['’])*{_LETTER}|{_LETTER}")
# A word after these (or first in its text) starts a sentence, a quote or a heading: its capital says nothing.
_OPENERS = frozenset(".!?:;\"“”‘'(—–-•")


def typed_without_capitals(question: str) -> bool:
    """Whether no letter of ``question`` past its first is a capital."""
    return not any(ch.isupper() for ch in question[1:])


def words_to_look_up(question: str) -> list[str]:
    """The words of ``question`` worth looking up in the articles (not stopwords), lower-cased."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(question) if terms(w)))


def recased(question: str, texts: Mapping[str, Iterable[str]]) -> str:
    """``question``, if typed without capitals, with each word of ``texts`` (lower-cased word → texts that
    use it) written as those texts write it in mid-sentence when they capitalise it in
    ``CAPITALISED_SHARE`` of its uses or more.

    >>> recased("who won the bolivian election", {"bolivian": ["Voters in the Bolivian vote."],
    ...                                           "election": ["An election in Bolivian towns."]})
    'who won the Bolivian election'
    """
    if not typed_without_capitals(question):
        return question
    spelt = {word: _written(word, texts.get(word, ()), CAPITALISED_SHARE) for word in words_to_look_up(question)}

    def respell(match: re.Match[str]) -> str:
        return spelt.get(match.group().lower()) or match.group()

    return _WORD.sub(respell, question)


def _written(word: str, texts: Iterable[str], share: float) -> str | None:
    """How ``texts`` write ``word`` when they mostly capitalise it in mid-sentence, else None."""
    forms: Counter[str] = Counter()
    for text in texts:
        for match in _WORD.finditer(text):
            if match.group().lower() == word and not _opens(text, match.start()):
                forms[match.group()] += 1
    capitalised = sum(n for form, n in forms.items() if form[0].isupper())
    if not forms or capitalised < share * sum(forms.values()):
        return None
    return max((form for form in forms if form[0].isupper()), key=lambda f: (forms[f], f))


def _opens(text: str, start: int) -> bool:
    before = text[max(0, start - 20) : start].rstrip()
    return not before or before[-1] in _OPENERS
