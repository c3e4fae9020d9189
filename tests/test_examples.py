"""The UI's example questions come from configuration or from the indexed titles, never from code."""

from rag import Settings
from rag.ui.examples import example_questions


def test_configured_examples_win() -> None:
    settings = Settings.from_env({"RAG_EXAMPLES": "Who won the vote? | How many ballots were spoiled?"})
    assert example_questions(settings.examples, [("Some headline", "2026-01-01")]) == (
        "Who won the vote?",
        "How many ballots were spoiled?",
    )


def test_examples_are_made_from_the_newest_titles() -> None:
    articles = [
        ("Quake kills thousands", "2026-02-07"),
        ("Donors pledge billions for rebuilding", "2026-02-21"),
        (None, "2026-02-22"),  # no title: nothing to ask about
        ("A headline far too long to fit on a button of the page, with many more words in it than any", "2026-02-23"),
        ("Survivors bury their dead", "2026-02-10"),
        ("Rescue teams arrive", "2026-02-08"),
    ]
    assert example_questions("", articles) == (
        "What does “Donors pledge billions for rebuilding” report?",
        "What does “Survivors bury their dead” report?",
        "What does “Rescue teams arrive” report?",
    )


def test_no_articles_no_examples() -> None:
    assert example_questions("", []) == ()
