"""A private copy of a kept `bench/search.py` database (`--keep DIR`), for scripts that
change it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def copy_search_db(folder: str, tmp: str, name: str) -> Path:
    """Checkpoint the WAL of `folder`'s bench database into it, then copy it to `tmp/name`."""
    source = Path(folder) / "search-bench.sqlite3"
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    path = Path(tmp) / name
    shutil.copy(source, path)
    return path
