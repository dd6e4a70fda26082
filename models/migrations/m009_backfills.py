"""m009_backfills: one row per backfill of a followed actor's past (issue 16).

After the `Accept` of a Follow, the backfill worker pages through the followed actor's
outbox; `cursor` is the URL of the next page to fetch (NULL: start at the outbox), so a
restart after a crash goes on where it stopped. Numbered m009: m008 is another branch's
(sqlite-utils applies pending migrations by name, so a gap is harmless).

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script


def migrate(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE backfills (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            actor TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'running'
                CHECK (state IN ('running', 'done', 'stopped', 'failed')),
            cursor TEXT,
            pages INTEGER NOT NULL DEFAULT 0,
            seen INTEGER NOT NULL DEFAULT 0,
            stored INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at TEXT NOT NULL,
            error TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            UNIQUE (username, actor)
        );
        CREATE INDEX backfills_due ON backfills(state, next_at);
        """,
    )
