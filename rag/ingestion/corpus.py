"""Files → cleaned ``Article`` objects with metadata, stable ids and offsets into the original file."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import CorpusError
from rag.ingestion.encoding import Decoded, binary_reason, decode_text
from rag.ingestion.formats import READERS, Entry, UnreadableError, article_id
from rag.ingestion.furniture import WEB_ADDRESS, furniture_start
from rag.news.dates import date_line, infer_date, normalise_date
from rag.schema import Article, Source
from rag.text import is_heading

# Text files are read here; saved web pages, feed files and JSON Lines by their readers (rag/ingestion/formats.py).
SUFFIXES = (".txt", ".md", *READERS)
PARAGRAPH_BREAK = "\n\n"

# Where the first lines name date, authors and outlet: ``date 2025-12-09 By Helen Regan, CNN``,
# ``By Jane Doe | The Daily Example | March 5, 2026``, or just ``By Jane Doe, Example News``.
_DATE_LINE = re.compile(r"^date\s+(?P<date>.+?)(?:\s+by\s+(?P<by>.+))?$", re.IGNORECASE)
_BY_LINE = re.compile(r"^by\s+(?P<by>[A-Z].{0,200})$", re.IGNORECASE)
# A byline leads with names ("Jane Doe", "Ana de la Cruz and Li Wei"), not with a sentence ("By Saturday the
# quake had killed 3,400 people."): every word capitalised but for name particles, and no closing full stop.
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:(?:de|da|di|del|la|le|van|von|der|den|al|el|bin|ibn)\s+)*[A-Z][\w.'’-]*){0,3}"
_NAMES = re.compile(rf"{_NAME}(?:\s*(?:,|\band\b|&)\s*{_NAME})*")
_META_LINES_SEARCHED = 3
# Where an article's date may be written, most trusted first (``Source.date_basis``, key in the read metadata).
_DATE_KEYS = (("metadata", "published"), ("byline", "byline_date"), ("date line", "line_date"))
# A dateline, with the dashes and space after it: ``(CNN) -- `` or ``WASHINGTON (AP) — `` /
# ``NAIROBI, Kenya (Reuters) - ``.
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4}\s+)?\((?P<outlet>[A-Z][\w.&' ]{1,30})\)\s*[—–-]+\s*"
)


def dateline_length(paragraph: str) -> int:
    """How many leading characters of ``paragraph`` are a dateline ("WASHINGTON (CNN) -- "); 0 without one.

    >>> dateline_length("BEIRUT, Lebanon (CNN) -- The talks ended."), dateline_length("The talks ended.")
    (25, 0)
    """
    match = _DATELINE.match(paragraph)
    return match.end() if match else 0


# Words outlets are named with: the last name of a byline is the outlet when it is written like one.
_OUTLET_WORDS = re.compile(
    r"\b(news|times|post|press|gazette|journal|herald|tribune|daily|telegraph|guardian|chronicle|observer|"
    r"review|express|mail|star|standard|independent|agency|media|wire|radio|tv|television|network|"
    r"magazine|weekly|bulletin|report|today|reuters|bloomberg|broadcasting|\w+\.(com|net|org|news))\b",
    re.IGNORECASE,
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)^---[ \t]*$", re.S | re.M)
_FRONT_MATTER_KEY = re.compile(r"^(?P<key>title|date|published|outlet|source|byline|author)\s*:\s*(?P<v>.+)$", re.I)
_DANGLING = frozenset("a an the of on in at to for from by with and or but that as than".split())
_TERMINAL = tuple(".!?\"'”’:;)")  # a line that ends in one of these may end its paragraph


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed (or was indexed with a caveat), and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    # Files that were indexed, but not quite as written (e.g. decoded as Latin-1): worth a warning.
    warnings: tuple[Skipped, ...] = ()


def corpus_files(folder: Path) -> list[Path]:
    """Every file below ``folder`` (hidden ones and symlinked folders aside), in a stable order.

    Symlinked folders are not followed, so a link back up the tree cannot loop; hidden files
    (``.DS_Store``, editor swap files) are not articles and are passed over without a word.
    """
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist (set RAG_CORPUS or pass a folder)")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    found = []
    for root, folders, files in os.walk(folder, followlinks=False):
        folders[:] = [f for f in folders if not f.startswith(".")]
        # A folder named like an article (x.txt/) is listed too, so it is reported rather than ignored.
        names = files + [f for f in folders if f.lower().endswith(SUFFIXES)]
        found += [Path(root) / name for name in names if not name.startswith(".")]
    return sorted(found)


def load_corpus(folder: Path, *, max_file_bytes: int | None = None) -> Corpus:
    """Read every article in ``folder`` (or the one file ``folder`` names); files that cannot be used are
    listed in ``skipped`` with the reason.

    A bad file never stops the others from being read: binary, empty, too large, unreadable, a folder or
    a symlink loop where a file should be, a page or feed with no article in it, a name without one of
    ``SUFFIXES``, or a text file whose bytes are not text (``rag.ingestion.encoding``). A text file in another
    encoding (Windows-1252, …) is decoded as that and listed in ``warnings``, as are a feed's or JSON Lines
    file's entries that were left out.
    """
    articles, skipped, warnings = [], [], []
    for path in [folder] if folder.is_file() else corpus_files(folder):
        raw_or_reason = _read(path, max_file_bytes)
        if isinstance(raw_or_reason, str):
            skipped.append(Skipped(str(path), raw_or_reason))
            continue
        found = read_file(path, raw_or_reason)
        articles += found.articles
        skipped += found.skipped
        warnings += found.warnings
    return Corpus(tuple(articles), tuple(skipped), tuple(warnings))


def read_file(path: Path, raw: bytes) -> Corpus:
    """The articles in one file's bytes, read by its suffix: a text file is one article; a page, feed or JSON
    Lines file is read by its reader (rag/ingestion/formats.py). The file is in ``skipped`` when it yields
    none; entries left out and caveats are ``warnings``. The UI's upload checks a file with it too."""
    reader = READERS.get(path.suffix.lower())
    if reader is not None and (binary := binary_reason(raw)) is not None:
        return Corpus((), (Skipped(str(path), binary),))
    if reader is None:
        decoded = decode_text(raw)
        if isinstance(decoded, str):
            return Corpus((), (Skipped(str(path), decoded),))
        article, notes = _text_article(path, raw, decoded)
        warnings = tuple(Skipped(str(path), note) for note in notes)
        if not article.text:
            return Corpus((), (Skipped(str(path), "no text left after cleaning"),), warnings)
        return Corpus((article,), (), warnings)
    try:
        found = reader(raw)
    except UnreadableError as error:
        return Corpus((), (Skipped(str(path), str(error)),))
    warnings_list = [Skipped(str(path), problem) for problem in found.problems]
    read = [_entry_article(path, entry, warnings_list) for entry in found.entries]
    articles = tuple(article for article in read if article is not None)
    skipped = () if articles else (Skipped(str(path), "no text left after cleaning"),)
    return Corpus(articles, skipped, tuple(warnings_list))


