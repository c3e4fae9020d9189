"""Two machines sharing one Chroma server: each keeps its own lock and BM25 files, and they stay right."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import JOURNOS, SEEDS, chroma_is_up, empty_server

from rag import Settings, ingest
from rag.answer.engine import Engine
from rag.errors import StoreServerError, StoreUnavailableError
from rag.index.store import Store
from rag.ingestion.pipeline import lexical_index


def _machine(tmp_path: Path, name: str, url: str, corpus: Path) -> Settings:
    # One index shared by two machines: the same RAG_COLLECTION on both.
    return Settings(home=tmp_path / name, corpus=corpus, chroma_url=url, collection="news")


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
    assert hits and store.get([hits[0][0]])[hits[0][0]].article_id == JOURNOS


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


# Issue 13, problem 5 on a server: each project has its own collections, and faults are named truly.


def _collections(url: str) -> set[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    return {c.name for c in client.list_collections()}


def test_two_projects_share_a_server_and_a_rebuild_removes_only_its_own(
    tmp_path: Path, small_corpus: Path, chroma_server: str
) -> None:
    empty_server(chroma_server)
    other_corpus = tmp_path / "other"
    other_corpus.mkdir()
    shutil.copy(SEEDS / JOURNOS, other_corpus / JOURNOS)
    news = Settings(home=tmp_path / "news" / ".rag", corpus=small_corpus, chroma_url=chroma_server)
    other = Settings(home=tmp_path / "other" / ".rag", corpus=other_corpus, chroma_url=chroma_server)
    named = Settings(home=tmp_path / "third", corpus=other_corpus, chroma_url=chroma_server, collection="trials")
    for settings in (news, other, named):
        ingest(settings)
    names = _collections(chroma_server)
    assert len(names) == 9 and {"trials-chunks", "trials-sentences", "trials-articles"} <= names
    # The same folder name (.rag) in two places: two projects, told apart by a hash of the path.
    assert news.collection_prefix() != other.collection_prefix()
    assert news.collection_prefix().startswith("rag-") and other.collection_prefix().startswith("rag-")

    before = {name for name in names if name.startswith(other.collection_prefix())}
    ingest(news, rebuild=True)
    assert before <= _collections(chroma_server), "the other project's collections survive the rebuild"
    assert len(Store.open(other).ledger()) == 1 and len(Store.open(named).ledger()) == 1
    assert sorted(Store.open(news).ledger()) == sorted(p.name for p in small_corpus.iterdir())


def test_a_server_that_stops_is_named_as_unreachable(tmp_path: Path, small_corpus: Path) -> None:
    from conftest import _chroma_run

    with _chroma_run(tmp_path) as url:
        settings = Settings(home=tmp_path / "home", corpus=small_corpus, chroma_url=url)
        ingest(settings)
        reader = Engine(settings)
        assert "F-16" in reader.ask("Which fighter jets did Thailand use?").text
    with pytest.raises(
        StoreUnavailableError, match=r"^cannot reach the Chroma server at 127\.0\.0\.1:\d+ .*chroma run"
    ):
        reader.ask("Which fighter jets did Thailand use?")
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server"):
        ingest(settings, rebuild=True)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare for a full disk")
def test_a_server_error_is_named_as_such_not_as_damage(tmp_path: Path, small_corpus: Path) -> None:
    """A real `chroma run` whose disk is full (a 500 kB tmpfs in a mount namespace of its own) answers 500."""
    from conftest import _free_port

    chroma = Path(sys.executable).parent / "chroma"
    data = tmp_path / "server-disk"
    data.mkdir()
    port = _free_port()
    script = (
        f"mount -t tmpfs -o size=500k tmpfs {data}; exec {chroma} run --path {data}/db --host 127.0.0.1 --port {port}"
    )
    server = subprocess.Popen(
        ["unshare", "-m", "sh", "-ec", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert chroma_is_up(url, server), "chroma run did not start"
        settings = Settings(home=tmp_path / "home", corpus=small_corpus, chroma_url=url)
        with pytest.raises(StoreServerError) as raised:
            ingest(settings)
        message = str(raised.value)
        assert message.startswith(f"the Chroma server at 127.0.0.1:{port} answered with an error (")
        assert message.endswith("check the server's log and its disk, then run the command again")
        assert "rebuild" not in message
    finally:
        server.terminate()
        server.wait(timeout=10)
