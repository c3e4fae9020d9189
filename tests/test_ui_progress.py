"""The UI's status line while an ingest runs: chunks embedded, then the rate and the time left."""

from pathlib import Path

from rag import Settings
from rag.ui.app import IngestJob


def test_the_status_line_gives_the_rate_and_time_left_once_batches_have_come_in(tmp_path: Path) -> None:
    now = [100.0]
    job = IngestJob(Settings(home=tmp_path), clock=lambda: now[0])
    job._progress(32, 432)  # the first batch: no rate yet
    assert job.message == "Indexing: 32/432 chunks embedded"
    now[0] += 1.0
    job._progress(64, 432)  # a second later: too soon to say
    assert job.message == "Indexing: 64/432 chunks embedded"
    now[0] += 9.0
    job._progress(232, 432)  # 200 chunks in 10 s: 20 a second, 200 left
    assert job.message == "Indexing: 232/432 chunks embedded, 20.0 chunks/s, about 00:10 left"
