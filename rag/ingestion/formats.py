"""Saved web pages, RSS/Atom feed files and JSON Lines exports → the articles they hold, before cleaning.

Each format is read by the library made for it: an HTML page by trafilatura (the main text and the page's
metadata, with navigation, comments and footers left out) and htmldate (its date), a feed by feedparser,
a JSON Lines export by ``json``. A reader returns ``Entry`` objects: an article's text and what the format
states about it outside the text (``known``: title, outlet, byline, published, url), which
``rag.ingestion.corpus.parse_article`` then cleans like a text file's, with ``known`` winning over what the
text says. Nothing here touches the network: feedparser is given the file's bytes, never a name or URL.

Ids: an HTML page is one article, named by its file name as a text file is. A feed or JSON Lines file holds
many: each is ``<file name>#<n>``, ``n`` the entry's position in the feed (from 1) or the line's number,
so ids stay the same while the file does (``rag remove news.jsonl`` takes all of a file's articles).

Offsets: these formats have no faithful offsets into their raw bytes (markup, entities and JSON escapes
stand between), so an article's offsets are into ``Entry.text``, the text its reader extracted, with
paragraphs separated by blank lines. Nothing reads the raw file back at those offsets.
"""

from __future__ import annotations

import hashlib
import html
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import lxml.etree
import lxml.html
from lxml.html.defs import block_tags

ENTRY_SEPARATOR = "#"  # between the file name and the entry's number in the id of an article of a feed or JSONL


@dataclass(frozen=True)
class Entry:
    """One article as its file holds it, before cleaning.

    ``key`` follows the file name in the article id (``news.jsonl#12``); None when the file is one article.
    ``text`` is what the offsets of its article point into. ``guessed_date`` is a date read from the text
    by a format's own tool (htmldate), used only when the text yields no date to ``rag.news.dates``; it is
    marked inferred, with ``date_note`` saying how it was found.
    """

    key: str | None
    text: str
    known: Mapping[str, str]
    content_hash: str
    notes: tuple[str, ...] = ()
    guessed_date: str | None = None
    date_note: str | None = None


@dataclass(frozen=True)
class Entries:
    """What a reader found in one file: its articles, and the parts it could not use, each in one line."""

    entries: tuple[Entry, ...]
    problems: tuple[str, ...] = field(default=())


class UnreadableError(ValueError):
    """The whole file holds no article this reader can use; the message is the one-line reason."""


def article_id(file_name: str, key: str | None) -> str:
    """The id of an entry's article: the file name, and the entry's key after ``#`` when a file holds many.

    >>> article_id("news.jsonl", "12"), article_id("page.html", None)
    ('news.jsonl#12', 'page.html')
    """
    return file_name if key is None else f"{file_name}{ENTRY_SEPARATOR}{key}"


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _paragraphs(lines: str) -> str:
    """Non-blank lines as paragraphs separated by blank lines (how ``parse_article`` tells paragraphs apart)."""
    return "\n\n".join(line.strip() for line in lines.splitlines() if line.strip())


def html_text(markup: str) -> str:
    """The text of an HTML fragment (a feed entry's content), one paragraph per block element.

    lxml reads the markup, so entities are decoded and tags never reach the text; inline elements
    (``<b>``, ``<a>``) stay inside their sentence.

    >>> html_text("<p>Rain &amp; wind <b>closed</b> the pass.</p><p>It reopens Monday.</p>")
    'Rain & wind closed the pass.\\n\\nIt reopens Monday.'
    """
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    paragraphs: list[list[str]] = [[]]  # the text pieces of each paragraph; a block element starts a new one
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        is_element = isinstance(element.tag, str)  # comments and processing instructions carry no text
        if is_element and (element.tag in block_tags or element.tag == "br"):
            paragraphs.append([])
        if event == "start" and is_element and element.text:
            paragraphs[-1].append(element.text)
        if event == "end" and element is not root and element.tail:
            paragraphs[-1].append(element.tail)
    joined = (" ".join("".join(pieces).split()) for pieces in paragraphs)
    return "\n\n".join(p for p in joined if p)


def read_html(raw: bytes) -> Entries:
    """A saved web page: its main text and metadata by trafilatura, its date by htmldate.

    The date is "metadata" when the page's markup states it (meta tags, JSON-LD, ``<time>``, an element
    marked as the date, the URL: htmldate without its text search, as trafilatura runs it). Else the
    article's own lines and text are read as a text file's are; only when they give no date is htmldate's
    search of the main text taken, as inferred. It searches the main text only: a footer's "© 2026" would
    date every page 1 January. A guess on the 1st of a month is dropped, since htmldate writes a month or
    year it found alone as its first day.
    """
    import htmldate  # imported with the first page: 0.1 s of start-up that a corpus of text files never pays
    import trafilatura

    today = date.today().isoformat()
    page = trafilatura.bare_extraction(
        raw,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"original_date": True, "extensive_search": False, "max_date": today},
    )
    text = _paragraphs(page.text or "") if page is not None else ""
    if page is None or not text:
        raise UnreadableError("no article text found in the page")
    known = {"title": page.title, "outlet": page.sitename, "byline": page.author, "published": page.date}
    known["url"] = page.url
    guess, note = None, None
    if not page.date:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
        found = htmldate.find_date(f"<html><body>{paragraphs}</body></html>", original_date=True, max_date=today)
        if found and not found.endswith("-01"):
            guess, note = found, "found by htmldate in the page's text (the page's metadata has no date)"
    return Entries((Entry(None, text, _strings(known), _digest(raw.hex()), guessed_date=guess, date_note=note),))


