"""The language layer on the real spaCy model: what a question asks for, what a sentence names, and that a
sentence is parsed once."""

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from rag import Settings, query
from rag.answer.scorer import Candidate
from rag.answer.short import short_answer
from rag.language import CACHE_FILE, Reader, asked_for, fillers, trimmed
from rag.schema import Passage, Source, Span


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Who leads the inquiry?", {"PERSON", "ORG", "GPE"}),
        ("Where did the storm make landfall?", {"GPE", "LOC", "FAC"}),
        ("When will the polls close?", {"DATE", "TIME"}),
        ("How many people were displaced?", {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
        ("How far did the flood reach?", {"QUANTITY", "PERCENT", "CARDINAL", "MONEY"}),
        # the first question word counts: "who" here opens a relative clause
        ("What happened to the diver who found the wreck?", set()),
        # asks what a name is: the answer describes it, no other name fills it
        ("Who is Agnes Varda?", set()),
    ],
)
def test_what_a_question_asks_for(question: str, labels: set[str]) -> None:
    assert asked_for(question).labels == labels


def test_which_noun_is_filled_by_the_phrase_it_heads() -> None:
    asked = asked_for("Which fighter jets did the air force use?")
    assert asked.noun == "jet"
    parsed = Reader().parse(["The air force flew F-16 fighter jets over the border on Monday."])[0]
    found = {trimmed(m, asked).text for m in fillers(asked, parsed)}
    assert "F-16" in found
    assert "Monday" not in found


def test_a_count_in_words_is_a_number_of_its_noun() -> None:
    asked = asked_for("How many people were killed?")
    parsed = Reader().parse(["Sixty people were killed and 200,000 displaced, officials said."])[0]
    texts = {m.text for m in fillers(asked, parsed)}
    assert {"Sixty", "200,000"} <= texts


def test_a_name_the_question_gives_fills_nothing() -> None:
    asked = asked_for("Who is running against Governor Ames?")
    parsed = Reader().parse(["Governor Lena Ames faces state senator Paul Okoro in the vote."])[0]
    assert [m.text for m in fillers(asked, parsed)] == ["Paul Okoro"]


def test_a_sentence_is_parsed_once_and_kept_beside_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentence = "The Food and Drug Administration approved the vaccine in June 2006."
    first = Reader(tmp_path).parse([sentence])[0]
    assert (tmp_path / CACHE_FILE).is_file()

    def no_parsing() -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("rag.language.pipeline", no_parsing)
    assert Reader(tmp_path).parse([sentence, sentence]) == [first, first]


def test_a_cache_kept_by_other_reading_code_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentence = "The mayor of Oslo resigned on Monday."
    Reader(tmp_path).parse([sentence])
    monkeypatch.setattr("rag.language._reading_code", lambda: "another version")

    def parsing() -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("rag.language.pipeline", parsing)
    with pytest.raises(AssertionError, match="parsed again"):
        Reader(tmp_path).parse([sentence])


def test_a_damaged_cache_is_read_again_not_trusted(tmp_path: Path) -> None:
    sentence = "The court in Lyon sentenced him on Friday."
    first = Reader(tmp_path).parse([sentence])[0]
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE parsed SET value = 'not json'")
    assert Reader(tmp_path).parse([sentence]) == [first]


def test_an_unwritable_cache_costs_speed_not_answers(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    parsed = Reader(blocked / "home").parse(["Voters in Ohio went to the polls on Tuesday."])[0]
    assert {m.text for m in parsed.mentions} >= {"Ohio", "Tuesday"}


@pytest.mark.fitted  # the short answer "F-16" and the sentence it leads
def test_the_answer_leads_with_the_short_answer(seed_settings: Settings) -> None:
    answer = query("Which fighter jets did Thailand use?", settings=seed_settings)
    assert answer.short is not None and answer.short.text == "F-16"
    assert answer.text.startswith("F-16")
    cited = {c.n: c for c in answer.citations}[answer.short.n]
    assert cited.quote[answer.short.start : answer.short.end] == answer.short.text
    assert answer.to_dict()["short"]["text"] == "F-16"


def test_no_short_answer_for_a_question_that_asks_for_no_entity(seed_settings: Settings) -> None:
    answer = query("Why did the talks between Thailand and Cambodia break down?", settings=seed_settings)
    assert answer.short is None


def test_a_place_may_answer_who_in_a_sentence_but_is_no_short_answer() -> None:
    asked = asked_for("Who received the award?")
    parsed = Reader().parse(["The award was handed to Maria Lopez on Friday in Oslo."])[0]
    found = {m.text: asked.may_be_short(m) for m in fillers(asked, parsed)}
    assert found == {"Maria Lopez": True, "Oslo": False}


def _scored(sentence: str, score: float) -> Candidate:
    passage = Passage("c1", Source("a.txt"), sentence, 0, len(sentence), (Span(sentence, 0, len(sentence)),), 1.0)
    return Candidate(Span(sentence, 0, len(sentence)), passage, 0, np.zeros(1), np.zeros(1), score)


def test_a_short_answer_is_given_only_from_a_likely_enough_sentence() -> None:
    asked = asked_for("Who received the award?")
    sentence = "The award was handed to Maria Lopez on Friday in Oslo."
    sure = short_answer(asked, [_scored(sentence, 0.6)], Reader(), above=0.5)
    assert sure is not None and sure.mention.text == "Maria Lopez"
    assert short_answer(asked, [_scored(sentence, 0.4)], Reader(), above=0.5) is None


def test_how_long_is_answered_by_a_span_of_time_not_a_day() -> None:
    asked = asked_for("How long did the strike last?")
    parsed = Reader().parse(["The strike, which began on March 3, lasted six days."])[0]
    assert {m.text for m in fillers(asked, parsed)} == {"six days"}
    when = asked_for("When did the strike begin?")
    assert {m.text for m in fillers(when, parsed)} == {"March 3"}
