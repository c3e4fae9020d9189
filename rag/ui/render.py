"""HTML for the browser UI: answers with citation links, the sources panel, the corpus table.

Everything that comes from a document or a model is escaped here, in one function, before any markup
of ours is added around it: article text and answers are data, never HTML. Only these functions build
markup, so their unit tests cover what the page can show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import rag.markers as markers
from rag import Answer, Citation
from rag.index.store import ArticleRecord
from rag.news.timeline import TimelineEvent
from rag.schema import Passage, Source, format_date

# Beyond the usual five, ``{``, ``}``, ``$`` and the backtick are escaped too: Gradio's HTML component
# passes its value through a template engine, and no character of a document may reach one as syntax.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "`": "&#x60;",
    "{": "&#x7B;",
    "}": "&#x7D;",
    "$": "&#x24;",
}
_ESCAPABLE = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def escape(text: object) -> str:
    """Untrusted text as inert HTML: tags, attributes and template syntax become plain characters.

    >>> escape('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return _ESCAPABLE.sub(lambda m: _ENTITIES[m.group()], "" if text is None else str(text))


@dataclass(frozen=True)
class Turn:
    """One question of the conversation and what came back so far.

    ``partial`` is the streamed text before the ``Answer`` is finished; ``error`` a one-line message.
    """

    question: str
    partial: str = ""
    answer: Answer | None = None
    error: str | None = None


def source_id(turn: int, n: int) -> str:
    """The element id of citation ``n`` of turn ``turn`` in the sources panel (what a marker links to)."""
    return f"src-{turn}-{n}"


def render_answer_text(text: str, *, turn: int, cited: Sequence[int] = (), unsupported: Sequence[str] = ()) -> str:
    """The answer text as HTML: ``[n]`` markers of known citations become small numbered links.

    Sentences listed in ``unsupported`` are wrapped in a marked span. A marker whose number was not
    cited stays plain text: a link to nothing would be worse than none.

    >>> render_answer_text("Jets flew [1].", turn=0, cited=[1])
    'Jets flew <sup class="cite"><a href="#src-0-1" data-n="1">1</a></sup>.'
    """
    pieces, cursor = [], 0
    for start, end in _find_all(text, [s for s in unsupported if s.strip()]):
        pieces.append(_markers(text[cursor:start], turn, cited))
        pieces.append(
            '<span class="unsupported" title="Not supported by the cited passages">'
            f"{_markers(text[start:end], turn, cited)}</span>"
        )
        cursor = end
    pieces.append(_markers(text[cursor:], turn, cited))
    return "".join(pieces)


def _markers(text: str, turn: int, cited: Sequence[int]) -> str:
    def link(n: int) -> str | None:
        if n not in cited:
            return None
        return f'<sup class="cite"><a href="#{source_id(turn, n)}" data-n="{n}">{n}</a></sup>'

    return markers.replace(escape(text), link)


def _find_all(text: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping ranges of ``needles`` in ``text``, in order."""
    ranges: list[tuple[int, int]] = []
    for needle in needles:
        start = text.find(needle)
        if start >= 0 and not any(s < start + len(needle) and start < e for s, e in ranges):
            ranges.append((start, start + len(needle)))
    return sorted(ranges)


def render_transcript(turns: Sequence[Turn]) -> str:
    """The conversation: each question, then its answer, abstention, error or the text streamed so far."""
    if not turns:
        return '<div class="transcript empty">Ask a question about the indexed articles.</div>'
    blocks = []
    for i, turn in enumerate(turns):
        blocks.append(f'<div class="bubble user">{escape(turn.question)}</div>')
        blocks.append(_render_reply(i, turn))
    return '<div class="transcript">' + "".join(blocks) + "</div>"


def _render_reply(i: int, turn: Turn) -> str:
    if turn.error:
        return f'<div class="bubble bot error" role="alert">{escape(turn.error)}</div>'
    answer = turn.answer
    if answer is None:
        text = escape(turn.partial) if turn.partial else '<span class="thinking">Searching the articles…</span>'
        return f'<div class="bubble bot streaming">{text}</div>'
    parts = []
    if answer.rewritten_question:
        parts.append(f'<div class="rewritten">Searched for: {escape(answer.rewritten_question)}</div>')
    if answer.notice:
        parts.append(f'<div class="notice" role="status">{escape(answer.notice)}</div>')
    unsupported = answer.unsupported
    if answer.abstained:
        parts.append('<div class="label">No answer in the articles</div>')
    if answer.short is not None and answer.statement != answer.text:
        # The short answer on top, linked to the quote that states it; the sentences follow below it.
        link = render_answer_text(f"{answer.short.text} [{answer.short.n}]", turn=i, cited=[answer.short.n])
        parts.append(f'<div class="short">{link}</div>')
    cited = [c.n for c in answer.citations]
    body = render_answer_text(answer.statement, turn=i, cited=cited, unsupported=unsupported)
    parts.append(f'<div class="text">{body}</div>')
    if unsupported:
        parts.append(
            f'<div class="unsupported-note">{len(unsupported)} sentence(s) marked: not supported by the sources</div>'
        )
    kind = "abstained" if answer.abstained else "answer"
    backend = f'<div class="backend">{escape(answer.backend)}</div>'
    return f'<div class="bubble bot {kind}">{"".join(parts)}{backend}</div>'


def render_sources(turns: Sequence[Turn]) -> str:
    """The sources panel: the cited passages of every answer, newest first, each quote highlighted."""
    sections = []
    for i in reversed(range(len(turns))):
        answer = turns[i].answer
        if answer is None or not answer.citations:
            continue
        cards = "".join(render_source(i, c, _passage_of(answer, c)) for c in answer.citations)
        sections.append(
            f'<section class="sources-turn"><h4>Sources for “{escape(turns[i].question)}”</h4>{cards}</section>'
        )
    if not sections:
        return '<div class="sources empty">Cited passages appear here, with the quoted sentence highlighted.</div>'
    return '<div class="sources">' + "".join(sections) + "</div>"


def render_source(turn: int, citation: Citation, passage: Passage | None) -> str:
    """One citation: number, title, outlet and date, then its passage with the quoted sentence marked."""
    meta = " · ".join(x for x in (escape(citation.outlet or ""), _date(citation.origin)) if x)
    title = escape(citation.title or citation.article_id)
    if link := web_link(citation.url):
        title = f'<a href="{escape(link)}" rel="noopener noreferrer" target="_blank">{title}</a>'
    return (
        f'<article class="source" id="{source_id(turn, citation.n)}" data-n="{citation.n}">'
        f'<header><span class="num">{citation.n}</span> '
        f'<span class="title">{title}</span></header>'
        f'<div class="meta">{meta or "&nbsp;"} <span class="file">{escape(citation.article_id)}</span></div>'
        f'<p class="passage">{highlight(passage.text if passage else citation.quote, citation.quote)}</p></article>'
    )


def web_link(url: str | None) -> str | None:
    """``url`` when it is a web address a card may link to; None for anything else (``javascript:``, ``data:``,
    a file path), which a click must never open. The caller escapes it.

    >>> web_link("https://example.org/a?b=1"), web_link("javascript:alert(1)"), web_link("//example.org/x")
    ('https://example.org/a?b=1', None, None)
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _date(origin: Source) -> str:
    """The article's date as the CLI writes it ("22 Dec 2025, inferred"); an inferred one carries how it
    was reached as a tooltip. Empty when the article is undated."""
    if not origin.published:
        return ""
    if not origin.published_inferred:
        return escape(origin.dated())
    return f'<span class="inferred" title="{escape(origin.date_note or "")}">{escape(origin.dated())}</span>'


def highlight(passage: str, quote: str) -> str:
    """``passage`` escaped, with ``quote`` wrapped in ``<mark>`` (matched with whitespace collapsed).

    >>> highlight("A b.  The <b> quote. C.", "The <b> quote.")
    'A b.  <mark class="quote">The &lt;b&gt; quote.</mark> C.'
    """
    span = _locate(passage, quote)
    if span is None:
        return escape(passage) + (f'<br><mark class="quote">{escape(quote)}</mark>' if quote.strip() else "")
    start, end = span
    return f'{escape(passage[:start])}<mark class="quote">{escape(passage[start:end])}</mark>{escape(passage[end:])}'


def _locate(passage: str, quote: str) -> tuple[int, int] | None:
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), passage)
    return (found.start(), found.end()) if found else None


