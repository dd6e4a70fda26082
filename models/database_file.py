"""The database as a file: online copies, read-only inspection and integrity checks.

Used by backup, restore and `mitwirken check`, which must never write to (or migrate) the
database they look at. A copy is made with SQLite's online backup API in a single step: one
read transaction, so in WAL mode the server's writer carries on meanwhile and the copy is
exactly the state at the step's start (a multi-step copy would restart whenever the writer
commits and might never finish on a busy server)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TypedDict

import sqlite_utils

from mitwirken.models.migrations import MIGRATIONS


class DatabaseFacts(TypedDict):
    migrations: list[str]
    tables: dict[str, int]


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def copy(source: Path, dest: Path) -> str:
    """Copy the live database at `source` to a new file `dest` (created 0600, must not exist),
    switched out of WAL so that it is one self-contained file. Returns SQLite's quick_check
    verdict of the copy ("ok" when sound)."""
    src = _read_only(source)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")
            return str(dst.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()


def facts(path: Path) -> DatabaseFacts:
    """Migration names and row counts, read without writing (no WAL switch, no migration)."""
    conn = _read_only(path)
    try:
        db = sqlite_utils.Database(conn)
        tables = {t: int(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                  for t in sorted(db.table_names()) if not t.startswith("sqlite_")}
        return DatabaseFacts(migrations=[m.name for m in MIGRATIONS.applied(db)],
                             tables=tables)
    finally:
        conn.close()


def quick_check(path: Path) -> str:
    """SQLite's quick_check verdict of a database file, opened read-only."""
    conn = _read_only(path)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()


def wal_bytes(path: Path) -> int:
    """Size of the database's write-ahead log (0 when there is none)."""
    try:
        return os.stat(f"{path}-wal").st_size
    except FileNotFoundError:
        return 0


def checkpoint(path: Path) -> tuple[int, int]:
    """Copy committed pages from the write-ahead log into the database file, through a
    connection of its own (so it may run in another thread than the store's). PASSIVE: it
    never waits for, or blocks, the server's readers and writer; pages still in use stay for
    the next time. Returns (frames in the log, frames copied)."""
    conn = sqlite3.connect(str(path), timeout=5)
    try:
        _, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(frames), int(copied)
    finally:
        conn.close()
