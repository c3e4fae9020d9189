import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import CNN, JOURNOS, SEEDS

import rag.ingestion.pipeline
from rag import IndexMismatchError, Settings, ingest, remove
from rag.errors import IndexBusyError
from rag.index.lexical import ChunkTerms, LexicalIndex
from rag.index.store import Store

# Every test here runs twice: on the local database and on a real `chroma run` (see conftest.backend).
pytestmark = pytest.mark.usefixtures("backend")


def _settings(tmp_path: Path, corpus: Path, **changes: object) -> Settings:
    """Settings from the environment (so ``RAG_CHROMA_URL`` applies) for a fresh index in ``tmp_path``."""
    return Settings.from_env(home=tmp_path / "index", corpus=corpus, **changes)


def test_first_ingest_indexes_every_article(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    report = ingest(settings)
    assert sorted(report.added) == sorted(p.name for p in small_corpus.iterdir())
    store = Store.open(settings)
    assert store.count() == report.chunks_embedded > 0
    assert all(record.complete for record in store.ledger().values())


def test_unchanged_corpus_embeds_nothing_writes_nothing_and_loads_no_model(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    generation = Store.open(settings).generation()

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded for a no-op ingest")

    monkeypatch.setattr(rag.ingestion.pipeline, "load_embedder", no_model)
    report = ingest(settings)
    assert report.unchanged == tuple(sorted(p.name for p in small_corpus.iterdir()))
    assert (report.added, report.updated, report.removed, report.chunks_embedded) == ((), (), (), 0)
    assert Store.open(settings).generation() == generation


def test_an_edited_article_re_embeds_only_its_changed_chunks(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    first = ingest(settings)
    edited = small_corpus / "000_1e4ec062dc75476f.txt"
    edited.write_text(edited.read_text() + "\nThe Zorblat committee met on Friday to discuss drones.\n")
    report = ingest(settings)
    assert report.updated == ("000_1e4ec062dc75476f.txt",)
    assert report.unchanged == ("003_bfbc2abef2fd135d.txt",)
    assert 0 < report.chunks_embedded < first.chunks_embedded / 2
    store = Store.open(settings)
    assert store.count() == sum(r.chunks for r in store.ledger().values())


def test_the_keyword_index_follows_an_edit(tmp_path: Path, small_corpus: Path) -> None:
    from rag.ingestion.pipeline import lexical_index

    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    edited = small_corpus / "003_bfbc2abef2fd135d.txt"
    edited.write_text("The Zorblat committee met on Friday.\n" + edited.read_text())
    ingest(settings)
    store = Store.open(settings)
    hits = lexical_index(settings, store, store.generation()).search("Zorblat", 3)
    assert hits and store.get([hits[0][0]])[hits[0][0]].article_id == edited.name


def test_a_removed_article_leaves_the_index(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    (small_corpus / "003_bfbc2abef2fd135d.txt").unlink()
    report = ingest(settings)
    assert report.removed == ("003_bfbc2abef2fd135d.txt",)
    store = Store.open(settings)
    assert set(store.ledger()) == {"000_1e4ec062dc75476f.txt"}
    assert store.chunk_ids("003_bfbc2abef2fd135d.txt") == []


def _rebuilt_lexical(settings: Settings) -> tuple[LexicalIndex, LexicalIndex]:
    """The keyword index the last ingest saved, and one built now from every chunk's text."""
    store = Store.open(settings)
    generation = store.generation()
    saved = LexicalIndex.load(settings.home, generation)
    assert saved is not None
    return saved, LexicalIndex.build(generation, ChunkTerms.read(store.iter_texts()))


def _assert_same_keyword_index(saved: LexicalIndex, rebuilt: LexicalIndex, home: Path) -> None:
    terms = ChunkTerms.load(home)
    assert terms is not None and rebuilt.terms is not None
    assert saved.chunk_ids == rebuilt.chunk_ids == terms.chunk_ids
    assert terms.vocabulary == rebuilt.terms.vocabulary
    assert [saved.document_frequency(t) for t in terms.vocabulary] == [
        rebuilt.document_frequency(t) for t in terms.vocabulary
    ]
    assert saved.bm25 is not None and rebuilt.bm25 is not None
    for key in ("data", "indices", "indptr"):
        assert np.array_equal(saved.bm25.scores[key], rebuilt.bm25.scores[key]), key
    for question in ("Zorblat committee", "Which fighter jets did Thailand use?", "How many people fled?"):
        assert saved.search(question, 10) == rebuilt.search(question, 10)


def test_the_keyword_index_updated_by_what_changed_equals_a_rebuild(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    added = "001_319db5c8fac61f63.txt"
    edited = small_corpus / CNN
    edited.write_text("The Zorblat committee met on Friday.\n" + edited.read_text())
    shutil.copy(SEEDS / added, small_corpus / added)
    (small_corpus / JOURNOS).unlink()

    def every_text(*args: object) -> None:
        raise AssertionError("the keyword index was rebuilt from every chunk's text")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "iter_texts", every_text)
        report = ingest(settings)
        assert (report.added, report.updated, report.removed) == ((added,), (CNN,), (JOURNOS,))
    _assert_same_keyword_index(*_rebuilt_lexical(settings), settings.home)
    with monkeypatch.context() as patch:
        patch.setattr(Store, "iter_texts", every_text)
        remove(settings, [CNN])
    _assert_same_keyword_index(*_rebuilt_lexical(settings), settings.home)


def test_the_keyword_index_follows_a_new_headline(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, small_corpus)
    article = small_corpus / "talks.txt"
    body = "date: 2025-12-01\n\nThe two delegations met for three hours and agreed to meet again next week.\n"
    article.write_text("title: Quorvex talks resume\n" + body)
    ingest(settings)
    article.write_text("title: Zelmora talks resume\n" + body)  # the same text under another headline

    def every_text(*args: object) -> None:
        raise AssertionError("the keyword index was rebuilt from every chunk's text")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "iter_texts", every_text)
        assert ingest(settings).updated == ("talks.txt",)
    saved, rebuilt = _rebuilt_lexical(settings)
    _assert_same_keyword_index(saved, rebuilt, settings.home)
    hits = saved.search("Zelmora", 3)
    assert hits and Store.open(settings).get([hits[0][0]])[hits[0][0]].article_id == "talks.txt"
    assert saved.document_frequency("quorvex") == 0


def test_a_keyword_index_saved_from_an_older_reading_is_rebuilt(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    generation = Store.open(settings).generation()
    assert LexicalIndex.load(settings.home, generation) is not None
    pointer = settings.home / "bm25.json"
    saved = json.loads(pointer.read_text())
    pointer.write_text(json.dumps({k: v for k, v in saved.items() if k != "terms"}))  # as version 1 wrote it
    assert LexicalIndex.load(settings.home, generation) is None


def test_damaged_saved_terms_mean_a_rebuild_from_every_text(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    ingest(settings)
    folder = settings.home / json.loads((settings.home / "bm25.json").read_text())["folder"]
    (folder / "terms.npz").write_bytes(b"not an array")
    edited = small_corpus / JOURNOS
    edited.write_text("The Zorblat committee met on Friday.\n" + edited.read_text())
    assert ingest(settings).updated == (JOURNOS,)
    _assert_same_keyword_index(*_rebuilt_lexical(settings), settings.home)


def test_an_interrupted_article_is_redone_on_the_next_ingest(tmp_path: Path, small_corpus: Path) -> None:
    """An article left marked incomplete (the process died mid-write) is written again, without duplicates."""
    settings = _settings(tmp_path, small_corpus)
    first = ingest(settings)
    store = Store.open(settings)
    record = store.ledger()["003_bfbc2abef2fd135d.txt"]
    store.record(type(record)(**{**record.__dict__, "complete": False}))
    report = ingest(settings)
    assert report.updated == ("003_bfbc2abef2fd135d.txt",)
    assert Store.open(settings).count() == first.chunks_embedded


def test_other_settings_are_refused_with_both_values_and_the_fix(tmp_path: Path, small_corpus: Path) -> None:
    ingest(_settings(tmp_path, small_corpus))
    changed = _settings(tmp_path, small_corpus, chunk_tokens=120)
    with pytest.raises(IndexMismatchError, match=r"chunk_tokens 200 \(index\) vs 120 \(settings\).*--rebuild"):
        ingest(changed)
    report = ingest(changed, rebuild=True)
    assert len(report.added) == 2
    assert Store.open(changed).count() == report.chunks_embedded


def test_a_rebuild_keeps_the_articles_added_from_elsewhere(tmp_path: Path, small_corpus: Path) -> None:
    """`rag ingest --rebuild`, the fix a settings change asks for, indexes again what `rag ingest PATH` added."""
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(SEEDS / "002_fd53b662f63def63.txt", extra / "002_fd53b662f63def63.txt")
    ingest(_settings(tmp_path, small_corpus))
    ingest(_settings(tmp_path, small_corpus), [extra])
    changed = _settings(tmp_path, small_corpus, chunk_tokens=120)
    report = ingest(changed, rebuild=True)
    assert sorted(report.added) == sorted([CNN, JOURNOS, "002_fd53b662f63def63.txt"])
    assert Store.open(changed).ledger()["002_fd53b662f63def63.txt"].ingested_from == str(extra)


def test_a_second_writer_is_told_to_wait(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    settings.home.mkdir(parents=True)
    with (
        rag.ingestion.pipeline._exclusive(settings, wait=False),
        pytest.raises(IndexBusyError, match="another ingest"),
    ):
        ingest(settings)


def test_ingesting_named_files_indexes_just_those(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path, small_corpus)
    report = ingest(settings, [small_corpus / "003_bfbc2abef2fd135d.txt"])
    assert report.added == ("003_bfbc2abef2fd135d.txt",)
