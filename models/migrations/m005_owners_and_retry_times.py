"""m005_owners_and_retry_times: remote tombstones remember who deleted; inbox items that
failed on a remote fetch wait before the next try.

Frozen: databases in the field have run this; never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    """Remote tombstones remember who deleted (only that actor's objects stay away), and inbox
    items that failed on a remote fetch wait before the next try."""
    db.execute("ALTER TABLE tombstones ADD COLUMN actor TEXT")
    db.execute("ALTER TABLE inbox_items ADD COLUMN next_attempt_at TEXT")
