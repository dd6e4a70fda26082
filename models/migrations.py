"""Schema migrations. Append new functions at the end; never edit or remove an applied one."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

MIGRATIONS = Migrations("mitwirken")


def _script(db: sqlite_utils.Database, sql: str) -> None:
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


@MIGRATIONS()
def m001_core(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE instance (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        -- Local actors: the instance actor, the city (Anlaufstelle) and organisations.
        CREATE TABLE actors (
            username TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('instance', 'city', 'org')),
            name TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            sector TEXT,
            website TEXT,
            phone TEXT,
            email TEXT,
            office_hours TEXT,
            address TEXT,
            icon_url TEXT,
            manually_approves INTEGER NOT NULL DEFAULT 0,
            public_key_pem TEXT NOT NULL,
            private_key_pem TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL REFERENCES actors(username),
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            last_used_at TEXT
        );
        -- Published content of local actors, `data` is the pydantic model as JSON.
        CREATE TABLE opportunities (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES actors(username),
            data TEXT NOT NULL,
            status TEXT NOT NULL,
            original_id TEXT,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX opportunities_original ON opportunities(username, original_id)
            WHERE original_id IS NOT NULL;
        CREATE INDEX opportunities_user ON opportunities(username, published);
        CREATE TABLE practices (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES actors(username),
            data TEXT NOT NULL,
            status TEXT NOT NULL,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX practices_user ON practices(username, published);
        -- Activities each local actor published (the outbox), newest last.
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL,
            type TEXT NOT NULL,
            object_id TEXT,
            activity TEXT NOT NULL,
            public INTEGER NOT NULL DEFAULT 1,
            published TEXT NOT NULL
        );
        CREATE INDEX outbox_user ON outbox(username, seq);
        -- Remote actors who follow a local actor.
        CREATE TABLE followers (
            username TEXT NOT NULL,
            actor TEXT NOT NULL,
            follow_id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
            inbox TEXT NOT NULL,
            shared_inbox TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (username, actor)
        );
        -- Remote actors a local actor follows.
        CREATE TABLE following (
            username TEXT NOT NULL,
            actor TEXT NOT NULL,
            follow_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'rejected')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (username, actor)
        );
        -- Cache of remote actor documents with their keys.
        CREATE TABLE remote_actors (
            id TEXT PRIMARY KEY,
            type TEXT,
            preferred_username TEXT,
            name TEXT,
            domain TEXT NOT NULL,
            inbox TEXT,
            shared_inbox TEXT,
            key_id TEXT,
            public_key_pem TEXT,
            data TEXT NOT NULL,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX remote_actors_key ON remote_actors(key_id);
        -- Incoming activities, committed before the 202, processed by the inbox worker.
        CREATE TABLE inbox_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity_id TEXT NOT NULL,
            origin TEXT NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            recipient TEXT,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'received',
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            received_at TEXT NOT NULL,
            processed_at TEXT,
            UNIQUE (origin, activity_id)
        );
        CREATE INDEX inbox_items_state ON inbox_items(state, id);
        -- One row per (activity, inbox): the durable delivery queue.
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity_id TEXT NOT NULL,
            username TEXT NOT NULL,
            inbox TEXT NOT NULL,
            domain TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            locked_until TEXT,
            last_status INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            UNIQUE (activity_id, inbox)
        );
        CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
        CREATE TABLE domain_health (
            domain TEXT PRIMARY KEY,
            failure_days TEXT NOT NULL DEFAULT '[]',
            unavailable INTEGER NOT NULL DEFAULT 0,
            last_success_at TEXT,
            last_failure_at TEXT
        );
        CREATE TABLE domain_blocks (
            domain TEXT PRIMARY KEY,
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        -- Deleted objects answer 410, remote tombstones stop re-creation.
        CREATE TABLE tombstones (
            id TEXT PRIMARY KEY,
            former_type TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        );
        -- Replies, likes and boosts of our objects.
        CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('reply', 'like', 'announce')),
            object_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            content TEXT,
            url TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX interactions_object ON interactions(object_id, kind)
        """,
    )


