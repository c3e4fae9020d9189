"""The embedding backends on the real MiniLM: torch as sentence-transformers computes it, the int8 ONNX copy
close to it, made once and kept beside the index, and torch with a one-line notice when no copy can be made."""

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS

from rag import IndexMismatchError, Settings, ingest
from rag.index.embedding import Embedder
from rag.index.store import Store
from rag.ingestion.chunking import chunk_article, make_splitter
from rag.ingestion.corpus import load_corpus
from rag.schema import Chunk

NAME = Settings().embed_model


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    splitter = make_splitter(Settings().chunk_tokens, Settings().chunk_overlap)
    return [c for a in load_corpus(SEEDS).articles for c in chunk_article(a, splitter)]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def int8(models: Path) -> Embedder:
    return Embedder(NAME, backend="onnx-int8", cache=models)


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(NAME, backend="torch")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_torch_chunk_vectors_are_sentence_transformers_own_in_the_callers_order(
    torch_embedder: Embedder, chunks: list[Chunk]
) -> None:
    vectors, sentences = torch_embedder.embed_chunks(chunks)
    reference = torch_embedder.model.encode([c.text for c in chunks], normalize_embeddings=True)
    assert _cosines(vectors, reference).min() > 0.9999
    assert [len(rows) for rows in sentences] == [len(c.sentences) for c in chunks]


def test_the_int8_copy_points_where_torch_does_for_chunks_sentences_and_questions(
    int8: Embedder, torch_embedder: Embedder, chunks: list[Chunk]
) -> None:
    assert int8.backend == "onnx-int8"
    vectors, sentences = int8.embed_chunks(chunks)
    reference, reference_sentences = torch_embedder.embed_chunks(chunks)
    assert _cosines(vectors, reference).min() > 0.97
    pooled = _cosines(np.concatenate(sentences), np.concatenate(reference_sentences))
    assert pooled.mean() > 0.98
    question = "Which fighter jets did Thailand use?"
    assert _cosines(int8.embed([question]), torch_embedder.embed([question]))[0] > 0.97
    # The nearest chunk to a question is the same one on both backends.
    assert np.argmax(vectors @ int8.embed([question])[0]) == np.argmax(reference @ torch_embedder.embed([question])[0])


def _operators(path: Path) -> set[str]:
    import onnx

    return {node.op_type for node in onnx.load(str(path)).graph.node}


def test_the_int8_copy_runs_fused_int8_attention(int8: Embedder) -> None:
    assert int8.onnx_file is not None
    operators = _operators(int8.onnx_file)
    assert "QAttention" in operators and "MatMulInteger" in operators
    assert "Softmax" not in operators  # no attention layer was left unfused


@pytest.mark.slow  # exports and quantises the model (the int8 fixture's tests are slow by the conftest)
def test_a_graph_the_optimiser_cannot_fuse_is_quantised_as_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, torch_embedder: Embedder
) -> None:
    import onnxruntime.transformers.optimizer

    def unknown_architecture(*args: object, **kwargs: object) -> None:
        raise ValueError("no fusion for this model type")

    monkeypatch.setattr(onnxruntime.transformers.optimizer, "optimize_model", unknown_architecture)
    plain = Embedder(NAME, backend="onnx-int8", cache=tmp_path / "models")
    assert plain.backend == "onnx-int8" and plain.onnx_file is not None
    operators = _operators(plain.onnx_file)
    assert "MatMulInteger" in operators and "QAttention" not in operators
    question = "Which fighter jets did Thailand use?"
    assert _cosines(plain.embed([question]), torch_embedder.embed([question]))[0] > 0.97


def test_the_int8_copy_is_made_once_and_reused(int8: Embedder, models: Path) -> None:
    assert int8.onnx_file is not None and int8.onnx_file.parent == models
    made = int8.onnx_file.stat().st_mtime_ns
    again = Embedder(NAME, backend="onnx-int8", cache=models)
    assert again.onnx_file == int8.onnx_file and again.onnx_file.stat().st_mtime_ns == made
    assert sorted(p.name for p in models.iterdir()) == [int8.onnx_file.name]  # no scratch left behind


@pytest.mark.slow  # exports and quantises the model (the int8 fixture's tests are slow by the conftest)
def test_the_copy_is_made_once_per_machine_and_the_index_records_its_backend(
    tmp_path: Path, small_corpus: Path
) -> None:
    settings = Settings(
        home=tmp_path / "index", corpus=small_corpus, embed_backend="onnx-int8", model_cache=tmp_path / "machine"
    )
    ingest(settings)
    (made,) = (tmp_path / "machine").glob("*.int8.onnx")
    assert not (settings.home / "models").exists()  # no copy per index folder
    other = settings.with_(home=tmp_path / "other-index")
    ingest(other)  # a second index on the machine: the copy is not made again
    assert list((tmp_path / "machine").glob("*.int8.onnx")) == [made]
    store = Store.open(settings)
    store.check_embedder(384, "onnx-int8")
    with pytest.raises(IndexMismatchError, match="embed_backend 'onnx-int8' \\(index\\) vs 'torch'"):
        store.check_embedder(384, "torch")


def test_without_the_onnx_package_it_embeds_with_torch_after_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # what `import onnx` meets when it is not installed
    embedder = Embedder(NAME, backend="onnx-int8", cache=tmp_path / "models")
    err = capsys.readouterr().err
    assert embedder.backend == "torch" and embedder.onnx_file is None
    assert err.count("\n") == 1 and err.startswith("rag: note: embedding with torch") and "onnx" in err
    assert embedder.embed(["a question"]).shape == (1, 384)
