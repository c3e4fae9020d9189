"""`rag remove` leaves nothing of the removed article to answer from (issue 27): no chunk, sentence or ledger
row, no BM25 entry, no line of `rag status` or `rag timeline`, and a question only it answered is refused,
through the CLI and through an engine that was open before the removal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import index_records

import rag
from rag import Settings
from rag.cli.main import main
from rag.index.lexical import terms
from rag.index.store import Store
from rag.ingestion.pipeline import lexical_index

REMOVED = "transfer-unveiled.txt"
ARTICLES = {
    REMOVED: (
        "Northbridge United unveil Tiago Valdemar after record transfer\n\n"
        "date 2026-02-06 By Maria Okafor, Northbridge Evening Post\n\n"
        "Northbridge United unveiled the Brazilian striker Tiago Valdemar on Friday after completing his transfer "
        "from Porto Alegre Athletic for a club-record fee of 38 million pounds.\n\n"
        "Valdemar, 24, signed a five-year contract and was handed the number nine shirt at a ceremony at the "
        "Riverside Stadium attended by about 6,000 supporters.\n\n"
        "Manager Ewan Gallagher said the forward would make his debut against Castlebury Rovers on 14 March, "
        "once his international clearance arrives.\n"
    ),
    "stadium-plans.txt": (
        "Northbridge United submit plans to expand Riverside Stadium\n\n"
        "date 2026-02-04 By Maria Okafor, Northbridge Evening Post\n\n"
        "Northbridge United have submitted plans to the city council to expand the Riverside Stadium from 31,000 "
        "to 42,000 seats.\n\n"
        "Chief executive Hannah Lindqvist said the expansion would cost about 90 million pounds and would be paid "
        "for with a bank loan.\n"
    ),
    "cup-draw.txt": (
        "Castlebury Rovers face Ashdown Town in cup quarter-final\n\n"
        "date 2026-02-09 By Sam Reyes, County Sports Desk\n\n"
        "Castlebury Rovers were drawn at home to Ashdown Town in the quarter-finals of the County Cup on Monday.\n\n"
        "The tie will be played on 2 April at Castlebury's Mill Lane ground, which holds 9,500 spectators.\n\n"
        "Ashdown Town's new goalkeeper, signed from Eastleigh in January, is expected to make his debut in the tie.\n"
    ),
}
# Each names what only the removed article says.
QUESTIONS = ("When will Tiago Valdemar make his debut?", "How much did Northbridge United pay for Valdemar?")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err, err
    return out


def test_a_removed_article_leaves_nothing_to_answer_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    home = tmp_path / "index"
    monkeypatch.setenv("RAG_HOME", str(home))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))
    settings = Settings.from_env()
    _run(capsys, "ingest")
    for question in QUESTIONS:  # answered from the article before: the refusals below are the removal's doing
        answer = json.loads(_run(capsys, "ask", question, "--json"))
        assert not answer["abstained"] and REMOVED in {c["article_id"] for c in answer["citations"]}
    assert REMOVED in _run(capsys, "timeline", "--json")
    # An engine open before the removal, as the UI's and `rag.query`'s is: nothing of the old index may stay in it.
    assert not rag.query(QUESTIONS[0], settings=settings).abstained

    assert _run(capsys, "remove", REMOVED).strip() == f"1 removed: {REMOVED}"

    for question in QUESTIONS:
        answer = json.loads(_run(capsys, "ask", question, "--json"))
        assert answer["abstained"] and answer["citations"] == [], answer["text"]
        assert REMOVED not in json.dumps(answer)
        assert "The indexed articles do not say." in _run(capsys, "ask", question)
    after = rag.query(QUESTIONS[0], settings=settings)
    assert after.abstained and not after.citations

    status = json.loads(_run(capsys, "status", "--json"))
    assert sorted(a["article_id"] for a in status["indexed"]) == ["cup-draw.txt", "stadium-plans.txt"]
    assert REMOVED not in json.dumps(status) and "Valdemar" not in json.dumps(status)
    events = _run(capsys, "timeline", "--json")
    assert "Valdemar" not in events and REMOVED not in events and "cup-draw.txt" in events

    store = Store.open(settings)
    assert set(store.ledger()) == {"cup-draw.txt", "stadium-plans.txt"}
    assert store.chunk_ids(REMOVED) == []
    remaining = {i for a in store.ledger() for i in store.chunk_ids(a)}
    lexical = lexical_index(settings, store, store.generation())
    assert set(lexical.chunk_ids) == remaining
    assert lexical.holding_all(terms("Valdemar")) == []
    assert {i for i, _ in lexical.search("Tiago Valdemar debut", 10)} <= remaining
    records = index_records(home)  # every row of the chunks, sentences and articles collections
    for name, rows in records.items():
        assert rows, name
        for row_id, text, metadata in rows:
            assert "Valdemar" not in (text or "") and row_id != REMOVED, (name, row_id)
            assert ("article_id", REMOVED) not in metadata, (name, row_id)

    # Files in the index folder: the keyword index and the language layer's cache of parses keep no trace.
    # Chroma's own write-ahead log (in chroma.sqlite3, purged only when its vector segments next persist)
    # may: it cannot bring the article back into an answer.
    kept = {home / "chroma" / "chroma.sqlite3"}
    traces = [p for p in home.rglob("*") if p.is_file() and p not in kept and b"Valdemar" in p.read_bytes()]
    assert traces == []
