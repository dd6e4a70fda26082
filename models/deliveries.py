"""The outgoing delivery queue (`deliveries`) and the health of remote domains (`domain_health`).

One row per (activity, inbox), so a restarted fan-out never sends one activity twice to the
same inbox from our side. Rows are claimed with a lease (`locked_until`): a crashed process
simply lets the lease expire and the next tick takes the row again. A row's state follows
`DELIVERY`: pending until it is sent (done) or given up (failed); a failed row can be queued
again by an administrator, a done one never. A pending row to a domain the federation policy
does not let us reach now (allow-list mode, the domain not listed) is `held` instead of sent,
and goes back to pending when the domain is allowed or the mode is open again. Domain health
is Mastodon's DeliveryFailureTracker: failures on seven distinct days make a domain
unavailable until it answers again. This module is the only writer of both tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypedDict, cast
from urllib.parse import urlsplit

from mitwirken.models.states import IllegalTransition, StateMachine, move_row, update_state
from mitwirken.models.store import Store, iso

UNAVAILABLE_AFTER_DAYS = 7
TABLE = "deliveries"


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DONE = "done"  # the inbox accepted it
    FAILED = "failed"  # given up: a final answer, the retry budget spent, or cancelled
    HELD = "held"  # not sent: the federation policy does not reach its domain now


DELIVERY = StateMachine(
    name="deliveries",
    states=DeliveryState,
    initial=DeliveryState.PENDING,
    terminal=frozenset({DeliveryState.DONE}),
    transitions={
        # sent / given up / retried later or requeued while waiting
        DeliveryState.PENDING: frozenset({DeliveryState.DONE, DeliveryState.FAILED,
                                          DeliveryState.PENDING, DeliveryState.HELD}),
        DeliveryState.FAILED: frozenset({DeliveryState.PENDING}),  # requeued by an admin
        # released (domain allowed, mode open) / cancelled (domain blocked)
        DeliveryState.HELD: frozenset({DeliveryState.PENDING, DeliveryState.FAILED}),
        DeliveryState.DONE: frozenset(),
    },
)


class Delivery(TypedDict):
    """A row of `deliveries`: one activity (`body`, JSON text) for one inbox."""

    id: int
    activity_id: str
    username: str
    inbox: str
    domain: str
    body: str
    state: str
    attempts: int
    next_attempt_at: str
    locked_until: str | None
    last_status: int | None
    last_error: str | None
    created_at: str
    finished_at: str | None


class DeliveryListing(TypedDict):
    """A delivery as `list_deliveries()` shows it (without body and timestamps)."""

    id: int
    activity_id: str
    inbox: str
    domain: str
    state: str
    attempts: int
    next_attempt_at: str
    last_status: int | None
    last_error: str | None


class DeliverySummary(TypedDict):
    pending: int
    held: int
    done: int
    failed: int
    unavailable_domains: list[str]


def _move(store: Store, row_id: int, dst: DeliveryState, assignments: str,
          values: list[object], sources: Iterable[DeliveryState] | None = None) -> bool:
    return move_row(store, TABLE, DELIVERY, row_id, dst, assignments=assignments, values=values,
                    sources=sources)


# --- deliveries ---------------------------------------------------------------------------


def enqueue_deliveries(
    store: Store, activity_id: str, username: str, body: str, inboxes: Iterable[str], now: datetime
) -> int:
    """Insert one pending delivery per distinct inbox; returns how many are new."""
    rows = [
        {
            "activity_id": activity_id,
            "username": username,
            "inbox": inbox,
            "domain": (urlsplit(inbox).hostname or "").lower(),
            "body": body,
            "state": DELIVERY.initial.value,
            "attempts": 0,
            "next_attempt_at": iso(now),
            "created_at": iso(now),
        }
        for inbox in dict.fromkeys(inboxes)
    ]
    before = store.db.conn.total_changes
    store.db.table(TABLE).insert_all(rows, ignore=True)
    return store.db.conn.total_changes - before


def claim_deliveries(store: Store, now: datetime, limit: int,
                     lease: timedelta) -> list[Delivery]:
    """Take up to `limit` due rows whose lease is free, skipping unavailable domains."""
    with store.tx():
        rows = store.all(
            "SELECT d.* FROM deliveries d LEFT JOIN domain_health h ON h.domain = d.domain "
            "WHERE d.state = ? AND d.next_attempt_at <= ? "
            "AND (d.locked_until IS NULL OR d.locked_until <= ?) "
            "AND COALESCE(h.unavailable, 0) = 0 "
            "ORDER BY d.next_attempt_at, d.id LIMIT ?",
            [DeliveryState.PENDING.value, iso(now), iso(now), limit],
        )
        if rows:
            store.execute(
                f"UPDATE deliveries SET locked_until = ? WHERE id IN ({','.join('?' * len(rows))})",
                [iso(now + lease), *[r["id"] for r in rows]],
            )
    return cast(list[Delivery], rows)


def release_leases(store: Store) -> int:
    """Free every lease on pending rows — only for a process that holds the data folder's lock
    (no other live worker can own a lease then: they are its own previous run's)."""
    return int(store.execute(
        "UPDATE deliveries SET locked_until = NULL WHERE state = ? AND locked_until IS NOT NULL",
        [DeliveryState.PENDING.value]).rowcount)


def finish_delivery(store: Store, row_id: int, status: int | None, now: datetime) -> None:
    """The inbox accepted the activity (pending → done)."""
    _move(store, row_id, DeliveryState.DONE,
          "attempts = attempts + 1, last_status = ?, locked_until = NULL, finished_at = ?, "
          "last_error = NULL", [status, iso(now)])


def fail_delivery(store: Store, row_id: int, status: int | None, error: str, now: datetime) -> None:
    """Give up on this row (a final 4xx or the retry budget is spent): pending → failed."""
    _move(store, row_id, DeliveryState.FAILED,
          "attempts = attempts + 1, last_status = ?, last_error = ?, locked_until = NULL, "
          "finished_at = ?", [status, error[:500], iso(now)])


def retry_delivery(
    store: Store, row_id: int, status: int | None, error: str, next_attempt: datetime
) -> None:
    """Try again at `next_attempt` (pending → pending only: a row that failed meanwhile, e.g.
    cancelled by a domain block while its POST was in flight, stays failed)."""
    _move(store, row_id, DeliveryState.PENDING,
          "attempts = attempts + 1, last_status = ?, last_error = ?, locked_until = NULL, "
          "next_attempt_at = ?", [status, error[:500], iso(next_attempt)],
          sources=[DeliveryState.PENDING])


def requeue_delivery(store: Store, row_id: int, now: datetime) -> bool:
    """Admin action: try a failed or waiting row again now. A done row stays done (False)."""
    try:
        return _move(store, row_id, DeliveryState.PENDING,
                     "next_attempt_at = ?, locked_until = NULL", [iso(now)])
    except IllegalTransition:
        return False


_DOMAIN_OR_SUB = "(domain = ? OR domain LIKE ? ESCAPE '\\')"


def _domain_params(domain: str) -> list[object]:
    escaped = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [domain, f"%.{escaped}"]


def cancel_pending_for_domain(store: Store, domain: str, now: datetime, reason: str) -> int:
    """Give up every pending or held delivery to `domain` and its subdomains (it was
    blocked); returns how many."""
    return update_state(store, TABLE, DELIVERY, DeliveryState.FAILED, where=_DOMAIN_OR_SUB,
                        params=_domain_params(domain),
                        assignments="last_error = ?, finished_at = ?, locked_until = NULL",
                        values=[reason, iso(now)],
                        sources=[DeliveryState.PENDING, DeliveryState.HELD])


def hold_delivery(store: Store, row_id: int, reason: str) -> bool:
    """Keep a claimed pending row unsent (pending → held); False if it moved meanwhile."""
    try:
        return _move(store, row_id, DeliveryState.HELD, "locked_until = NULL, last_error = ?",
                     [reason[:500]], sources=[DeliveryState.PENDING])
    except IllegalTransition:
        return False


def release_held(store: Store, now: datetime, domain: str | None = None) -> int:
    """Held rows (to `domain` and its subdomains, or all) become pending, due now; the
    delivery worker holds again any its policy still does not reach. Returns how many."""
    where, params = (_DOMAIN_OR_SUB, _domain_params(domain)) if domain else ("1", [])
    return update_state(store, TABLE, DELIVERY, DeliveryState.PENDING, where=where,
                        params=params, assignments="next_attempt_at = ?, last_error = NULL",
                        values=[iso(now)], sources=[DeliveryState.HELD])


def pending_domains(store: Store) -> list[str]:
    """The distinct domains that pending rows go to."""
    return [r["domain"] for r in store.all(
        "SELECT DISTINCT domain FROM deliveries WHERE state = ? ORDER BY domain",
        [DeliveryState.PENDING.value])]


def hold_pending_for_domain(store: Store, domain: str, reason: str) -> int:
    """Hold every pending row to exactly `domain` (the allow-list does not name it)."""
    return update_state(store, TABLE, DELIVERY, DeliveryState.HELD, where="domain = ?",
                        params=[domain], assignments="locked_until = NULL, last_error = ?",
                        values=[reason[:500]], sources=[DeliveryState.PENDING])


def get_delivery(store: Store, row_id: int) -> DeliveryListing | None:
    row = store.one(f"SELECT {_LISTING} FROM deliveries WHERE id = ?", [row_id])
    return cast(DeliveryListing, row) if row else None


def cancel_pending_for_inbox(store: Store, inbox: str, now: datetime, reason: str) -> int:
    """Give up every pending delivery to one personal inbox (its owner was erased)."""
    return update_state(store, TABLE, DELIVERY, DeliveryState.FAILED, where="inbox = ?",
                        params=[inbox], assignments="last_error = ?, finished_at = ?",
                        values=[reason, iso(now)], sources=[DeliveryState.PENDING])


def replace_bodies(store: Store, bodies: Mapping[str, str]) -> int:
    """These activities were restated or withdrawn (`models.outbox`): every delivery of them
    carries the new JSON text, whatever its state — a pending one sends no withdrawn state
    later, a finished one keeps none stored. Returns how many rows changed."""
    return sum(store.execute("UPDATE deliveries SET body = ? WHERE activity_id = ?",
                             [body, activity_id]).rowcount
               for activity_id, body in bodies.items())


def delivery_summary(store: Store) -> DeliverySummary:
    counts = {
        r["state"]: r["n"]
        for r in store.all("SELECT state, count(*) AS n FROM deliveries GROUP BY state")
    }
    return {
        "pending": counts.get("pending", 0),
        "held": counts.get("held", 0),
        "done": counts.get("done", 0),
        "failed": counts.get("failed", 0),
        "unavailable_domains": [
            r["domain"]
            for r in store.all(
                "SELECT domain FROM domain_health WHERE unavailable = 1 ORDER BY domain"
            )
        ],
    }


_LISTING = ("id, activity_id, inbox, domain, state, attempts, next_attempt_at, last_status, "
            "last_error")


def list_deliveries(store: Store, state: str | None = None, limit: int = 50,
                    domain: str | None = None) -> list[DeliveryListing]:
    """The newest rows, of one state and of one domain (and its subdomains) when given."""
    sql = f"SELECT {_LISTING} FROM deliveries WHERE 1"
    params: list[object] = []
    if state:
        sql += " AND state = ?"
        params.append(state)
    if domain:
        sql += f" AND {_DOMAIN_OR_SUB}"
        params += _domain_params(domain)
    return cast(list[DeliveryListing], store.all(sql + " ORDER BY id DESC LIMIT ?",
                                                 [*params, limit]))


class DomainFailures(TypedDict):
    """A domain whose deliveries fail: given up (`failed`) or waiting to retry (`retrying`),
    with the answer of its latest failed attempt."""

    domain: str
    failed: int
    retrying: int
    last_status: int | None
    last_error: str | None
    unavailable: bool


def outcomes_since(store: Store, since: datetime) -> dict[str, int]:
    """How many deliveries finished as done or failed since `since` (rows are kept 14 days)."""
    counts = {r["state"]: r["n"] for r in store.all(
        "SELECT state, count(*) AS n FROM deliveries WHERE finished_at >= ? GROUP BY state",
        [iso(since)])}
    return {"done": counts.get("done", 0), "failed": counts.get("failed", 0)}


def failures_by_domain(store: Store, limit: int = 100) -> list[DomainFailures]:
    """Domains with failed rows or rows waiting to retry after a failed attempt, most
    failures first."""
    rows = store.all(
        "SELECT d.domain, sum(d.state = 'failed') AS failed, "
        "sum(d.state = 'pending') AS retrying, max(d.id) AS latest, d.last_status, "
        "d.last_error, COALESCE(h.unavailable, 0) AS unavailable "
        "FROM deliveries d LEFT JOIN domain_health h ON h.domain = d.domain "
        "WHERE (d.state = 'failed' OR (d.state = 'pending' AND d.attempts > 0)) "
        "GROUP BY d.domain ORDER BY failed + retrying DESC, d.domain LIMIT ?", [limit])
    return [DomainFailures(domain=r["domain"], failed=r["failed"], retrying=r["retrying"],
                           last_status=r["last_status"], last_error=r["last_error"],
                           unavailable=bool(r["unavailable"])) for r in rows]


def requeue_domain(store: Store, domain: str, now: datetime) -> int:
    """Admin action: every failed or waiting row to `domain` (and its subdomains) is tried
    again now; returns how many."""
    return update_state(store, TABLE, DELIVERY, DeliveryState.PENDING, where=_DOMAIN_OR_SUB,
                        params=_domain_params(domain),
                        assignments="next_attempt_at = ?, locked_until = NULL",
                        values=[iso(now)],
                        sources=[DeliveryState.FAILED, DeliveryState.PENDING])


KEEP_DAYS = 14  # finished rows are kept this long (the privacy page says so)


def prune(store: Store, now: datetime, keep_days: int = KEEP_DAYS, limit: int = 1000) -> int:
    """Drop deliveries that finished (done or failed) more than `keep_days` ago.

    At most `limit` rows per call (one short write transaction); returns how many went, so a
    caller loops until fewer than `limit` went, yielding in between."""
    cutoff = iso(now - timedelta(days=keep_days))
    return store.execute(
        "DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries "
        "WHERE finished_at < ? AND state != ? LIMIT ?)",
        [cutoff, DELIVERY.initial.value, limit]).rowcount


def forget_activities(store: Store, activity_ids: list[str]) -> int:
    """Drop every delivery of these activities, whatever its state (their addressee was
    erased: nothing of it stays queued or stored). Returns how many went."""
    if not activity_ids:
        return 0
    marks = ",".join("?" * len(activity_ids))
    return int(store.execute(f"DELETE FROM deliveries WHERE activity_id IN ({marks})",
                             activity_ids).rowcount)


# --- domain health (Mastodon's DeliveryFailureTracker idea) -------------------------------


def record_domain_success(store: Store, domain: str, now: datetime) -> None:
    store.execute(
        "INSERT INTO domain_health (domain, failure_days, unavailable, last_success_at) "
        "VALUES (?, '[]', 0, ?) ON CONFLICT(domain) DO UPDATE SET failure_days = '[]', "
        "unavailable = 0, last_success_at = excluded.last_success_at",
        [domain, iso(now)],
    )


def record_domain_failure(store: Store, domain: str, now: datetime) -> bool:
    """Count distinct failure days; returns True when the domain just became unavailable."""
    row = store.one(
        "SELECT failure_days, unavailable FROM domain_health WHERE domain = ?", [domain]
    )
    days = set(json.loads(row["failure_days"])) if row else set()
    days.add(now.date().isoformat())
    unavailable = len(days) >= UNAVAILABLE_AFTER_DAYS
    store.execute(
        "INSERT INTO domain_health (domain, failure_days, unavailable, last_failure_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(domain) DO UPDATE SET failure_days = "
        "excluded.failure_days, unavailable = excluded.unavailable, "
        "last_failure_at = excluded.last_failure_at",
        [domain, json.dumps(sorted(days)), int(unavailable), iso(now)],
    )
    return unavailable and not (row and row["unavailable"])


def mark_domain_available(store: Store, domain: str) -> None:
    """A domain answered us (e.g. it sent a signed activity): deliver to it again."""
    store.execute(
        "UPDATE domain_health SET unavailable = 0, failure_days = '[]' "
        "WHERE domain = ? AND unavailable = 1",
        [domain],
    )
