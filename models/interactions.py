"""Replies, likes and boosts of our objects (table `interactions`), and nothing else writes it.

An interaction is keyed by the remote activity's (or reply Note's) id and remembers the actor
who made it, so only that actor can take it back (Undo, Delete) or change it (Update)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypedDict

from mitwirken.models.store import Store, iso
from mitwirken.models.web_names import in_domain

InteractionKind = Literal["reply", "like", "announce"]


class Interaction(TypedDict):
    """One row as the API lists it."""

    id: str
    kind: InteractionKind
    actor: str
    content: str | None
    url: str | None
    created_at: str


def record(store: Store, *, kind: InteractionKind, id_: str, object_id: str, actor: str,
           now: datetime, content: str | None = None, url: str | None = None,
           held: bool = False) -> bool:
    """Store one interaction; a repeated id changes nothing. True when it is new. A `held`
    one (a reply from a limited domain) is stored hidden: not listed, not counted, until an
    admin approves it (`show_reply`)."""
    cur = store.execute(
        "INSERT OR IGNORE INTO interactions (id, kind, object_id, actor, content, url, "
        "created_at, hidden_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [id_, kind, object_id, actor, content, url, iso(now), iso(now) if held else None])
    return cur.rowcount == 1


def remove(store: Store, id_: str, actor: str) -> bool:
    """Take back an interaction (Undo of a Like/Announce, Delete of a reply) by its own actor."""
    return store.execute("DELETE FROM interactions WHERE id = ? AND actor = ?",
                         [id_, actor]).rowcount > 0


def remove_all_by(store: Store, actor: str) -> int:
    """A remote actor was deleted: everything they did with our objects goes."""
    return int(store.execute("DELETE FROM interactions WHERE actor = ?", [actor]).rowcount)


def remove_all_from_domain(store: Store, domain: str) -> int:
    """A blocked domain: everything its actors (and its subdomains') did with our objects
    goes. Returns how many rows."""
    actors = [r["actor"] for r in store.all("SELECT DISTINCT actor FROM interactions")
              if in_domain(r["actor"], domain)]
    with store.tx():
        return sum(remove_all_by(store, actor) for actor in actors)


def actor_of(store: Store, id_: str) -> str | None:
    """Who made an interaction (a reply Note's author), or None if it is not stored."""
    row = store.one("SELECT actor FROM interactions WHERE id = ?", [id_])
    return str(row["actor"]) if row else None


def update_reply(store: Store, id_: str, actor: str, content: str) -> bool:
    """An edited reply (Update of the Note) by its own actor."""
    return store.execute(
        "UPDATE interactions SET content = ? WHERE id = ? AND actor = ? AND kind = 'reply'",
        [content, id_, actor]).rowcount > 0


def hide_reply(store: Store, id_: str, now: datetime) -> bool:
    """An admin hides a public reply: it is no longer listed or counted."""
    return store.execute("UPDATE interactions SET hidden_at = ? WHERE id = ? AND kind = 'reply'",
                         [iso(now), id_]).rowcount > 0


def show_reply(store: Store, id_: str) -> bool:
    """Undo `hide_reply`; False unless the reply was hidden."""
    return store.execute("UPDATE interactions SET hidden_at = NULL WHERE id = ? "
                         "AND kind = 'reply' AND hidden_at IS NOT NULL", [id_]).rowcount > 0


def remove_reply(store: Store, id_: str) -> bool:
    """An admin removes a public reply for good."""
    return store.execute("DELETE FROM interactions WHERE id = ? AND kind = 'reply'",
                         [id_]).rowcount > 0


def for_object(store: Store, object_id: str, limit: int = 200) -> list[Interaction]:
    """The newest `limit` interactions of each kind with one of our objects, oldest first."""
    rows = store.all(
        "SELECT id, kind, actor, content, url, created_at FROM (SELECT *, row_number() OVER "
        "(PARTITION BY kind ORDER BY created_at DESC, id DESC) AS n FROM interactions "
        "WHERE object_id = ? AND hidden_at IS NULL) WHERE n <= ? ORDER BY created_at, id",
        [object_id, limit])
    return [Interaction(**row) for row in rows]  # type: ignore[typeddict-item]


def counts(store: Store, object_id: str) -> dict[str, int]:
    """Number of interactions of each kind with one object (kinds without any are absent)."""
    return {r["kind"]: r["n"] for r in store.all(
        "SELECT kind, count(*) AS n FROM interactions WHERE object_id = ? AND hidden_at IS NULL "
        "GROUP BY kind",
        [object_id])}


def by_actor(store: Store, actor: str) -> list[dict[str, object]]:
    """Everything one remote actor did with our objects (for a privacy export)."""
    return store.all("SELECT id, kind, object_id, content, url, created_at FROM interactions "
                     "WHERE actor = ? ORDER BY created_at", [actor])
