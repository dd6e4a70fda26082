"""Frozen migrations: each migration carries private copies of the code it needs, so a later
change to `models/search.py` or `models/store.py` can never change what an old migration does.

The copies must do exactly what the live code did when they were taken. Two dumps were written
with the code as it stood before the freeze (migrations m001–m006 calling `models/search.py`)
and are compared here against what the frozen migrations produce:

* `schema_m006.sql`: `sqlite_master` of a fresh database migrated up to m006;
* `search_m006.json`: the search tables of a database seeded as a release before m004 left it
  (first FTS table, folded text), then migrated through m004 and m006 — which rewrite data.

Any migration added later only adds to the schema: the last test checks that the full schema
is the m006 one plus exactly what the newer migrations declare."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import sqlite_utils

from mitwirken.models.migrations import MIGRATIONS, ORDER

HERE = Path(__file__).resolve().parent
FOLDER = HERE.parents[1] / "models" / "migrations"
FROZEN_UP_TO = "m006_search_text"


def schema_dump(db: sqlite_utils.Database) -> str:
    """Every schema object, one block each, in a stable order."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                      "ORDER BY type, name").fetchall()
    return "".join(f"-- {type_} {name} ON {table}\n{sql};\n\n" for type_, name, table, sql in rows)


def search_dump(db: sqlite_utils.Database) -> dict:
    """The search tables after migrating: rowids, rounded hours, the full-text rows, the terms."""
    def rows(sql: str) -> list[list]:
        return [list(r) for r in db.execute(sql).fetchall()]

    return {
        "search_items": rows("SELECT rowid, ap_id, hours_per_week FROM search_items "
                             "ORDER BY rowid"),
        "search_text": rows("SELECT rowid, title, body, tags FROM search_text ORDER BY rowid"),
        "search_terms": [r[0] for r in rows("SELECT term FROM search_terms ORDER BY term")],
    }


ITEMS = [  # rowid, kind, title, status, published, extra columns; and the old folded text
    (3, "opportunity", "Lesepaten gesucht", "open", "2026-01-02T10:00:00Z",
     {"cause_areas": "|bildung|kinder|", "opp_kind": "regular", "remote": "no",
      "region": "DE-NW", "hours_per_week": 2 / 4.345, "min_age": 16,
      "start": "2026-02-01T00:00:00Z", "end": "2026-06-30T00:00:00Z",
      "suitable_for": "|families|"},
     ("lesepaten gesucht", "kinder lesen vor in der bucherei mull")),
    (5, "opportunity", "Queere Jugendgruppe", "paused", "2026-01-02T10:00:00Z",
     {"cause_areas": "|jugend|", "opp_kind": "one-off", "remote": "possible"},
     ("queere jugendgruppe", "am kanue treffen")),
    (8, "practice", "Repair-Café Köln", "published", "2025-12-24T08:30:00Z",
     {"themes": "|umwelt|", "sectors": "|civil-society|business|", "region": "DE-NW"},
     ("repair cafe koln", "reparieren statt wegwerfen")),
    (9, "opportunity", "Tafel: Ausgabe", "closed", None,
     {"cause_areas": "|armut|", "hours_per_week": 3.0},
     ("tafel ausgabe", "lebensmittel verteilen")),
    (11, "opportunity", "Straßenfest Müllsammeln", "open", "2026-01-02T10:00:00Z",
     {"local": 1}, None),  # never in the old index: re-indexed from its title
]


