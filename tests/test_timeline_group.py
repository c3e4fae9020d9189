"""Timeline grouping is single linkage: mentions joined through a third one are one event, in any order."""

from __future__ import annotations

import itertools

import numpy as np

from rag.news.timeline import DatedMention, group
from rag.schema import Passage, Source, Span


def _mention(n: int, vector: list[float]) -> DatedMention:
    text = f"Sentence {n} about the accord."
    passage = Passage(f"c{n}", Source(f"a{n}.txt"), text, 0, len(text), (Span(text, 0, len(text)),))
    unit = np.array(vector) / np.linalg.norm(vector)
    return DatedMention("2026-02", "month", False, text, passage, 0, unit)


def test_a_chain_of_close_mentions_is_one_event_whatever_the_order() -> None:
    # a and c are far apart (cosine 0), each close to b (0.71): one event through b.
    a, b, c = _mention(1, [1, 0]), _mention(2, [1, 1]), _mention(3, [0, 1])
    for order in itertools.permutations([a, b, c]):
        (event,) = group(order, similarity=0.5)
        assert {cite.article_id for cite in event.citations} == {"a1.txt", "a2.txt", "a3.txt"}


def test_unrelated_mentions_of_one_date_stay_apart() -> None:
    events = group([_mention(1, [1, 0]), _mention(2, [0, 1])], similarity=0.5)
    assert len(events) == 2
