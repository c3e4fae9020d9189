import pytest

from rag.news.attribution import said_by_pronoun, speaker
from rag.news.duplicates import collapse, near_duplicate
from rag.schema import Citation, Source


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            '"A ceasefire must come from actions," said Thailand\'s foreign minister Sihasak, warning of delay.',
            "Thailand's foreign minister Sihasak",
        ),
        (
            "Thai Foreign Minister Sihasak Phuangketkeow said on social media that he had spoken with Rubio.",
            "Thai Foreign Minister Sihasak Phuangketkeow",
        ),
        (
            "Hun Sen, the influential former leader of Cambodia and current Senate President said in a post, “strike”",
            "Hun Sen",
        ),
        (
            "Malaysia's foreign minister, Mohamad Hasan, urged ASEAN representatives to act.",
            "Mohamad Hasan",  # the name beside its description
        ),
        ("At least eight people have been killed since the latest skirmishes began.", None),
    ],
)
def test_the_speaker_a_sentence_names(sentence: str, expected: str | None) -> None:
    assert speaker(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # an election: a description, then the name it belongs to
        ("“Turnout was strong,” said the Pennsylvania secretary of state, Al Schmidt, on Tuesday.", "Al Schmidt"),
        ("Turnout was strong in the west, said the Pennsylvania secretary of state, Al Schmidt.", "Al Schmidt"),
        ("The county clerk, Dana Whitfield, confirmed that 1,200 ballots were still uncounted.", "Dana Whitfield"),
        # a trial: offices no list names
        ("The defendant lied repeatedly, prosecutor Maria Lopez told the jury on Monday.", "prosecutor Maria Lopez"),
        ("Judge Amy Chen added that the jury would reconvene on Friday.", "Judge Amy Chen"),
        ("“My client is innocent,” defence lawyer Tom Reyes insisted outside the court.", "defence lawyer Tom Reyes"),
        # an earthquake: an agency, "according to"
        ("Aftershocks are likely for weeks, according to the U.S. Geological Survey.", "U.S. Geological Survey"),
        (
            "Kandilli Observatory director Haluk Ozener warned of further tremors.",
            "Kandilli Observatory director Haluk Ozener",
        ),
        ("More than 5,600 buildings collapsed across ten provinces.", None),
    ],
)
def test_the_subject_of_any_speech_verb_is_the_speaker(sentence: str, expected: str | None) -> None:
    assert speaker(sentence) == expected


def test_he_said_takes_the_speaker_from_a_sentence_before() -> None:
    before = [
        "When asked about it, nothing.",
        "And on Monday, Thailand’s Prime Minister Anutin Charnvirakul told reporters x.",
    ]
    assert (
        speaker("He said: “I don’t remember that anymore.”", before) == "Thailand’s Prime Minister Anutin Charnvirakul"
    )


def test_a_quote_over_several_sentences_takes_the_speaker_at_its_end() -> None:
    after = [
        "You know, they started up again.",
        'But I think we have that in pretty good shape," Trump told reporters.',
    ]
    assert speaker('"Thailand is starting to shape up.', (), after) == "Trump"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the subject of the first verb carries over to the verb joined to it
        (
            "Thailand has accused Cambodia of attempting to fire rockets and said one of its soldiers lost a leg.",
            "Thailand",
        ),
        # the parser hangs the speaker's clause on the quote that follows it
        (
            "Malaysia's Foreign Minister Mohamad Hasan called for stronger ASEAN action: \"Our goal goes beyond it.",
            "Malaysia's Foreign Minister Mohamad Hasan",
        ),
        # a prepositional object and an infinitive
        (
            "Malaysian Prime Minister Anwar Ibrahim has also called on ASEAN to press both sides to secure peace.",
            "Malaysian Prime Minister Anwar Ibrahim",
        ),
        # a verb inside the quotation is the quoted speaker's, not the report's
        ('ASEAN must do whatever is necessary to keep the peace,"\u00a0 he said.', None),
        ('"Thailand is starting to shape up.', None),
        # a subject that names nobody, and a named subject of a verb that reports nothing
        ("Officials said 14,000 people were injured.", None),
        ("Thailand launched airstrikes on Monday.", None),
    ],
)
def test_the_reporting_verb_is_read_from_the_parse(sentence: str, expected: str | None) -> None:
    assert speaker(sentence) == expected


def test_he_after_a_closing_quote_is_the_person_named_before() -> None:
    before = ["Malaysia’s Foreign Minister Mohamad Hasan said the meeting was aimed at restoring stability."]
    said = 'ASEAN must do whatever is necessary to keep the peace,"\u00a0 he said.'
    assert speaker(said, before) == "Malaysia’s Foreign Minister Mohamad Hasan"


def test_it_said_is_not_a_person() -> None:
    assert speaker("It said the talks would resume on Friday.", ["Hun Sen spoke on Monday."]) is None


def test_he_is_the_person_a_sentence_before_names_when_it_reports_nothing() -> None:
    before = ["Prime Minister Anutin Charnvirakul visited the border town of Surin on Monday."]
    assert speaker("He said the army would hold its positions.", before) == "Prime Minister Anutin Charnvirakul"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("“We will not retreat,” she told reporters.", True),
        ("He said: “I don’t remember that anymore.”", True),
        ("Hun Sen said he would not attend.", False),  # "he" is not the reporting verb's subject
        ("It said the talks would resume.", False),
    ],
)
def test_a_speaker_given_only_as_he_or_she(sentence: str, expected: bool) -> None:
    assert said_by_pronoun(sentence) is expected


def test_near_duplicates_are_the_same_quote_in_slightly_other_words() -> None:
    a = "We must intensify trust-building among the conflicting parties and provide horizons for dialogue."
    b = "We must intensify trust-building among the conflicting parties and provide the horizons for dialogue."
    assert near_duplicate(a, b)
    assert not near_duplicate(a, "The two neighbors exchanged rockets along their land border.")


def test_a_quote_two_articles_carry_is_one_citation_reported_by_both() -> None:
    said = "We must intensify trust-building among the conflicting parties and provide horizons for dialogue."
    other = "Officials said the talks would resume on Friday in the capital."

    def citation(n: int, source: str, quote: str) -> Citation:
        return Citation(n=n, origin=Source(source), quote=quote, start=0, end=len(quote), score=0.5, chunk_id=source)

    merged = collapse([citation(1, "a.txt", said), citation(2, "b.txt", other), citation(3, "c.txt", said)], [])
    assert [(c.n, c.article_id, c.also_reported_by) for c in merged] == [(1, "a.txt", ("c.txt",)), (2, "b.txt", ())]


def test_the_same_words_with_other_numbers_are_two_reports() -> None:
    a = "At least 12 people were killed when the building collapsed, officials said."
    assert near_duplicate(a, "At least 12 people were killed when the building collapsed, the officials said.")
    assert not near_duplicate(a, "At least 13 people were killed when the building collapsed, officials said.")


def test_the_same_words_with_other_currencies_are_two_reports() -> None:
    dollars = "The government spent $1.3 billion ($1.87 billion) to cover bank losses in the country."
    euros = "The minister's government spent 1.3 billion euros ($1.87 billion) to cover bank losses in the country."
    assert not near_duplicate(dollars, euros)
    assert near_duplicate(dollars, "The government spent $1.3 billion ($1.87 billion) to cover bank losses there.")
