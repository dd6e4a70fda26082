"""The incoming activity queue (`inbox_items`): committed before the inbox answers 202,
processed by the inbox worker.

Rows are deduplicated per (origin, activity id). The worker claims them with a lease
(`locked_until`, like deliveries): a claimed item is not taken again while its lease is live,
and after a crash the lease runs out and the next tick takes it again. A row's state follows
`INBOX`: received until the worker decides (processed, ignored, rejected or failed); a failed
remote fetch keeps it received for a later try. This module is the only writer of the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, TypedDict, cast

from mitwirken.models.deliveries import mark_domain_available
from mitwirken.models.states import IllegalTransition, StateMachine, move_row
from mitwirken.models.store import Store, iso

TABLE = "inbox_items"
INBOX_MAX_ATTEMPTS = 8
# How long a claimed batch stays reserved. One inbox worker runs per instance and handles its
# batch before it claims again, so the lease only matters after a crash: the items of the
# crashed process are taken again when it ends (kept short, since before leases they were
# taken again at once).
INBOX_LEASE = timedelta(minutes=1)


class InboxState(StrEnum):
    RECEIVED = "received"  # committed, waiting for the worker (or for its next try)
    PROCESSED = "processed"  # applied
    IGNORED = "ignored"  # nothing to do for us (unknown type, not addressed to us, …)
    REJECTED = "rejected"  # refused by a handler (forged, not allowed)
    FAILED = "failed"  # crashed, or remote fetches kept failing


FINAL = frozenset({InboxState.PROCESSED, InboxState.IGNORED, InboxState.REJECTED,
                   InboxState.FAILED})

INBOX = StateMachine(
    name="inbox_items",
    states=InboxState,
    initial=InboxState.RECEIVED,
    terminal=FINAL,
    transitions={
        InboxState.RECEIVED: FINAL | {InboxState.RECEIVED},  # decided, or retried later
        **{state: frozenset() for state in FINAL},
    },
)


class InboxRow(NamedTuple):
    """One verified incoming activity, as the inbox commits it."""

    activity_id: str
    origin: str
    actor: str
    type: str
    recipient: str | None
    body: str
    received_at: datetime


class InboxItem(TypedDict):
    """A row of `inbox_items` as the worker claims it (`body`: the activity's JSON text)."""

    id: int
    activity_id: str
    origin: str
    actor: str
    type: str
    recipient: str | None
    body: str
    state: str
    attempts: int
    error: str | None
    received_at: str
    processed_at: str | None
    next_attempt_at: str | None
    locked_until: str | None


class InboxListing(TypedDict):
    """An item as `list_recent()` shows it to the administration."""

    id: int
    activity_id: str
    type: str
    actor: str
    recipient: str | None
    state: str
    error: str | None
    received_at: str
    body: str


def record_inbox_items(store: Store, rows: Sequence[InboxRow]) -> list[int | None]:
    """Commit many incoming activities in one transaction (the inbox's group commit); one
    row id per input, None for a duplicate (also within the batch). Every sending domain is
    marked available again: it just proved it is alive."""
    ids: list[int | None] = []
    with store.tx():
        for row in rows:
            cur = store.execute(
                "INSERT OR IGNORE INTO inbox_items (activity_id, origin, actor, type, "
                "recipient, body, state, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [row.activity_id, row.origin, row.actor, row.type, row.recipient, row.body,
                 INBOX.initial.value, iso(row.received_at)],
            )
            ids.append(cur.lastrowid if cur.rowcount == 1 else None)
        for domain in {row.origin for row in rows}:
            mark_domain_available(store, domain)
    return ids


def record_inbox_item(
    store: Store,
    *,
    activity_id: str,
    origin: str,
    actor: str,
    type_: str,
    recipient: str | None,
    body: str,
    now: datetime,
) -> int | None:
    """Commit one incoming activity; returns its row id, or None for a duplicate."""
    return record_inbox_items(
        store, [InboxRow(activity_id, origin, actor, type_, recipient, body, now)])[0]


