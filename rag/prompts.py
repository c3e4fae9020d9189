"""Prompt text lives in files under ``prompts/``, never in Python strings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import ConfigError

# The project's prompts folder: beside the package in a checkout or an editable install.
DEFAULT_PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


@cache
def load_text(folder: Path, name: str) -> str:
    """The text of ``folder/name``, stripped; a missing file is a configuration error."""
    path = folder / name
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(f"cannot read prompt file {path}: {error.strerror or error}") from None
