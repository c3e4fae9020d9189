from rag import Settings
from rag.answer.engine import RERANK_POOL
from rag.index.embedding import load_embedder
from rag.index.store import Store
from rag.ingestion.pipeline import lexical_index
from rag.retrieval.search import fuse, retrieve


def _retrieve(settings: Settings, question: str, k: int = 6):  # type: ignore[no-untyped-def]
    store = Store.open(settings)
    return retrieve(
        question,
        k=k,
        store=store,
        lexical=lexical_index(settings, store, store.generation()),
        embedder=load_embedder(settings),
    )


def test_fusion_rewards_agreement_between_rankings() -> None:
    fused = dict(fuse([["a", "b", "c"], ["c", "b"]]))
    assert fused["b"] > fused["a"]
    assert fused["c"] > fused["a"]
    assert max(fused.values()) <= 1.0


def test_a_rare_keyword_finds_its_passage_first(seed_settings: Settings) -> None:
    found = _retrieve(seed_settings, "Zambia")
    assert found.passages[0].article_id == "003_bfbc2abef2fd135d.txt"
    assert "Zambia" in found.passages[0].text
    assert found.passages[0].lexical_score is not None


def test_a_paraphrase_is_found_by_meaning(seed_settings: Settings) -> None:
    found = _retrieve(seed_settings, "Which warplanes bombed Cambodia?")
    assert any("F-16" in p.text or "fighter jets" in p.text for p in found.passages[:3])


def test_the_answerers_pool_for_a_figure_spans_several_articles(seed_settings: Settings) -> None:
    # what the answerer reads for six passages shown: every article's figure can be compared
    found = _retrieve(seed_settings, "How many people have died?", k=RERANK_POOL * 6)
    assert len({p.article_id for p in found.passages}) >= 4


def test_passages_carry_scores_and_article_facts(seed_settings: Settings) -> None:
    found = _retrieve(seed_settings, "What did the CNN interview with the Thai foreign minister say?", k=4)
    assert len(found.passages) == 4
    scores = [p.score for p in found.passages]
    assert all(0 < s <= 1 for s in scores)
    cnn = [p for p in found.passages if p.article_id == "000_1e4ec062dc75476f.txt"]
    assert cnn and cnn[0].outlet == "CNN" and cnn[0].published == "2025-12-09"