def claim_inbox_items(store: Store, limit: int, now: datetime,
                      lease: timedelta = INBOX_LEASE) -> list[InboxItem]:
    """Take up to `limit` received items that are due and not leased, oldest first, and lease
    them until `now + lease` (one IMMEDIATE transaction, so two workers never share one). An
    idle queue is seen without taking the write lock."""
    due = [InboxState.RECEIVED.value, iso(now), iso(now)]
    if store.one("SELECT 1 FROM inbox_items WHERE state = ? AND (next_attempt_at IS NULL "
                 "OR next_attempt_at <= ?) AND (locked_until IS NULL OR locked_until <= ?) "
                 "LIMIT 1", due) is None:
        return []
    with store.tx():
        rows = store.all(
            "SELECT * FROM inbox_items WHERE state = ? AND (next_attempt_at IS NULL "
            "OR next_attempt_at <= ?) AND (locked_until IS NULL OR locked_until <= ?) "
            "ORDER BY id LIMIT ?", [InboxState.RECEIVED.value, iso(now), iso(now), limit])
        if rows:
            store.execute(
                f"UPDATE inbox_items SET locked_until = ? "
                f"WHERE id IN ({','.join('?' * len(rows))})",
                [iso(now + lease), *[r["id"] for r in rows]])
    return cast(list[InboxItem], rows)


def release_leases(store: Store) -> int:
    """Free every lease on waiting items (as `deliveries.release_leases`: only under the data
    folder's lock)."""
    return int(store.execute(
        "UPDATE inbox_items SET locked_until = NULL WHERE state = ? AND locked_until IS NOT NULL",
        [InboxState.RECEIVED.value]).rowcount)


def finish_inbox_item(
    store: Store, item_id: int, state: InboxState | str, now: datetime,
    error: str | None = None
) -> None:
    """The worker's verdict: received → processed | ignored | rejected | failed. Raises
    `IllegalTransition` for an item that is decided already, or a state that is no verdict."""
    dst = INBOX.state(state)
    if dst not in FINAL:  # received → received is a retry (`retry_inbox_item`), no verdict
        raise IllegalTransition(INBOX.name, InboxState.RECEIVED.value, f"{dst} (no verdict)")
    move_row(store, TABLE, INBOX, item_id, dst,
             assignments="processed_at = ?, error = ?, attempts = attempts + 1, "
                         "locked_until = NULL",
             values=[iso(now), error[:500] if error else None])


def retry_inbox_item(store: Store, item_id: int, error: str, now: datetime,
                     max_attempts: int = INBOX_MAX_ATTEMPTS) -> None:
    """A remote fetch failed while processing: try again later (1, 2, 4 … minutes, about four
    hours in all), then give up as 'failed'."""
    row = store.one("SELECT attempts FROM inbox_items WHERE id = ?", [item_id])
    attempts = (row["attempts"] if row else 0) + 1
    dst = InboxState.FAILED if attempts >= max_attempts else InboxState.RECEIVED
    move_row(store, TABLE, INBOX, item_id, dst,
             assignments="attempts = ?, error = ?, next_attempt_at = ?, locked_until = NULL",
             values=[attempts, error[:500], iso(now + timedelta(minutes=2 ** (attempts - 1)))])


def list_recent(store: Store, limit: int) -> list[InboxListing]:
    """The newest items first, with their bodies (the administration's inbox view)."""
    return cast(list[InboxListing], store.all(
        "SELECT id, activity_id, type, actor, recipient, state, error, received_at, body "
        "FROM inbox_items ORDER BY id DESC LIMIT ?", [limit]))


KEEP_DAYS = 14  # finished rows are kept this long (the privacy page says so)


def prune(store: Store, now: datetime, keep_days: int = KEEP_DAYS, limit: int = 1000) -> int:
    """Drop decided items received more than `keep_days` ago (the dedupe window is ≥ 7 days).

    At most `limit` rows per call (one short write transaction); returns how many went, so a
    caller loops until fewer than `limit` went, yielding in between."""
    cutoff = iso(now - timedelta(days=keep_days))
    return store.execute(
        "DELETE FROM inbox_items WHERE rowid IN (SELECT rowid FROM inbox_items "
        "WHERE received_at < ? AND state != ? LIMIT ?)",
        [cutoff, INBOX.initial.value, limit]).rowcount


def counts_by_type_and_state(store: Store) -> list[tuple[str, str, int]]:
    """(activity type, state, how many) over the kept items (`prune` bounds them)."""
    return [(r["type"], r["state"], r["n"]) for r in store.all(
        "SELECT type, state, count(*) AS n FROM inbox_items GROUP BY type, state "
        "ORDER BY type, state")]
