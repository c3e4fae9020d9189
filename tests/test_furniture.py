"""Publisher furniture: general rules, tried on the seeds' footer and on other outlets' kinds of footer."""

import pytest

from rag.ingestion.furniture import furniture_start, is_furniture


@pytest.mark.parametrize(
    "paragraph",
    [
        "Tags",
        "Related articles:",
        "Advertisement",
        "Sign up for our newsletter to get the day's news in your inbox.",
        "Follow us on Mastodon and Threads for live updates.",
        "Stay informed with Harbor Daily — your trusted source for local news.",
        "Download our app for breaking news alerts.",
        "This story has been updated with comment from the council.",
        "This article was produced with the support of a foundation grant.",
        "The opinions expressed here do not necessarily reflect the views of the editors.",
        "© 2026 Lakeside Gazette. All rights reserved.",
        "Visit lakesidegazette.com for our full election coverage.",
    ],
)
def test_furniture_of_any_outlet(paragraph: str) -> None:
    assert is_furniture(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "The mayor won 52,310 votes, election officials said.",
        "Follow-up inspections found cracks in 300 schools, the ministry said.",
        "Subscribers to the utility will see prices rise by 4% in March.",
        "The company said its website, example.com, was hacked in January.",
        "Rescue teams from 12 countries arrived on Saturday to search the rubble.",
    ],
)
def test_reporting_is_not_furniture(paragraph: str) -> None:
    assert not is_furniture(paragraph)


def test_only_the_run_at_the_end_goes_and_never_the_first_paragraph() -> None:
    paragraphs = ["Tags", "The quake struck at dawn.", "Advertisement", "Officials said 12 died.", "Tags", "Share"]
    assert furniture_start(paragraphs) == 4
    assert furniture_start(["Advertisement"]) == 1
