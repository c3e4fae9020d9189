"""Queries while an ingest changes the index in another thread: old or new index, never an error."""

import shutil
import threading
from pathlib import Path

from conftest import CNN, JOURNOS, SEEDS

from rag import Answer, Settings, ingest
from rag.answer.engine import Engine
from rag.text import collapse_whitespace

QUESTIONS = [
    "Which fighter jets did Thailand use?",
    "How many people were displaced?",
    "Who chairs the mine ban convention?",
    "What did the Zorblat committee discuss?",
]
ADDED = ("001_319db5c8fac61f63.txt", "002_fd53b662f63def63.txt", "004_cfd63779a67ceb9c.txt")
EDIT = "\n\nThe Zorblat committee met on Friday to discuss drone sightings along the frontier.\n"


def _verbatim(answer: Answer, corpus: Path) -> None:
    """Each quote is in the file as it is now or as it was (seed copy), at the offsets given."""
    for c in answer.citations:
        versions = [(corpus / c.article_id), (SEEDS / c.article_id)]
        texts = [p.read_text(encoding="utf-8") for p in versions if p.exists()]
        assert any(collapse_whitespace(t[c.start : c.end]) == c.quote for t in texts), c


def test_queries_during_an_ingest_keep_working_and_then_see_the_new_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (CNN, JOURNOS):
        shutil.copy(SEEDS / name, corpus / name)
    settings = Settings(home=tmp_path / "index", corpus=corpus)
    ingest(settings)
    engine = Engine(settings)
    before = engine.ask(QUESTIONS[3])

    for name in ADDED:  # the ingest adds three articles, edits one and removes one
        shutil.copy(SEEDS / name, corpus / name)
    (corpus / CNN).write_text((SEEDS / CNN).read_text() + EDIT)
    (corpus / JOURNOS).unlink()

    done = threading.Event()
    errors: list[BaseException] = []
    answers: list[Answer] = []

    def writer() -> None:
        try:
            ingest(settings, wait=True)
        except BaseException as error:
            errors.append(error)
        finally:
            done.set()

    def reader(offset: int) -> None:
        i = offset
        while not done.is_set():
            try:
                answers.append(engine.ask(QUESTIONS[i % len(QUESTIONS)]))
            except BaseException as error:
                errors.append(error)
                return
            i += 1

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(answers) >= 4
    for answer in answers:
        _verbatim(answer, corpus)

    after = engine.ask(QUESTIONS[3])
    assert "Zorblat" not in before.text and "Zorblat" in after.text
    assert engine.status().chunks and {a.article_id for a in engine.status().articles} == {CNN, *ADDED}


def test_an_open_engine_answers_after_the_index_is_rebuilt_under_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / JOURNOS, corpus / JOURNOS)
    settings = Settings(home=tmp_path / "index", corpus=corpus)
    ingest(settings)
    engine = Engine(settings)
    before = engine.ask(QUESTIONS[0])
    ingest(settings, rebuild=True)  # new collections: the engine's handles point at deleted ones
    assert engine.ask(QUESTIONS[0]).to_dict() == before.to_dict()
