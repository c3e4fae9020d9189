"""The default prompt and wording files, shipped in the wheel as ``rag.prompt_files`` (see rag/prompts.py)."""
