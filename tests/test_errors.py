"""The errors form a small tree: a caller catches a whole group by its parent, or everything by RagError."""

from __future__ import annotations

import builtins
import inspect

import pytest

from rag import errors
from rag.errors import CorpusError, LLMError, RagError, StoreError

GROUPS = {
    StoreError: {
        "IndexMissingError",
        "IndexMismatchError",
        "IndexCorruptError",
        "IndexBusyError",
        "IndexPermissionError",
        "DiskFullError",
        "ReadOnlyIndexError",
        "StoreUnavailableError",
        "StoreServerError",
    },
    CorpusError: set(),
    LLMError: set(),
}
ALONE = {"ConfigError", "QuestionError", "EvaluationError"}  # directly under RagError, with no children


def _classes() -> dict[str, type[RagError]]:
    return {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, RagError) and cls is not RagError
    }


def test_every_error_sits_in_one_place_of_the_tree() -> None:
    classes = _classes()
    children = {name for members in GROUPS.values() for name in members}
    assert set(classes) == children | {g.__name__ for g in GROUPS} | ALONE
    for name, cls in classes.items():
        parent = next((g for g, members in GROUPS.items() if name in members), RagError)
        assert cls.__bases__ == (parent,), f"{name} derives from {cls.__bases__}, not {parent.__name__}"


@pytest.mark.parametrize("group", GROUPS)
def test_catching_a_group_catches_each_of_its_errors(group: type[RagError]) -> None:
    for name in GROUPS[group]:
        with pytest.raises(group, match="the message"):
            raise getattr(errors, name)("the message")


def test_no_group_and_no_error_shadows_a_builtin() -> None:
    shadowed = set(_classes()) & set(dir(builtins))
    assert not shadowed, f"these names hide Python's own: {sorted(shadowed)}"
