"""The UI's HTML: citation links, quote highlighting, and escaping of everything untrusted."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest

from rag import Answer, Citation
from rag.index.store import ArticleRecord
from rag.schema import Passage, ShortAnswer, Source, Span
from rag.ui.render import (
    Turn,
    escape,
    highlight,
    render_answer_text,
    render_articles,
    render_passages,
    render_source,
    render_sources,
    render_status,
    render_transcript,
)

HOSTILE = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 1">',
    "![tracker](http://127.0.0.1:9/pixel.png)",
    '"><svg onload=alert(1)>',
    "${alert(1)} {{constructor.constructor('alert(1)')()}} `x`",
    "javascript:alert(1)",
]


class _Tags(HTMLParser):
    """Every start tag and attribute the browser would create from a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def tags_of(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _passage(text: str, *, title: str = "Title", chunk_id: str = "c1") -> Passage:
    return Passage(
        chunk_id=chunk_id,
        origin=Source("a.txt", title=title, outlet="CNN", published="2025-12-09"),
        text=text,
        start=0,
        end=len(text),
        sentences=(Span(text, 0, len(text)),),
        score=0.9,
        dense_score=0.8,
        lexical_score=None,
    )


def _answer(text: str, quote: str, passage_text: str, **fields: object) -> Answer:
    citation = Citation(
        n=1,
        origin=Source("a.txt", title="Title", outlet="CNN", published="2025-12-09"),
        quote=quote,
        start=0,
        end=len(quote),
        score=0.9,
        chunk_id="c1",
    )
    answer = Answer(
        question="q?", text=text, citations=(citation,), passages=(_passage(passage_text),), abstained=False
    )
    return replace(answer, **fields)


@pytest.mark.parametrize("payload", HOSTILE)
def test_escape_leaves_no_markup_and_no_template_syntax(payload: str) -> None:
    escaped = escape(payload)
    assert tags_of(escaped).tags == []
    assert not set("<>\"'`{}$") & set(escaped)


def test_markers_of_cited_passages_become_links_and_others_stay_text() -> None:
    html = render_answer_text("Jets flew [1]. Rockets fell [2].", turn=3, cited=[1])
    assert '<a href="#src-3-1" data-n="1">1</a>' in html
    assert "[2]" in html and "#src-3-2" not in html


def test_markers_inside_hostile_text_still_link_and_the_text_stays_inert() -> None:
    html = render_answer_text('<img src=x onerror="a()"> said [1]', turn=0, cited=[1])
    assert tags_of(html).tags == ["sup", "a"]
    assert dict(tags_of(html).attributes) == {"class": "cite", "href": "#src-0-1", "data-n": "1"}


def test_unsupported_sentences_are_marked() -> None:
    html = render_answer_text(
        "Supported [1]. Made up <b>claim</b>.", turn=0, cited=[1], unsupported=["Made up <b>claim</b>."]
    )
    assert '<span class="unsupported"' in html
    assert "Made up &lt;b&gt;claim&lt;/b&gt;.</span>" in html


def test_highlight_marks_the_quote_inside_its_passage_across_whitespace() -> None:
    html = highlight("First one.\n\nThe <quoted>   sentence. Last.", "The <quoted> sentence.")
    assert html == 'First one.\n\n<mark class="quote">The &lt;quoted&gt;   sentence.</mark> Last.'


def test_highlight_shows_a_quote_it_cannot_find_after_the_passage() -> None:
    html = highlight("Something else.", "Missing quote.")
    assert html.endswith('<br><mark class="quote">Missing quote.</mark>')


def test_sources_panel_has_one_card_per_citation_with_the_quote_highlighted() -> None:
    answer = _answer("Jets flew [1].", "Jets flew.", "Before. Jets flew. After.")
    html = render_sources([Turn("q?", answer=answer)])
    assert 'id="src-0-1"' in html
    assert '<mark class="quote">Jets flew.</mark>' in html
    assert "CNN · 9 Dec 2025" in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_every_panel_renders_hostile_text_inert(payload: str) -> None:
    answer = _answer(
        f"{payload} [1]",
        payload,
        f"Before. {payload} After.",
        notice=payload,
        rewritten_question=payload,
        backend=payload,
    )
    answer = replace(answer, passages=(_passage(f"Before. {payload} After.", title=payload),))
    turns = [
        Turn(question=payload, answer=answer),
        Turn(question=payload, partial=payload),
        Turn(payload, error=payload),
    ]
    record = ArticleRecord(Source(payload, title=payload, outlet=payload), content_hash="h", complete=True, chunks=1)
    for html in (
        render_transcript(turns),
        render_sources(turns),
        render_passages(answer),
        render_articles([record]),
        render_status(1, 1, payload, payload),
    ):
        parsed = tags_of(html)
        assert not {"script", "img", "svg", "b"} & set(parsed.tags)
        assert not [name for name, _ in parsed.attributes if name.startswith("on")]
        assert not [value for _, value in parsed.attributes if value and "javascript:" in value]


def test_abstentions_and_notices_are_marked_differently_from_answers() -> None:
    abstained = replace(_answer("Not in the articles.", "q", "p"), abstained=True, citations=(), notice="LLM down")
    html = render_transcript([Turn("q?", answer=abstained)])
    assert "bubble bot abstained" in html and "No answer in the articles" in html
    assert '<div class="notice" role="status">LLM down</div>' in html
    assert "bubble bot answer" in render_transcript([Turn("q?", answer=_answer("A [1].", "A.", "A."))])


def test_passages_view_shows_every_score() -> None:
    html = render_passages(_answer("A [1].", "A.", "A."))
    assert "0.900" in html and "0.800" in html and "–" in html


def test_status_line_counts_articles_chunks_and_names_the_backend() -> None:
    assert ">1 article · 2 chunks indexed · backend: extractive<" in render_status(1, 2, "extractive")
    assert "Indexing: 3/9 chunks embedded" in render_status(0, 0, "extractive", "Indexing: 3/9 chunks embedded")


def test_timeline_rows_are_escaped_and_mark_inferred_dates() -> None:
    from rag.news.timeline import TimelineEvent
    from rag.ui.render import render_timeline

    event = TimelineEvent(
        date="2025-12-22",
        precision="day",
        inferred=True,
        what='ministers met <img src=x onerror="window.__x=1">',
        citations=(),
    )
    html = render_timeline([event])
    assert "22 Dec 2025 (inferred)" in html
    assert "<img" not in html and "&lt;img" in html
    assert "No dated events" in render_timeline([])


def test_inferred_dates_are_marked_on_source_cards_and_in_the_corpus_table() -> None:
    """Issue 13, problem 6: the UI showed an inferred date as if the article carried it."""
    inferred = Source(
        "b.txt",
        title="T",
        outlet="AP",
        published="2025-12-15",
        date_basis="inferred",
        date_note="x<y",
    )
    stated = Source("c.txt", title="U", published="2025-12-09")
    undated = Source("d.txt", title="V")
    citation = Citation(n=1, origin=inferred, quote="q", start=0, end=1, score=0.5, chunk_id="c")
    card = render_source(0, citation, None)
    assert "AP · " in card and "15 Dec 2025, inferred" in card and 'title="x&lt;y"' in card
    table = render_articles(
        [ArticleRecord(origin, content_hash="h", complete=True, chunks=1) for origin in (inferred, stated, undated)]
    )
    assert "<td>" + '<span class="inferred"' in table and "15 Dec 2025, inferred" in table
    assert "<td>9 Dec 2025</td>" in table and "<td>undated</td>" in table


def test_a_short_answer_stands_on_top_linked_to_its_quote_and_is_not_repeated() -> None:
    quote = "Voters re-elected Mayor Ada Quist on Sunday."
    short = ShortAnswer("Ada Quist", 1, quote.index("Ada"), quote.index("Ada") + len("Ada Quist"))
    answer = _answer(f"Ada Quist — {quote} [1]", quote, quote, short=short)
    html = render_transcript([Turn("Who won?", answer=answer)])
    top = html.index('<div class="short">')
    assert top < html.index('<div class="text">')
    assert 'href="#src-0-1"' in html[top : html.index('<div class="text">')]
    assert html.count("Ada Quist") == 2  # on top, and inside the quoted sentence; the lead is not repeated


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://courier.example.org/news/a?x=1&y=2", True),
        ("http://example.net/b", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("/home/user/news/a.html", False),
        ("//example.org/no-scheme", False),
        (None, False),
    ],
)
def test_a_source_card_links_to_its_article_only_for_a_web_address(url: str | None, linked: bool) -> None:
    origin = Source("page.html", title="Bridge <reopens>", url=url)
    card = render_source(0, Citation(n=1, origin=origin, quote="q", start=0, end=1, score=0.5, chunk_id="c"), None)
    assert ("<a href=" in card) is linked
    assert "Bridge &lt;reopens&gt;" in card  # the title is escaped inside the link as outside it
    if linked:
        assert f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">' in card
        assert "&amp;y=2" in card or "&" not in str(url)
    else:
        assert "javascript" not in card.lower() and "<script" not in card
