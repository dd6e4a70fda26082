"""m019_search_counter: a change counter for `search_items`, so the search page, the home page
and the lists can be served from kept bytes (server/web/representations.py) like the
documents of m015: every insert, update or delete of an indexed item — ingestion, a purge, an
edit — makes the kept pages stale at once.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

TABLE = "search_items"


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("INSERT INTO change_counters (name, n) VALUES (?, 0)", [TABLE])
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER change_counters_{TABLE}_{event.lower()} AFTER {event} ON {TABLE} "
            f"BEGIN UPDATE change_counters SET n = n + 1 WHERE name = '{TABLE}'; END")
