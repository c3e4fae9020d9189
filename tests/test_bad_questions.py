"""Bad questions: empty, overlong, with control characters, or in another language."""

import json

import pytest
from conftest import SEEDS

from rag import QuestionError, Settings, query
from rag.cli.main import main
from rag.text import collapse_whitespace


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, seed_settings: Settings) -> None:
    monkeypatch.setenv("RAG_HOME", str(seed_settings.home))
    monkeypatch.setenv("RAG_CORPUS", str(seed_settings.corpus))


@pytest.mark.parametrize("question", ["", " ", "\n\t  \r\n", "\x00\x07\x1b"])
def test_an_empty_or_blank_question_raises_question_error(seed_settings: Settings, question: str) -> None:
    with pytest.raises(QuestionError, match="the question is empty"):
        query(question, settings=seed_settings)


@pytest.mark.parametrize("question", ["", "   \t"])
def test_an_empty_question_at_the_cli_is_one_line_and_exit_2(
    env: None, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    assert main(["ask", question]) == 2
    err = capsys.readouterr().err
    assert err == "rag: the question is empty: ask something about the articles\n"


def test_a_question_over_the_limit_is_refused_naming_the_limit(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seed_settings: Settings
) -> None:
    with pytest.raises(QuestionError, match=r"2001 characters long; the limit is 2000 \(RAG_MAX_QUESTION_CHARS\)"):
        query("x" * 2001, settings=seed_settings)
    assert query("Which jets? " + " " * 3000, settings=seed_settings).question == "Which jets?"  # spaces don't count
    monkeypatch.setenv("RAG_MAX_QUESTION_CHARS", "40")
    assert main(["ask", "Which jets did Thailand fly in its airstrikes?"]) == 2  # 46 characters
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the limit is 40 (RAG_MAX_QUESTION_CHARS)" in err


def test_control_characters_are_stripped_before_answering(seed_settings: Settings) -> None:
    clean = query("Which fighter jets did Thailand use?", settings=seed_settings)
    dirty = query("Which\x00 fighter\x1b jets\u200b did\x07 Thailand\r\n use?\x7f", settings=seed_settings)
    assert dirty.question == "Which fighter jets did Thailand use?"
    assert dirty.to_dict() == clean.to_dict()


@pytest.mark.parametrize(
    "question",
    [
        "Quels avions de chasse la Thaïlande a-t-elle utilisés pour ses frappes aériennes ?",
        "ประเทศไทยใช้เครื่องบินขับไล่รุ่นใดในการโจมตีทางอากาศ",
        "泰国使用了哪种战斗机？",
        "Сколько человек погибло?",
    ],
)
def test_a_question_in_another_language_gets_a_cited_answer_or_a_clean_abstention(
    seed_settings: Settings, question: str
) -> None:
    answer = query(question, settings=seed_settings)
    if answer.abstained:
        assert answer.citations == () and answer.text
    else:
        for c in answer.citations:
            original = (SEEDS / c.article_id).read_text(encoding="utf-8")
            assert collapse_whitespace(original[c.start : c.end]) == c.quote
            assert f"{c.quote} [{c.n}]" in answer.text


def test_a_question_in_another_language_at_the_cli_exits_0(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "ประเทศไทยใช้เครื่องบินขับไล่รุ่นใด", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["question"] == "ประเทศไทยใช้เครื่องบินขับไล่รุ่นใด"
