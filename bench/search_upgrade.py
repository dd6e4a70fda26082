"""Time migration m008_search_stems on a realistic index: a copy of a `bench/search.py`
database (`--keep DIR`) is put back to its m007 state (the m008 tables and column dropped, the
index text re-folded from stems is not needed: m008 reads whatever words the index holds) and
migrated again, as `mitwirken serve` does on start after an upgrade.

    .venv/bin/python bench/search_upgrade.py DIR
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from bench.bench_db import copy_search_db  # noqa: E402
from mitwirken.models.migrations import MIGRATIONS  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_search_db(sys.argv[1], tmp, "upgrade.sqlite3")
        db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
        db.execute("DROP TABLE search_words_infix")
        db.execute("DROP TABLE search_words")
        db.execute("ALTER TABLE search_items DROP COLUMN last_confirmed")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_search_stems'")
        db.execute("VACUUM")
        objects = db.execute("SELECT count(*) FROM search_items").fetchone()[0]
        before = path.stat().st_size / 2**20
        started = time.perf_counter()
        MIGRATIONS.apply(db)
        seconds = time.perf_counter() - started
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = path.stat().st_size / 2**20
        print(f"m008_search_stems over {objects} objects: {seconds:.1f} s "
              f"({objects / seconds:.0f} objects/s); database {before:.0f} MiB before, "
              f"{after:.0f} MiB after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
