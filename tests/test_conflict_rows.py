"""A conflict list names each article once, with the figure its quote is cited for (issue 27), end to end on
a small council-vote corpus of our own: one article says "five" in two sentences, the second of which also
says "two voted against" (read as a count of those who voted too), another says six."""

from __future__ import annotations

import pytest

from rag import Settings, ingest, query
from rag.news.figures import asked_quantity, totals

COURIER = "budget-passes.txt"
HERALD = "budget-vote-count.txt"
ARTICLES = {
    COURIER: (
        "Riverside council passes budget after long debate\n\n"
        "date 2026-03-04 By Lena Ortiz, Riverside Courier\n\n"
        "Five council members voted for the budget on Tuesday night, ending a four-hour debate at City Hall.\n\n"
        "The budget raises spending on road repairs by 12 percent and freezes the parks department's hiring.\n\n"
        "Two members voted against the budget and five voted for it, the city clerk confirmed on Wednesday.\n\n"
        "Mayor Dana Whitfield said the vote showed the council could still agree on hard choices.\n"
    ),
    HERALD: (
        "Budget approved by narrow margin in Riverside\n\n"
        "date 2026-03-05 By Omar Haddad, Valley Herald\n\n"
        "Six council members voted for the budget, according to the published minutes of Tuesday's meeting.\n\n"
        "Councillor Ruth Abara, who voted against it, said the cuts to the library would hurt families.\n"
    ),
    "parks-protest.txt": (
        "Parks workers protest hiring freeze in Riverside\n\n"
        "date 2026-03-06 By Lena Ortiz, Riverside Courier\n\n"
        "About 40 parks workers rallied outside City Hall on Thursday against the hiring freeze in the new budget.\n\n"
        "Union steward Carl Mendes said the department had lost nine gardeners since January.\n"
    ),
}


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("council")
    (root / "corpus").mkdir()
    for name, text in ARTICLES.items():
        (root / "corpus" / name).write_text(text)
    settings = Settings(home=root / "index", corpus=root / "corpus")
    ingest(settings)
    return settings


@pytest.mark.parametrize(
    "question", ["How many council members voted for the budget?", "How many members voted for the budget?"]
)
def test_each_article_is_listed_once_with_the_figure_it_is_cited_for(council: Settings, question: str) -> None:
    answer = query(question, settings=council)
    assert not answer.abstained and answer.text.startswith("Reports differ"), answer.text
    rows = [c.article_id for c in answer.conflicts]
    assert sorted(rows) == sorted(set(rows)) == [COURIER, HERALD]
    listed = [c.article_id for c in answer.citations]
    assert sorted(listed) == [COURIER, HERALD], answer.text
    quantity = asked_quantity(question)
    assert quantity is not None
    # Each "figure (…) [n]" of the text is one the citation [n]'s quote gives, and the article's own figure.
    figure_of = {c.article_id: c.number for c in answer.conflicts}
    for citation in answer.citations:
        # "…: Six (as of 5 Mar 2026; Valley Herald) [1]; five (as of …) [2]": the words before " (… ) [n]"
        before = answer.text.split(f") [{citation.n}]")[0].rsplit(" (", 1)[0]
        value = before.rsplit("; ", 1)[-1].rsplit(": ", 1)[-1]
        given = {f.text: f.value for f in totals(quantity, citation.quote, citation.published)}
        assert given.get(value) == figure_of[citation.article_id], (value, citation.quote)
