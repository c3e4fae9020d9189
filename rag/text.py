"""Tokens and sentences: the two ways this package measures text."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

ENCODING = "cl100k_base"
_lock = threading.Lock()


@cache
def token_encoder() -> Callable[[str], list[int]]:
    """``cl100k_base``'s encode function, loaded offline.

    tiktoken downloads its encoding files on first use unless ``TIKTOKEN_CACHE_DIR`` points at a copy;
    llama-index-core ships one, so we point there when the user has not chosen another cache.
    """
    import llama_index.core
    import tiktoken

    shipped = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(shipped))
    with _lock:
        encoding = tiktoken.get_encoding(ENCODING)
    return encoding.encode


def count_tokens(text: str) -> int:
    return len(token_encoder()(text))


@cache
def _punkt():  # type: ignore[no-untyped-def]
    # llama-index keeps a copy of NLTK's punkt model in its package and loads it from there,
    # so sentence splitting works offline and agrees with the chunker's own sentence splits.
    from llama_index.core.utils import globals_helper

    return globals_helper.punkt_tokenizer


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Start and end of each sentence in one paragraph, trailing whitespace excluded.

    >>> sentence_spans("It rained. Then it stopped.")
    [(0, 10), (11, 27)]
    """
    spans: list[tuple[int, int]] = []
    for start, end in _punkt().span_tokenize(paragraph):
        while end > start and paragraph[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        # Punkt takes the full stop of an abbreviation it does not know ("by the U.S. to the
        # ministers", "on Dec. 8") for a sentence end; glue such a piece back to the one before.
        if spans and (paragraph[start].islower() or _ABBREVIATION_END.search(paragraph, 0, spans[-1][1])):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def is_question(sentence: str) -> bool:
    """Whether a sentence asks rather than states (a subhead such as "How bad could this get?").

    >>> is_question("How bad could this get?"), is_question('"Why?" he asked.')
    (True, False)
    """
    return sentence.rstrip("\u201d\u2019\"') ").endswith("?")


def is_heading(sentence: str) -> bool:
    """Whether a line names a topic rather than states something: a headline or section heading has no
    closing stop.

    >>> is_heading("Chile, Peru Set Border Talks"), is_heading("The talks begin today.")
    (True, False)
    """
    return not sentence.rstrip("\u201d\u2019\"') ").endswith((".", "!", "?"))


# Abbreviations that stand before a name or a number, never at the end of a sentence: titles and ranks
# ("Gov. Arnold Schwarzenegger", "Lance Cpl. Maria Lauterbach"), months, "No. 3".
_TITLES = (
    "Mr|Mrs|Ms|Dr|Prof|Rev|Gov|Govs|Sen|Sens|Rep|Reps|Atty|Supt|Det|Insp|Msgr|"
    "Gen|Gens|Lt|Col|Maj|Capt|Cmdr|Adm|Brig|Sgt|Cpl|Pvt|Pfc|Spc"
)
_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_ABBREVIATION_END = re.compile(rf"(\b(?:[A-Z]\.){{2,}}|\b(?:{_TITLES}|St|{_MONTHS}|No)\.)$")


def collapse_whitespace(text: str) -> str:
    """``"a \\n b"`` → ``"a b"``: the form in which quotes are compared with their files."""
    return " ".join(text.split())
