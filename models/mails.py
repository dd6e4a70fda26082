"""The outgoing mail queue (`mails`), and nothing else writes it.

A mail is a row before it is a message: queued in the transaction that decides to send it,
claimed by the mail worker with a lease (`locked_until`), sent through SMTP, and moved along
`MAIL`: pending until sent, back to pending with a growing pause after a failed attempt, failed
once the attempts are spent. A `key` makes queueing idempotent (a reminder is queued once, even
if the deciding pass runs again after a crash)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypedDict

from mitwirken.models.states import StateMachine, update_state
from mitwirken.models.store import Store, iso

TABLE = "mails"
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)


class MailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


MAIL = StateMachine(
    name="mails",
    states=MailState,
    initial=MailState.PENDING,
    terminal=frozenset({MailState.SENT, MailState.FAILED}),
    transitions={
        MailState.PENDING: frozenset({MailState.SENT, MailState.FAILED, MailState.PENDING}),
        MailState.SENT: frozenset(),
        MailState.FAILED: frozenset(),
    },
)


class Mail(TypedDict):
    """A row of `mails`."""

    id: int
    key: str | None
    to_addr: str
    subject: str
    body: str
    state: str
    attempts: int
    next_attempt_at: str
    locked_until: str | None
    last_error: str | None
    created_at: str
    sent_at: str | None


def enqueue(store: Store, *, to: str, subject: str, body: str, now: datetime,
            key: str | None = None) -> bool:
    """Queue one mail; a mail with the same `key` queued before adds nothing (False)."""
    cur = store.execute(
        "INSERT OR IGNORE INTO mails (key, to_addr, subject, body, state, next_attempt_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [key, to, subject, body, MAIL.initial.value, iso(now), iso(now)])
    return cur.rowcount == 1


def queued(store: Store, key: str) -> bool:
    """Whether a mail with this key was queued (sent or not)."""
    return store.one("SELECT 1 FROM mails WHERE key = ?", [key]) is not None


def claim(store: Store, now: datetime, limit: int = 20) -> list[Mail]:
    """Take up to `limit` due mails whose lease is free."""
    with store.tx():
        rows = store.all(
            "SELECT * FROM mails WHERE state = 'pending' AND next_attempt_at <= ? "
            "AND (locked_until IS NULL OR locked_until <= ?) ORDER BY next_attempt_at, id "
            "LIMIT ?", [iso(now), iso(now), limit])
        if rows:
            marks = ",".join("?" * len(rows))
            store.execute(f"UPDATE mails SET locked_until = ? WHERE id IN ({marks})",
                          [iso(now + LEASE), *[r["id"] for r in rows]])
    return [Mail(**r) for r in rows]  # type: ignore[typeddict-item]


def sent(store: Store, mail_id: int, now: datetime) -> None:
    update_state(store, TABLE, MAIL, MailState.SENT, where="id = ?", params=[mail_id],
                 assignments="sent_at = ?, locked_until = NULL, attempts = attempts + 1",
                 values=[iso(now)])


def failed_attempt(store: Store, mail_id: int, error: str, now: datetime) -> MailState:
    """A failed attempt: tried again after a growing pause, or given up after MAX_ATTEMPTS."""
    attempts = int(store.scalar("SELECT attempts FROM mails WHERE id = ?", [mail_id]) or 0) + 1
    if attempts >= MAX_ATTEMPTS:
        update_state(store, TABLE, MAIL, MailState.FAILED, where="id = ?", params=[mail_id],
                     assignments="attempts = ?, last_error = ?, locked_until = NULL",
                     values=[attempts, error[:500]])
        return MailState.FAILED
    pause = timedelta(minutes=min(2 ** attempts, 360))
    update_state(store, TABLE, MAIL, MailState.PENDING, where="id = ?", params=[mail_id],
                 assignments="attempts = ?, last_error = ?, locked_until = NULL, "
                 "next_attempt_at = ?", values=[attempts, error[:500], iso(now + pause)])
    return MailState.PENDING


def release_leases(store: Store) -> int:
    """At start: the previous run's leases are void (it holds the data folder's lock)."""
    return int(store.execute("UPDATE mails SET locked_until = NULL WHERE state = 'pending' "
                             "AND locked_until IS NOT NULL").rowcount)


def listing(store: Store, limit: int = 50) -> list[Mail]:
    rows = store.all("SELECT * FROM mails ORDER BY id DESC LIMIT ?", [limit])
    return [Mail(**r) for r in rows]  # type: ignore[typeddict-item]


def _like(text: str) -> str:
    """A LIKE pattern (escape `\\`) that finds `text` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def forget_about(store: Store, contact: str) -> int:
    """Erase every mail to this address or naming it (a privacy erasure)."""
    pattern = _like(contact)
    return int(store.execute("DELETE FROM mails WHERE lower(to_addr) = lower(?) "
                             "OR body LIKE ? ESCAPE '\\'", [contact, pattern]).rowcount)


def about(store: Store, contact: str) -> list[Mail]:
    """Every mail to this address or naming it (a privacy export)."""
    pattern = _like(contact)
    rows = store.all("SELECT * FROM mails WHERE lower(to_addr) = lower(?) "
                     "OR body LIKE ? ESCAPE '\\' ORDER BY id", [contact, pattern])
    return [Mail(**r) for r in rows]  # type: ignore[typeddict-item]
