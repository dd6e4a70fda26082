"""The moderation queue (table `reports`): reports that arrived as `Flag` activities, each
`open` until an admin resolves it with an action and a reason. `objects` holds the reported
URLs as JSON text. The state follows `REPORT` (open → resolved)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from mitwirken.models.states import IllegalTransition, StateMachine, move_row
from mitwirken.models.store import Store, iso

TABLE = "reports"


class ReportState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


REPORT = StateMachine(
    name="reports", states=ReportState, initial=ReportState.OPEN,
    terminal=frozenset({ReportState.RESOLVED}),
    transitions={ReportState.OPEN: frozenset({ReportState.RESOLVED}),
                 ReportState.RESOLVED: frozenset()})


class Report(TypedDict):
    """A row of `reports`."""

    id: int
    activity_id: str | None
    direction: str
    reporter: str
    origin: str
    comment: str
    objects: str
    state: str
    action: str | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: str | None
    created_at: str


def add_incoming(store: Store, *, activity_id: str, reporter: str, origin: str, comment: str,
                 objects: list[str], now: datetime) -> int | None:
    """Record a received report; None if this Flag was recorded before."""
    cur = store.execute(
        "INSERT OR IGNORE INTO reports (activity_id, direction, reporter, origin, comment, "
        "objects, state, created_at) VALUES (?, 'incoming', ?, ?, ?, ?, ?, ?)",
        [activity_id, reporter, origin, comment, json.dumps(objects), REPORT.initial.value,
         iso(now)])
    return cur.lastrowid if cur.rowcount else None


def add_outgoing(store: Store, *, activity_id: str, reporter: str, origin: str,
                 comment: str, objects: list[str], by: str, now: datetime) -> int:
    """Record a report we sent to another server (resolved: nothing is left to do here)."""
    cur = store.execute(
        "INSERT INTO reports (activity_id, direction, reporter, origin, comment, objects, "
        "state, action, resolution, resolved_by, resolved_at, created_at) "
        "VALUES (?, 'outgoing', ?, ?, ?, ?, ?, 'forwarded', '', ?, ?, ?)",
        [activity_id, reporter, origin, comment, json.dumps(objects),
         ReportState.RESOLVED.value, by, iso(now), iso(now)])
    return int(cur.lastrowid or 0)


def get(store: Store, report_id: int) -> Report | None:
    row = store.one("SELECT * FROM reports WHERE id = ?", [report_id])
    return Report(**row) if row else None  # type: ignore[typeddict-item]


def list_reports(store: Store, state: str | None = None, limit: int = 200) -> list[Report]:
    """Newest first; of one state when given."""
    sql, params = "SELECT * FROM reports", []
    if state:
        sql, params = sql + " WHERE state = ?", [state]
    return [Report(**r) for r in store.all(  # type: ignore[typeddict-item]
        sql + " ORDER BY id DESC LIMIT ?", [*params, limit])]


def resolve(store: Store, report_id: int, *, action: str, reason: str, by: str,
            now: datetime) -> bool:
    """Close an open report; False if there is no open report with this id."""
    try:
        return move_row(store, TABLE, REPORT, report_id, ReportState.RESOLVED,
                        assignments="action = ?, resolution = ?, resolved_by = ?, "
                        "resolved_at = ?", values=[action, reason, by, iso(now)])
    except IllegalTransition:
        return False


def count_open(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM reports WHERE state = 'open'") or 0)
