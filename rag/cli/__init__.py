"""The ``rag`` command: each sub-command over the public API, user mistakes turned into one line."""
