"""Publisher furniture at the end of an article: tag lists, promotion, disclaimers, notes about the article.

General rules of web publishing, no outlet's own phrases: a trailing paragraph is furniture when it is
a bare label ("Tags", "Related", "Advertisement"), when it turns to the reader with a call to action
("Follow us on …", "Sign up for our newsletter", "Stay informed with …"), when it speaks of the article
or the publisher rather than the news ("This article was rewritten by …", "… do not necessarily reflect
the views of …", "All rights reserved", "©"), or when it names a web address in the publisher's own
voice ("… — your trusted source"). Only a run of such paragraphs at the very end is dropped, never one
inside the reporting, and never the first paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LABEL = re.compile(
    r"^(?:tags?|related(?: (?:articles|stories|topics))?|topics|advertisement|sponsored|share(?: this)?|"
    r"read more|more on this story|see also)\s*:?$",
    re.I,
)
# A paragraph that opens with an imperative addressed to the reader, about the publisher or its channels.
_CALL_TO_ACTION = re.compile(
    r"^(?:follow|subscribe|sign up|stay (?:informed|tuned|updated|connected)|download|join|read more|"
    r"click|share|get (?:the|our)|like us|support)\b.*\b(?:us|our|you|your|newsletter|app|updates|here|on)\b",
    re.I,
)
# The article or its publisher as the subject, not the news.
_ABOUT_THE_ARTICLE = re.compile(
    r"\bthis (?:article|story|report|content|piece|post)\b.*\b(?:was|has been|is|were)\b"
    r"|\b(?:do|does) not necessarily (?:reflect|represent)\b|\ball rights reserved\b|©|\bcopyright\b",
    re.I,
)
WEB_ADDRESS = re.compile(r"\b(?P<outlet>[A-Za-z0-9-]+\.(?:com|net|org|news|co\.[a-z]{2}|[a-z]{2}))\b")
_PUBLISHER_VOICE = re.compile(r"\b(?:our|us|we|your|you)\b", re.I)


def is_furniture(paragraph: str) -> bool:
    """Whether a paragraph is publisher furniture rather than reporting.

    >>> is_furniture("Sign up for our newsletter to get the day's news.")
    True
    >>> is_furniture("The mayor won 52,310 votes, election officials said.")
    False
    """
    text = paragraph.strip()
    return bool(
        _LABEL.match(text)
        or _CALL_TO_ACTION.match(text)
        or _ABOUT_THE_ARTICLE.search(text)
        or (WEB_ADDRESS.search(text) and _PUBLISHER_VOICE.search(text))
    )


def furniture_start(paragraphs: Sequence[str]) -> int:
    """Where the run of furniture paragraphs at the end begins (``len(paragraphs)`` when there is none)."""
    end = len(paragraphs)
    while end > 1 and is_furniture(paragraphs[end - 1]):
        end -= 1
    return end
