"""m007_inbox_lease: inbox items are claimed with a lease, like deliveries.

The inbox worker sets `locked_until` when it takes an item and clears it when the item is
finished or scheduled for a retry; after a crash the lease runs out and the item is taken
again (models/inbox_items.py).

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE inbox_items ADD COLUMN locked_until TEXT")
