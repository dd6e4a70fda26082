"""Blocked remote actors (table `actor_blocks`): one row per actor an admin blocked, with the
reason. The inbox refuses a blocked actor's activities before anything is fetched
(`federation.inbox`), as it does for a blocked domain."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models.store import Store, iso

TABLE = "actor_blocks"


class ActorBlock(TypedDict):
    """A row of `actor_blocks`."""

    id: int
    actor: str
    domain: str
    reason: str
    blocked_by: str
    created_at: str


def add(store: Store, actor: str, domain: str, reason: str, by: str, now: datetime) -> int:
    """Block an actor (a block that exists keeps its id and gets the new reason); its id."""
    store.execute(
        "INSERT INTO actor_blocks (actor, domain, reason, blocked_by, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(actor) DO UPDATE SET reason = excluded.reason, "
        "blocked_by = excluded.blocked_by", [actor, domain, reason, by, iso(now)])
    row = store.one("SELECT id FROM actor_blocks WHERE actor = ?", [actor])
    assert row is not None
    return int(row["id"])


def remove(store: Store, block_id: int) -> ActorBlock | None:
    """Lift a block; the removed row, or None if there is no block with this id."""
    row = get(store, block_id)
    if row is not None:
        store.execute("DELETE FROM actor_blocks WHERE id = ?", [block_id])
    return row


def get(store: Store, block_id: int) -> ActorBlock | None:
    row = store.one("SELECT * FROM actor_blocks WHERE id = ?", [block_id])
    return ActorBlock(**row) if row else None  # type: ignore[typeddict-item]


def of_actor(store: Store, actor: str) -> ActorBlock | None:
    row = store.one("SELECT * FROM actor_blocks WHERE actor = ?", [actor])
    return ActorBlock(**row) if row else None  # type: ignore[typeddict-item]


def is_blocked(store: Store, *actors: str) -> bool:
    """Whether any of these actor ids is blocked."""
    if not actors:
        return False
    marks = ", ".join("?" * len(actors))
    return store.one(f"SELECT 1 FROM actor_blocks WHERE actor IN ({marks})",
                     list(actors)) is not None


def list_blocks(store: Store, limit: int = 500) -> list[ActorBlock]:
    """Newest first."""
    return [ActorBlock(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT * FROM actor_blocks ORDER BY id DESC LIMIT ?", [limit])]
