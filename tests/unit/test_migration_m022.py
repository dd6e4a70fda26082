"""m022_search_newest_first turns the rowids of an existing index around: the order of the
answers stays the same (newest first, same-second items in the order they had), nothing is
lost, and items indexed afterwards take their places among the old ones."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import sqlite_utils

from mitwirken.models import search
from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.search import Query, SearchItem
from mitwirken.models.store import Store


def _item(n: int, published: str | None) -> SearchItem:
    return SearchItem(ap_id=f"https://a.example/{n}", kind="opportunity", local=False,
                      origin="a.example", origin_name=None, actor="https://a.example/x",
                      url=f"https://a.example/{n}", title=f"Garten {n}", summary="",
                      body="Beete und Kinder",
                      columns={"status": "open", "published": published})


def _old_rowid(published: str | None, seq: int) -> int:
    """A rowid as m006 to m020 made it: published second + 2**34 above 20 bits of sequence."""
    if not published:
        return seq
    band = datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()
    return (int(band) + 2**34) << 20 | seq


def test_m022_keeps_the_order_and_new_items_fit_in(tmp_path):
    path = tmp_path / "db.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m022_search_newest_first")
    rows = [(1, "2026-01-01T10:00:00Z", 0), (2, "2026-01-01T10:00:00Z", 1),  # same second
            (3, "2026-03-01T00:00:00Z", 0), (4, None, 0), (5, None, 1),
            (6, "2025-06-01T00:00:00Z", 0)]
    for n, published, seq in rows:
        item = _item(n, published)
        rowid = _old_rowid(published, seq)
        db.execute("INSERT INTO search_items (rowid, ap_id, kind, local, origin, actor, url, "
                   "title, status, published) VALUES (?, ?, 'opportunity', 0, 'a.example', "
                   "?, ?, ?, 'open', ?)", [rowid, item.ap_id, item.actor, item.url, item.title,
                                           published])
        search.index_text(Store(db), rowid, item.title, item.body,
                          search.item_tags({"kind": "opportunity", "status": "open"}))
    db.conn.close()
    order = ["3", "2", "1", "6", "5", "4"]  # newest first; later indexed first; undated last
    store = Store.open(path)  # applies m022
    found = lambda **kw: [h["ap_id"].rsplit("/", 1)[1]  # noqa: E731
                          for h in search.search(store, Query(limit=50, **kw))[1]]
    assert found() == order
    assert found(q="beete") == order  # one relevance for all: freshness, then newest
    assert store.scalar("SELECT count(*) FROM search_items") == 6
    assert store.scalar("SELECT count(*) FROM search_text") == 6
    assert store.scalar("SELECT count(*) FROM search_items s JOIN search_text f "
                        "ON f.rowid = s.rowid") == 6
    search.index(store, _item(7, "2026-01-01T10:00:00Z"))  # same second, indexed last: first
    search.index(store, _item(8, "2026-02-01T00:00:00Z"))
    search.index(store, _item(9, None))
    assert found() == ["3", "8", "7", "2", "1", "6", "9", "5", "4"]
    search.remove(store, "https://a.example/2")
    assert found(q="garten")[:4] == ["3", "8", "7", "1"]
    store.close()