def _text_article(path: Path, raw: bytes, decoded: Decoded) -> tuple[Article, list[str]]:
    """A ``.txt`` or ``.md`` file as one article, and what to warn about it."""
    notes = [decoded.note] if decoded.note else []
    article = parse_article(path.name, str(path), decoded.text, hashlib.sha256(raw).hexdigest(), warnings=notes)
    return article, notes


def _entry_article(path: Path, entry: Entry, warnings: list[Skipped]) -> Article | None:
    """One entry of a page, feed or JSON Lines file, cleaned like a text file; None when no text is left.

    The date a format's tool guessed from the text (``Entry.guessed_date``) is taken only when the article's
    own lines and text give none; it is inferred, never metadata."""
    notes = list(entry.notes)
    name = article_id(path.name, entry.key)
    article = parse_article(name, str(path), entry.text, entry.content_hash, warnings=notes, known=entry.known)
    if entry.guessed_date and not article.published:
        article = article.with_date(entry.guessed_date, basis="inferred", note=entry.date_note)
    if not article.text and entry.key is not None:  # a file that is one article is skipped as a whole
        notes.append(f"{name}: no text left after cleaning; not indexed")
    warnings += [Skipped(str(path), note) for note in notes]
    return article if article.text else None


def _read(path: Path, max_file_bytes: int | None) -> bytes | str:
    """The file's bytes, or the reason it is no article (checked before reading, so a FIFO never blocks)."""
    if path.suffix.lower() not in SUFFIXES:
        return f"not one of the formats read ({', '.join(SUFFIXES)})"
    try:
        info = path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop"
        if error.errno == errno.ENOENT:
            return "broken symlink"
        return f"cannot read ({error.strerror or error.__class__.__name__})"
    if stat.S_ISDIR(info.st_mode):
        return "a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if info.st_size == 0:
        return "empty file"
    if max_file_bytes is not None and info.st_size > max_file_bytes:
        return f"{info.st_size / 2**20:.1f} MB, larger than RAG_MAX_FILE_MB ({max_file_bytes / 2**20:g} MB)"
    try:
        raw = path.read_bytes()
    except OSError as error:
        return f"cannot read ({error.strerror or error.__class__.__name__})"
    return raw


