"""Content from the network (tables `remote_objects` and `adoptions`).

`remote_objects` keeps what followed cities (and relays) shared with us, with its origin and
its owner (the actor who may update or delete it). `adoptions` remembers practices elsewhere
that say they were adapted from one of ours. The search index of these objects is kept by
`models.search`; callers update both in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypedDict

from mitwirken.models.store import Store, iso

RemoteKind = Literal["opportunity", "practice", "other"]


class RemoteObject(TypedDict):
    """One stored remote object, as `store()` takes it."""

    id: str
    kind: RemoteKind
    actor: str
    origin: str
    origin_name: str | None
    data: str | None
    raw: str
    shared_by: str | None
    published: str | None
    updated: str | None
    received_at: str
    review: str | None  # "held" (a limited domain's, waiting for review), "hidden", or None


class HeldObject(TypedDict):
    """A remote object waiting for review or hidden, as an admin sees it."""

    id: str
    kind: str
    actor: str
    origin: str
    received_at: str
    review: str | None


class Adoption(TypedDict):
    adopted_by: str
    origin: str | None
    origin_name: str | None


class Reached(TypedDict):
    """A stored object and the actor who owns it: what a purge decides on."""

    id: str
    actor: str


def owner(store: Store, object_iri: str) -> str | None:
    """The actor who owns a stored remote object, or None if it is not stored."""
    row = store.one("SELECT actor FROM remote_objects WHERE id = ?", [object_iri])
    return row["actor"] if row else None


_COLUMNS = tuple(RemoteObject.__annotations__)
_SAVE = (f"INSERT INTO remote_objects ({', '.join(_COLUMNS)}) "
         f"VALUES ({', '.join('?' * len(_COLUMNS))}) ON CONFLICT(id) DO UPDATE SET "
         + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "id"))


def save(store: Store, obj: RemoteObject) -> None:
    """Insert or replace one remote object (one statement: a backfill stores thousands)."""
    store.execute(_SAVE, [obj[c] for c in _COLUMNS])  # type: ignore[literal-required]


def remove(store: Store, object_iri: str) -> None:
    store.execute("DELETE FROM remote_objects WHERE id = ?", [object_iri])


def reached_through(store: Store, actor_id: str, after: str = "",
                    limit: int = 500) -> list[Reached]:
    """Objects owned or shared by an actor (candidates to forget when we unfollow it), a page
    of `limit` in id order after `after`."""
    return [Reached(id=r["id"], actor=r["actor"]) for r in store.all(
        "SELECT id, actor FROM remote_objects WHERE (actor = ? OR shared_by = ?) AND id > ? "
        "ORDER BY id LIMIT ?", [actor_id, actor_id, after, limit])]


def ids_from_origin(store: Store, domain: str, after: str = "", limit: int = 500) -> list[str]:
    """Ids of the stored objects of one domain, a page of `limit` in id order after `after`."""
    return [r["id"] for r in store.all(
        "SELECT id FROM remote_objects WHERE origin = ? AND id > ? ORDER BY id LIMIT ?",
        [domain, after, limit])]


def owner_inbox(store: Store, object_iri: str) -> str | None:
    """Where to deliver to the owner of a stored remote object (shared inbox preferred)."""
    row = store.one(
        "SELECT a.inbox, a.shared_inbox FROM remote_objects o JOIN remote_actors a "
        "ON a.id = o.actor WHERE o.id = ?", [object_iri])
    return (row["shared_inbox"] or row["inbox"]) if row else None


# --- adoptions ------------------------------------------------------------------------------

def record_adoption(store: Store, practice_id: str, adopted_by: str, actor: str,
                    now: datetime) -> None:
    store.execute(
        "INSERT OR IGNORE INTO adoptions (practice_id, adopted_by, actor, created_at) "
        "VALUES (?, ?, ?, ?)", [practice_id, adopted_by, actor, iso(now)])


def remove_adoptions_by(store: Store, adopted_by: str, actor: str) -> None:
    """The adopting practice was deleted by its actor."""
    store.execute("DELETE FROM adoptions WHERE adopted_by = ? AND actor = ?",
                  [adopted_by, actor])


def adoptions_of(store: Store, practice_id: str) -> list[Adoption]:
    """Who adopted one of our practices, oldest first, with the adopter's origin if stored."""
    return [Adoption(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT d.adopted_by, r.origin, r.origin_name FROM adoptions d LEFT JOIN "
        "remote_objects r ON r.id = d.adopted_by WHERE d.practice_id = ? "
        "ORDER BY d.created_at", [practice_id])]


def count_adoptions(store: Store, practice_id: str) -> int:
    return int(store.scalar("SELECT count(*) FROM adoptions WHERE practice_id = ?",
                            [practice_id]) or 0)


def adopted_by_page(store: Store, practice_id: str, limit: int, offset: int) -> list[str]:
    return [r["adopted_by"] for r in store.all(
        "SELECT adopted_by FROM adoptions WHERE practice_id = ? "
        "ORDER BY created_at LIMIT ? OFFSET ?", [practice_id, limit, offset])]


def get(store: Store, object_iri: str) -> RemoteObject | None:
    row = store.one(f"SELECT {', '.join(_COLUMNS)} FROM remote_objects WHERE id = ?",
                    [object_iri])
    return RemoteObject(**row) if row else None  # type: ignore[typeddict-item]


def held(store: Store, limit: int = 200) -> list[HeldObject]:
    """Objects waiting for review (content of limited domains) or hidden, oldest first."""
    return [HeldObject(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT id, kind, actor, origin, received_at, review FROM remote_objects "
        "WHERE review IS NOT NULL ORDER BY received_at, id LIMIT ?", [limit])]


def owner_and_review(store: Store, object_iri: str) -> tuple[str, str | None] | None:
    """The owner of a stored remote object and its review mark (None if not stored)."""
    row = store.one("SELECT actor, review FROM remote_objects WHERE id = ?", [object_iri])
    return (row["actor"], row["review"]) if row else None


def set_review(store: Store, object_iri: str, review: str | None) -> bool:
    return store.execute("UPDATE remote_objects SET review = ? WHERE id = ?",
                         [review, object_iri]).rowcount > 0
