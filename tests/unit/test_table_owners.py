"""Every table has one owner in `models/`, the only module that writes it.

Reads may join other tables (a delivery target is an actor's inbox), but an INSERT, UPDATE,
DELETE or a sqlite-utils table write (`store.db.table("t")`, `store.db["t"]`) of a table
appears in its owner only.
A new table needs an entry in OWNERS, so nobody adds one without saying who keeps it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mitwirken.models.store import Store

ROOT = Path(__file__).resolve().parents[2]

OWNERS = {
    "instance": "actors",
    "actors": "actors",
    "api_tokens": "actors",
    "opportunities": "content_store",
    "practices": "content_store",
    "followers": "follows",
    "following": "follows",
    "interactions": "interactions",
    "responses": "responses",
    "response_messages": "responses",
    "mails": "mails",
    "remote_actors": "remote_actors",
    "remote_objects": "remote_content",
    "adoptions": "remote_content",
    "outbox": "outbox",
    "tombstones": "outbox",
    "domain_blocks": "domain_policy",
    "federation_settings": "domain_policy",
    "audit_log": "audit",
    "reports": "reports",
    "actor_blocks": "actor_blocks",
    "instances": "instances",
    "deliveries": "deliveries",
    "domain_health": "deliveries",
    "inbox_items": "inbox_items",
    "backfills": "backfills",
    "change_counters": "change_counters",
    "search_items": "search",
    "search_text": "search",
    "search_terms": "search",
    "search_words": "search",
    "accounts": "accounts",
    "account_orgs": "accounts",
    "password_links": "accounts",
    "sessions": "sessions",
    "login_failures": "sessions",
}

WRITE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)",
    re.IGNORECASE)


def written_tables(source: str) -> set[str]:
    """Tables a module writes: SQL write statements in its string constants, and sqlite-utils
    writes through `….db.table("table")` or `….db["table"]`. (`UPDATE {table}` with a variable
    counts as its f-string's literal part only; content_store is the one module doing that.)"""
    tree = ast.parse(source)
    tables: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            tables.update(t.lower() for t in WRITE.findall(node.value))
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "db" and isinstance(node.slice, ast.Constant)
              and isinstance(node.slice.value, str)):
            tables.add(node.slice.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "table" and isinstance(node.func.value, ast.Attribute)
              and node.func.value.attr == "db" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            tables.add(node.args[0].value)
    return tables


def model_modules() -> dict[str, str]:
    """module name (relative to models/, dotted) → source, migrations excluded (they create
    and reshape tables; they are frozen history, not owners)."""
    out = {}
    for path in sorted((ROOT / "models").rglob("*.py")):
        rel = path.relative_to(ROOT / "models").with_suffix("")
        if rel.parts[0] == "migrations":
            continue
        out[".".join(rel.parts)] = path.read_text("utf-8")
    return out


def test_every_table_has_a_declared_owner():
    store = Store.memory()
    tables = {r["name"] for r in store.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'search_text_%' "
        "AND name NOT LIKE 'search_words_infix%'")}
    store.close()
    assert tables == set(OWNERS)


def test_only_the_owner_writes_a_table():
    violations = []
    for module, source in model_modules().items():
        for table in written_tables(source):
            if table not in OWNERS:
                continue  # e.g. a word after UPDATE in a docstring
            if OWNERS[table] != module:
                violations.append(f"models/{module}.py writes {table} "
                                  f"(owner: models/{OWNERS[table]}.py)")
    assert violations == []


def test_every_owner_exists_and_writes_its_tables():
    modules = model_modules()
    for table, owner in OWNERS.items():
        assert owner in modules, f"owner of {table} missing: models/{owner}.py"
    written = {m: written_tables(s) for m, s in modules.items()}
    unwritten = [t for t, o in OWNERS.items() if t not in written[o]
                 and t not in ("opportunities", "practices")  # db.table(table), by kind
                 and t != "change_counters"]  # written only by the triggers of m015
    assert unwritten == []


def test_checker_sees_statements_and_table_writes():
    source = (
        'def f(store):\n'
        '    store.execute("INSERT OR IGNORE INTO interactions (id) VALUES (?)")\n'
        '    store.execute("update deliveries SET state = ?")\n'
        '    store.execute("DELETE FROM \\"outbox\\" WHERE id = ?")\n'
        '    store.db["remote_objects"].upsert({})\n'
        '    store.db.table("adoptions").insert({})\n'
        '    store.all("SELECT * FROM followers JOIN actors")\n')
    assert written_tables(source) == {"interactions", "deliveries", "outbox", "remote_objects",
                                      "adoptions"}
