"""Re-derive ``rag.answer.scorer.STORY_SIMILARITY``: how alike in meaning two articles' retrieved sentences
are when the articles tell the same story, and when they do not.

    PYTHONPATH=. python experiments/story_similarity.py [--newsqa GOLD CORPUS HOME]

Every question of the seeds' and norvania's gold sets, and every article title of the news fixtures asked as
a question, is retrieved as the answerer retrieves it; each pair of articles in its pool is one pair, with
the similarity ``scorer.same_story`` compares with the threshold. Which articles tell one story is written
below (all five seeds tell one; norvania's and the fixtures' folders tell several). The threshold kept is
the one that best separates the two kinds of pairs (the most same-story pairs admitted less different-story
ones; on a tie, the higher). ``--newsqa`` adds NewsQA's pairs for comparison: unlabelled, mostly of
different stories, but some of its CNN stories report one event, so they are not used to choose.
"""

from __future__ import annotations

import argparse
import tempfile
from itertools import combinations
from pathlib import Path

import numpy as np

from rag import Settings, ingest
from rag.answer.engine import Engine
from rag.answer.scorer import article_centroids
from rag.evaluation.gold import load_gold
from rag.ingestion.corpus import load_corpus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "news"
NORVANIA_STORIES = {
    "election-recount.txt": "election",
    "election-result.txt": "election",
    "marathon.txt": "marathon",
    "port-trial.txt": "trial",
    "quake-day1.txt": "quake",
    "quake-day4.txt": "quake",
    "rate-cut.txt": "rates",
}
FIXTURE_STORIES = {"merger.md": "merger", "receiver.md": "signing", "rates.md": "rates"}  # deals: three; others one
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def pairs(engine: Engine, questions: list[str]) -> list[tuple[str, str, float]]:
    """(article, article, similarity) for each pair of articles in each question's pool."""
    found = []
    for question in questions:
        reading = engine.read(question)
        centroid = article_centroids(reading.retrieval.passages, reading.sentence_vectors)
        for a, b in combinations(sorted(centroid), 2):
            found.append((a, b, float(centroid[a] @ centroid[b])))
    return found


def _indexed(corpus: Path, home: Path) -> Engine:
    engine = Engine(Settings(home=home, corpus=corpus))
    ingest(engine.settings)
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--newsqa", nargs=3, metavar=("GOLD", "CORPUS", "HOME"))
    args = parser.parse_args()
    labelled: list[tuple[bool, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        seeds = _indexed(ROOT / "seeds", Path(scratch) / "seeds")
        questions = [i.question for i in load_gold(ROOT / "eval" / "gold.jsonl")]
        labelled += [(True, s) for _, _, s in pairs(seeds, questions)]
        norvania = _indexed(ROOT / "eval" / "norvania" / "corpus", Path(scratch) / "norvania")
        questions = [i.question for i in load_gold(ROOT / "eval" / "norvania" / "gold.jsonl")]
        labelled += [(NORVANIA_STORIES[a] == NORVANIA_STORIES[b], s) for a, b, s in pairs(norvania, questions)]
        for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
            engine = _indexed(folder, Path(scratch) / folder.name)
            titles = [article.title for article in load_corpus(folder).articles if article.title]
            labelled += [
                (FIXTURE_STORIES.get(a, folder.name) == FIXTURE_STORIES.get(b, folder.name), s)
                for a, b, s in pairs(engine, titles)
            ]
    same = np.asarray([s for same, s in labelled if same])
    other = np.asarray([s for same, s in labelled if not same])
    unlabelled = np.zeros(0)
    if args.newsqa:
        gold, corpus, home = args.newsqa
        engine = Engine(Settings(home=Path(home), corpus=Path(corpus)))
        unlabelled = np.asarray([s for _, _, s in pairs(engine, [i.question for i in load_gold(Path(gold))])])
    print(f"pairs: {len(same)} of one story, {len(other)} of two, {len(unlabelled)} NewsQA (unlabelled)")
    print("threshold\tsame story admitted\tother story admitted\tNewsQA pairs admitted")
    for t in THRESHOLDS:
        newsqa = f"{np.mean(unlabelled >= t):.3f}" if len(unlabelled) else "–"
        print(f"{t:.2f}\t{np.mean(same >= t):.3f}\t{np.mean(other >= t):.3f}\t{newsqa}")
    # On a tie the higher: it lets in the fewest articles that do not name what the question names.
    best = max(THRESHOLDS, key=lambda t: (np.mean(same >= t) - np.mean(other >= t), t))
    print(f"\nbest separation: STORY_SIMILARITY = {best}")


if __name__ == "__main__":
    main()