def _passage_of(answer: Answer, citation: Citation) -> Passage | None:
    return next((p for p in answer.passages if p.chunk_id == citation.chunk_id), None)


def render_passages(answer: Answer | None) -> str:
    """The retrieved passages of the last answer with their scores, for readers who want to see why."""
    if answer is None or not answer.passages:
        return '<div class="passages empty">Retrieved passages of the last answer appear here.</div>'
    rows = []
    for rank, p in enumerate(answer.passages, 1):
        rows.append(
            f"<tr><td>{rank}</td><td>{_score(p.score)}</td><td>{_score(p.dense_score)}</td>"
            f'<td>{_score(p.lexical_score)}</td><td><span class="ptitle">{escape(p.title or p.article_id)}</span>'
            f'<div class="passage-text">{escape(p.text)}</div></td></tr>'
        )
    return (
        '<table class="passages"><thead><tr><th>#</th><th>fused</th><th>dense</th><th>BM25</th>'
        "<th>passage</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_status(articles: int, chunks: int, backend: str, progress: str | None = None) -> str:
    """The status line: what is indexed and which backend answers; ``progress`` while indexing."""
    line = f"{_count(articles, 'article')} · {_count(chunks, 'chunk')} indexed · backend: {escape(backend)}"
    if progress:
        line = f'<span class="progress">{escape(progress)}</span> · {line}'
    return f'<div class="status-line">{line}</div>'


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_articles(articles: Sequence[ArticleRecord]) -> str:
    """The corpus table: title, outlet, date and chunk count of each indexed article."""
    if not articles:
        return '<div class="articles empty">No articles indexed yet.</div>'
    rows = "".join(
        f'<tr><td class="title">{escape(a.title or a.article_id)}</td><td>{escape(a.outlet or "")}</td>'
        f'<td>{_date(a.origin) or "undated"}</td><td>{a.chunks}</td><td class="file">{escape(a.article_id)}</td></tr>'
        for a in articles
    )
    return _table("articles", ("title", "outlet", "date", "chunks", "file"), rows)


def render_timeline(events: Sequence[TimelineEvent]) -> str:
    """The dated events in order: date (inferred ones marked), what happened, and the articles that say so."""
    if not events:
        return '<div class="timeline empty">No dated events indexed yet.</div>'
    rows = "".join(
        f'<tr><td class="date">{escape(_event_date(e))}</td><td>{escape(e.what)}</td>'
        f'<td class="file">{escape(", ".join(dict.fromkeys(c.outlet or c.article_id for c in e.citations)))}</td></tr>'
        for e in events
    )
    return _table("timeline", ("date", "what happened", "reported by"), rows)


def _event_date(event: TimelineEvent) -> str:
    shown = format_date(event.date) if event.precision == "day" else event.date
    return f"{shown} (inferred)" if event.inferred else shown


def _table(css_class: str, headers: Sequence[str], rows: str) -> str:
    """A table of ``rows`` (already escaped ``<tr>`` elements) under plain-text ``headers``."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
