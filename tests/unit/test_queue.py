"""The durable queues on an in-memory store: enqueue dedupe, leases, domain health, inbox
items (security.md F-01, F-04, F-08, F-16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models import queue
from mitwirken.models.store import Store, iso

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()


def enqueue(store, activity="https://a.example/activities/1", inboxes=(), now=NOW) -> int:
    return queue.enqueue_deliveries(store, activity, "city", "{}", inboxes, now)


# --- enqueue ------------------------------------------------------------------------------

def test_enqueue_one_row_per_distinct_inbox(store):
    inboxes = ["https://m.example/inbox", "https://m.example/inbox", "https://x.example/u/inbox"]
    assert enqueue(store, inboxes=inboxes) == 2
    rows = store.all("SELECT inbox, domain, state, attempts, next_attempt_at FROM deliveries "
                     "ORDER BY id")
    assert rows == [
        {"inbox": "https://m.example/inbox", "domain": "m.example", "state": "pending",
         "attempts": 0, "next_attempt_at": iso(NOW)},
        {"inbox": "https://x.example/u/inbox", "domain": "x.example", "state": "pending",
         "attempts": 0, "next_attempt_at": iso(NOW)},
    ]


def test_enqueue_again_is_a_no_op_but_another_activity_is_new(store):
    inboxes = ["https://m.example/inbox"]
    assert enqueue(store, inboxes=inboxes) == 1
    assert enqueue(store, inboxes=inboxes) == 0  # a restarted fan-out adds nothing
    assert enqueue(store, "https://a.example/activities/2", inboxes) == 1
    assert enqueue(store, inboxes=[]) == 0
    assert store.scalar("SELECT count(*) FROM deliveries") == 2


def test_domain_is_lower_cased_host_without_port(store):
    enqueue(store, inboxes=["https://Social.Example:8443/inbox"])
    assert store.scalar("SELECT domain FROM deliveries") == "social.example"


# --- claims and leases --------------------------------------------------------------------

def test_claim_takes_due_rows_once_until_the_lease_expires(store):
    enqueue(store, inboxes=[f"https://d{i}.example/inbox" for i in range(5)])
    first = queue.claim_deliveries(store, NOW, 3, LEASE)
    assert len(first) == 3
    second = queue.claim_deliveries(store, NOW, 10, LEASE)
    assert len(second) == 2
    assert {r["id"] for r in first}.isdisjoint(r["id"] for r in second)
    assert queue.claim_deliveries(store, NOW + LEASE - timedelta(seconds=1), 10, LEASE) == []
    # a crashed worker's rows come back when the lease is over (F-04/F-16)
    again = queue.claim_deliveries(store, NOW + LEASE, 10, LEASE)
    assert len(again) == 5
    locked = store.all("SELECT DISTINCT locked_until FROM deliveries")
    assert locked == [{"locked_until": iso(NOW + 2 * LEASE)}]


def test_claim_skips_rows_not_yet_due_and_finished_rows(store):
    enqueue(store, inboxes=["https://a.example/inbox", "https://b.example/inbox",
                            "https://c.example/inbox"])
    a, b, c = [r["id"] for r in store.all("SELECT id FROM deliveries ORDER BY id")]
    queue.retry_delivery(store, a, 500, "boom", NOW + timedelta(minutes=1))
    queue.finish_delivery(store, b, 202, NOW)
    queue.fail_delivery(store, c, 410, "gone", NOW)
    assert queue.claim_deliveries(store, NOW, 10, LEASE) == []
    due = queue.claim_deliveries(store, NOW + timedelta(minutes=1), 10, LEASE)
    assert [r["id"] for r in due] == [a]
    assert due[0]["attempts"] == 1 and due[0]["last_status"] == 500


def test_claim_orders_by_due_time_and_respects_limit(store):
    enqueue(store, "https://a.example/activities/late", ["https://l.example/inbox"],
            NOW + timedelta(seconds=30))
    enqueue(store, "https://a.example/activities/early", ["https://e.example/inbox"], NOW)
    got = queue.claim_deliveries(store, NOW + timedelta(minutes=1), 1, LEASE)
    assert [r["domain"] for r in got] == ["e.example"]


def test_claim_skips_unavailable_domains(store):
    enqueue(store, inboxes=["https://dead.example/inbox", "https://ok.example/inbox"])
    for day in range(queue.UNAVAILABLE_AFTER_DAYS):
        queue.record_domain_failure(store, "dead.example", NOW + timedelta(days=day))
    got = queue.claim_deliveries(store, NOW, 10, LEASE)
    assert [r["domain"] for r in got] == ["ok.example"]
    queue.mark_domain_available(store, "dead.example")
    assert [r["domain"] for r in queue.claim_deliveries(store, NOW, 10, LEASE)] == [
        "dead.example"]


def test_finish_fail_retry_bookkeeping(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    (row,) = queue.claim_deliveries(store, NOW, 10, LEASE)
    queue.retry_delivery(store, row["id"], None, "x" * 1000, NOW + timedelta(seconds=20))
    r = store.one("SELECT * FROM deliveries")
    assert r["attempts"] == 1 and r["locked_until"] is None and len(r["last_error"]) == 500
    queue.finish_delivery(store, row["id"], 202, NOW)
    r = store.one("SELECT * FROM deliveries")
    assert (r["state"], r["attempts"], r["last_status"], r["last_error"]) == ("done", 2, 202, None)
    assert not queue.requeue_delivery(store, row["id"], NOW)  # done stays done


def test_requeue_failed_row(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    row_id = store.scalar("SELECT id FROM deliveries")
    queue.fail_delivery(store, row_id, 404, "not found", NOW)
    assert queue.requeue_delivery(store, row_id, NOW + timedelta(hours=1))
    assert [r["id"] for r in queue.claim_deliveries(store, NOW + timedelta(hours=1), 5, LEASE)
            ] == [row_id]
    summary = queue.delivery_summary(store)
    assert summary["pending"] == 1 and summary["failed"] == 0


# --- domain health ------------------------------------------------------------------------

def test_domain_becomes_unavailable_on_the_seventh_distinct_day(store):
    for day in range(6):
        for hour in (0, 5, 9):  # several failures on one day count once
            assert not queue.record_domain_failure(
                store, "m.example", NOW + timedelta(days=day, hours=hour))
    row = store.one("SELECT * FROM domain_health")
    assert row["unavailable"] == 0 and len(json.loads(row["failure_days"])) == 6
    assert queue.record_domain_failure(store, "m.example", NOW + timedelta(days=6))
    # "just became unavailable" is reported once
    assert not queue.record_domain_failure(store, "m.example", NOW + timedelta(days=7))
    assert queue.delivery_summary(store)["unavailable_domains"] == ["m.example"]


def test_success_clears_failure_days(store):
    for day in range(5):
        queue.record_domain_failure(store, "m.example", NOW + timedelta(days=day))
    queue.record_domain_success(store, "m.example", NOW + timedelta(days=5))
    row = store.one("SELECT * FROM domain_health")
    assert row["failure_days"] == "[]" and row["unavailable"] == 0
    for day in range(6):  # the count starts again
        assert not queue.record_domain_failure(store, "m.example", NOW + timedelta(days=6 + day))


def test_mark_available_only_touches_unavailable_domains(store):
    queue.record_domain_failure(store, "m.example", NOW)
    queue.mark_domain_available(store, "m.example")
    assert store.scalar("SELECT failure_days FROM domain_health") != "[]"
    queue.mark_domain_available(store, "never-seen.example")  # no row, no error
    assert store.scalar("SELECT count(*) FROM domain_health") == 1


# --- inbox items --------------------------------------------------------------------------

def record(store, activity_id="https://m.example/a/1", origin="m.example"):
    return queue.record_inbox_item(store, activity_id=activity_id, origin=origin,
                                   actor="https://m.example/users/alice", type_="Like",
                                   recipient=None, body="{}", now=NOW)


def test_inbox_item_dedupe_per_origin(store):
    first = record(store)
    assert isinstance(first, int)
    assert record(store) is None
    assert record(store, origin="other.example") is not None  # dedupe key includes origin
    assert store.scalar("SELECT count(*) FROM inbox_items") == 2


def test_inbox_item_retry_then_failed_after_max_attempts(store):
    item = record(store)
    for n in range(4):
        queue.retry_inbox_item(store, item, "fetch failed", NOW, max_attempts=5)
        assert store.scalar("SELECT state FROM inbox_items") == "received"
        # not claimed again before its retry time (1, 2, 4, 8 minutes)
        assert queue.claim_inbox_items(store, 10, NOW + timedelta(minutes=2**n) -
                                       timedelta(seconds=1)) == []
        assert len(queue.claim_inbox_items(store, 10, NOW + timedelta(minutes=2**n))) == 1
    queue.retry_inbox_item(store, item, "fetch failed", NOW, max_attempts=5)
    assert store.one("SELECT state, attempts FROM inbox_items") == {"state": "failed",
                                                                    "attempts": 5}
    assert queue.claim_inbox_items(store, 10, NOW + timedelta(days=1)) == []


def test_claim_and_finish_inbox_items(store):
    ids = [record(store, f"https://m.example/a/{i}") for i in range(3)]
    assert [r["id"] for r in queue.claim_inbox_items(store, 2, NOW)] == ids[:2]
    queue.finish_inbox_item(store, ids[0], "processed", NOW)
    assert [r["id"] for r in queue.claim_inbox_items(store, 10, NOW)] == ids[1:]


def test_prune_keeps_pending_and_recent_rows(store):
    record(store, "https://m.example/a/old")
    record(store, "https://m.example/a/new")
    store.execute("UPDATE inbox_items SET state = 'processed'")
    store.execute("UPDATE inbox_items SET received_at = ? WHERE activity_id LIKE '%old'",
                  [iso(NOW - timedelta(days=30))])
    enqueue(store, inboxes=["https://a.example/inbox", "https://b.example/inbox"])
    done, pending = [r["id"] for r in store.all("SELECT id FROM deliveries ORDER BY id")]
    queue.finish_delivery(store, done, 202, NOW - timedelta(days=30))
    store.execute("UPDATE deliveries SET created_at = ? WHERE id = ?",
                  [iso(NOW - timedelta(days=30)), pending])
    queue.prune(store, NOW)
    assert [r["activity_id"] for r in store.all("SELECT activity_id FROM inbox_items")] == [
        "https://m.example/a/new"]
    assert [r["id"] for r in store.all("SELECT id FROM deliveries")] == [pending]
