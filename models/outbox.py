"""What local actors published (table `outbox`) and what was deleted for good (`tombstones`).

The outbox keeps every activity we sent, public or not; only public ones are listed in outbox
pages and can be dereferenced. Tombstones answer 410 for our deleted objects and keep a remote
object that was deleted before it arrived from ever being stored (with the deleting actor, so
a tombstone left by one actor never suppresses another's object)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models.store import Store, iso


class OutboxEntry(TypedDict):
    """One activity as `record()` stores it (`activity` is its JSON text)."""

    id: str
    username: str
    type: str
    object_id: str | None
    activity: str
    public: bool
    published: datetime


class Tombstone(TypedDict):
    id: str
    former_type: str
    deleted_at: str
    actor: str | None


def record(store: Store, entry: OutboxEntry) -> None:
    store.db.table("outbox").insert({**entry, "public": int(entry["public"]),
                               "published": iso(entry["published"])})


def count_public(store: Store, username: str) -> int:
    return int(store.scalar("SELECT count(*) FROM outbox WHERE username = ? AND public = 1",
                            [username]) or 0)


def public_page(store: Store, username: str, limit: int, offset: int) -> list[str]:
    """JSON texts of one actor's public activities, newest first."""
    return [r["activity"] for r in store.all(
        "SELECT activity FROM outbox WHERE username = ? AND public = 1 "
        "ORDER BY seq DESC LIMIT ? OFFSET ?", [username, limit, offset])]


def public_activity(store: Store, activity_id: str) -> str | None:
    """The JSON text of a public activity, None when unknown or not public."""
    row = store.one("SELECT activity, public FROM outbox WHERE id = ?", [activity_id])
    return row["activity"] if row and row["public"] else None


def active_publishers(store: Store, since: datetime) -> int:
    """Local actors that published anything since then (NodeInfo's active users)."""
    return int(store.scalar("SELECT count(DISTINCT username) FROM outbox WHERE published >= ?",
                            [iso(since)]) or 0)


# --- tombstones -----------------------------------------------------------------------------

def add_tombstone(store: Store, object_id: str, former_type: str, now: datetime,
                  actor: str | None = None) -> None:
    store.execute(
        "INSERT OR REPLACE INTO tombstones (id, former_type, deleted_at, actor) "
        "VALUES (?, ?, ?, ?)", [object_id, former_type, iso(now), actor])


def tombstone(store: Store, object_id: str) -> Tombstone | None:
    row = store.one("SELECT id, former_type, deleted_at, actor FROM tombstones WHERE id = ?",
                    [object_id])
    return Tombstone(**row) if row else None  # type: ignore[typeddict-item]
