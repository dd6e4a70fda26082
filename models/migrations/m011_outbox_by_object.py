"""m011_outbox_by_object: the activities of one object, and the deliveries of one activity,
are found by index.

An edit restates the object in every earlier activity of it, a delete withdraws them all
(models/outbox.py); both also rewrite the bodies of those activities' deliveries
(models/deliveries.py). Without these indexes each edit would scan both tables.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS outbox_object ON outbox(object_id)")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_activity ON deliveries(activity_id)")
