"""The package layout: every sub-package ships, no import cycles, front-ends stay on the facade and the
modules of its types, the facade stays small."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rag"
# Besides the facade ``rag``, the library modules the front-ends may import: those whose types the facade's
# functions return or take (the data, settings, errors, the engine behind ``query``, ingest's report and the
# file reader, the timeline, the index's ledger rows), never retrieval, the answerers, the LLM clients or the
# index's machinery.
FACES = (
    "rag.schema",
    "rag.config",
    "rag.errors",
    "rag.answer.engine",
    "rag.ingestion.pipeline",
    "rag.ingestion.corpus",
    "rag.ingestion.encoding",  # bytes → text or why not: the UI's upload decides as ingest does
    "rag.news.timeline",
    "rag.index.store",
    "rag.markers",  # how Answer.text cites: the UI links its markers
)
# What each front-end may import: those, its own package and (the CLI) the evaluation library.
FRONT_ENDS = {"rag.cli": (*FACES, "rag.evaluation", "rag.cli"), "rag.ui": (*FACES, "rag.ui")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _imports() -> dict[str, set[str]]:
    """Each module of rag/ → the rag modules it imports, wherever in the file (function-level included)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def test_every_sub_package_is_declared_for_the_wheel() -> None:
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert on_disk <= declared, f"add to pyproject.toml's packages: {sorted(on_disk - declared)}"
    assert "rag.prompt_files" in declared


def test_no_module_imports_itself_back() -> None:
    graph = _imports()
    # The facade imports from the library's modules; a library module importing it would go round. Above the
    # facade stand the front-ends and the evaluation, which scores answers through the public ``rag.query()``.
    above = (*FRONT_ENDS, "rag.evaluation")
    inside = {m for m in graph if not m.startswith(above) and m != "rag"}
    facade_users = sorted(m for m in inside if "rag" in graph[m])
    assert not facade_users, f"library modules import the facade `rag`: {facade_users}"
    graph = {m: {t for t in targets if t != "rag"} for m, targets in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_front_ends_use_only_the_public_api() -> None:
    graph = _imports()
    wrong = []
    for module, targets in graph.items():
        for front, allowed in FRONT_ENDS.items():
            if module == front or module.startswith(front + "."):
                wrong += [f"{module} → {t}" for t in targets if t != "rag" and not _within(t, allowed)]
    assert not wrong, f"front-ends reach past the public API: {wrong}"


# The seed corpus's own words: a rule of rag/ that names them would exist because of five articles.
SEED_WORDS = re.compile(r"\b(thailand|cambodia|thai|cambodian|asean|kuala|journosnews|border length)\b", re.I)


def test_no_seed_word_outside_docstring_examples() -> None:
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts] + [ROOT / "app.py"]
    for path in files:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)) if path.suffix == ".py" else ():
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                docstring = body[0].value
                if isinstance(docstring, ast.Constant) and isinstance(docstring.value, str):
                    for n in range(docstring.lineno - 1, docstring.end_lineno or docstring.lineno):
                        lines[n] = ""
        found = [(n, line) for n, line in enumerate(lines, start=1) if SEED_WORDS.search(line)]
        assert not found, f"{path.relative_to(ROOT)}: {found}"


# What a script needs: the calls, the settings, the answer's types and the errors a caller catches. Anything
# else is imported from its own module.
PUBLIC = {
    "query",
    "stream",
    "ingest",
    "remove",
    "timeline",
    "Chat",
    "Settings",
    "Answer",
    "Citation",
    "RagError",
    "StoreError",
    "CorpusError",
    "LLMError",
    "ConfigError",
    "QuestionError",
    "IndexMissingError",
    "IndexMismatchError",
}


def test_the_facade_exports_what_a_script_needs_and_no_more() -> None:
    import rag

    assert sorted(rag.__all__) == sorted(PUBLIC) and len(rag.__all__) == len(PUBLIC)
    namespace: dict[str, object] = {}
    exec("from rag import *", namespace)
    assert {name for name in namespace if name != "__builtins__"} == PUBLIC
    assert all(getattr(rag, name) is namespace[name] for name in PUBLIC)
