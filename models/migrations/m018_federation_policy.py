"""m018_federation_policy: admins run federation (issue 15).

- `domain_blocks` becomes the table of domain rules: each row has a `policy` (`block`, `limit`
  or `allow`; existing rows are blocks) and the flags of Mastodon's domain-block CSV, kept so
  that an imported list is exported as it came.
- `federation_settings`: instance-wide federation switches (`mode`: `open` | `allowlist`).
- `audit_log`: every admin and moderation action (who, what, when, why).
- `deliveries.state` may also be `held` (a delivery to a domain the allow-list does not name
  waits until the domain is allowed or the mode goes back to `open`). SQLite cannot change a
  CHECK constraint in place, so the table is rebuilt from its live definition (whatever
  columns earlier migrations added stay), with its indexes and triggers.
- `remote_objects.review`: `held` while content of a limited domain waits for an admin's
  review, `hidden` when an admin hid it (neither is searchable), NULL when visible.
- `interactions.hidden_at`: when an admin hid a public reply (hidden replies are neither
  listed nor counted).
- `instances`: what a remote instance's NodeInfo says it runs (software, version), when that
  was read, and the error if it could not be.
- `reports`: the moderation queue — reports that arrived as `Flag`, each open until an
  admin resolves it with an action and a reason, and the reports this instance sent.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import re

import sqlite_utils

from mitwirken.models.migrations.sql_script import run_script

_STATE_CHECK = re.compile(
    r"CHECK\s*\(\s*state\s+IN\s*\(\s*'pending',\s*'done',\s*'failed'\s*\)\s*\)")


def migrate(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        ALTER TABLE domain_blocks ADD COLUMN policy TEXT NOT NULL DEFAULT 'block'
            CHECK (policy IN ('block', 'limit', 'allow'));
        ALTER TABLE domain_blocks ADD COLUMN reject_media INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE domain_blocks ADD COLUMN reject_reports INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE domain_blocks ADD COLUMN obfuscate INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE federation_settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        ALTER TABLE remote_objects ADD COLUMN review TEXT
            CHECK (review IS NULL OR review IN ('held', 'hidden'));
        CREATE INDEX remote_objects_review ON remote_objects(review) WHERE review IS NOT NULL;
        ALTER TABLE interactions ADD COLUMN hidden_at TEXT;
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity_id TEXT UNIQUE,
            direction TEXT NOT NULL DEFAULT 'incoming'
                CHECK (direction IN ('incoming', 'outgoing')),
            reporter TEXT NOT NULL,
            origin TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            objects TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
            action TEXT,
            resolution TEXT,
            resolved_by TEXT,
            resolved_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX reports_state ON reports(state, id);
        CREATE TABLE instances (
            domain TEXT PRIMARY KEY,
            software TEXT,
            version TEXT,
            fetched_at TEXT NOT NULL,
            error TEXT
        )
        """,
    )
    _allow_held_deliveries(db)


def _allow_held_deliveries(db: sqlite_utils.Database) -> None:
    """Rebuild `deliveries` with `held` among its states, keeping every row, column, index,
    trigger and the AUTOINCREMENT counter."""
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'deliveries'").fetchone()
    new_sql, found = _STATE_CHECK.subn(
        "CHECK (state IN ('pending', 'held', 'done', 'failed'))", sql)
    if found != 1:
        raise RuntimeError("m018: deliveries.state CHECK not found")
    new_sql = re.sub(r'^CREATE TABLE\s+"?deliveries"?', "CREATE TABLE deliveries_m018", new_sql)
    extras = [r[0] for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'deliveries' "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name").fetchall()]
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'").fetchone()
    db.execute(new_sql)
    db.execute("INSERT INTO deliveries_m018 SELECT * FROM deliveries")
    db.execute("DROP TABLE deliveries")
    db.execute("ALTER TABLE deliveries_m018 RENAME TO deliveries")
    for statement in extras:
        db.execute(statement)
    if seq is not None:
        db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'deliveries'",
                   [seq[0]])
