"""Import structure: no cycles between project modules, and no imports inside functions.

An import inside a function is how a cycle is usually hidden; both rules together keep the
dependency graph a tree that a newcomer can read top-down (and `python -X importtime` honest).
Modules are named as installed: `models/store.py` is `mitwirken.models.store`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("models", "federation", "server")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["mitwirken", *parts])


def project_files() -> list[Path]:
    return [p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))]


def imports_of(tree: ast.AST, known: set[str]) -> set[str]:
    """Project modules a module imports (`from a import b` counts `a.b` when that is a module)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in known:
                out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names
                       if f"{node.module}.{a.name}" in known)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def package_parents(name: str, known: set[str]) -> set[str]:
    """Importing `a.b.c` runs `a/__init__` and `a/b/__init__` first: they are edges too."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts))} & known


def graph() -> dict[str, set[str]]:
    files = project_files()
    known = {module_name(p) for p in files}
    edges = {}
    for path in files:
        name = module_name(path)
        edges[name] = imports_of(ast.parse(path.read_text("utf-8")), known) - {name}
    return edges


def test_no_import_cycle():
    assert find_cycle(graph()) is None


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def function_level_imports(tree: ast.AST) -> list[int]:
    """Line numbers of imports inside a function body (type-checking blocks excepted)."""
    lines = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import | ast.ImportFrom):
                lines.append(node.lineno)
    return lines


def test_no_imports_inside_functions():
    found = []
    for path in project_files():
        for line in function_level_imports(ast.parse(path.read_text("utf-8"))):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []


def test_function_level_import_is_seen():
    tree = ast.parse("import os\n\ndef f():\n    from json import dumps\n    return dumps\n")
    assert function_level_imports(tree) == [4]
