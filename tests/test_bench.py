"""`rag bench`'s parts that are quick to run; the timings themselves are never asserted."""

from pathlib import Path

import pytest
from conftest import SEEDS

from rag import Settings
from rag.cli.main import main
from rag.evaluation.bench import TARGETS, _met, gold_questions, render, scale_run
from rag.index.store import Store


def test_the_scale_index_holds_n_synthetic_chunks_and_reports_every_mode(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "scale", corpus=SEEDS)
    results = scale_run(settings, 300, gold_questions()[:5])
    assert Store.open(settings).count() == 300
    for key in ("scale_retrieval_p50_ms", "scale_retrieval_p95_ms"):
        assert set(results[key]) == {"dense", "bm25", "hybrid"}  # type: ignore[arg-type]
    assert {"scale_build_s", "scale_peak_rss_mb", "scale_bm25_load_s", "scale_bm25_update_s"} <= results.keys()


def test_a_target_holds_for_every_mode_or_is_missed() -> None:
    assert _met("scale_retrieval_p95_ms", {"dense": 10.0, "bm25": 59.9, "hybrid": 30.0})
    assert not _met("scale_retrieval_p95_ms", {"dense": 10.0, "bm25": 61.0, "hybrid": 30.0})
    assert not _met("ingest_vs_torch_encode_ratio", 1.4)
    assert _met("ingest_vs_torch_encode_ratio", 1.5)
    assert "MISSED" in render({"noop_reingest_s": 1.5, "notes": ["random unit vectors"]})
    assert set(TARGETS) >= {"retrieval_p95_ms", "answer_p95_ms", "scale_peak_rss_mb"}


def test_outside_the_checkout_it_asks_for_a_question_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no eval/gold.jsonl here
    assert main(["bench", "--scale", "0"]) != 0
    error = capsys.readouterr().err
    assert "eval/gold.jsonl" in error and "--gold" in error and "Traceback" not in error
