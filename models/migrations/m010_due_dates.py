"""m010_due_dates: the dates the lifecycle pass compares become indexed columns.

The hourly pass (server/workers/maintenance.py) used to load every open opportunity as a model
to find the few that ended or went unconfirmed too long. Now `opportunities` carries, in UTC
text that sorts like the `iso()` timestamps:

- `ends_at`: the opportunity's `end`, NULL when it has none;
- `confirmed_at`: the later of `last_confirmed` and `published` (the auto-pause reference);
- `dated`: 1 for one-off opportunities and shifts with a start (they close, never pause);

and two partial indexes let the pass select only the rows that are due. Three more indexes
keep the other batched passes from scanning whole tables: pruning the inbox log and the
delivery queue by age, and forgetting what an unfollowed actor shared. Existing rows are
filled from their stored JSON in one statement (SQLite's date functions apply the offset).

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

_UTC = "strftime('%Y-%m-%dT%H:%M:%SZ', {})"


def migrate(db: sqlite_utils.Database) -> None:
    for column, kind in (("ends_at", "TEXT"), ("confirmed_at", "TEXT"),
                         ("dated", "INTEGER NOT NULL DEFAULT 0")):
        db.execute(f"ALTER TABLE opportunities ADD COLUMN {column} {kind}")
    end = _UTC.format("json_extract(data, '$.end')")
    confirmed = _UTC.format("json_extract(data, '$.last_confirmed')")
    published = _UTC.format("json_extract(data, '$.published')")
    db.execute(
        f"UPDATE opportunities SET ends_at = {end}, "
        f"confirmed_at = CASE WHEN {confirmed} IS NULL THEN {published} "
        f"WHEN {published} IS NULL OR {confirmed} > {published} THEN {confirmed} "
        f"ELSE {published} END, "
        "dated = CASE WHEN json_extract(data, '$.kind') = 'one-off' THEN 1 "
        "WHEN json_extract(data, '$.kind') = 'shifts' "
        "AND json_extract(data, '$.start') IS NOT NULL THEN 1 ELSE 0 END")
    db.execute("CREATE INDEX opportunities_due_end ON opportunities(status, ends_at) "
               "WHERE deleted_at IS NULL AND ends_at IS NOT NULL")
    db.execute("CREATE INDEX opportunities_due_confirm ON opportunities(status, dated, "
               "confirmed_at) WHERE deleted_at IS NULL")
    db.execute("CREATE INDEX remote_objects_shared_by ON remote_objects(shared_by) "
               "WHERE shared_by IS NOT NULL")
    db.execute("CREATE INDEX inbox_items_received ON inbox_items(received_at)")
    db.execute("CREATE INDEX deliveries_finished ON deliveries(finished_at) "
               "WHERE finished_at IS NOT NULL")
