"""m024_policy_counters: change counters for `domain_blocks`, `federation_settings` and
`actor_blocks`, so the inbox, the fetcher and the delivery worker can keep the answers of "do
we federate with this host?" and "is this actor blocked?" in memory
(`models.domain_policy.PolicyCache`) instead of asking SQLite on every request. As with m015,
triggers bump the counters on every write — a block from the web UI, a CSV import from the CLI
in another process — so a kept answer never outlives the rule it came from.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

TABLES = ("domain_blocks", "federation_settings", "actor_blocks")


def migrate(db: sqlite_utils.Database) -> None:
    for table in TABLES:
        db.execute("INSERT INTO change_counters (name, n) VALUES (?, 0)", [table])
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER change_counters_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN UPDATE change_counters SET n = n + 1 WHERE name = '{table}'; END")
