"""Keyed filters as full-text tokens: text queries with filters are answered by FTS5 alone."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from models import search
from models.migrations import MIGRATIONS
from models.search import INACTIVE, RANK_LIMIT, Query, SearchItem, filter_tokens
from models.store import Store


def item(n: int, *, status: str = "open", cause: str = "|bildung|", kind: str = "opportunity",
         body: str = "Kinder lesen") -> SearchItem:
    return SearchItem(
        ap_id=f"https://a.example/angebote/{n}", kind=kind, local=False, origin="a.example",
        origin_name="A", actor="https://a.example/actors/x", url=f"https://a.example/{n}",
        title=f"Angebot {n}", summary="", body=body,
        columns={"status": status, "cause_areas": cause, "region": "DE-NW",
                 "published": f"2026-01-01T00:00:{n % 60:02d}Z"})


def test_tokens_cover_keyed_filters_and_inactivity():
    tokens = filter_tokens({"kind": "opportunity", "status": "paused", "local": 0,
                            "cause_areas": "|armut-soziales|bildung|", "region": "DE-NW",
                            "origin": "city-a.test"}).split()
    assert "mwxcarmutsoziales" in tokens and "mwxcbildung" in tokens
    assert "mwxgdenw" in tokens and "mwxocityatest" in tokens and "mwxl0" in tokens
    assert INACTIVE in tokens
    assert INACTIVE not in filter_tokens({"kind": "practice", "status": "paused"})


def test_users_cannot_query_the_synthetic_tokens():
    store = Store.memory()
    search.index(store, item(1, status="closed"))
    assert search.match_expression("mwxinactive") is None
    assert search.match_expression("mwxcbildung Kinder") == '"kinder"*'
    assert search.search(store, Query(q="kinder"))[0] == 0  # closed: hidden by default
    assert search.search(store, Query(q="kinder", include_inactive=True))[0] == 1


def test_many_hits_come_newest_first_with_filters_inside_fts():
    store = Store.memory()
    n = RANK_LIMIT + 50
    for i in range(n):
        search.index(store, item(i, status="paused" if i % 10 == 0 else "open",
                                 cause="|umwelt|" if i % 2 else "|bildung|"))
    total, rows = search.search(store, Query(q="kinder", limit=5))
    assert total == n - len(range(0, n, 10))
    assert [r["ap_id"] for r in rows] == [
        f"https://a.example/angebote/{i}" for i in (1049, 1048, 1047, 1046, 1045)]
    total, rows = search.search(store, Query(q="lesen", cause_area="umwelt", limit=3))
    assert total == len([i for i in range(n) if i % 2 and i % 10])
    assert all(int(r["ap_id"].rsplit("/", 1)[1]) % 2 for r in rows)
    # few hits: ranked by bm25, title (weight 5) before body
    search.index(store, item(5000, body="Garten"))
    search.index(store, SearchItem(**{**item(5001, body="Kinder").__dict__,
                                      "title": "Garten Garten"}))
    _, rows = search.search(store, Query(q="garten"))
    assert rows[0]["title"] == "Garten Garten"


def test_migration_adds_tokens_to_rows_indexed_before_it(tmp_path):
    conn = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    db = sqlite_utils.Database(conn)
    MIGRATIONS.apply(db, stop_before="m004_search_filter_tokens")
    db.execute("INSERT INTO search_items (rowid, ap_id, kind, local, origin, actor, url, title, "
               "cause_areas, status) VALUES (7, 'https://a/1', 'opportunity', 0, 'a', "
               "'https://a/x', 'https://a/1', 'Lesen', '|bildung|', 'paused')")
    db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (7, 'lesen', 'kinder')")
    MIGRATIONS.apply(db)
    store = Store(db)
    assert search.search(store, Query(q="kinder"))[0] == 0
    assert search.search(store, Query(q="kinder", include_inactive=True,
                                      cause_area="bildung"))[0] == 1
    assert search.search(store, Query(q="kinder", include_inactive=True,
                                      cause_area="umwelt"))[0] == 0