@dataclass
class _Paragraph:
    text: str  # whitespace collapsed
    positions: list[int]  # original offset of each character of ``text``


def parse_article(
    article_id: str,
    path: str,
    original: str,
    content_hash: str,
    *,
    warnings: list[str] | None = None,
    known: Mapping[str, str] | None = None,
) -> Article:
    """Clean one article's text, keeping for every character where it came from in ``original``.

    ``known`` holds what the file's format states outside the text (a page's or feed's metadata, a JSON
    record's fields: ``title``, ``outlet``, ``published``, ``byline``, ``url``); it wins over anything the
    text says. The date comes from there or the article's own front matter, byline, date line or text
    (``rag.news.dates``), and ``Source.date_basis`` says which; a metadata date that names no calendar day
    is left unknown and described in ``warnings`` when a list is given.
    """
    meta: dict[str, str] = {k: v for k, v in (known or {}).items() if v}
    body_start = _read_front_matter(original, meta)
    paragraphs = _paragraphs(original, body_start)
    paragraphs = _take_meta_lines(paragraphs, meta)
    paragraphs = _drop_footer(paragraphs, meta)
    for paragraph in paragraphs[:_META_LINES_SEARCHED]:
        if match := _DATELINE.match(paragraph.text):
            meta.setdefault("outlet", match["outlet"].strip())
            break
    meta.setdefault("title", _headline(paragraphs) or "")
    # The most trusted date the article gives: metadata, then its byline, then a date line.
    basis, written = next(((b, meta[key]) for b, key in _DATE_KEYS if key in meta), ("unknown", None))
    published = normalise_date(written) if written is not None else None
    if written is not None and not published:
        basis = "unknown"
        if warnings is not None:
            warnings.append(f"date {written!r} is not a calendar day this can read; the article is undated")

    positions: list[int] = []
    for i, paragraph in enumerate(paragraphs):
        if i:  # the blank line between paragraphs stands for the line break that ended the last one
            positions += [paragraphs[i - 1].positions[-1] + 1] * len(PARAGRAPH_BREAK)
        positions += paragraph.positions
    origin = Source(
        article_id,
        title=meta.get("title") or None,
        outlet=meta.get("outlet"),
        published=published,
        date_basis=basis,
        byline=meta.get("byline"),
        url=meta.get("url"),
    )
    text = PARAGRAPH_BREAK.join(p.text for p in paragraphs)
    return infer_date(Article(origin, path=path, content_hash=content_hash, text=text, positions=tuple(positions)))


def _paragraphs(original: str, body_start: int) -> list[_Paragraph]:
    """Split into paragraphs: a line break ends one, except inside a hard-wrapped sentence."""
    lines: list[tuple[int, str]] = []
    offset = body_start
    for line in original[body_start:].splitlines(keepends=True):
        lines.append((offset, line))
        offset += len(line)
    paragraphs: list[_Paragraph] = []
    continues = False
    for start, line in lines:
        words = [(m.start() + start, m.group()) for m in re.finditer(r"\S+", line)]
        if not words:
            continues = False
            continue
        if continues and paragraphs:
            current = paragraphs[-1]
            current.positions.append(words[0][0] - 1)  # the collapsed line break
            current.text += " "
        else:
            current = _Paragraph("", [])
            paragraphs.append(current)
        for i, (position, word) in enumerate(words):
            if i:
                current.positions.append(position - 1)
                current.text += " "
            current.text += word
            current.positions.extend(range(position, position + len(word)))
        next_line = _next_nonblank(lines, start)
        # A hard-wrapped sentence goes on over the line break: the line stops without punctuation and
        # the next starts in lower case or the line ends on a word no heading ends on ("met on").
        # A date or byline line among the first stands alone: it neither continues a headline nor is continued.
        near_top = len(paragraphs) <= _META_LINES_SEARCHED
        continues = (
            not current.text.endswith(_TERMINAL)
            and bool(next_line)
            and (next_line[:1].islower() or current.text.rsplit(" ", 1)[-1] in _DANGLING)
            and not (near_top and (_is_meta_line(next_line.strip()) or _is_meta_line(current.text)))
        )
    return paragraphs


