"""The answerer's features and fitted model (rag/scorer.py), and the script that fits them (rag/evaluation/tune.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import NEWS_GOLD

from rag import Settings, query
from rag.answer.engine import Engine
from rag.answer.extractive import read_question, score_sentences, unknown_names
from rag.answer.fitted import feature_digest
from rag.answer.question import analyse, names_another_period, periods, specific_names
from rag.answer.scorer import FEATURES, QUESTION_FEATURES, candidates, constraints, load_model
from rag.evaluation.gold import GoldItem, load_gold, split
from rag.evaluation.tune import main as tune
from rag.index.lexical import ChunkTerms, LexicalIndex
from rag.language import Reader, new_entities
from rag.text import is_question


def test_constraints_are_the_names_numbers_years_and_quoted_titles_of_a_question() -> None:
    asked = analyse('Which team won the 2018 Copa America after the book "The Quiet Pass" came out?')
    found = constraints(asked)
    assert "2018" in found and "copa" in found and "america" in found
    assert "quiet pass" in found  # the quoted title, as its stemmed words in order


@pytest.mark.parametrize(
    ("question", "specific"),
    [
        ("Who won the Kelmar regatta in 2017?", ("kelmar", "2017")),
        ("When does Israel go to the polls? (Haaretz asks)", ("israel",)),  # a name after "(" may be a first word
        ("Approximately what share of Americans voted?", ("american",)),  # first, so capitalised anyway
        ("What did the FBI and the U.S. Army say?", ("armi",)),  # abbreviations may be spelt out
        ("How many F-15 jets did the air force buy?", ("f", "15")),  # a code with digits is no abbreviation
        ("How many seats were at stake in Tuesday's runoffs in June?", ()),  # dates, not names
        ("How many people died in 4 attacks?", ()),  # a one-digit number may be written in words
        ("Does smoking cause 85 percent of lung cancers?", ("85",)),
    ],
)
def test_the_specific_names_are_years_and_words_capitalised_inside_a_sentence(
    question: str, specific: tuple[str, ...]
) -> None:
    assert specific_names(question) == specific


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("When did Canada and the EU sign a trade pact in March?", ()),  # "European Union", "on Friday"
        ("Who won the Kelmar regatta in 2017?", ("kelmar", "2017")),
        ("What did the Red Crescent say about Canada?", ("red", "crescent")),
    ],
)
def test_an_unknown_name_is_a_specific_name_no_chunk_mentions(question: str, unknown: tuple[str, ...]) -> None:
    lexical = LexicalIndex.build(
        "1", ChunkTerms.read([(["a"], ["Canada and the European Union signed a trade pact on Friday."])])
    )
    assert unknown_names(read_question(question, lexical), lexical) == unknown


@pytest.mark.parametrize(
    ("question", "kind", "noun"),
    [
        ("Who did the minister speak with?", "person", None),
        ("Where did the storm make landfall?", "place", None),
        ("Which U.N. envoy did the minister speak with?", "other", "envoy"),  # filled by what N heads
        ("Which judge jailed the former mayor?", "other", "judge"),
        ("What did the governor declare?", "other", None),  # the governor acts here; he is not what is asked for
        ("What are hospital officials saying about the delays?", "other", None),
    ],
)
def test_the_question_word_says_what_is_asked_for(question: str, kind: str, noun: str | None) -> None:
    asked = analyse(question)
    assert (asked.kind, asked.asks.noun) == (kind, noun)


def test_how_old_asks_for_a_number_not_a_date() -> None:
    # its "when" had made it a date question: answers were shown with the days they name resolved
    asked = analyse("How old was the actor when he died?")
    assert asked.kind == "number" and "old" not in asked.terms


def test_another_numbered_period_than_the_one_asked_is_named() -> None:
    asked = analyse("What was the revenue in Q2 2020?").periods
    assert asked == {("quarter", 2)}
    assert names_another_period(asked, "Revenue rose to $5 billion in the first quarter.")
    assert not names_another_period(asked, "Second-quarter revenue rose after a weak first quarter.")  # both
    assert not names_another_period(asked, "Revenue rose to $5 billion in the second quarter.")
    assert not names_another_period(asked, "Revenue rose to $5 billion, the company said.")  # names none
    assert periods("the 3rd round and the first half") == {("round", 3), ("half", 1)}


def test_a_sentence_that_restates_the_question_adds_no_filler() -> None:
    asks = analyse("What was Nokia's profit in Q3 2019?").asks
    restated, answering, naming = Reader().parse(
        [
            "Nokia Q3 2019 profit.",
            "Nokia reported a profit of $1.2 billion in Q3 2019.",
            "Pekka Lundmark said it was strong.",
        ]
    )
    assert not new_entities(asks, restated)
    assert new_entities(asks, answering) and new_entities(asks, naming)


def test_a_question_the_articles_ask_is_never_quoted_as_an_answer(seed_settings: Settings) -> None:
    # The CNN seed has reader-question subheads ("How bad could this get?"): before, two of them filled the
    # last places of an answer about what Trump said.
    answer = query("What did Trump tell reporters at Mar-a-Lago about Thailand?", settings=seed_settings)
    assert answer.citations
    assert not [c.quote for c in answer.citations if is_question(c.quote)]


def test_a_question_inside_a_paragraph_is_read_but_never_a_scored_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "bridge.md").write_text(
        "# Harbour bridge delayed\n\nWill the harbour bridge open before the winter storms? Officials said on "
        "Monday that the harbour bridge will open in October, after safety checks on its cables.\n",
        encoding="utf-8",
    )
    question = "When will the harbour bridge open?"
    reading = Engine(Settings(home=tmp_path / "index", corpus=corpus)).read(question)
    asked = read_question(question, reading.lexical)
    args = (reading.lexical, reading.sentence_vectors, reading.reader)
    pool = candidates(asked, reading.retrieval.passages, reading.retrieval.question_vector, *args)
    assert "Will the harbour bridge open before the winter storms?" in [c.span.text for c in pool]  # weighed
    scored, _ = score_sentences(asked, reading.retrieval, *args)
    assert scored and not [s.span.text for s in scored if is_question(s.span.text)]


@pytest.mark.fitted  # where Trump's "starting to shape up" ranks
def test_what_someone_said_is_answered_from_what_they_said(seed_settings: Settings) -> None:
    # Before W_SPEAKER, this answer quoted what others said of Trump and not his own words ("starting to shape
    # up", which the speech-verb reading of rag/news/attribution.py attributes to him).
    answer = query("What did Trump tell reporters at Mar-a-Lago about Thailand?", settings=seed_settings)
    assert "starting to shape up" in answer.text, answer.text
    assert any(c.speaker == "Trump" and "starting to shape up" in c.quote for c in answer.citations)


def test_the_shipped_model_matches_the_features_and_ranks_sensibly() -> None:
    model = load_model()
    assert len(model.weights) == len(FEATURES) and len(model.abstain_weights) == len(QUESTION_FEATURES)
    assert 0.0 < model.abstain_above < 1.0
    strong = np.ones(len(FEATURES))
    strong[FEATURES.index("heading")] = 0.0
    weak = np.zeros(len(FEATURES))
    weak[FEATURES.index("heading")] = 1.0
    assert model.probability(strong[None])[0] > model.probability(weak[None])[0]


def _item(item_id: str, *articles: str) -> GoldItem:
    if not articles:
        return GoldItem(item_id, "unanswerable", "Why?", (), (), (), True)
    return GoldItem(item_id, "fact", "Who?", articles, (), ("x",), False)


def test_the_split_keeps_about_a_third_of_the_stories_to_check_on() -> None:
    stories = [_item(f"q-{i}", f"story-{i}.txt") for i in range(300)]
    checked = [s.articles[0] for s in stories if split(s) == "check"]
    assert 70 <= len(checked) <= 130
    # fixed across processes and machines (a sha256, not Python's salted hash()): the same parts every run
    assert [f"story-{i}.txt" in checked for i in range(8)] == [False] * 4 + [True] * 4
    # an unanswerable item has no article: its own id decides
    assert 70 <= sum(split(_item(f"q-{i}")) == "check" for i in range(300)) <= 130


@pytest.mark.parametrize("story", [f"story-{i}.txt" for i in range(12)])
def test_two_questions_about_one_story_land_in_the_same_part(story: str) -> None:
    # the first article in sorted order is the key, whatever the order the gold set lists them in
    parts = {split(_item(f"{story}-{n}", story, *more)) for n, more in enumerate([(), ("zz.txt",), ("zzz.txt",)])}
    parts.add(split(_item("other-id", "zzzz.txt", story)))
    assert len(parts) == 1
    assert {split(_item(f"a-{story}", story)), split(_item(f"b-{story}", story))} == parts


def test_the_tuning_script_refits_the_weights_from_a_gold_set(tmp_path: Path, capsys, news_corpus: Path) -> None:
    out = tmp_path / "weights.json"
    corpus, gold = news_corpus, NEWS_GOLD
    assert tune(["--dev", str(gold), str(corpus), str(tmp_path / "home"), "--write", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["features"] == list(FEATURES) and data["question_features"] == list(QUESTION_FEATURES)
    assert 0 < data["questions"] == sum(split(i) == "tune" for i in load_gold(gold)) < len(load_gold(gold))
    recorded = {"gold": str(gold), "corpus": str(corpus), "part": "tune", "questions": data["questions"]}
    assert data["fitted_on"] == [recorded]
    assert data["feature_digest"] == feature_digest()
    fitted = load_model(out)
    assert fitted.weights[FEATURES.index("lexical")] > 0  # sharing the question's rare words helps
    printed = capsys.readouterr().out
    assert "threshold\tabstention_recall\tabstention_precision\tfalse_abstentions" in printed