@MIGRATIONS()
def m002_network(db: sqlite_utils.Database) -> None:
    """Remote content kept with its origin, and the network search index (FTS5)."""
    _script(
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


@MIGRATIONS()
def m003_search_filter_index(db: sqlite_utils.Database) -> None:
    """Filtered, newest-first network search reads one narrow index instead of the wide rows:
    every filter column, led by (published, rowid) so a page is read in order and the count is
    a scan of the index alone (bench/search.py, docs/PERFORMANCE.md "Search")."""
    _script(
        db,
        """
        CREATE INDEX search_items_filters ON search_items(published, rowid, kind, status,
            opp_kind, remote, local, region, origin, hours_per_week, min_age, start, "end",
            cause_areas, suitable_for, activity_types, themes, sectors)
        """,
    )


@MIGRATIONS()
def m004_search_filter_tokens(db: sqlite_utils.Database) -> None:
    """Keyed search filters become tokens in the full-text index (models/search.py), so text
    queries with filters are answered by FTS5 alone. Existing rows get their tokens appended."""
    from mitwirken.models.search import filter_tokens

    cur = db.execute("SELECT rowid, * FROM search_items")
    cols = [c[0] for c in cur.description]
    for values in cur.fetchall():
        row = dict(zip(cols, values, strict=True))
        db.execute("UPDATE search_fts SET body = body || ' ' || ? WHERE rowid = ?",
                   [filter_tokens(row), row["rowid"]])


@MIGRATIONS()
def m005_owners_and_retry_times(db: sqlite_utils.Database) -> None:
    """Remote tombstones remember who deleted (only that actor's objects stay away), and inbox
    items that failed on a remote fetch wait before the next try."""
    db.execute("ALTER TABLE tombstones ADD COLUMN actor TEXT")
    db.execute("ALTER TABLE inbox_items ADD COLUMN next_attempt_at TEXT")


@MIGRATIONS()
def m006_search_text(db: sqlite_utils.Database) -> None:
    """Network search answered by FTS5 alone (models/search.py, docs/PERFORMANCE.md "Search",
    third round): a new full-text table `search_text` with every filter as a tag in its own
    column, `search_terms` (the indexed words, for prefix queries), and rowids that encode the
    published time. Existing items are renumbered and re-indexed from the old `search_fts`,
    which is then dropped: it is a derived index, and everything in it is carried over."""
    from mitwirken.models.search import (
        TAG_PREFIX,
        index_words,
        item_tags,
        sort_key_band,
        split_folded,
        words,
    )
    from mitwirken.models.store import Store

    _script(
        db,
        """
        CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE VIRTUAL TABLE search_text USING fts5(title, body, tags, tokenize = 'ascii',
                                                    prefix = '3')
        """,
    )
    # Hours are compared to a thousandth now (their tags); round the stored values alike.
    db.execute("UPDATE search_items SET hours_per_week = round(hours_per_week, 3) "
               "WHERE hours_per_week IS NOT NULL")
    cur = db.execute("SELECT i.rowid AS old_rowid, i.*, f.title AS folded_title, "
                     "f.body AS folded_body FROM search_items i "
                     "LEFT JOIN search_fts f ON f.rowid = i.rowid "
                     "ORDER BY i.published IS NOT NULL, i.published, i.rowid")
    cols = [c[0] for c in cur.description]
    rows = [dict(zip(cols, values, strict=True)) for values in cur.fetchall()]
    db.execute("UPDATE search_items SET rowid = -rowid")  # out of the way of the new keys
    store, last = Store(db), -1
    for row in rows:
        key = max(sort_key_band(row["published"]), last + 1)
        last = key
        db.execute("UPDATE search_items SET rowid = ? WHERE rowid = ?", [key, -row["old_rowid"]])
        # The old index holds folded text: split it without folding again ("quer" would
        # become "qur"). Its body ends with the first scheme's filter words ("mwx…").
        title = (split_folded(row["folded_title"]) if row["folded_title"] is not None
                 else words(row["title"]))
        body = [w for w in split_folded(row["folded_body"] or "")
                if not w.startswith(TAG_PREFIX)]
        index_words(store, key, title, body, item_tags(row))
    db.execute("DROP TABLE search_fts")
