"""The delivery queue on an in-memory store: enqueue dedupe, leases, the declared states,
domain health (security.md F-01, F-04, F-08, F-16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models import deliveries
from mitwirken.models.deliveries import DeliveryState
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store, iso

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()


def enqueue(store, activity="https://a.example/activities/1", inboxes=(), now=NOW) -> int:
    return deliveries.enqueue_deliveries(store, activity, "city", "{}", inboxes, now)


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
    first = deliveries.claim_deliveries(store, NOW, 3, LEASE)
    assert len(first) == 3
    second = deliveries.claim_deliveries(store, NOW, 10, LEASE)
    assert len(second) == 2
    assert {r["id"] for r in first}.isdisjoint(r["id"] for r in second)
    assert deliveries.claim_deliveries(store, NOW + LEASE - timedelta(seconds=1), 10, LEASE) == []
    # a crashed worker's rows come back when the lease is over (F-04/F-16)
    again = deliveries.claim_deliveries(store, NOW + LEASE, 10, LEASE)
    assert len(again) == 5
    locked = store.all("SELECT DISTINCT locked_until FROM deliveries")
    assert locked == [{"locked_until": iso(NOW + 2 * LEASE)}]


def test_claim_skips_rows_not_yet_due_and_finished_rows(store):
    enqueue(store, inboxes=["https://a.example/inbox", "https://b.example/inbox",
                            "https://c.example/inbox"])
    a, b, c = [r["id"] for r in store.all("SELECT id FROM deliveries ORDER BY id")]
    deliveries.retry_delivery(store, a, 500, "boom", NOW + timedelta(minutes=1))
    deliveries.finish_delivery(store, b, 202, NOW)
    deliveries.fail_delivery(store, c, 410, "gone", NOW)
    assert deliveries.claim_deliveries(store, NOW, 10, LEASE) == []
    due = deliveries.claim_deliveries(store, NOW + timedelta(minutes=1), 10, LEASE)
    assert [r["id"] for r in due] == [a]
    assert due[0]["attempts"] == 1 and due[0]["last_status"] == 500


def test_claim_orders_by_due_time_and_respects_limit(store):
    enqueue(store, "https://a.example/activities/late", ["https://l.example/inbox"],
            NOW + timedelta(seconds=30))
    enqueue(store, "https://a.example/activities/early", ["https://e.example/inbox"], NOW)
    got = deliveries.claim_deliveries(store, NOW + timedelta(minutes=1), 1, LEASE)
    assert [r["domain"] for r in got] == ["e.example"]


def test_claim_skips_unavailable_domains(store):
    enqueue(store, inboxes=["https://dead.example/inbox", "https://ok.example/inbox"])
    for day in range(deliveries.UNAVAILABLE_AFTER_DAYS):
        deliveries.record_domain_failure(store, "dead.example", NOW + timedelta(days=day))
    got = deliveries.claim_deliveries(store, NOW, 10, LEASE)
    assert [r["domain"] for r in got] == ["ok.example"]
    deliveries.mark_domain_available(store, "dead.example")
    assert [r["domain"] for r in deliveries.claim_deliveries(store, NOW, 10, LEASE)] == [
        "dead.example"]


def test_finish_fail_retry_bookkeeping(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    (row,) = deliveries.claim_deliveries(store, NOW, 10, LEASE)
    deliveries.retry_delivery(store, row["id"], None, "x" * 1000, NOW + timedelta(seconds=20))
    r = store.one("SELECT * FROM deliveries")
    assert r["attempts"] == 1 and r["locked_until"] is None and len(r["last_error"]) == 500
    deliveries.finish_delivery(store, row["id"], 202, NOW)
    r = store.one("SELECT * FROM deliveries")
    assert (r["state"], r["attempts"], r["last_status"], r["last_error"]) == ("done", 2, 202, None)
    assert not deliveries.requeue_delivery(store, row["id"], NOW)  # done stays done


def test_requeue_failed_row(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    row_id = store.scalar("SELECT id FROM deliveries")
    deliveries.fail_delivery(store, row_id, 404, "not found", NOW)
    assert deliveries.requeue_delivery(store, row_id, NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=1)
    assert [r["id"] for r in deliveries.claim_deliveries(store, later, 5, LEASE)] == [row_id]
    summary = deliveries.delivery_summary(store)
    assert summary["pending"] == 1 and summary["failed"] == 0


# --- domain health ------------------------------------------------------------------------

def test_domain_becomes_unavailable_on_the_seventh_distinct_day(store):
    for day in range(6):
        for hour in (0, 5, 9):  # several failures on one day count once
            assert not deliveries.record_domain_failure(
                store, "m.example", NOW + timedelta(days=day, hours=hour))
    row = store.one("SELECT * FROM domain_health")
    assert row["unavailable"] == 0 and len(json.loads(row["failure_days"])) == 6
    assert deliveries.record_domain_failure(store, "m.example", NOW + timedelta(days=6))
    # "just became unavailable" is reported once
    assert not deliveries.record_domain_failure(store, "m.example", NOW + timedelta(days=7))
    assert deliveries.delivery_summary(store)["unavailable_domains"] == ["m.example"]


def test_success_clears_failure_days(store):
    for day in range(5):
        deliveries.record_domain_failure(store, "m.example", NOW + timedelta(days=day))
    deliveries.record_domain_success(store, "m.example", NOW + timedelta(days=5))
    row = store.one("SELECT * FROM domain_health")
    assert row["failure_days"] == "[]" and row["unavailable"] == 0
    for day in range(6):  # the count starts again
        assert not deliveries.record_domain_failure(store, "m.example",
                                                    NOW + timedelta(days=6 + day))


def test_mark_available_only_touches_unavailable_domains(store):
    deliveries.record_domain_failure(store, "m.example", NOW)
    deliveries.mark_domain_available(store, "m.example")
    assert store.scalar("SELECT failure_days FROM domain_health") != "[]"
    deliveries.mark_domain_available(store, "never-seen.example")  # no row, no error
    assert store.scalar("SELECT count(*) FROM domain_health") == 1


# --- declared states ----------------------------------------------------------------------

def test_illegal_transition_raises_and_changes_nothing(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    row_id = store.scalar("SELECT id FROM deliveries")
    deliveries.finish_delivery(store, row_id, 202, NOW)
    before = store.one("SELECT * FROM deliveries")
    later = NOW + timedelta(minutes=1)
    with pytest.raises(IllegalTransition, match="done → failed"):
        deliveries.fail_delivery(store, row_id, 500, "late", later)
    with pytest.raises(IllegalTransition, match="done → pending"):
        deliveries.retry_delivery(store, row_id, 500, "late", later)
    with pytest.raises(IllegalTransition, match="done → done"):
        deliveries.finish_delivery(store, row_id, 202, later)
    assert not deliveries.requeue_delivery(store, row_id, later)  # refused, not raised
    assert store.one("SELECT * FROM deliveries") == before


def test_a_failed_row_moves_only_by_requeue(store):
    enqueue(store, inboxes=["https://a.example/inbox"])
    row_id = store.scalar("SELECT id FROM deliveries")
    deliveries.fail_delivery(store, row_id, 410, "gone", NOW)
    before = store.one("SELECT * FROM deliveries")
    with pytest.raises(IllegalTransition, match="failed → done"):
        deliveries.finish_delivery(store, row_id, 202, NOW)  # e.g. cancelled while in flight
    assert store.one("SELECT * FROM deliveries") == before
    assert deliveries.requeue_delivery(store, row_id, NOW)
    assert store.scalar("SELECT state FROM deliveries") == DeliveryState.PENDING


def test_transitions_of_a_missing_row_do_nothing(store):
    deliveries.finish_delivery(store, 42, 202, NOW)
    deliveries.fail_delivery(store, 42, 500, "x", NOW)
    assert not deliveries.requeue_delivery(store, 42, NOW)
    assert store.scalar("SELECT count(*) FROM deliveries") == 0


def test_cancel_pending_for_domain_leaves_other_rows_alone(store):
    enqueue(store, inboxes=["https://bad.example/inbox", "https://bad.example/u/1/inbox",
                            "https://Bad.example:8443/x", "https://ok.example/inbox"])
    first, second, third, other = [r["id"] for r in store.all("SELECT id FROM deliveries "
                                                              "ORDER BY id")]
    deliveries.finish_delivery(store, second, 202, NOW)
    assert deliveries.cancel_pending_for_domain(store, "bad.example", NOW, "domain blocked") == 2
    rows = {r["id"]: r for r in store.all("SELECT * FROM deliveries")}
    for row_id in (first, third):
        assert (rows[row_id]["state"], rows[row_id]["last_error"], rows[row_id]["finished_at"],
                rows[row_id]["attempts"]) == ("failed", "domain blocked", iso(NOW), 0)
    assert rows[second]["state"] == "done" and rows[second]["last_error"] is None
    assert rows[other]["state"] == "pending"
    assert deliveries.cancel_pending_for_domain(store, "bad.example", NOW, "again") == 0


# --- pruning ------------------------------------------------------------------------------

def test_prune_keeps_pending_and_recent_rows(store):
    enqueue(store, inboxes=["https://a.example/inbox", "https://b.example/inbox"])
    done, pending = [r["id"] for r in store.all("SELECT id FROM deliveries ORDER BY id")]
    deliveries.finish_delivery(store, done, 202, NOW - timedelta(days=30))
    store.execute("UPDATE deliveries SET created_at = ? WHERE id = ?",
                  [iso(NOW - timedelta(days=30)), pending])
    deliveries.prune(store, NOW)
    assert [r["id"] for r in store.all("SELECT id FROM deliveries")] == [pending]