def _next_nonblank(lines: list[tuple[int, str]], after: int) -> str:
    for start, line in lines:
        if start > after:
            return line.strip() if line.strip() else ""
    return ""


def _read_front_matter(original: str, meta: dict[str, str]) -> int:
    """Front matter: read it, return where the body starts.

    Either Markdown's (``---``, ``key: value`` lines, ``---``) or the same ``key: value`` lines unfenced at
    the top of a plain text file (``title: …``, ``date: …``, ``outlet: …``), which end at the first line
    that is not one.
    """
    if match := _FRONT_MATTER.match(original):
        lines, body_start = match["body"].splitlines(), match.end()
    else:
        lines, body_start = [], 0
        for line in original.splitlines(keepends=True):
            if not _FRONT_MATTER_KEY.match(line.strip()):
                break
            lines.append(line)
            body_start += len(line)
    for line in lines:
        if key_value := _FRONT_MATTER_KEY.match(line.strip()):
            key = key_value["key"].lower()
            key = {"date": "published", "source": "outlet", "author": "byline"}.get(key, key)
            meta.setdefault(key, key_value["v"].strip().strip("\"'"))
    return body_start


def _take_meta_lines(paragraphs: list[_Paragraph], meta: dict[str, str]) -> list[_Paragraph]:
    """Read and remove date and byline lines among the first lines (a headline may come before them)."""
    kept = []
    for i, paragraph in enumerate(paragraphs):
        if i >= _META_LINES_SEARCHED or not _read_meta_line(paragraph.text, meta):
            kept.append(paragraph)
    return kept


def _is_meta_line(line: str) -> bool:
    """A date line or byline: ``date 2025-12-09``, ``March 4, 2026``, ``Updated: …``, ``By Jane Doe``."""
    return bool(_DATE_LINE.match(line) or _BY_LINE.match(line) or date_line(line))


def _read_meta_line(line: str, meta: dict[str, str]) -> bool:
    """Fill ``meta`` from a date line or a byline; False when ``line`` is neither."""
    if match := _DATE_LINE.match(line):
        meta.setdefault("line_date", match["date"])
        if match["by"]:
            _read_byline(match["by"], meta)
        return True
    if day := date_line(line):
        meta.setdefault("line_date", day)
        return True
    if (match := _BY_LINE.match(line)) and _is_byline(match["by"]):
        _read_byline(match["by"], meta)
        return True
    return False


def _is_byline(text: str) -> bool:
    """Names (and an outlet written like one), or ``names | outlet | date``; never a sentence."""
    if not is_heading(text):  # it ends like a sentence
        return False
    if "|" not in text:
        return bool(_NAMES.fullmatch(text.strip()))
    names, *rest = [part.strip() for part in text.split("|")]
    return bool(_NAMES.fullmatch(names)) and all(len(part.split()) <= 6 for part in rest)


def _read_byline(byline: str, meta: dict[str, str]) -> None:
    """``Jane Doe, CNN`` or ``Jane Doe | The Daily Example | March 5, 2026``: names, outlet and date."""
    if "|" in byline:
        names, *rest = [part.strip() for part in byline.split("|") if part.strip()]
        for part in rest:
            if normalise_date(part):
                meta.setdefault("byline_date", part)
            else:
                meta.setdefault("outlet", part)
        meta.setdefault("byline", names)
        return
    names = [n.strip() for n in byline.split(",") if n.strip()]
    if len(names) > 1 and _is_outlet(names[-1]):
        meta.setdefault("outlet", names.pop())
    meta.setdefault("byline", ", ".join(names))


def _is_outlet(name: str) -> bool:
    """Written like an outlet (CNN, AP, Lakeside Gazette, Example.com) rather than like a person."""
    return name.replace(" ", "").isupper() or bool(_OUTLET_WORDS.search(name))


def _drop_footer(paragraphs: list[_Paragraph], meta: dict[str, str]) -> list[_Paragraph]:
    """Publisher furniture at the end goes; a web address it names in the publisher's voice is the outlet."""
    end = furniture_start([p.text for p in paragraphs])
    for paragraph in paragraphs[end:]:
        if match := WEB_ADDRESS.search(paragraph.text):
            meta.setdefault("outlet", match["outlet"])
            break
    return paragraphs[:end]


def _headline(paragraphs: list[_Paragraph]) -> str | None:
    """The first or second paragraph when it reads like a headline: short, no closing full stop."""
    for paragraph in paragraphs[:2]:
        text = paragraph.text
        if len(text.split()) <= 25 and not text.endswith((".", "?", "!")) and not text.startswith("("):
            return text
    return None
