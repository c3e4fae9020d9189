"""Ingestion, the first step: files → ``Article`` (corpus) → ``Chunk`` (chunking), indexed incrementally (pipeline)."""
