"""m008_search_stems upgrades an existing index: words become stems, labels are indexed, the
words get their trigram index, and nothing is lost."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from mitwirken.models import search
from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.store import Store


def test_an_index_of_m007_is_searchable_in_german_after_m008(tmp_path):
    path = tmp_path / "db.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m008_search_stems")
    db.execute("INSERT INTO search_items (rowid, ap_id, kind, local, origin, actor, url, title, "
               "summary, activity_types, status, published) VALUES (7, 'https://a.example/1', "
               "'opportunity', 0, 'a.example', 'https://a.example/a', 'https://a.example/1', "
               "'Vorlesen für Kinder', '', '|handwerk-garten|', 'open', '2026-01-01T00:00:00Z')")
    # as m006/m007 stored it: folded words, the tags, every word in search_terms
    db.execute("INSERT INTO search_text (rowid, title, body, tags) VALUES "
               "(7, 'vorlesen fur kinder', 'in der stadtbucherei', 'mwxany')")
    db.conn.executemany("INSERT INTO search_terms (term) VALUES (?)", [
        (t,) for t in ("vorlesen", "fur", "kinder", "in", "der", "stadtbucherei", "mwxany")])
    before = db.execute("SELECT count(*) FROM search_items").fetchone()[0]
    db.conn.close()
    store = Store.open(path)  # applies m008
    hits = lambda q: search.search(store, search.Query(q=q))[0]  # noqa: E731
    assert hits("lesen") == 1  # inside the compound "vorlesen"
    assert hits("Kind") == 1  # the stem of "Kinder"
    assert hits("Garten") == 1  # the label "Handwerk & Garten"
    assert hits("Bücherei") == 1  # "stadtbucherei"
    assert hits("Sportverein") == 0
    assert store.scalar("SELECT count(*) FROM search_items") == before
    assert store.scalar("SELECT term FROM search_words WHERE word = 'kinder'") == "kind"
    assert store.scalar("SELECT last_confirmed FROM search_items") is None
    store.close()
