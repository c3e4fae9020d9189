"""A question typed without capitals is read with the capitals the articles give its words (rag/answer/casing.py)."""

from rag.answer.casing import recased, typed_without_capitals, words_to_look_up

TEXTS = {
    "nato": ["Allies met at the NATO summit.", "The talks in NATO went on."],
    "election": ["Election results came late. Voters backed the election of a mayor."],
    "union": ["The European Union agreed.", "The union of states and the union of workers met."],
    "bolivian": ["Voters in the Bolivian capital cheered."],
    "erdoğan": ["The talks with Erdoğan ended.", "President Erdoğan said so."],
}


def test_a_word_the_articles_capitalise_takes_their_form() -> None:
    assert recased("what did nato say?", TEXTS) == "what did NATO say?"
    assert recased("who won the bolivian election", TEXTS) == "who won the Bolivian election"
    assert recased("what did erdoğan say?", TEXTS) == "what did Erdoğan say?"


def test_a_capital_that_starts_a_sentence_says_nothing() -> None:
    # "Election" opens a sentence; in mid-sentence the articles write "election"
    assert recased("when was the election?", TEXTS) == "when was the election?"


def test_a_word_capitalised_in_few_of_its_uses_stays() -> None:
    # "Union" once in three uses in mid-sentence
    assert recased("what did the union agree?", TEXTS) == "what did the union agree?"


def test_a_word_the_articles_also_write_in_lower_case_stays() -> None:
    # a surname that is also a verb: "Ward" in two of its three uses in mid-sentence is no name
    texts = {"ward": ["Hines Ward caught it, and coach Ward smiled. Vitamins may ward off the disease."]}
    assert (
        recased("can vitamins ward off macular degeneration?", texts) == "can vitamins ward off macular degeneration?"
    )


def test_a_word_no_article_uses_stays_as_typed() -> None:
    assert recased("who won the peruvian election", TEXTS) == "who won the peruvian election"


def test_a_question_with_capitals_is_read_as_typed() -> None:
    assert not typed_without_capitals("What did nato say?".replace("nato", "NATO"))
    assert (
        recased("What did the European union say about nato?", TEXTS) == "What did the European union say about nato?"
    )
    assert typed_without_capitals("What did nato say?") and typed_without_capitals("what did nato say?")


def test_only_words_that_can_be_searched_are_looked_up() -> None:
    assert words_to_look_up("what did the bolivian president say about the vote?") == [
        "bolivian",
        "president",
        "say",
        "vote",
    ]
