"""Issue 13, problem 1: `rag ingest PATH` adds to what is indexed, `rag remove` takes articles out,
`rag status` lists the sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from rag import CorpusError, Settings, ingest, query, remove
from rag.cli.main import main
from rag.index.store import Store

# Every test here runs twice: on the local database and on a real `chroma run` (see conftest.backend).
pytestmark = pytest.mark.usefixtures("backend")

LAKE = (
    "---\ntitle: Lake Varen falls to a record low\ndate: March 5, 2026\noutlet: Lakeside Gazette\n---\n"
    "The water level of Lake Varen fell by 40 centimetres in February, the regional water authority said on "
    "Thursday. Ferries between Ostby and Kell were suspended because the harbour at Kell is too shallow for them.\n"
)
MARKET = (
    "Grain prices steady\nBy Ana Ruiz | Valley Courier | 4 March 2026\n\n"
    "Wheat traded at 212 euros a tonne at the Ostby grain exchange on Wednesday, unchanged from last week.\n"
)
FERRIES = "Why were the ferries between Ostby and Kell suspended?"
JETS = "Which jets did Thailand fly in its airstrikes?"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "lake.md").write_text(LAKE, encoding="utf-8")
    (folder / "market.txt").write_text(MARKET, encoding="utf-8")
    return folder


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def _use(monkeypatch: pytest.MonkeyPatch, home: Path, corpus: Path) -> Settings:
    monkeypatch.setenv("RAG_HOME", str(home))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))
    return Settings.from_env()


def test_ingesting_a_second_folder_adds_it_and_both_answer(
    tmp_path: Path, seeds: Path, notes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _use(monkeypatch, tmp_path / "index", seeds)
    assert main(["ingest", str(seeds)]) == 0
    assert main(["ingest", str(notes)]) == 0
    assert "2 added, 0 updated, 0 removed, 0 unchanged" in capsys.readouterr().out
    # A plain `rag ingest` (RAG_CORPUS, the seeds) leaves the notes in.
    assert main(["ingest"]) == 0
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in capsys.readouterr().out

    ferries = query(FERRIES, settings=settings)
    assert not ferries.abstained and ferries.citations[0].article_id == "lake.md" and "shallow" in ferries.text
    jets = query(JETS, settings=settings)
    assert not jets.abstained and any(c.article_id.startswith("003_") and "F-16" in c.quote for c in jets.citations)

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"source: {seeds} (5 articles)" in out and f"source: {notes} (2 articles)" in out
    assert "lake.md" in out and "Lakeside Gazette, 5 Mar 2026" in out
    assert main(["status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {s["source"]: len(s["articles"]) for s in data["sources"]} == {str(seeds): 5, str(notes): 2}


def test_a_vanished_file_leaves_only_when_its_folder_is_scanned(tmp_path: Path, seeds: Path, notes: Path) -> None:
    settings = Settings.from_env(home=tmp_path / "index", corpus=seeds)  # RAG_CHROMA_URL applies on the server run
    ingest(settings, [notes])
    ingest(settings, [seeds / "003_bfbc2abef2fd135d.txt"])
    (notes / "market.txt").unlink()
    assert ingest(settings, [seeds / "003_bfbc2abef2fd135d.txt"]).removed == ()
    assert "market.txt" in Store.open(settings).ledger()
    report = ingest(settings, [notes])
    assert report.removed == ("market.txt",) and report.unchanged == ("lake.md",)
    assert sorted(Store.open(settings).ledger()) == ["003_bfbc2abef2fd135d.txt", "lake.md"]


def test_remove_by_id_and_by_path_keeps_the_files(tmp_path: Path, seeds: Path, notes: Path) -> None:
    settings = Settings.from_env(home=tmp_path / "index", corpus=seeds)
    ingest(settings, [notes, seeds / "000_1e4ec062dc75476f.txt", seeds / "003_bfbc2abef2fd135d.txt"])
    assert remove(settings, ["market.txt"]).removed == ("market.txt",)
    assert remove(settings, [str(seeds)]).removed == ("000_1e4ec062dc75476f.txt", "003_bfbc2abef2fd135d.txt")
    assert sorted(Store.open(settings).ledger()) == ["lake.md"]
    assert (notes / "market.txt").exists() and (seeds / "000_1e4ec062dc75476f.txt").exists()
    answer = query(JETS, settings=settings)
    assert not any(c.article_id.startswith("003_") for c in answer.citations)
    with pytest.raises(CorpusError, match=r"nothing indexed is 'market\.txt'"):
        remove(settings, ["market.txt", "lake.md"])
    assert sorted(Store.open(settings).ledger()) == ["lake.md"], "a bad target removes nothing"


def test_a_file_of_the_same_name_elsewhere_is_refused_not_swapped(tmp_path: Path, notes: Path) -> None:
    settings = Settings.from_env(home=tmp_path / "index", corpus=notes)
    ingest(settings, [notes])
    other = tmp_path / "other"
    other.mkdir()
    (other / "lake.md").write_text(MARKET, encoding="utf-8")
    with pytest.raises(CorpusError, match="same file name as the indexed"):
        ingest(settings, [other])
    assert Store.open(settings).ledger()["lake.md"].path == str(notes / "lake.md")


def test_rag_remove_and_a_missing_target_are_one_line(
    tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(monkeypatch, tmp_path / "index", notes)
    assert main(["ingest", str(notes)]) == 0
    assert main(["remove", "lake.md"]) == 0
    assert "1 removed: lake.md" in capsys.readouterr().out
    assert main(["remove", "lake.md"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing indexed is 'lake.md'" in err
