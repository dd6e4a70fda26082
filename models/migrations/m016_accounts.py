"""m016_accounts: people who log in to the web UI (issue 14), their organisations, one-time
set-password links, server-side sessions and failed logins (for throttling).

- `accounts`: one row per person; `role` is admin, staff or editor; `password_hash` is an
  argon2id hash (NULL until the person has set a password through a link).
- `account_orgs`: which local organisations (actors' usernames) an editor edits.
- `password_links`: one-time links `/passwort/{token}`; only the token's SHA-256 is stored.
- `sessions`: only the SHA-256 of the session id is stored, beside the session's CSRF token.
- `login_failures`: failed logins by e-mail and by address, kept for a day.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
        "role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'editor')), "
        "password_hash TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE account_orgs (account_id INTEGER NOT NULL REFERENCES accounts(id) "
        "ON DELETE CASCADE, username TEXT NOT NULL, PRIMARY KEY (account_id, username))")
    db.execute(
        "CREATE TABLE password_links (token_hash TEXT PRIMARY KEY, account_id INTEGER NOT NULL "
        "REFERENCES accounts(id) ON DELETE CASCADE, expires_at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, account_id INTEGER NOT NULL "
        "REFERENCES accounts(id) ON DELETE CASCADE, csrf TEXT NOT NULL, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL)")
    db.execute("CREATE INDEX sessions_by_account ON sessions (account_id)")
    db.execute(
        "CREATE TABLE login_failures (id INTEGER PRIMARY KEY, email TEXT NOT NULL, "
        "address TEXT NOT NULL, at TEXT NOT NULL)")
    db.execute("CREATE INDEX login_failures_by_email ON login_failures (email, at)")
    db.execute("CREATE INDEX login_failures_by_address ON login_failures (address, at)")
