"""Compounds, two techniques compared on one `bench/search.py` database (`--keep DIR`):

* what search does: a trigram index over the *vocabulary* (`search_words_infix`), a query word
  expanded to the stems of the words that contain it, answered by the word index;
* the alternative: an FTS5 `trigram` index over every item's *text* beside the word index.

Prints the extra size of each and p50/p99 of counting and ranking the hits of compound
queries. The text of the alternative is the indexed (folded) text of `search_text`.

    .venv/bin/python bench/search_trigram.py DIR
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_db import copy_search_db  # noqa: E402
from mitwirken.models import search  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402

QUERIES = ["lesen", "begleitung", "sprache", "garten", "tierheim", "fest", "hilfe", "kinder",
           "spiel", "musik", "pflege", "verein"]


def timed(fn, rounds: int = 20) -> tuple[float, float]:
    values = []
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            fn(q)
            values.append((time.perf_counter() - t0) * 1000)
    values.sort()
    return statistics.median(values), values[int(0.99 * (len(values) - 1))]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_search_db(sys.argv[1], tmp, "tri.sqlite3")
        base = os.path.getsize(path)
        conn = sqlite3.connect(path)
        words = sum(conn.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{t}%'")
                    .fetchone()[0] or 0 for t in ("search_words",))
        conn.execute("CREATE VIRTUAL TABLE tri USING fts5(title, body, tokenize='trigram')")
        t0 = time.perf_counter()
        conn.execute("INSERT INTO tri (rowid, title, body) SELECT rowid, title, body "
                     "FROM search_text")
        conn.commit()
        build_s = time.perf_counter() - t0
        conn.execute("VACUUM")
        extra = os.path.getsize(path) - base
        n = conn.execute("SELECT count(*) FROM search_items").fetchone()[0]

        def trigram(q: str) -> None:
            total = conn.execute("SELECT count(*) FROM tri WHERE tri MATCH ?",
                                 [f'"{q}"']).fetchone()[0]
            if total <= search.RANK_LIMIT:
                conn.execute("SELECT rowid FROM tri WHERE tri MATCH ? ORDER BY rank LIMIT 20",
                             [f'"{q}"']).fetchall()
            else:
                conn.execute("SELECT rowid FROM tri WHERE tri MATCH ? ORDER BY rowid DESC "
                             "LIMIT 20", [f'"{q}"']).fetchall()

        store = Store.open(path)
        ours = timed(lambda q: search.search(store, search.Query(q=q)))
        theirs = timed(trigram)
        print(f"{n} objects; database {base / 2**20:.0f} MiB")
        print(f"vocabulary trigram (search_words + infix): {words / 2**20:.1f} MiB; "
              f"p50 {ours[0]:.2f} ms, p99 {ours[1]:.2f} ms (whole search, with ranking)")
        print(f"text trigram beside the word index: +{extra / 2**20:.1f} MiB "
              f"(built in {build_s:.1f} s); p50 {theirs[0]:.2f} ms, p99 {theirs[1]:.2f} ms "
              f"(count and rank only)")
        store.close()
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
