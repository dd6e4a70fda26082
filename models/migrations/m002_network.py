"""m002_network: remote content kept with its origin, adoptions of our practices, and the
network search index (search_items and the first full-text table, search_fts).

Frozen: databases in the field have run this; never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script


def migrate(db: sqlite_utils.Database) -> None:
    """Remote content kept with its origin, and the network search index (FTS5)."""
    run_script(
        db,
        """
        CREATE TABLE remote_objects (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('opportunity', 'practice', 'other')),
            actor TEXT NOT NULL,
            origin TEXT NOT NULL,
            origin_name TEXT,
            data TEXT,
            raw TEXT NOT NULL,
            shared_by TEXT,
            published TEXT,
            updated TEXT,
            received_at TEXT NOT NULL
        );
        CREATE INDEX remote_objects_origin ON remote_objects(origin);
        CREATE INDEX remote_objects_actor ON remote_objects(actor);
        -- Practices of other cities that say they were adapted from one of ours.
        CREATE TABLE adoptions (
            practice_id TEXT NOT NULL,
            adopted_by TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (practice_id, adopted_by)
        );
        -- One row per searchable object, local or remote.
        CREATE TABLE search_items (
            rowid INTEGER PRIMARY KEY,
            ap_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            local INTEGER NOT NULL,
            origin TEXT NOT NULL,
            origin_name TEXT,
            actor TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            opp_kind TEXT,
            cause_areas TEXT NOT NULL DEFAULT '|',
            activity_types TEXT NOT NULL DEFAULT '|',
            themes TEXT NOT NULL DEFAULT '|',
            sectors TEXT NOT NULL DEFAULT '|',
            suitable_for TEXT NOT NULL DEFAULT '|',
            remote TEXT,
            hours_per_week REAL,
            start TEXT,
            "end" TEXT,
            min_age INTEGER,
            region TEXT,
            status TEXT,
            published TEXT
        );
        CREATE INDEX search_items_kind ON search_items(kind, status, published);
        CREATE INDEX search_items_origin ON search_items(origin);
        CREATE VIRTUAL TABLE search_fts USING fts5(title, body,
            tokenize = 'unicode61 remove_diacritics 2')
        """,
    )
