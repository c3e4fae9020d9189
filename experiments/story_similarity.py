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
``--sets`` names the labelled sets to read (``fixtures`` alone is a quick run: ten short articles) and
``--limit N`` asks only the first N questions of each corpus.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
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
SETS = ("seeds", "norvania", "fixtures")
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


def labelled_pairs(sets: Sequence[str], home: Path, limit: int = 0) -> list[tuple[bool, float]]:
    """(one story?, similarity) for the pairs of the labelled sets named (seeds, norvania, fixtures), their
    indexes kept in ``home``; ``limit`` asks only the first N questions (or titles) of each corpus."""
    labelled: list[tuple[bool, float]] = []
    if "seeds" in sets:
        seeds = _indexed(ROOT / "seeds", home / "seeds")
        questions = [i.question for i in load_gold(ROOT / "eval" / "gold.jsonl")][: limit or None]
        labelled += [(True, s) for _, _, s in pairs(seeds, questions)]
    if "norvania" in sets:
        norvania = _indexed(ROOT / "eval" / "norvania" / "corpus", home / "norvania")
        questions = [i.question for i in load_gold(ROOT / "eval" / "norvania" / "gold.jsonl")][: limit or None]
        labelled += [(NORVANIA_STORIES[a] == NORVANIA_STORIES[b], s) for a, b, s in pairs(norvania, questions)]
    if "fixtures" in sets:
        for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
            engine = _indexed(folder, home / folder.name)
            titles = [article.title for article in load_corpus(folder).articles if article.title][: limit or None]
            labelled += [
                (FIXTURE_STORIES.get(a, folder.name) == FIXTURE_STORIES.get(b, folder.name), s)
                for a, b, s in pairs(engine, titles)
            ]
    return labelled


def best_threshold(same: np.ndarray, other: np.ndarray) -> float:
    """The threshold that admits the most same-story pairs less different-story ones; on a tie the higher: it
    lets in the fewest articles that do not name what the question names."""
    return max(THRESHOLDS, key=lambda t: (np.mean(same >= t) - np.mean(other >= t), t))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--newsqa", nargs=3, metavar=("GOLD", "CORPUS", "HOME"))
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS), help="the labelled sets (default all)")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="the first N questions of each corpus")
    parser.add_argument("--home", type=Path, help="keep the labelled sets' indexes here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        labelled = labelled_pairs(args.sets, args.home or Path(scratch), args.limit)
    same = np.asarray([s for same, s in labelled if same])
    other = np.asarray([s for same, s in labelled if not same])
    if not len(same) or not len(other):
        print(f"pairs: {len(same)} of one story, {len(other)} of two: both kinds are needed to choose a threshold")
        return 1
    unlabelled = np.zeros(0)
    if args.newsqa:
        gold, corpus, home = args.newsqa
        engine = Engine(Settings(home=Path(home), corpus=Path(corpus)))
        questions = [i.question for i in load_gold(Path(gold))][: args.limit or None]
        unlabelled = np.asarray([s for _, _, s in pairs(engine, questions)])
    print(f"pairs: {len(same)} of one story, {len(other)} of two, {len(unlabelled)} NewsQA (unlabelled)")
    print("threshold\tsame story admitted\tother story admitted\tNewsQA pairs admitted")
    for t in THRESHOLDS:
        newsqa = f"{np.mean(unlabelled >= t):.3f}" if len(unlabelled) else "–"
        print(f"{t:.2f}\t{np.mean(same >= t):.3f}\t{np.mean(other >= t):.3f}\t{newsqa}")
    print(f"\nbest separation: STORY_SIMILARITY = {best_threshold(same, other)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
