"""The lifecycle pass stays bounded (issue 17 §7): SQL picks only what is due, through the due
indexes, in batches; each change yields to the event loop; queue pruning goes in short
transactions; the migration fills the due columns of existing rows."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from mitwirken.models import content_store, follows
from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.store import iso
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases import network_ingest
from mitwirken.server.workers import maintenance as maintenance_module
from tests.integration.test_lifecycle import MINIMAL, Clock


def one_off(start: datetime) -> dict:
    return {**MINIMAL, "kind": "one-off", "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat()}


async def test_the_pass_loads_only_due_opportunities_in_batches(fediverse, monkeypatch):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    content = a.app[SERVICES].content
    start = clock.now + timedelta(days=1)
    due = [content.create("opportunities", "city_a", one_off(start)).id for _ in range(7)]
    later = [content.create("opportunities", "city_a", one_off(start + timedelta(days=30))).id
             for _ in range(3)]
    fresh = [content.create("opportunities", "city_a", MINIMAL).id for _ in range(4)]
    monkeypatch.setattr(maintenance_module, "BATCH", 3)
    loaded: list[str] = []
    real_get = content_store.get

    def counting_get(store, table, object_id, **kw):
        loaded.append(object_id)
        return real_get(store, table, object_id, **kw)

    monkeypatch.setattr(maintenance_module.content_store, "get", counting_get)
    clock.now = start + timedelta(hours=3)
    assert await a.app[SERVICES].workers.maintenance.tick() == 7
    assert set(loaded) == set(due)  # nothing that is not due was read as a model
    store = a.app[STORE]
    status = {i: content_store.get(store, "opportunities", i).status.value
              for i in due + later + fresh}
    assert {status[i] for i in due} == {"closed"}
    assert {status[i] for i in later + fresh} == {"open"}


async def test_auto_pause_is_selected_by_confirmation_date(fediverse):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    content = a.app[SERVICES].content
    old = content.create("opportunities", "city_a", MINIMAL)
    clock.now += timedelta(days=60)
    confirmed_later = content.create("opportunities", "city_a", MINIMAL)
    content.confirm(old.id)  # confirmed now: the reference moves to the later date
    clock.now += timedelta(days=91)
    worker = a.app[SERVICES].workers.maintenance
    assert await worker.tick() == 2
    clock.now += timedelta(days=1)
    assert await worker.tick() == 0
    store = a.app[STORE]
    assert content_store.get(store, "opportunities", old.id).status.value == "paused"
    assert content_store.get(store, "opportunities", confirmed_later.id).status.value == \
        "paused"


async def test_the_pass_yields_to_the_event_loop_while_it_works(fediverse):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    content = a.app[SERVICES].content
    start = clock.now + timedelta(days=1)
    for _ in range(6):
        content.create("opportunities", "city_a", one_off(start))
    clock.now = start + timedelta(hours=3)
    ran_between = 0
    done = False

    async def other_request() -> None:
        nonlocal ran_between
        while not done:
            ran_between += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_request())
    await asyncio.sleep(0)
    ran_before = ran_between
    assert await a.app[SERVICES].workers.maintenance.tick() == 6
    done = True
    await other
    assert ran_between - ran_before >= 6  # at least once after every change


def due_plans(store) -> list[str]:
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        content_store.due_to_close(store, now)
        content_store.due_for_pause(store, now - timedelta(days=90), now)
    finally:
        store.db.conn.set_trace_callback(None)
    return [" ".join(str(r[-1]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in statements]


async def test_due_queries_use_the_due_indexes(fediverse):
    a = await fediverse.add("city-a")
    close_plan, pause_plan = due_plans(a.app[STORE])
    assert "opportunities_due_end" in close_plan
    assert "opportunities_due_confirm" in pause_plan
    assert "SCAN opportunities" not in close_plan + pause_plan


async def test_pruning_finished_queue_rows_goes_in_short_batches(fediverse, monkeypatch):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    store = a.app[STORE]
    old = iso(clock.now - timedelta(days=30))
    for i in range(7):
        store.execute(
            "INSERT INTO inbox_items (activity_id, origin, actor, type, body, state, "
            "received_at) VALUES (?, 'x.example', 'https://x.example/a', 'Like', '{}', "
            "'processed', ?)", [f"https://x.example/{i}", old])
    store.execute(  # still waiting: kept whatever its age
        "INSERT INTO inbox_items (activity_id, origin, actor, type, body, received_at) "
        "VALUES ('https://x.example/w', 'x.example', 'https://x.example/a', 'Like', '{}', ?)",
        [old])
    statements: list[str] = []
    monkeypatch.setattr(maintenance_module, "PRUNE_BATCH", 3)
    store.db.conn.set_trace_callback(statements.append)
    try:
        await a.app[SERVICES].workers.maintenance.tick()
    finally:
        store.db.conn.set_trace_callback(None)
    deletes = [s for s in statements if s.startswith("DELETE FROM inbox_items")]
    assert len(deletes) == 3  # 3 + 3 + 1
    assert [r["state"] for r in store.all("SELECT state FROM inbox_items")] == ["received"]


OLD_ROWS = [  # id, data as stored before m010, expected (ends_at, confirmed_at, dated)
    ("o1", {"kind": "one-off", "start": "2026-05-01T10:00:00+02:00",
            "end": "2026-05-01T14:30:00+02:00", "published": "2026-01-02T09:00:00Z"},
     ("2026-05-01T12:30:00Z", "2026-01-02T09:00:00Z", 1)),
    ("o2", {"kind": "regular", "end": None, "published": "2026-01-02T09:00:00Z",
            "last_confirmed": "2026-03-04T08:00:00.123456+01:00"},
     (None, "2026-03-04T07:00:00Z", 0)),
    ("o3", {"kind": "shifts", "start": None, "published": "2026-02-01T00:00:00Z",
            "last_confirmed": "2026-01-15T00:00:00Z"},
     (None, "2026-02-01T00:00:00Z", 0)),
    ("o4", {"kind": "shifts", "start": "2026-06-01T08:00:00Z", "end": "2026-06-30T18:00:00Z"},
     ("2026-06-30T18:00:00Z", None, 1)),
]


def test_the_migration_fills_the_due_columns_of_existing_rows(tmp_path):
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m010_due_dates")
    db.execute("INSERT INTO actors (username, kind, name, private_key_pem, public_key_pem, "
               "created_at, updated_at) VALUES ('city', 'city', 'C', '', '', "
               "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    for object_id, data, _ in OLD_ROWS:
        db.execute("INSERT INTO opportunities (id, username, data, status, published, updated) "
                   "VALUES (?, 'city', ?, 'open', '2026-01-01T00:00:00Z', "
                   "'2026-01-01T00:00:00Z')", [object_id, json.dumps(data)])
    MIGRATIONS.apply(db)
    got = {r[0]: tuple(r[1:]) for r in db.execute(
        "SELECT id, ends_at, confirmed_at, dated FROM opportunities")}
    assert got == {object_id: expected for object_id, _, expected in OLD_ROWS}


@pytest.mark.parametrize("kind,expected", [("regular", 0), ("one-off", 1)])
async def test_saved_rows_carry_the_due_columns(fediverse, kind, expected):
    a = await fediverse.add("city-a")
    body = one_off(datetime(2026, 7, 1, 10, tzinfo=UTC)) if kind == "one-off" else MINIMAL
    opp = a.app[SERVICES].content.create("opportunities", "city_a", body)
    row = a.app[STORE].one("SELECT ends_at, confirmed_at, dated FROM opportunities "
                           "WHERE id = ?", [opp.id])
    assert row["dated"] == expected
    assert row["confirmed_at"] == iso(opp.published)
    assert row["ends_at"] == (iso(opp.end) if opp.end else None)


def add_remote_objects(store, n: int, origin: str, actor: str, shared_by: str | None = None,
                       prefix: str = "o") -> list[str]:
    ids = [f"https://{origin}/objects/{prefix}{i:05d}" for i in range(n)]
    with store.tx():
        for object_id in ids:
            store.execute(
                "INSERT INTO remote_objects (id, kind, actor, origin, raw, shared_by, "
                "received_at) VALUES (?, 'other', ?, ?, '{}', ?, '2026-01-01T00:00:00Z')",
                [object_id, actor, origin, shared_by])
    return ids


async def test_purging_a_domain_goes_through_every_page(fediverse):
    a = await fediverse.add("city-a")
    store = a.app[STORE]
    add_remote_objects(store, 1203, "bad.example", "https://bad.example/actors/x")
    keep = add_remote_objects(store, 3, "good.example", "https://good.example/actors/y")
    assert network_ingest.purge_domain(store, "bad.example") == 1203
    assert [r["id"] for r in store.all("SELECT id FROM remote_objects ORDER BY id")] == keep


async def test_purging_an_unfollowed_actor_goes_through_every_page(fediverse):
    a = await fediverse.add("city-a")
    store = a.app[STORE]
    city = "https://n.example/actors/city"
    add_remote_objects(store, 1001, "n.example", city)
    add_remote_objects(store, 502, "o.example", "https://o.example/actors/org", shared_by=city,
                       prefix="s")
    assert network_ingest.purge_actor(store, city) == 1503
    assert store.scalar("SELECT count(*) FROM remote_objects") == 0
    plan = " ".join(str(r[-1]) for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM remote_objects WHERE (actor = 'a' OR shared_by = 'a')"
        " AND id > '' ORDER BY id LIMIT 500"))
    assert "remote_objects_shared_by" in plan


async def test_listing_followers_reads_them_a_batch_at_a_time(fediverse):
    a = await fediverse.add("city-a")
    store = a.app[STORE]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(8):  # two follow in the same second: the actor breaks the tie
        follows.add_follower(store, username="city_a", actor=f"https://m.example/u/{i}",
                             follow_id=f"https://m.example/f/{i}",
                             state="pending" if i % 3 == 0 else "accepted",
                             inbox="https://m.example/inbox", shared_inbox=None,
                             now=start + timedelta(seconds=i // 2))
    listed = follows.list_followers(store, "city_a", batch=3)
    assert not isinstance(listed, list)  # an iterator, not everything at once
    assert [r["actor"] for r in listed] == [f"https://m.example/u/{i}" for i in range(8)]
    assert [r["actor"].rsplit("/", 1)[1] for r in
            follows.list_followers(store, "city_a", "pending", batch=2)] == ["0", "3", "6"]
