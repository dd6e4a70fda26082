"""Filters as full-text tags: every query is one FTS5 expression, answered without the rows."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from mitwirken.models import search
from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.migrations.m004_search_filter_tokens import (
    _filter_tokens as filter_tokens,  # the tag scheme a database had before m006
)
from mitwirken.models.search import (
    INACTIVE,
    RANK_LIMIT,
    Query,
    SearchItem,
    item_tags,
    tag,
)
from mitwirken.models.store import Store, iso


def item(n: int, *, status: str = "open", cause: str = "|bildung|", kind: str = "opportunity",
         body: str = "Kinder lesen", published: str | None = None, **columns) -> SearchItem:
    return SearchItem(
        ap_id=f"https://a.example/angebote/{n}", kind=kind, local=False, origin="a.example",
        origin_name="A", actor="https://a.example/actors/x", url=f"https://a.example/{n}",
        title=f"Angebot {n}", summary="", body=body,
        columns={"status": status, "cause_areas": cause, "region": "DE-NW",
                 "published": published or f"2026-01-01T00:00:{n % 60:02d}Z", **columns})


def ids(rows) -> list[int]:
    return [int(r["ap_id"].rsplit("/", 1)[1]) for r in rows]


def test_tags_cover_every_filter_and_inactivity():
    tags = item_tags({"kind": "opportunity", "status": "paused", "local": 0,
                      "cause_areas": "|armut-soziales|bildung|", "region": "DE-NW",
                      "origin": "city-a.test", "hours_per_week": 0.46, "min_age": 16,
                      "start": "2026-06-01T10:00:00Z", "end": "2026-09-30T18:00:00Z"})
    assert tag("cause_areas", "armut-soziales") in tags and tag("cause_areas", "bildung") in tags
    assert tag("region", "DE-NW") in tags and tag("origin", "city-a.test") in tags
    assert tag("local", 0) in tags and INACTIVE in tags
    assert {"mwxqw460", "mwxqm16", "mwxqs202606", "mwxqt20260601", "mwxqe202609",
            "mwxqf20260930"} <= set(tags)
    assert INACTIVE not in item_tags({"kind": "practice", "status": "paused"})
    assert "mwxqn" in item_tags({"kind": "practice"})  # no minimum age


def test_tags_are_exact_values_not_folded_ones():
    # the first scheme folded values to [a-z0-9]: these two domains shared a tag
    assert tag("origin", "a-b.test") != tag("origin", "ab.test")
    assert tag("origin", "staedte.test") != tag("origin", "stadte.test")
    store = Store.memory()
    search.index(store, SearchItem(**{**item(1).__dict__, "origin": "a-b.test"}))
    search.index(store, SearchItem(**{**item(2).__dict__, "origin": "ab.test"}))
    assert ids(search.search(store, Query(q="kinder", origin="ab.test"))[1]) == [2]
    assert ids(search.search(store, Query(origin="a-b.test"))[1]) == [1]


def test_words_never_match_tags():
    store = Store.memory()
    search.index(store, item(1, status="closed"))
    search.index(store, item(2, body=f"Kinder {INACTIVE} {tag('kind', 'practice')}"))
    assert search.search(store, Query(q="kinder"))[0] == 1  # closed: hidden by default
    assert search.search(store, Query(q="kinder", include_inactive=True))[0] == 2
    # a text that spells a tag is only text: not hidden, not a practice, found as a word
    assert ids(search.search(store, Query(kind="practice"))[1]) == []
    assert ids(search.search(store, Query(q="mwxinactive", include_inactive=True))[1]) == [2]
    # the second scheme kept tags among the words: "mwx" began every tag and found everything
    assert ids(search.search(store, Query(q="mwx", include_inactive=True))[1]) == [2]
    assert ids(search.search(store, Query(q="mwxk", include_inactive=True))[1]) == [2]


def test_many_hits_come_newest_published_first():
    store = Store.memory()
    n = RANK_LIMIT + 50
    for i in range(n):
        search.index(store, item(i, status="paused" if i % 10 == 0 else "open",
                                 cause="|umwelt|" if i % 2 else "|bildung|"))
    total, rows = search.search(store, Query(q="kinder", limit=5))
    assert total == n - len(range(0, n, 10))
    # published at second 59 first (1019 is the last of them indexed), then second 58
    assert ids(rows) == [1019, 959, 899, 839, 779]
    total, rows = search.search(store, Query(q="lesen", cause_area="umwelt", limit=3))
    assert total == len([i for i in range(n) if i % 2 and i % 10])
    assert ids(rows) == [1019, 959, 899]
    # few hits: ranked by bm25, title (weight 5) before body
    search.index(store, item(5000, body="Garten"))
    search.index(store, SearchItem(**{**item(5001, body="Kinder").__dict__,
                                      "title": "Garten Garten"}))
    _, rows = search.search(store, Query(q="garten"))
    assert rows[0]["title"] == "Garten Garten"


def test_newest_first_follows_published_not_the_order_of_indexing():
    store = Store.memory()
    days = [5, 1, 9, 3, 9, 7]  # two on the 9th: the one indexed later comes first
    for n, day in enumerate(days):
        search.index(store, item(n, published=f"2026-03-{day:02d}T08:00:00Z"))
    search.index(store, item(6, published=None))  # no date: last
    assert ids(search.search(store, Query())[1]) == [4, 2, 5, 0, 3, 1, 6]
    assert ids(search.search(store, Query(q="kind", offset=2, limit=2))[1]) == [5, 0]
    search.index(store, item(2, published="2026-03-02T08:00:00Z"))  # updated: moves
    assert ids(search.search(store, Query())[1]) == [4, 5, 0, 3, 2, 1, 6]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_range_tags_decide_exactly_at_the_boundaries():
    store = Store.memory()
    dated = {1: ("2026-05-10T09:00:00Z", "2026-06-30T23:59:59Z"),
             2: ("2026-07-01T00:00:00Z", "2026-07-01T02:00:00Z"),
             3: ("2026-06-30T23:00:00Z", "2026-07-31T00:00:00Z"),
             4: ("2025-12-31T10:00:00Z", "2027-01-01T00:00:00Z")}
    for n, (start, end) in dated.items():
        search.index(store, item(n, start=start, end=end, hours_per_week=n * 0.5,
                                 min_age=None if n == 1 else 14 + n))
    search.index(store, item(5))  # undated, no hours

    def found(**kw) -> set[int]:
        return set(ids(search.search(store, Query(**kw))[1]))

    assert found(date_from=utc("2026-07-01T00:00:00Z")) == {2, 3, 4}
    assert found(date_from=utc("2026-06-30T23:59:59Z")) == {1, 2, 3, 4}
    assert found(date_from=utc("2026-07-01T01:00:00+02:00")) == {1, 2, 3, 4}  # 23:00 UTC
    assert found(date_from=utc("2026-07-01T02:00:01Z")) == {3, 4}
    assert found(date_to=utc("2026-06-30T23:59:59Z")) == {1, 3, 4}
    assert found(date_to=utc("2026-06-30T22:59:59Z")) == {1, 4}
    assert found(date_to=utc("2026-05-10T09:00:00Z")) == {1, 4}
    assert found(date_to=utc("2026-05-10T08:59:59Z")) == {4}
    assert found(date_from=utc("2026-07-01T00:00:00Z"),
                 date_to=utc("2026-07-01T00:00:00Z")) == {2, 3, 4}
    assert found(date_from=utc("2028-01-01T00:00:00Z")) == set()
    assert found(max_hours_per_week=1.5) == {1, 2, 3}
    assert found(max_hours_per_week=1.4999) == {1, 2}
    assert found(max_hours_per_week=0) == set()
    assert found(age=16) == {1, 2, 5}
    assert found(age=17, max_hours_per_week=1.5) == {1, 2, 3}
    assert found(age=0) == {1, 5}
    # a text may contain words that look like tags: they stay words
    search.index(store, item(6, body="mwxqwviel mwxqm12x mwxqe209912 mwxqn", status="closed"))
    assert found(max_hours_per_week=1.5) == {1, 2, 3}
    assert found(age=17, date_from=utc("2026-07-01T00:00:00Z")) == {2, 3}


@pytest.mark.parametrize("before", ["m004_search_filter_tokens", "m006_search_text"])
def test_migration_carries_rows_indexed_before_it_over(tmp_path, before):
    conn = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    db = sqlite_utils.Database(conn)
    MIGRATIONS.apply(db, stop_before=before)
    for rowid, title, body, status, published in (
            (7, "Lesen", "kinder", "paused", "2026-01-02T00:00:00Z"),
            (8, "Garten", "kinder mwxtrap", "open", "2026-01-01T00:00:00Z"),
            (9, "Tafel", "Kinder essen", "open", None)):
        db.execute("INSERT INTO search_items (rowid, ap_id, kind, local, origin, actor, url, "
                   "title, cause_areas, status, hours_per_week, published) VALUES "
                   "(?, ?, 'opportunity', 0, 'a', 'https://a/x', ?, ?, '|bildung|', ?, 2, ?)",
                   [rowid, f"https://a/{rowid}", f"https://a/{rowid}", title, status,
                    published])
        if before == "m006_search_text":  # indexed by the previous release: filter words
            body += " " + filter_tokens({"kind": "opportunity", "status": status,
                                         "cause_areas": "|bildung|", "local": 0})
        db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                   [rowid, title.lower(), body])
    MIGRATIONS.apply(db)
    assert "search_fts" not in db.table_names()
    store = Store(db)
    assert search.search(store, Query(q="kinder"))[0] == 2
    assert ids(search.search(store, Query(include_inactive=True, cause_area="bildung"))[1]) \
        == [7, 8, 9]  # renumbered newest first, undated last
    assert search.search(store, Query(q="kind", include_inactive=True))[0] == 3
    assert search.search(store, Query(q="kinder", include_inactive=True,
                                      cause_area="umwelt"))[0] == 0
    assert search.search(store, Query(q="mwxtrap"))[0] == 0  # first-scheme words are gone
    assert search.search(store, Query(q="gar", max_hours_per_week=2))[0] == 1
    # new items go on beside the carried-over ones
    search.index(store, item(10, published="2026-01-01T12:00:00Z"))
    assert ids(search.search(store, Query(include_inactive=True))[1]) == [7, 10, 8, 9]


def test_migration_splits_the_folded_text_without_folding_it_again(tmp_path):
    """`fold` is not idempotent ("queer" → "quer" → "qur"): the previous release stored folded
    text, which m006 must only split. It also rounds stored hours like the hour tags."""
    conn = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    db = sqlite_utils.Database(conn)
    MIGRATIONS.apply(db, stop_before="m006_search_text")
    title, body = "Queen Mary Projekt", "Queere Jugendgruppe am Kanuee"
    db.execute("INSERT INTO search_items (rowid, ap_id, kind, local, origin, actor, url, title, "
               "status, hours_per_week, published) VALUES (1, 'https://a/1', 'opportunity', 0, "
               "'a', 'https://a/x', 'https://a/1', ?, 'open', ?, '2026-01-01T00:00:00Z')",
               [title, 3 / 4.345])
    db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (1, ?, ?)",
               [search.fold(title), search.fold(body)])
    MIGRATIONS.apply(db)
    store = Store(db)
    for q in ("Queen", "queer", "Queere", "Kanuee", "Projekt"):
        assert search.search(store, Query(q=q))[0] == 1, q
    assert store.scalar("SELECT hours_per_week FROM search_items") == 0.69
    assert search.search(store, Query(max_hours_per_week=0.69))[0] == 1
    assert search.search(store, Query(max_hours_per_week=0.6899))[0] == 0


def test_text_that_spells_a_huge_range_tag_breaks_no_filter():
    """Range tags are read back from the vocabulary, where text words live too; Python's
    int() refuses more than 4 300 digits."""
    store = Store.memory()
    search.index(store, item(1, hours_per_week=2.0, min_age=16))
    search.index(store, item(2, body=f"mwxqw{'1' * 5000} mwxqm{'9' * 5000} mwxqw٣"))
    assert ids(search.search(store, Query(max_hours_per_week=2))[1]) == [1]
    assert ids(search.search(store, Query(age=16))[1]) == [2, 1]


def test_a_range_with_very_many_values_is_checked_on_the_rows(monkeypatch):
    store = Store.memory()
    dates = ["2026-03-05T10:00:00Z", "2026-04-01T00:00:00Z", "2026-05-20T12:30:00Z",
             "2026-07-01T00:00:00Z", "2027-02-02T08:00:00Z"]
    rows = {n: {"hours": n * 0.25, "min_age": None if n % 4 else n, "start": dates[n % 5],
                "end": dates[(n + 2) % 5]} for n in range(1, 13)}
    for n, r in rows.items():
        search.index(store, item(n, hours_per_week=r["hours"], min_age=r["min_age"],
                                 start=r["start"], end=r["end"]))

    def expected(hours=None, age=None, date_from=None, date_to=None) -> int:
        """The same filters, decided in plain Python over the rows above."""
        return sum(1 for r in rows.values()
                   if (hours is None or r["hours"] <= hours)
                   and (age is None or r["min_age"] is None or r["min_age"] <= age)
                   and (date_from is None or r["end"] >= date_from)
                   and (date_to is None or r["start"] <= date_to))

    queries = [Query(max_hours_per_week=1.5), Query(age=8), Query(max_hours_per_week=2.2, age=4),
               Query(date_from=utc("2026-05-20T12:30:00Z")),
               Query(date_to=utc("2026-04-01T00:00:00Z")),
               Query(date_from=utc("2026-04-15T00:00:00Z"), date_to=utc("2026-06-30T23:59:59Z"),
                     q="kinder")]
    with_tags = [search.search(store, q) for q in queries]
    assert all(search.plan(store, q).where == [] for q in queries[:3])
    monkeypatch.setattr(search, "MAX_RANGE_TAGS", 2)
    assert all(search.plan(store, q).where for q in queries)  # now decided on the rows
    assert [search.search(store, q) for q in queries] == with_tags
    assert [t for t, _ in with_tags] == [
        expected(hours=1.5), expected(age=8), expected(hours=2.2, age=4),
        expected(date_from="2026-05-20T12:30:00Z"), expected(date_to="2026-04-01T00:00:00Z"),
        expected(date_from="2026-04-15T00:00:00Z", date_to="2026-06-30T23:59:59Z")]
    assert min(t for t, _ in with_tags) > 0 and max(t for t, _ in with_tags) < len(rows)


def test_both_date_bounds_match_the_rows_whichever_side_is_asked_as_not():
    """With both bounds one side may be asked as "not the other dates" (`plan`); the hits are
    those of the rows either way — checked against the rows for bounds early and late (so
    that each side is the one turned), at day edges and inside days."""
    rng = random.Random(5)
    store = Store.memory()
    spans = {}
    for n in range(1, 121):
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 500))
        end = start + timedelta(hours=rng.randrange(1, 24 * 90))
        spans[n] = (start, end)
        search.index(store, item(n, start=iso(start), end=iso(end)))
    for n in range(121, 131):
        search.index(store, item(n))  # undated: never within a date range
    turned = set()
    for low, high in (("2026-02-01T00:00:00Z", "2026-03-31T23:59:59Z"),
                      ("2027-03-01T00:00:00Z", "2027-05-15T23:59:59Z"),
                      ("2026-01-15T00:00:00Z", "2027-04-30T23:59:59Z"),
                      ("2026-06-10T12:00:00Z", "2026-06-20T08:30:00Z"),
                      ("2026-09-01T00:00:00Z", "2026-09-01T23:59:59Z")):
        query = Query(date_from=utc(low), date_to=utc(high), limit=200)
        p = search.plan(store, query)
        asked = " ".join(p.tags)
        turned |= {side for side, prefix in (("start", search.START_MONTH),
                                             ("end", search.END_MONTH)) if prefix not in asked}
        want = {n for n, (s, e) in spans.items() if e >= utc(low) and s <= utc(high)}
        assert set(ids(search.search(store, query)[1])) == want, (low, high)
    assert turned == {"start", "end"}  # each side was asked as "not" at least once
