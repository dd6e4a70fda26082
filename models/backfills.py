"""Backfills of followed actors' pasts (table `backfills`), one row per backfill.

A row is made when a remote actor accepts one of our Follows (`start`); the backfill worker
takes due rows (`due`), fetches one outbox page per row and tick, and records the page's
outcome (`advance`) with the URL of the next page as `cursor`. Everything a page brought is
committed before its cursor moves on, so after a crash the page is fetched again and its
objects, already stored, are skipped: nothing arrives twice, nothing is lost. An unfollow
stops the row (`stop`); a new follow of the same actor starts a new row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypedDict, cast

from mitwirken.models.states import StateMachine, move_row, update_state
from mitwirken.models.store import Store, iso

TABLE = "backfills"


class BackfillState(StrEnum):
    RUNNING = "running"
    DONE = "done"  # the outbox's end, the time window or the object limit was reached
    STOPPED = "stopped"  # unfollowed (or the follow ended otherwise)
    FAILED = "failed"  # the outbox could not be read, retries spent


FINAL = frozenset({BackfillState.DONE, BackfillState.STOPPED, BackfillState.FAILED})

BACKFILL = StateMachine(
    name="backfills",
    states=BackfillState,
    initial=BackfillState.RUNNING,
    terminal=FINAL,
    transitions={
        BackfillState.RUNNING: FINAL | {BackfillState.RUNNING},  # next page, or finished
        **{state: frozenset() for state in FINAL},
    },
)


class Backfill(TypedDict):
    """A row of `backfills`."""

    id: int
    username: str
    actor: str
    state: str
    cursor: str | None
    pages: int
    seen: int
    stored: int
    attempts: int
    next_at: str
    error: str | None
    started_at: str
    finished_at: str | None


def start(store: Store, username: str, actor: str, now: datetime) -> None:
    """A new backfill of `actor` for `username`, due at once (an earlier one is replaced)."""
    with store.tx():
        store.execute("DELETE FROM backfills WHERE username = ? AND actor = ?",
                      [username, actor])
        store.execute("INSERT INTO backfills (username, actor, next_at, started_at) "
                      "VALUES (?, ?, ?, ?)", [username, actor, iso(now), iso(now)])


def get(store: Store, username: str, actor: str) -> Backfill | None:
    return cast("Backfill | None", store.one(
        "SELECT * FROM backfills WHERE username = ? AND actor = ?", [username, actor]))


def for_user(store: Store, username: str) -> dict[str, Backfill]:
    """The backfills of one local actor, by followed actor."""
    rows = cast(list[Backfill], store.all("SELECT * FROM backfills WHERE username = ?",
                                          [username]))
    return {row["actor"]: row for row in rows}


def due(store: Store, now: datetime, limit: int) -> list[Backfill]:
    """Running backfills whose next page is due, oldest first."""
    return cast(list[Backfill], store.all(
        "SELECT * FROM backfills WHERE state = 'running' AND next_at <= ? "
        "ORDER BY next_at, id LIMIT ?", [iso(now), limit]))


def advance(store: Store, row_id: int, *, cursor: str | None, seen: int, stored: int,
            next_at: datetime) -> bool:
    """One page done: the cursor moves to the next page, the counters grow."""
    return move_row(store, TABLE, BACKFILL, row_id, BackfillState.RUNNING,
                    assignments="cursor = ?, pages = pages + 1, seen = seen + ?, "
                    "stored = stored + ?, attempts = 0, error = NULL, next_at = ?",
                    values=[cursor, seen, stored, iso(next_at)])


def retry(store: Store, row_id: int, error: str, next_at: datetime) -> bool:
    """The page could not be fetched: try it again later."""
    return move_row(store, TABLE, BACKFILL, row_id, BackfillState.RUNNING,
                    assignments="attempts = attempts + 1, error = ?, next_at = ?",
                    values=[error[:500], iso(next_at)])


def finish(store: Store, row_id: int, state: BackfillState, now: datetime, *,
           seen: int = 0, stored: int = 0, error: str | None = None) -> bool:
    """The backfill ends (done, stopped or failed), with what its last page brought."""
    return move_row(store, TABLE, BACKFILL, row_id, state,
                    assignments="seen = seen + ?, stored = stored + ?, error = ?, "
                    "finished_at = ?", values=[seen, stored, error and error[:500], iso(now)])


def stop(store: Store, username: str, actor: str, now: datetime) -> int:
    """An unfollow: a running backfill of `actor` for `username` stops."""
    return update_state(store, TABLE, BACKFILL, BackfillState.STOPPED,
                        where="username = ? AND actor = ?", params=[username, actor],
                        assignments="finished_at = ?", values=[iso(now)])
