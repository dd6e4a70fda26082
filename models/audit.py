"""The audit log of admin and moderation actions (table `audit_log`): who did what, when and
why. Rows are only ever added; the use case that acts writes its row in the same
transaction, so an action and its record never part."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict

from mitwirken.models.store import Store, iso


class AuditEntry(TypedDict):
    """A row of `audit_log`; `details` is a JSON object (text)."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    reason: str
    details: str


def record(store: Store, *, actor: str, action: str, target: str = "", reason: str = "",
           details: dict[str, Any] | None = None, now: datetime) -> int:
    """Add one entry; returns its id."""
    cur = store.execute(
        "INSERT INTO audit_log (at, actor, action, target, reason, details) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [iso(now), actor, action, target, reason,
         json.dumps(details or {}, ensure_ascii=False, sort_keys=True)])
    return int(cur.lastrowid or 0)


def entries(store: Store, since: datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
    """Entries in the order they were written, those at or after `since` only when given."""
    sql, params = "SELECT * FROM audit_log", []
    if since is not None:
        sql, params = sql + " WHERE at >= ?", [iso(since)]
    rows = store.all(sql + " ORDER BY id LIMIT ?", [*params, limit])
    return [AuditEntry(**r) for r in rows]  # type: ignore[typeddict-item]
