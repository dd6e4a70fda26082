"""m001_core: the first schema. Local actors and their content, the outbox, follows, the
remote-actor cache, the durable queues (inbox items, deliveries, domain health), domain
blocks, tombstones and interactions.

Frozen: databases in the field have run this; never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script


def migrate(db: sqlite_utils.Database) -> None:
    run_script(
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
