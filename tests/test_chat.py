import pytest

from rag import Answer, Chat, Settings, stream
from rag.answer.engine import shared_engine
from rag.answer.followup import standalone


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        (
            "And how many in Cambodia?",
            "How many people were killed in Thailand?",
            "How many people were killed in Cambodia?",
        ),
        (
            "What did he say?",
            "Who chaired the Kuala Lumpur meeting?",
            "What did he say? (Who chaired the Kuala Lumpur meeting)",
        ),
        ("And when?", "Where will the defense talks be held?", "When? (Where will the defense talks be held)"),
        (
            "Which jets did Thailand fly?",
            "How many people have died?",
            "Which jets did Thailand fly?",
        ),
    ],
)
def test_follow_ups_are_made_standalone(follow_up: str, previous: str, expected: str) -> None:
    assert standalone(follow_up, previous) == expected


SINCE_MONDAY = "How many people have died in Thailand since Monday?"


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        # the new name takes the place of the previous question's name of the same kind (a place, not a day)
        ("And in Cambodia?", "How many people have died in Cambodia since Monday?"),
        ("What about Syria?", "How many people have died in Syria since Monday?"),
        ("And on Tuesday?", "How many people have died in Thailand since Tuesday?"),
        # a name of another kind is a new question
        ("Who is Hun Sen?", "Who is Hun Sen?"),
        # a pronoun points back; a question word does not
        ("Which jets did they use?", f"Which jets did they use? ({SINCE_MONDAY.rstrip('?')})"),
        ("Which jets did Thailand use?", "Which jets did Thailand use?"),
    ],
)
def test_follow_ups_are_read_from_the_parse(follow_up: str, expected: str) -> None:
    assert standalone(follow_up, SINCE_MONDAY) == expected


def test_a_first_question_is_kept_as_it_is() -> None:
    assert standalone("And how many in Cambodia?", None) == "And how many in Cambodia?"


def test_chat_answers_a_follow_up_about_the_other_country(seed_settings: Settings) -> None:
    chat = Chat(engine=shared_engine(seed_settings))
    first = chat.ask("How many people were killed in Thailand?")
    assert first.rewritten_question is None
    second = chat.ask("And how many in Cambodia?")
    assert second.question == "And how many in Cambodia?"
    assert second.rewritten_question == "How many people were killed in Cambodia?"
    assert "Cambodia" in second.text and not second.abstained
    chat.reset()
    assert chat.ask("And how many in Cambodia?").rewritten_question is None


def test_stream_yields_text_then_the_answer(seed_settings: Settings) -> None:
    answer_stream = stream("Which fighter jets did Thailand use?", settings=seed_settings)
    pieces = list(answer_stream)
    answer = answer_stream.answer
    assert isinstance(answer, Answer)
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == answer.text
