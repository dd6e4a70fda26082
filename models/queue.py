"""The durable queues: incoming activities (inbox_items) and outgoing deliveries.

Rows are claimed with a lease (`locked_until`); a crashed process simply lets the lease expire
and the next tick takes the row again. Deliveries are keyed by (activity, inbox), so a
restarted fan-out never sends one activity twice to the same inbox from our side.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from mitwirken.models.store import Store, iso

UNAVAILABLE_AFTER_DAYS = 7


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
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": iso(now),
            "created_at": iso(now),
        }
        for inbox in dict.fromkeys(inboxes)
    ]
    before = store.db.conn.total_changes
    store.db["deliveries"].insert_all(rows, ignore=True)
    return store.db.conn.total_changes - before


def claim_deliveries(store: Store, now: datetime, limit: int, lease: timedelta) -> list[dict]:
    """Take up to `limit` due rows whose lease is free, skipping unavailable domains."""
    with store.tx():
        rows = store.all(
            "SELECT d.* FROM deliveries d LEFT JOIN domain_health h ON h.domain = d.domain "
            "WHERE d.state = 'pending' AND d.next_attempt_at <= ? "
            "AND (d.locked_until IS NULL OR d.locked_until <= ?) "
            "AND COALESCE(h.unavailable, 0) = 0 "
            "ORDER BY d.next_attempt_at, d.id LIMIT ?",
            [iso(now), iso(now), limit],
        )
        if rows:
            store.execute(
                f"UPDATE deliveries SET locked_until = ? WHERE id IN ({','.join('?' * len(rows))})",
                [iso(now + lease), *[r["id"] for r in rows]],
            )
    return rows


def finish_delivery(store: Store, row_id: int, status: int | None, now: datetime) -> None:
    store.execute(
        "UPDATE deliveries SET state = 'done', attempts = attempts + 1, last_status = ?, "
        "locked_until = NULL, finished_at = ?, last_error = NULL WHERE id = ?",
        [status, iso(now), row_id],
    )


def fail_delivery(store: Store, row_id: int, status: int | None, error: str, now: datetime) -> None:
    """Give up on this row (a final 4xx or the retry budget is spent)."""
    store.execute(
        "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_status = ?, "
        "last_error = ?, locked_until = NULL, finished_at = ? WHERE id = ?",
        [status, error[:500], iso(now), row_id],
    )


def retry_delivery(
    store: Store, row_id: int, status: int | None, error: str, next_attempt: datetime
) -> None:
    store.execute(
        "UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, "
        "locked_until = NULL, next_attempt_at = ? WHERE id = ?",
        [status, error[:500], iso(next_attempt), row_id],
    )


def requeue_delivery(store: Store, row_id: int, now: datetime) -> bool:
    """Admin action: try a failed or waiting row again now."""
    cur = store.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?, locked_until = NULL "
        "WHERE id = ? AND state != 'done'",
        [iso(now), row_id],
    )
    return cur.rowcount == 1


def delivery_summary(store: Store) -> dict:
    counts = {
        r["state"]: r["n"]
        for r in store.all("SELECT state, count(*) AS n FROM deliveries GROUP BY state")
    }
    return {
        "pending": counts.get("pending", 0),
        "done": counts.get("done", 0),
        "failed": counts.get("failed", 0),
        "unavailable_domains": [
            r["domain"]
            for r in store.all(
                "SELECT domain FROM domain_health WHERE unavailable = 1 ORDER BY domain"
            )
        ],
    }


def list_deliveries(store: Store, state: str | None = None, limit: int = 50) -> list[dict]:
    sql = (
        "SELECT id, activity_id, inbox, domain, state, attempts, next_attempt_at, "
        "last_status, last_error FROM deliveries"
    )
    params: list = []
    if state:
        sql += " WHERE state = ?"
        params.append(state)
    return store.all(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])


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


# --- inbox items --------------------------------------------------------------------------


class InboxRow(NamedTuple):
    """One verified incoming activity, as the inbox commits it."""

    activity_id: str
    origin: str
    actor: str
    type: str
    recipient: str | None
    body: str
    received_at: datetime


def record_inbox_items(store: Store, rows: Sequence[InboxRow]) -> list[int | None]:
    """Commit many incoming activities in one transaction (the inbox's group commit); one
    row id per input, None for a duplicate (also within the batch). Every sending domain is
    marked available again: it just proved it is alive."""
    ids: list[int | None] = []
    with store.tx():
        for row in rows:
            cur = store.execute(
                "INSERT OR IGNORE INTO inbox_items (activity_id, origin, actor, type, "
                "recipient, body, state, received_at) VALUES (?, ?, ?, ?, ?, ?, 'received', ?)",
                [row.activity_id, row.origin, row.actor, row.type, row.recipient, row.body,
                 iso(row.received_at)],
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


def claim_inbox_items(store: Store, limit: int, now: datetime) -> list[dict]:
    return store.all(
        "SELECT * FROM inbox_items WHERE state = 'received' AND (next_attempt_at IS NULL "
        "OR next_attempt_at <= ?) ORDER BY id LIMIT ?", [iso(now), limit]
    )


def finish_inbox_item(
    store: Store, item_id: int, state: str, now: datetime, error: str | None = None
) -> None:
    store.execute(
        "UPDATE inbox_items SET state = ?, processed_at = ?, error = ?, attempts = attempts + 1 "
        "WHERE id = ?",
        [state, iso(now), error[:500] if error else None, item_id],
    )


INBOX_MAX_ATTEMPTS = 8


def retry_inbox_item(store: Store, item_id: int, error: str, now: datetime,
                     max_attempts: int = INBOX_MAX_ATTEMPTS) -> None:
    """A remote fetch failed while processing: try again later (1, 2, 4 … minutes, about four
    hours in all), then give up as 'failed'."""
    row = store.one("SELECT attempts FROM inbox_items WHERE id = ?", [item_id])
    attempts = (row["attempts"] if row else 0) + 1
    store.execute(
        "UPDATE inbox_items SET attempts = ?, error = ?, next_attempt_at = ?, state = CASE "
        "WHEN ? >= ? THEN 'failed' ELSE 'received' END WHERE id = ?",
        [attempts, error[:500], iso(now + timedelta(minutes=2 ** (attempts - 1))), attempts,
         max_attempts, item_id],
    )


def prune(store: Store, now: datetime, keep_days: int = 14) -> None:
    """Drop old processed inbox items (dedupe window ≥ 7 days) and finished deliveries."""
    cutoff = iso(now - timedelta(days=keep_days))
    store.execute("DELETE FROM inbox_items WHERE state != 'received' AND received_at < ?", [cutoff])
    store.execute("DELETE FROM deliveries WHERE state != 'pending' AND finished_at < ?", [cutoff])
