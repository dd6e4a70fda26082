"""m015_change_counters: a change counter per table whose rows are kept in memory elsewhere.

The GET path serves actor, object and collection documents (and anonymous HTML pages) from
serialised bytes kept in memory (server/web/representations.py), and the inbox keeps the
remote keys it verifies with (models/remote_actors.KeyCache); a kept copy is valid while the
counters of the tables it was built from are unchanged. Triggers bump the counters on
every INSERT, UPDATE and DELETE, so every writer is seen — the server, a CLI command in
another process, a restore — without any code path having to remember to invalidate.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

TABLES = ("instance", "actors", "opportunities", "practices", "outbox", "tombstones",
          "followers", "following", "interactions", "adoptions", "remote_objects",
          "remote_actors")


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE change_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    for table in TABLES:
        db.execute("INSERT INTO change_counters (name, n) VALUES (?, 0)", [table])
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER change_counters_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE change_counters SET n = n + 1 WHERE name = '{table}'; END")
