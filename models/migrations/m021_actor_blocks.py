"""m021_actor_blocks: an admin blocks one remote actor (issue 15, report action `block_actor`).

- `actor_blocks`: one row per blocked remote actor (its id, the admin's reason, who blocked it
  and when). The inbox refuses the actor's activities; its follows, content, interactions
  and responses were removed when the block was set.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE actor_blocks ("
        "id INTEGER PRIMARY KEY, actor TEXT NOT NULL UNIQUE, domain TEXT NOT NULL, "
        "reason TEXT NOT NULL DEFAULT '', blocked_by TEXT NOT NULL, created_at TEXT NOT NULL)")
