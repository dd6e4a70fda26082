"""The inbox's group commit: concurrent requests share one transaction, each learns its own
outcome, and a failed commit fails every waiting request without writing half a batch."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from mitwirken.federation.group_commit import GroupCommit
from mitwirken.models import inbox_items
from mitwirken.models.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def row(n: int, origin: str = "a.example") -> inbox_items.InboxRow:
    return inbox_items.InboxRow(activity_id=f"https://{origin}/activities/{n}", origin=origin,
                                actor=f"https://{origin}/users/u", type="Create",
                                recipient=None, body="{}", received_at=NOW)


def count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM inbox_items") or 0)


async def test_concurrent_records_share_one_transaction() -> None:
    store = Store.memory()
    woken = []
    commit = GroupCommit(store, on_commit=lambda: woken.append(1))
    ids = await asyncio.gather(*(commit.record(row(n)) for n in range(25)))
    assert commit.commits == 1 and commit.rows == 25
    assert len(set(ids)) == 25 and None not in ids
    assert count(store) == 25
    assert woken == [1]  # the inbox worker is woken once per commit


async def test_duplicates_are_none_also_within_one_batch() -> None:
    store = Store.memory()
    commit = GroupCommit(store)
    first = await commit.record(row(1))
    again, twin_a, twin_b = await asyncio.gather(
        commit.record(row(1)), commit.record(row(2)), commit.record(row(2)))
    assert first is not None and again is None
    assert (twin_a is None) != (twin_b is None)  # exactly one of the twins is new
    assert count(store) == 2


async def test_a_lone_request_is_committed_without_waiting_for_others() -> None:
    store = Store.memory()
    commit = GroupCommit(store)
    assert await asyncio.wait_for(commit.record(row(1)), timeout=1) is not None
    assert commit.commits == 1


async def test_batch_is_capped() -> None:
    store = Store.memory()
    commit = GroupCommit(store, max_batch=10)
    await asyncio.gather(*(commit.record(row(n)) for n in range(25)))
    assert commit.commits == 3 and count(store) == 25


async def test_marks_each_sending_domain_available_once() -> None:
    store = Store.memory()
    for domain in ("a.example", "b.example"):
        store.execute("INSERT INTO domain_health (domain, unavailable, failure_days) "
                      "VALUES (?, 1, '[\"2026-11-01\"]')", [domain])
    commit = GroupCommit(store)
    await asyncio.gather(commit.record(row(1)), commit.record(row(2, "b.example")))
    assert store.all("SELECT domain, unavailable, failure_days FROM domain_health "
                     "ORDER BY domain") == [
        {"domain": "a.example", "unavailable": 0, "failure_days": "[]"},
        {"domain": "b.example", "unavailable": 0, "failure_days": "[]"}]


async def test_a_row_that_cannot_be_stored_fails_alone() -> None:
    store = Store.memory()
    commit = GroupCommit(store)
    store.execute("CREATE TRIGGER refuse BEFORE INSERT ON inbox_items "
                  "WHEN NEW.activity_id LIKE '%/13' BEGIN SELECT RAISE(ABORT, 'bad row'); END")
    results = await asyncio.gather(*(commit.record(row(n)) for n in range(10, 16)),
                                   return_exceptions=True)
    assert isinstance(results[3], sqlite3.IntegrityError), results
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 3), results
    assert count(store) == 5  # the neighbours of the bad row are committed


async def test_unencodable_text_fails_only_its_own_request() -> None:
    """A JSON escape like "\\ud800" decodes to a lone surrogate, which SQLite cannot store."""
    store = Store.memory()
    commit = GroupCommit(store)
    bad = row(2)._replace(type="Like\ud800")
    results = await asyncio.gather(commit.record(row(1)), commit.record(bad),
                                   commit.record(row(3)), return_exceptions=True)
    assert isinstance(results[1], UnicodeEncodeError)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert count(store) == 2


async def test_failed_commit_fails_every_waiter_and_writes_nothing() -> None:
    store = Store.memory()
    commit = GroupCommit(store)
    await commit.record(row(0))
    store.execute("CREATE TRIGGER refuse BEFORE INSERT ON inbox_items "
                  "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    results = await asyncio.gather(*(commit.record(row(n)) for n in range(10, 16)),
                                   return_exceptions=True)
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert count(store) == 1  # the earlier row stays, nothing of the failed batch
    store.execute("DROP TRIGGER refuse")
    assert await commit.record(row(13)) is not None  # and the next batch works again


@pytest.mark.parametrize("n", [1, 64])
async def test_cancelled_waiter_does_not_break_the_batch(n: int) -> None:
    store = Store.memory()
    commit = GroupCommit(store)
    tasks = [asyncio.create_task(commit.record(row(i))) for i in range(n + 1)]
    await asyncio.sleep(0)  # every task has queued its row
    tasks[0].cancel()  # e.g. the client hung up
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[0], asyncio.CancelledError)
    assert all(isinstance(r, int) for r in done[1:])
    assert count(store) == n + 1  # the cancelled request's row was committed anyway
