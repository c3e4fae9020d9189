"""The example questions the page offers: configured (``RAG_EXAMPLES``, questions separated by ``|``), or
else made from the titles of the newest indexed articles, so they fit whatever corpus is indexed."""

from __future__ import annotations

from collections.abc import Iterable

MAX_EXAMPLES = 3
_MAX_TITLE_WORDS = 14  # a longer headline makes a button wider than the question box


def example_questions(configured: str, articles: Iterable[tuple[str | None, str | None]]) -> tuple[str, ...]:
    """Up to three questions: the configured ones, or one per title of the newest ``(title, published)``.

    >>> example_questions("", [("Mayor re-elected in tight race", "2025-11-05"), (None, None)])
    ('What does “Mayor re-elected in tight race” report?',)
    >>> example_questions("How many votes did the mayor win? | Who conceded?", [])
    ('How many votes did the mayor win?', 'Who conceded?')
    """
    if configured.strip():
        return tuple(q.strip() for q in configured.split("|") if q.strip())[:MAX_EXAMPLES]
    titled = [(title.strip(), published or "") for title, published in articles if title and title.strip()]
    short = [t for t in titled if len(t[0].split()) <= _MAX_TITLE_WORDS]
    newest = sorted(short, key=lambda t: t[1], reverse=True)
    titles = list(dict.fromkeys(title.rstrip(".?!") for title, _ in newest))
    return tuple(f"What does “{title}” report?" for title in titles[:MAX_EXAMPLES])
