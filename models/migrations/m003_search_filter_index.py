"""m003_search_filter_index: one narrow index over every search filter column.

Frozen: databases in the field have run this; never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script


def migrate(db: sqlite_utils.Database) -> None:
    """Filtered, newest-first network search reads one narrow index instead of the wide rows:
    every filter column, led by (published, rowid) so a page is read in order and the count is
    a scan of the index alone (bench/search.py, docs/PERFORMANCE.md "Search")."""
    run_script(
        db,
        """
        CREATE INDEX search_items_filters ON search_items(published, rowid, kind, status,
            opp_kind, remote, local, region, origin, hours_per_week, min_age, start, "end",
            cause_areas, suitable_for, activity_types, themes, sectors)
        """,
    )
