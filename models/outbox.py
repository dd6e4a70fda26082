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


# An activity is withdrawn once its object is deleted: a tombstone has the object's id.
_LIVE = "NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = outbox.object_id)"
# The activities that embed their object (a Delete embeds only the object's Tombstone).
_EMBEDDING = ("object_id = ? AND type IN ('Create', 'Update') "
              "AND json_type(activity, '$.object') = 'object'")


class Withdrawn(TypedDict):
    """A public activity whose object was deleted: it answers 410 from then on."""

    type: str
    deleted_at: str


def count_public(store: Store, username: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM outbox WHERE username = ? AND public = 1 "
                            f"AND {_LIVE}", [username]) or 0)


def public_page(store: Store, username: str, limit: int, offset: int) -> list[str]:
    """JSON texts of one actor's public activities, newest first, without those of deleted
    objects."""
    return [r["activity"] for r in store.all(
        f"SELECT activity FROM outbox WHERE username = ? AND public = 1 AND {_LIVE} "
        "ORDER BY seq DESC LIMIT ? OFFSET ?", [username, limit, offset])]


def public_activity(store: Store, activity_id: str) -> str | None:
    """The JSON text of a public activity, None when unknown, not public or withdrawn."""
    row = store.one(f"SELECT activity, public FROM outbox WHERE id = ? AND {_LIVE}",
                    [activity_id])
    return row["activity"] if row and row["public"] else None


def withdrawn_activity(store: Store, activity_id: str) -> Withdrawn | None:
    """A public activity of a deleted object (its type and when the object was deleted)."""
    row = store.one("SELECT o.type, t.deleted_at FROM outbox o JOIN tombstones t "
                    "ON t.id = o.object_id WHERE o.id = ? AND o.public = 1", [activity_id])
    return Withdrawn(type=row["type"], deleted_at=row["deleted_at"]) if row else None


def restate(store: Store, object_id: str, document: str) -> dict[str, str]:
    """Embed `document` (the JSON text of the object as it is now) in every Create and Update
    of it, so no earlier state stays served. Returns the new JSON text per activity id."""
    store.execute(f"UPDATE outbox SET activity = json_set(activity, '$.object', json(?)) "
                  f"WHERE {_EMBEDDING}", [document, object_id])
    return _embedding(store, object_id)


def withdraw(store: Store, object_id: str) -> dict[str, str]:
    """The object was deleted: its Create and Update keep only its id (no removed text or
    contact detail stays stored in them). Returns the new JSON text per activity id."""
    ids = list(_embedding(store, object_id))
    store.execute("UPDATE outbox SET activity = json_set(activity, '$.object', object_id) "
                  f"WHERE {_EMBEDDING}", [object_id])
    marks = ",".join("?" * len(ids))
    return {r["id"]: r["activity"] for r in store.all(
        f"SELECT id, activity FROM outbox WHERE id IN ({marks})", ids)} if ids else {}


def _embedding(store: Store, object_id: str) -> dict[str, str]:
    return {r["id"]: r["activity"] for r in store.all(
        f"SELECT id, activity FROM outbox WHERE {_EMBEDDING}", [object_id])}


def active_publishers(store: Store, since: datetime) -> int:
    """Local actors that published anything since then (NodeInfo's active users): only the
    city and its organisations, the users NodeInfo counts (not the instance actor, whose relay
    announces and follows would make `activeMonth` exceed `total`)."""
    return int(store.scalar(
        "SELECT count(DISTINCT username) FROM outbox WHERE published >= ? AND username IN "
        "(SELECT username FROM actors WHERE kind != 'instance')", [iso(since)]) or 0)


def private_to(store: Store, actor: str) -> list[dict[str, object]]:
    """The activities we sent to one remote actor alone or among others, unlisted (answers,
    Accepts): for a privacy export."""
    return [{"id": r["id"], "type": r["type"], "published": r["published"],
             "activity": r["activity"]} for r in store.all(
        "SELECT id, type, published, activity FROM outbox WHERE public = 0 AND EXISTS "
        "(SELECT 1 FROM json_each(outbox.activity, '$.to') WHERE value = ?) ORDER BY seq",
        [actor])]


def remove_private_to(store: Store, actor: str) -> list[str]:
    """Forget the unlisted activities addressed to one remote actor; returns their ids."""
    ids = [str(r["id"]) for r in private_to(store, actor)]
    if ids:
        marks = ",".join("?" * len(ids))
        store.execute(f"DELETE FROM outbox WHERE id IN ({marks})", ids)
    return ids


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
