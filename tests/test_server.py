"""Two machines sharing one Chroma server: each keeps its own lock and BM25 files, and they stay right."""

import shutil
from pathlib import Path

import pytest
from conftest import JOURNOS, SEEDS, empty_server

from rag import Engine, Settings, StoreUnavailableError, ingest
from rag.index.store import Store
from rag.ingestion.pipeline import lexical_index


def _machine(tmp_path: Path, name: str, url: str, corpus: Path) -> Settings:
    return Settings(home=tmp_path / name, corpus=corpus, chroma_url=url)


def test_a_write_from_one_machine_reaches_the_keyword_index_of_another(
    tmp_path: Path, small_corpus: Path, chroma_server: str
) -> None:
    empty_server(chroma_server)
    first, second = (_machine(tmp_path, name, chroma_server, small_corpus) for name in ("a", "b"))
    ingest(first)
    reader = Engine(second)
    assert "Zorblat" not in reader.ask("Who met the Zorblat committee?").text
    edited = small_corpus / JOURNOS
    edited.write_text("The Zorblat committee met the Thai army chief on Friday.\n\n" + edited.read_text())
    ingest(first)
    store = Store.open(second)
    hits = lexical_index(second, store, store.generation()).search("Zorblat", 3)
    assert hits and store.get([hits[0][0]])[hits[0][0]].source == JOURNOS


def test_an_index_rebuilt_elsewhere_does_not_reuse_a_stale_keyword_index(
    tmp_path: Path, small_corpus: Path, chroma_server: str
) -> None:
    """The rebuilt index restarts its write counter; the collection id in the generation tells them apart."""
    empty_server(chroma_server)
    first = _machine(tmp_path, "a", chroma_server, small_corpus)
    ingest(first)
    other_corpus = tmp_path / "other"
    other_corpus.mkdir()
    shutil.copy(SEEDS / JOURNOS, other_corpus / JOURNOS)
    (other_corpus / JOURNOS).write_text("The Zorblat committee met on Friday.\n\n" + (SEEDS / JOURNOS).read_text())
    ingest(_machine(tmp_path, "b", chroma_server, other_corpus), rebuild=True)
    store = Store.open(first)
    hits = lexical_index(first, store, store.generation()).search("Zorblat", 3)
    assert [h for h, _ in hits] and all(h in store.get([h for h, _ in hits]) for h, _ in hits)


def test_a_server_that_does_not_answer_is_one_clear_error(tmp_path: Path) -> None:
    from conftest import _free_port

    settings = Settings(home=tmp_path / "home", chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StoreUnavailableError, match=r"cannot reach the Chroma server at 127\.0\.0\.1:\d+.*chroma run"):
        Store.open(settings)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"RAG_CHROMA_URL": "http://db.example:9000"}, ("db.example", 9000, False)),
        ({"RAG_CHROMA_URL": "https://db.example"}, ("db.example", 443, True)),
        ({"RAG_CHROMA_HOST": "10.0.0.5"}, ("10.0.0.5", 8000, False)),
        ({"RAG_CHROMA_HOST": "10.0.0.5", "RAG_CHROMA_PORT": "8123"}, ("10.0.0.5", 8123, False)),
    ],
)
def test_the_server_comes_from_the_environment(env: dict[str, str], expected: object) -> None:
    assert Settings.from_env(env).chroma_server() == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_CHROMA_URL": "db.example:9000"}, "must look like http://host:port"),
        ({"RAG_CHROMA_URL": "http://a:1", "RAG_CHROMA_HOST": "b"}, "not both"),
        ({"RAG_CHROMA_HOST": "b", "RAG_CHROMA_PORT": "70000"}, "between 1 and 65535"),
    ],
)
def test_bad_server_settings_are_refused(env: dict[str, str], message: str) -> None:
    from rag import ConfigError

    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
