"""Passages → the prompt a language model reads: numbered, headed, quoted as data, within a token budget."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.schema import Passage
from rag.text import count_tokens

# A passage could contain "</source>" and so close its own quotation early, letting the rest of its text
# pass for instructions: such tags inside the data are defused by a zero-width space after the "<".
_TAG = re.compile(r"<(/?\s*source)", re.I)


@dataclass(frozen=True)
class Packed:
    """The sources block of a prompt; ``passages[n - 1]`` is the passage the model knows as ``[n]``."""

    sources: str
    passages: tuple[Passage, ...]
    tokens: int  # of the whole prompt: fixed text, sources and question


def pack(passages: tuple[Passage, ...], *, fixed_tokens: int, budget: int) -> Packed:
    """As many of ``passages`` as fit in ``budget`` tokens, in rank order, numbered from 1.

    ``fixed_tokens`` is what the prompt costs without sources (instructions and question). A passage that
    does not fit is skipped, so a long one ranked high does not crowd out the rest.

    >>> pack((), fixed_tokens=10, budget=100).tokens
    10
    """
    blocks: list[str] = []
    kept: list[Passage] = []
    used = fixed_tokens
    for passage in passages:
        block = source_block(len(kept) + 1, passage)
        cost = count_tokens(block) + 2  # the blank line between blocks
        if used + cost > budget:
            continue
        blocks.append(block)
        kept.append(passage)
        used += cost
    return Packed("\n\n".join(blocks), tuple(kept), used)


def source_block(n: int, passage: Passage) -> str:
    """One passage as quoted data: ``<source n="1">``, a header line, the text, ``</source>``."""
    header = " | ".join(
        f"{label}: {value}"
        for label, value in (
            ("Title", passage.title or passage.article_id),
            ("Outlet", passage.outlet),
            ("Date", passage.published),
        )
        if value
    )
    return f'<source n="{n}">\n{_defuse(header)}\n\n{_defuse(passage.text)}\n</source>'


def _defuse(text: str) -> str:
    return _TAG.sub("<\u200b\\1", text)