def read_feed(raw: bytes) -> Entries:
    """An RSS or Atom feed file: one article per entry, by feedparser (given the bytes, it fetches nothing).

    An entry's full content is its text; an entry with only a summary is indexed as that summary, and a
    note says so. The date is the entry's published date, else its updated date (both the feed's metadata).
    """
    import feedparser  # imported with the first feed, as trafilatura with the first page

    feed = feedparser.parse(raw)
    if not feed.entries:
        why = f" ({_one_line(feed.bozo_exception)})" if feed.get("bozo") else ""
        raise UnreadableError(f"no entries: not an RSS or Atom feed{why}")
    problems = [f"not well-formed ({_one_line(feed.bozo_exception)}); read what it could"] if feed.bozo else []
    outlet = html_text(feed.feed.get("title", ""))
    entries = []
    for n, item in enumerate(feed.entries, start=1):
        title = _detail_text(item.get("title_detail")) or None
        named = f"entry {n}" + (f" ({title!r})" if title else "")
        notes: tuple[str, ...] = ()
        if item.get("content"):
            text = "\n\n".join(_detail_text(part) for part in item.content)
        else:
            text = _detail_text(item.get("summary_detail"))
            notes = (f"{named} has only a summary in the feed; indexed as that summary",)
        if not text.strip():
            problems.append(f"{named} has no text; not indexed")
            continue
        when = item.get("published_parsed") or item.get("updated_parsed")
        known = {"title": title, "outlet": outlet, "byline": item.get("author"), "url": item.get("link")}
        known["published"] = time.strftime("%Y-%m-%d", when) if when else None
        entries.append(Entry(str(n), text, _strings(known), _digest(text, known), notes))
    return Entries(tuple(entries), tuple(problems))


# A JSON Lines field → the name ``parse_article``'s ``known`` gives it.
_JSONL_FIELDS = {"title": "title", "url": "url", "published": "published", "outlet": "outlet", "author": "byline"}


def read_jsonl(raw: bytes) -> Entries:
    """A JSON Lines export: one article per line, ``text`` and optional ``title``, ``url``, ``published``,
    ``outlet``, ``author`` (strings or null). A line that is not valid is reported with its number and
    left out; the other lines are indexed. Blank lines are passed over."""
    entries, problems = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as error:
            problems.append(f"line {number}: not UTF-8 (byte {error.start}); not indexed")
            continue
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not valid JSON ({error.msg}, column {error.colno}); not indexed")
            continue
        if (problem := _jsonl_problem(record)) is not None:
            problems.append(f"line {number}: {problem}; not indexed")
            continue
        known = {name: record.get(key) for key, name in _JSONL_FIELDS.items()}
        entries.append(Entry(str(number), record["text"], _strings(known), _digest(line.hex())))
    if not entries:
        raise UnreadableError(f"no valid line ({problems[0] if problems else 'the file is blank'})")
    return Entries(tuple(entries), tuple(problems))


def _jsonl_problem(record: Any) -> str | None:
    """Why a parsed line is no article, or None when it is one."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    if not isinstance(record.get("text"), str):
        return "no 'text' string"
    if not record["text"].strip():
        return "empty 'text'"
    for key in _JSONL_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"{key!r} is a JSON {type(record[key]).__name__}, not a string"
    return None


def _detail_text(detail: Mapping[str, Any] | None) -> str:
    """The text of a feedparser ``*_detail`` (or content part): HTML reduced to text, plain text as it is."""
    if not detail or not detail.get("value"):
        return ""
    if detail.get("type", "text/html") == "text/plain":
        return _paragraphs(detail["value"])
    return html_text(detail["value"])


def _strings(known: Mapping[str, Any]) -> dict[str, str]:
    """The facts that are there, as single-line strings."""
    return {key: " ".join(str(value).split()) for key, value in known.items() if value and str(value).strip()}


def _one_line(error: object) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# Suffix → reader; ``rag.ingestion.corpus`` reads ``.txt`` and ``.md`` itself.
READERS: dict[str, Callable[[bytes], Entries]] = {
    ".html": read_html,
    ".htm": read_html,
    ".xml": read_feed,
    ".rss": read_feed,
    ".atom": read_feed,
    ".jsonl": read_jsonl,
}
