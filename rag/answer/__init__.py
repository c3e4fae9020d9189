"""Answering: question + passages → ``Answer`` (engine, the extractive answerer, conversations, follow-ups)."""
