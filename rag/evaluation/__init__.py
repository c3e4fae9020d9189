"""Answer-quality evaluation: a gold question set, metrics, a runner, a report and a regression gate.

``gold`` reads the questions, ``metrics`` scores one answer or a list of them, ``runner`` puts the gold set
through ``rag.query()``, ``judge`` adds LLM-judged scores when a model is at hand, ``report`` writes the
table, JSON, Markdown and chart, and ``gate`` compares the scores with ``eval/thresholds.toml``.
"""
