"""Prompt text lives in files under ``prompts/``, never in Python strings.

The project's top-level ``prompts/`` folder is shipped inside the wheel as the package ``rag.prompt_files``
(``pyproject.toml`` maps it), so an installed copy finds its prompts wherever it runs; ``RAG_PROMPTS`` points
at a folder of the user's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Formatter

from rag.errors import ConfigError

# A plain folder both in an installed wheel and in an editable checkout (never a zip import).
DEFAULT_PROMPTS = Path(str(resources.files("rag.prompt_files")))


@cache
def load_text(folder: Path, name: str) -> str:
    """The text of ``folder/name``, stripped; a missing file is a configuration error."""
    path = folder / name
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(f"cannot read prompt file {path}: {error.strerror or error}") from None


@dataclass(frozen=True)
class Template:
    """A prompt file with ``{named}`` variables (``{{`` and ``}}`` for literal braces)."""

    path: Path
    text: str
    variables: frozenset[str]

    def format(self, **values: str) -> str:
        return self.text.format(**values)


@cache
def load_template(folder: Path, name: str, variables: frozenset[str]) -> Template:
    """``folder/name`` as a template that uses exactly ``variables``.

    Checked here, at load, so that a typo in a prompt file ("{qestion}") stops the program with the file and
    the variable named, instead of sending a model a broken prompt.
    """
    text = load_text(folder, name)
    path = folder / name
    try:
        found = {field for _, field, _, _ in Formatter().parse(text) if field is not None}
    except ValueError as error:
        raise ConfigError(f"prompt file {path} is not a valid template: {error}") from None
    for field in sorted(found):
        if not field.isidentifier():
            raise ConfigError(f"prompt file {path} has an invalid variable {{{field}}}; use {{{{ }}}} for braces")
    unknown = sorted(found - variables)
    if unknown:
        allowed = ", ".join(f"{{{v}}}" for v in sorted(variables))
        raise ConfigError(f"prompt file {path} has an unknown variable {{{unknown[0]}}} (allowed: {allowed})")
    missing = sorted(variables - found)
    if missing:
        raise ConfigError(f"prompt file {path} is missing the variable {{{missing[0]}}}")
    return Template(path, text, variables)
