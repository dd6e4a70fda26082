"""The layer rule: models ← federation ← server. Nothing imports upward.

The three folders install as `mitwirken.models`, `mitwirken.federation` and `mitwirken.server`;
a bare `import models` would be a second copy of the same code (and a name that collides with
other software in site-packages), so it is refused everywhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("models", "federation", "server")
FORBIDDEN = {"models": {"federation", "server", "aiohttp"}, "federation": {"server"}}
SOURCES = [*LAYERS, "tests", "bench"]


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name imported by the file (``from a.b import c`` gives ``a.b``)."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_of(module: str) -> str:
    """`mitwirken.federation.inbox` → `federation`; third-party `aiohttp.web` → `aiohttp`."""
    parts = module.split(".")
    if parts[0] == "mitwirken" and len(parts) > 1:
        return parts[1]
    return parts[0]


def python_files(*folders: str) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        files += [p for p in sorted((ROOT / folder).rglob("*.py"))
                  if "node_modules" not in p.parts]
    return files


def test_no_upward_imports():
    violations = []
    for layer, forbidden in FORBIDDEN.items():
        files = python_files(layer)
        assert files, f"no files in {layer}/"
        for path in files:
            bad = {layer_of(m) for m in imported_modules(path)} & forbidden
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert violations == []


def test_project_code_is_imported_under_one_name():
    violations = []
    for path in python_files(*SOURCES):
        bare = {m for m in imported_modules(path) if m.split(".")[0] in LAYERS}
        if bare:
            violations.append(f"{path.relative_to(ROOT)} imports {sorted(bare)}")
    assert violations == []


def test_checker_detects_a_violation(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from mitwirken.server.app import create_app\nimport federation.urls\n")
    modules = imported_modules(sample)
    assert modules == {"mitwirken.server.app", "federation.urls"}
    assert {layer_of(m) for m in modules} == {"server", "federation"}


# --- no HTTP session outside the factory --------------------------------------------------

SESSION_FACTORY = ROOT / "server" / "http_client.py"


def session_constructions(path: Path) -> list[int]:
    """Lines where the file calls `ClientSession(...)` or `<module>.ClientSession(...)` (an
    annotation such as `session: aiohttp.ClientSession` is no call and does not count)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "ClientSession"
                    or isinstance(func, ast.Attribute) and func.attr == "ClientSession"):
                lines.append(node.lineno)
    return sorted(lines)


def test_http_sessions_come_from_the_one_factory():
    violations = [f"{path.relative_to(ROOT)}:{line}" for path in python_files(*LAYERS)
                  if path != SESSION_FACTORY for line in session_constructions(path)]
    assert violations == []
    assert session_constructions(SESSION_FACTORY), "the factory itself constructs one"


def test_session_checker_detects_a_construction(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import aiohttp\nfrom aiohttp import ClientSession\n\n"
                      "def f(session: aiohttp.ClientSession) -> None:\n"
                      "    a = aiohttp.ClientSession()\n"
                      "    b = ClientSession(timeout=None)\n")
    assert session_constructions(sample) == [5, 6]


SQL_START = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA|CREATE|DROP|ALTER|WITH|BEGIN|COMMIT|"
    r"ROLLBACK|VACUUM|ATTACH)\b")
SQL_CALLS = {"execute", "executemany", "executescript"}


def sql_uses(source: str) -> list[str]:
    """Where a module runs SQL itself: SQL text in a string (f-string parts included), a call
    of `execute…`, the sqlite-utils database behind a store (`.db`), or `sqlite_utils`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and SQL_START.match(node.value):
            found.append(f"{node.lineno}: SQL text {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in SQL_CALLS:
            found.append(f"{node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            found.append(f"{node.lineno}: .db")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            if any(n.split(".")[0] == "sqlite_utils" for n in names):
                found.append(f"{node.lineno}: imports sqlite_utils")
    return found


def test_no_sql_outside_models():
    violations = []
    for path in python_files("federation", "server"):
        violations += [f"{path.relative_to(ROOT)}:{use}"
                       for use in sql_uses(path.read_text("utf-8"))]
    assert violations == []


def test_sql_checker_sees_each_kind_of_use():
    source = ('import sqlite_utils\n'
              'def f(store, n):\n'
              '    store.execute("UPDATE deliveries SET state = ?")\n'
              '    store.all(f"SELECT id FROM t LIMIT {n}")\n'
              '    store.db["outbox"].insert({})\n'
              '    return "Select a city"\n')
    uses = sql_uses(source)
    assert [u.split(":")[0] for u in uses] == ["1", "3", "3", "4", "5"]


def test_the_tests_run_this_checkout():
    """The editable install maps `mitwirken.*` to these folders, so the suite tests the code
    beside it (and subprocesses started with this interpreter do too)."""
    import mitwirken.federation
    import mitwirken.models
    import mitwirken.server

    for package, folder in ((mitwirken.models, "models"), (mitwirken.federation, "federation"),
                            (mitwirken.server, "server")):
        assert Path(package.__file__).resolve().parent == ROOT / folder
