"""Retrieval: a question → ranked ``Passage`` objects from the index (dense + BM25, fused)."""
