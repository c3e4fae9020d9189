"""A file's bytes → its text, or why it is not text: the one decision both ingest and the UI's upload use.

UTF-8 is read as it is (the common case costs one ``bytes.decode``). Anything else is judged by libraries
made for it, not by hand-written byte rules: ``filetype`` knows the signatures of binary formats (PNG,
JPEG, PDF, ZIP, …) and ``charset-normalizer`` tells a legacy text encoding from bytes that decode only as
noise. Latin-1 decodes every byte sequence, so "it decoded" proves nothing: random bytes read that way were
once indexed as articles.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import filetype
from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

# Binary formats almost always have a NUL byte early on; looking further costs time and finds nothing new.
_SNIFF_BYTES = 8192
# charset-normalizer's own default: a decoding messier than this is noise (``from_bytes(threshold=0.2)``).
_NOISE = 0.2
# What a Latin-family guess is resolved to when several decode the bytes equally cleanly: the WHATWG
# encoding standard reads ``iso-8859-1`` as windows-1252 too, and it is what Western news is saved in.
# charset-normalizer alone often ties cp1250 with it and picks cp1250 ("Núńez" for "Núñez").
_WESTERN = "cp1252"


@dataclass(frozen=True)
class Decoded:
    """A file's text, and a caveat worth a warning when it was not plain UTF-8."""

    text: str
    note: str = ""


def decode_text(raw: bytes) -> Decoded | str:
    """The text of ``raw``, or a short reason it is not text (to follow the file's name on one line).

    >>> decode_text("Le café a rouvert.".encode())
    Decoded(text='Le café a rouvert.', note='')
    >>> decode_text(b"\\x89PNG\\r\\n\\x1a\\n" + b"IHDR The council voted.")
    'binary (image/png), not text'
    """
    if (reason := binary_reason(raw)) is not None:
        return reason
    try:
        return Decoded(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return _legacy(raw, error)


def binary_reason(raw: bytes) -> str | None:
    """Why ``raw`` is a binary file's bytes (a NUL byte early on, or a binary format's signature), or None.

    Pages, feeds and JSON Lines files are checked with this alone: their readers find their own encoding.
    """
    head = raw[:_SNIFF_BYTES]
    if b"\x00" in head:
        return "binary (NUL bytes), not text"
    kind = filetype.guess(head)
    if kind is None:
        return None
    try:  # incremental: a character cut at the end of the head is no error
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return _binary(kind)
    # Some signatures are plain letters ("BM" of a bitmap, "GIF"): UTF-8 text that starts like them is
    # still text unless it holds control characters no article has (a ZIP's "PK\x03\x04").
    if any(not ch.isprintable() and not ch.isspace() for ch in text):
        return _binary(kind)
    return None


def _binary(kind: filetype.Type) -> str:
    return f"binary ({kind.mime}), not text"


def _legacy(raw: bytes, error: UnicodeDecodeError) -> Decoded | str:
    """Text in an older encoding (Windows-1252, …), UTF-8 with a few broken bytes, or noise."""
    results = from_bytes(raw, threshold=_NOISE)
    best = results.best()
    # A decoding in which charset-normalizer recognises no language is how random bytes look (short ones
    # "decode" as big5 or utf_16 with zero coherence); a real article, long enough to be one, has one.
    if best is not None and best.coherence > 0:
        # ``could_be_from_charset`` lists the encodings that decode the bytes to the very same text.
        tied = [r for r in results if r.chaos == best.chaos]
        chosen = next((r for r in tied if _WESTERN in r.could_be_from_charset), best)
        encoding = _WESTERN if _WESTERN in chosen.could_be_from_charset else chosen.encoding
        name = "Windows-1252" if encoding == _WESTERN else encoding  # Python's codec name otherwise: cp1250, …
        return Decoded(str(chosen), f"not UTF-8 (byte {error.start}); read as {name}")
    # Mostly UTF-8 with a few bad bytes (a truncated copy, a stray Latin-1 byte): no single encoding decodes
    # it, but with the bad bytes replaced it reads as clean text, which noise never does.
    repaired = raw.decode("utf-8", errors="replace")
    if mess_ratio(repaired, maximum_threshold=_NOISE) < _NOISE:
        bad = repaired.count("\ufffd") - raw.decode("utf-8", errors="ignore").count("\ufffd")
        note = f"not valid UTF-8 ({bad} bad bytes, the first at byte {error.start}); read with them replaced"
        return Decoded(repaired, note)
    return "not text (bytes decode only as noise)"