def seeded_before_m004(path: Path) -> sqlite_utils.Database:
    """A database as the release before m004 left it: items with folded text in `search_fts`."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m004_search_filter_tokens")
    for rowid, kind, title, status, published, extra, fts in ITEMS:
        row = {"rowid": rowid, "ap_id": f"https://a.example/o/{rowid}", "kind": kind,
               "local": 0, "origin": "a.example", "origin_name": "A",
               "actor": "https://a.example/actors/x", "url": f"https://a.example/{rowid}",
               "title": title, "status": status, "published": published, **extra}
        cols = ", ".join(f'"{k}"' for k in row)
        db.execute(f"INSERT INTO search_items ({cols}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))
        if fts is not None:
            db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                       [rowid, *fts])
    return db


def fresh(path: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))


def test_frozen_migrations_build_the_same_schema_as_before(tmp_path):
    db = fresh(tmp_path / "db.sqlite")
    MIGRATIONS.apply(db, stop_before=_after_frozen())
    assert schema_dump(db) == (HERE / "schema_m006.sql").read_text("utf-8")


def test_frozen_migrations_rewrite_search_data_as_before(tmp_path):
    db = seeded_before_m004(tmp_path / "db.sqlite")
    MIGRATIONS.apply(db, stop_before=_after_frozen())
    expected = json.loads((HERE / "search_m006.json").read_text("utf-8"))
    assert search_dump(db) == expected


def test_later_migrations_only_add_to_the_frozen_schema(tmp_path):
    db = fresh(tmp_path / "db.sqlite")
    MIGRATIONS.apply(db)
    frozen = (HERE / "schema_m006.sql").read_text("utf-8")
    now = schema_dump(db)
    # m007 adds inbox_items.locked_until (ALTER TABLE writes it into the stored CREATE TABLE),
    # m008 two indexes
    m008 = ("-- index deliveries_activity ON deliveries\n"
            "CREATE INDEX deliveries_activity ON deliveries(activity_id);\n\n",
            "-- index outbox_object ON outbox\n"
            "CREATE INDEX outbox_object ON outbox(object_id);\n\n")
    assert now != frozen
    assert all(block in now for block in m008)
    for block in m008:
        now = now.replace(block, "")
    assert now.replace("next_attempt_at TEXT, locked_until TEXT,",
                       "next_attempt_at TEXT,") == frozen


def test_the_dumps_can_fail(tmp_path):
    """The comparison sees a changed index or a changed word (so it is not vacuous)."""
    db = seeded_before_m004(tmp_path / "db.sqlite")
    MIGRATIONS.apply(db, stop_before=_after_frozen())
    db.execute("UPDATE search_text SET body = 'x' WHERE rowid = (SELECT min(rowid) "
               "FROM search_text)")
    assert search_dump(db) != json.loads((HERE / "search_m006.json").read_text("utf-8"))
    db.execute("CREATE INDEX extra ON search_items(title)")
    assert schema_dump(db) != (HERE / "schema_m006.sql").read_text("utf-8")


def _after_frozen() -> str | None:
    """The first migration after the frozen ones (None: there is none yet)."""
    names = [m.name for m in MIGRATIONS._migrations]
    index = names.index(FROZEN_UP_TO) + 1
    return names[index] if index < len(names) else None


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def live_imports(path: Path) -> set[str]:
    """Project modules a migration file imports, other than the migrations' own helpers."""
    return {m for m in imports_of(path) if m.startswith((".", "mitwirken"))
            and not m.startswith("mitwirken.models.migrations")}


def test_migrations_import_no_live_code():
    """A migration is frozen when written: it may import the standard library, sqlite-utils
    and its siblings here, never `models/search.py`, `models/store.py` or anything else live."""
    files = sorted(FOLDER.glob("*.py"))
    assert len(files) > len(ORDER)  # the steps, the package and its helper
    assert {f: live_imports(f) for f in files} == {f: set() for f in files}


def test_the_import_check_can_fail(tmp_path):
    sample = tmp_path / "m999_x.py"
    sample.write_text("from mitwirken.models.search import fold\nfrom . import y\n"
                      "from mitwirken.models.migrations.sql_script import run_script\n")
    assert live_imports(sample) == {"mitwirken.models.search", "."}


def test_every_migration_module_is_registered_in_order():
    steps = sorted(f.stem for f in FOLDER.glob("m[0-9][0-9][0-9]_*.py"))
    assert [m.name for m in MIGRATIONS._migrations] == steps
    assert [m.__name__.rsplit(".", 1)[1] for m in ORDER] == steps
