"""The incoming activity queue on an in-memory store: dedupe, retries, the lease, the declared
states (security.md F-01, F-04, F-08, F-16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models import inbox_items
from mitwirken.models.inbox_items import INBOX_LEASE as LEASE
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store, iso

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()


def record(store, activity_id="https://m.example/a/1", origin="m.example"):
    return inbox_items.record_inbox_item(store, activity_id=activity_id, origin=origin,
                                         actor="https://m.example/users/alice", type_="Like",
                                         recipient=None, body="{}", now=NOW)


def claimed(store, now, limit=10) -> list[int]:
    return [r["id"] for r in inbox_items.claim_inbox_items(store, limit, now)]


def test_inbox_item_dedupe_per_origin(store):
    first = record(store)
    assert isinstance(first, int)
    assert record(store) is None
    assert record(store, origin="other.example") is not None  # dedupe key includes origin
    assert store.scalar("SELECT count(*) FROM inbox_items") == 2


def test_inbox_item_retry_then_failed_after_max_attempts(store):
    item = record(store)
    for n in range(4):
        inbox_items.retry_inbox_item(store, item, "fetch failed", NOW, max_attempts=5)
        assert store.scalar("SELECT state FROM inbox_items") == "received"
        # not claimed again before its retry time (1, 2, 4, 8 minutes)
        assert inbox_items.claim_inbox_items(store, 10, NOW + timedelta(minutes=2**n) -
                                             timedelta(seconds=1)) == []
        assert len(inbox_items.claim_inbox_items(store, 10, NOW + timedelta(minutes=2**n))) == 1
    inbox_items.retry_inbox_item(store, item, "fetch failed", NOW, max_attempts=5)
    assert store.one("SELECT state, attempts FROM inbox_items") == {"state": "failed",
                                                                    "attempts": 5}
    assert inbox_items.claim_inbox_items(store, 10, NOW + timedelta(days=1)) == []


def test_claim_and_finish_inbox_items(store):
    ids = [record(store, f"https://m.example/a/{i}") for i in range(3)]
    assert claimed(store, NOW, 2) == ids[:2]
    inbox_items.finish_inbox_item(store, ids[0], "processed", NOW)
    assert claimed(store, NOW) == ids[2:]  # ids[1] is leased: not taken twice
    assert claimed(store, NOW + LEASE) == ids[1:]  # the finished one never comes back


def test_prune_keeps_received_and_recent_items(store):
    record(store, "https://m.example/a/old")
    record(store, "https://m.example/a/new")
    store.execute("UPDATE inbox_items SET state = 'processed'")
    store.execute("UPDATE inbox_items SET received_at = ? WHERE activity_id LIKE '%old'",
                  [iso(NOW - timedelta(days=30))])
    record(store, "https://m.example/a/waiting")
    store.execute("UPDATE inbox_items SET received_at = ? WHERE activity_id LIKE '%waiting'",
                  [iso(NOW - timedelta(days=30))])
    inbox_items.prune(store, NOW)
    assert [r["activity_id"] for r in store.all("SELECT activity_id FROM inbox_items "
                                                "ORDER BY id")] == [
        "https://m.example/a/new", "https://m.example/a/waiting"]


# --- the lease ----------------------------------------------------------------------------

def test_a_leased_item_is_not_claimed_twice(store):
    item = record(store)
    assert claimed(store, NOW) == [item]
    assert store.scalar("SELECT locked_until FROM inbox_items") == iso(NOW + LEASE)
    assert claimed(store, NOW) == []
    assert claimed(store, NOW + LEASE - timedelta(seconds=1)) == []


def test_an_expired_lease_is_claimed_again(store):
    """A worker that crashed holding items: its lease runs out and the next claim takes them."""
    items = [record(store, f"https://m.example/a/{i}") for i in range(2)]
    assert claimed(store, NOW) == items
    assert claimed(store, NOW + LEASE) == items
    assert store.scalar("SELECT DISTINCT locked_until FROM inbox_items") == iso(NOW + 2 * LEASE)


def test_the_lease_length_is_the_callers(store):
    item = record(store)
    assert [r["id"] for r in inbox_items.claim_inbox_items(
        store, 10, NOW, lease=timedelta(seconds=30))] == [item]
    assert claimed(store, NOW + timedelta(seconds=29)) == []
    assert claimed(store, NOW + timedelta(seconds=30)) == [item]


def test_finish_and_retry_release_the_lease(store):
    done, later = record(store, "https://m.example/a/1"), record(store, "https://m.example/a/2")
    claimed(store, NOW)
    inbox_items.finish_inbox_item(store, done, "ignored", NOW)
    inbox_items.retry_inbox_item(store, later, "fetch failed", NOW)
    assert store.all("SELECT state, locked_until FROM inbox_items ORDER BY id") == [
        {"state": "ignored", "locked_until": None}, {"state": "received", "locked_until": None}]
    assert claimed(store, NOW + timedelta(minutes=1)) == [later]  # due again, lease or not


# --- declared states ----------------------------------------------------------------------

def test_finishing_a_decided_item_raises_and_changes_nothing(store):
    item = record(store)
    inbox_items.finish_inbox_item(store, item, "processed", NOW)
    before = store.one("SELECT * FROM inbox_items")
    with pytest.raises(IllegalTransition, match="processed → failed"):
        inbox_items.finish_inbox_item(store, item, "failed", NOW + timedelta(minutes=1), "late")
    with pytest.raises(IllegalTransition, match="processed → processed"):
        inbox_items.finish_inbox_item(store, item, "processed", NOW + timedelta(minutes=1))
    with pytest.raises(IllegalTransition, match="processed → received"):
        inbox_items.retry_inbox_item(store, item, "fetch failed", NOW + timedelta(minutes=1))
    assert store.one("SELECT * FROM inbox_items") == before


def test_finish_takes_only_a_verdict(store):
    item = record(store)
    before = store.one("SELECT * FROM inbox_items")
    with pytest.raises(IllegalTransition):
        inbox_items.finish_inbox_item(store, item, "received", NOW)  # that is a retry
    with pytest.raises(IllegalTransition):
        inbox_items.finish_inbox_item(store, item, "maybe", NOW)  # no state at all
    assert store.one("SELECT * FROM inbox_items") == before


def test_transitions_of_a_missing_item_do_nothing(store):
    inbox_items.finish_inbox_item(store, 42, "processed", NOW)
    inbox_items.retry_inbox_item(store, 42, "fetch failed", NOW)
    assert store.scalar("SELECT count(*) FROM inbox_items") == 0


def test_list_recent_is_newest_first_with_bodies(store):
    ids = [record(store, f"https://m.example/a/{i}") for i in range(3)]
    rows = inbox_items.list_recent(store, 2)
    assert [r["id"] for r in rows] == ids[:0:-1]
    assert set(rows[0]) == {"id", "activity_id", "type", "actor", "recipient", "state",
                            "error", "received_at", "body"}
