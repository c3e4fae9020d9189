"""The gold set itself: well formed, big enough, and every evidence string really in its article."""

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import NEWS_FIXTURES, NEWS_GOLD, SEEDS

from rag.errors import EvaluationError
from rag.evaluation.gold import KINDS, load_gold
from rag.text import collapse_whitespace

ITEMS = load_gold()


def test_the_gold_set_has_every_kind_in_the_numbers_the_issue_asks_for() -> None:
    kinds = Counter(item.kind for item in ITEMS)
    assert len(ITEMS) >= 60
    assert sum(item.abstain for item in ITEMS) >= 10
    assert kinds["conflict"] >= 6
    assert kinds["multi-source"] >= 4
    assert set(kinds) == set(KINDS)


EVAL = SEEDS.parent / "eval"
OWN = Path(__file__).resolve().parent / "fixtures" / "seed_questions" / "gold.jsonl"
# Every gold set with the folder its articles are in: the seeds', the development sets written here, and the
# questions the tests wrote (on the seeds, and on tests/fixtures/news, whose articles sit in sub-folders).
SETS = [(ITEMS, SEEDS)] + [
    (load_gold(EVAL / name / "gold.jsonl"), EVAL / name / "corpus") for name in ("norvania", "briefs")
]
SETS += [(load_gold(OWN), SEEDS), (load_gold(NEWS_GOLD), NEWS_FIXTURES)]


@pytest.mark.parametrize(
    ("item", "corpus"), [(i, c) for items, c in SETS for i in items], ids=[i.id for items, _ in SETS for i in items]
)
def test_every_evidence_string_is_in_one_of_its_gold_articles(item, corpus) -> None:  # type: ignore[no-untyped-def]
    paths = [next(corpus.rglob(name)) for name in item.articles]
    texts = [collapse_whitespace(path.read_text(encoding="utf-8")) for path in paths]
    assert texts or item.abstain
    for evidence in item.evidence:
        assert any(collapse_whitespace(evidence) in text for text in texts), evidence
    # one of the accepted answers ("six" or "6") is written in an article it comes from
    assert not item.answers or any(a.lower() in t.lower() for a in item.answers for t in texts), item.answers


def test_multi_source_items_need_two_articles() -> None:
    for item in ITEMS:
        if item.kind == "multi-source":
            assert len(item.articles) >= 2, item.id


def test_a_malformed_gold_file_is_refused_with_its_line(tmp_path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "x", "kind": "fact"}\n')
    with pytest.raises(EvaluationError, match=r"gold.jsonl:1: missing"):
        load_gold(path)
    gossip = {"id": "x", "kind": "gossip", "question": "?", "articles": [], "evidence": [], "answers": []}
    path.write_text(json.dumps(gossip | {"abstain": True}) + "\n")
    with pytest.raises(EvaluationError, match="kind must be one of"):
        load_gold(path)
    path.write_text(json.dumps(gossip | {"kind": "conflict", "articles": ["a"], "answers": ["8"], "abstain": False}))
    with pytest.raises(EvaluationError, match="one evidence string per differing figure"):
        load_gold(path)
