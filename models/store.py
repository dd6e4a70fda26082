"""The SQLite store: one file, WAL, migrations that only ever add.

The store is used from the event loop's thread only (one connection per process, one writer).
Queries are small and indexed; a city instance holds thousands of rows, not millions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from mitwirken.models.migrations import MIGRATIONS

Params = tuple[Any, ...] | list[Any] | dict[str, Any]
"""Query parameters: positional (`?`) or named (`:name`)."""
SqlValue = int | float | str | bytes | None
"""What one SQLite column holds."""
Row = dict[str, Any]
"""One result row by column name; the owner module of a table names its rows' shape
(a TypedDict) where it hands them out."""


class DatabaseTooNew(Exception):
    """The database was written by a newer Mitwirken; starting would risk its data."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Timestamps are stored as ISO-8601 UTC strings, which sort correctly as text."""
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    """Owns the connection; repository modules take a `Store` as first argument."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path | str, *, migrate: bool = True) -> Store:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if str(path) != ":memory:":
            db.enable_wal()
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        store = cls(db, Path(path) if str(path) != ":memory:" else None)
        store.check_not_newer()
        if migrate:
            MIGRATIONS.apply(db)
        return store

    @classmethod
    def open_read_only(cls, path: Path) -> Store:
        """Inspect a database without writing to it: no WAL switch, no migration (a check run
        as another user must not create files the service cannot use)."""
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return cls(sqlite_utils.Database(conn), path)

    def pending_migrations(self) -> list[str]:
        return [m.name for m in MIGRATIONS.pending(self.db)]

    @classmethod
    def memory(cls) -> Store:
        return cls.open(":memory:")

    def check_not_newer(self) -> None:
        known = {m.name for m in MIGRATIONS._migrations}
        unknown = [m.name for m in MIGRATIONS.applied(self.db) if m.name not in known]
        if unknown:
            raise DatabaseTooNew(
                "Die Datenbank stammt von einer neueren Mitwirken-Version "
                f"(unbekannte Migrationen: {', '.join(unknown)}). Bitte die neuere Version "
                "verwenden. / The database was written by a newer Mitwirken version."
            )

    @contextmanager
    def tx(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction; nested use joins the outer one (savepoints).

        The outer one starts with BEGIN IMMEDIATE: it takes the write lock up front (waiting
        up to busy_timeout for another process, e.g. a CLI import beside `serve`). A deferred
        transaction that reads first and writes later fails at once with "database is locked"
        when another connection committed in between (SQLite's WAL snapshot rule)."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def set_autocheckpoint(self, pages: int) -> None:
        """SQLite copies the write-ahead log into the file every `pages` pages, inside the
        commit that crosses the mark (1000 by default; 0: never, someone else checkpoints)."""
        self.db.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def one(self, sql: str, params: Params = ()) -> Row | None:
        cur = self.db.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        cur = self.db.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Params = ()) -> SqlValue:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def migrations_applied(self) -> int:
        """How many migrations the database has seen; a cheap liveness probe."""
        return int(self.scalar("SELECT count(*) FROM _sqlite_migrations") or 0)

    def close(self) -> None:
        self.db.conn.close()
