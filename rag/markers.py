"""Citation markers in answer text: ``[1]`` as the extractive answerer writes them, ``[1, 3]`` or ``[1][3]``
as a language model may. Every module that reads, links or removes markers does it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# The spaces before a marker belong to it, so that taking it out leaves "claim." and not "claim .".
_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")


def _numbers(marker: re.Match[str]) -> list[int]:
    # Longer digit runs are no citation (and int() refuses over 4300 digits).
    digits = marker[1].replace(";", ",").split(",")
    return [int(d) if len(d.strip()) <= 4 else 0 for d in digits]


def cited(text: str) -> Iterator[int]:
    """Every number cited in ``text``, in order, repeats included.

    >>> list(cited("F-35s [1, 3]. Zorblat [7][1]."))
    [1, 3, 7, 1]
    """
    for marker in _MARKER.finditer(text):
        yield from _numbers(marker)


def without(text: str) -> str:
    """``text`` without its markers and the spaces before each.

    >>> without("The toll rose to 42 [1]. Rescuers left. [2, 3]")
    'The toll rose to 42. Rescuers left.'
    """
    return _MARKER.sub("", text).strip()


def replace(text: str, render: Callable[[int], str | None]) -> str:
    """``text`` with each cited number rendered by ``render``; a marker with a number it declines (None)
    stays as written.

    >>> replace("Rain [1]. Sun [2, 3].", lambda n: f"<{n}>" if n < 3 else None)
    'Rain <1>. Sun [2, 3].'
    """

    def one(marker: re.Match[str]) -> str:
        shown = [render(n) for n in _numbers(marker)]
        if any(s is None for s in shown):
            return marker[0]
        return marker[0].partition("[")[0] + "".join(s or "" for s in shown)

    return _MARKER.sub(one, text)


def leading(text: str) -> int:
    """Where the markers that open ``text`` end (0 if it opens with none): punkt puts a marker that follows a
    full stop at the head of the next sentence.

    >>> leading(" [2] [3] Seven more.")
    8
    """
    end = 0
    while marker := _MARKER.match(text, end):
        end = marker.end()
    return end
