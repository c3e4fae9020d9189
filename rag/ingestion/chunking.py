"""Articles → token-bounded chunks that respect sentences, each with its sentences' offsets."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from rag.ingestion.corpus import PARAGRAPH_BREAK, dateline_length
from rag.schema import Article, Chunk
from rag.text import count_tokens, sentence_spans, token_encoder

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter


def make_splitter(chunk_tokens: int, chunk_overlap: int) -> SentenceSplitter:
    # Imported here: llama-index is slow to import, and a no-op ingest or a query never splits.
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=chunk_overlap,
        tokenizer=token_encoder(),
        paragraph_separator=PARAGRAPH_BREAK,
    )


def chunk_article(article: Article, splitter: SentenceSplitter) -> list[Chunk]:
    """Split one article; every chunk's text is a piece of ``article.text`` found at its offsets.

    The splitter returns pieces of its input with the ends stripped, so each is located by search
    from where the previous one started (chunks overlap, so the next can start before the last ended).
    """
    sentences = _sentence_bounds(article.text)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    cursor = 0
    for text in splitter.split_text(article.text):
        start = article.text.find(text, cursor)
        if start < 0:  # never seen with SentenceSplitter; say so loudly rather than misplace a quote
            raise ValueError(f"chunk of {article.article_id} not found in its article text: {text[:60]!r}")
        end = start + len(text)
        cursor = start + 1
        # The title is in the id because the keyword index reads a chunk's terms with its article's title
        # and keeps them by id (rag/index/lexical.py): a new title must make new ids.
        digest = hashlib.sha256(f"{article.article_id}\0{article.title or ''}\0{text}".encode()).hexdigest()[:24]
        seen[digest] = seen.get(digest, 0) + 1
        piece = article.span(start, end)
        # A sentence the splitter had to cut (one longer than a chunk) is kept as the part inside.
        inside = [(max(a, start), min(b, end)) for a, b in sentences if a < end and b > start]
        before = [(a, b) for a, b in sentences if b <= start]
        chunks.append(
            Chunk(
                id=digest if seen[digest] == 1 else f"{digest}-{seen[digest]}",
                origin=article.origin,
                index=len(chunks),
                text=text,
                start=piece.start,
                end=piece.end,
                token_count=count_tokens(text),
                sentences=tuple(article.span(a, b) for a, b in inside),
                preceding=article.span(*before[-1]) if before else None,
            )
        )
    return chunks


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Every sentence of a cleaned article text: paragraphs first, then punkt inside each.

    A paragraph's leading dateline ("WASHINGTON (CNN) -- ") is no part of its first sentence: it says where
    the report was filed, not what happened, and would take room in every answer that quotes that sentence.
    """
    bounds = []
    offset = 0
    for paragraph in text.split(PARAGRAPH_BREAK):
        skip = dateline_length(paragraph)
        bounds += [(offset + skip + a, offset + skip + b) for a, b in sentence_spans(paragraph[skip:])]
        offset += len(paragraph) + len(PARAGRAPH_BREAK)
    return bounds
