"""Remote actors we have fetched (table `remote_actors`): their inboxes and public keys.

The row keeps the actor's whole document (`data`, JSON) for rebuilding it and a few columns
that are looked up directly: the key id (signature verification), the inboxes (delivery) and
the preferred username (matching `@user@host`)."""

from __future__ import annotations

from typing import TypedDict

from mitwirken.models.change_counters import ChangeCounters
from mitwirken.models.store import Store


class RemoteActorRow(TypedDict):
    """One row as `save()` takes it (`data` is the actor document as JSON text)."""

    id: str
    type: str
    preferred_username: str | None
    name: str | None
    domain: str
    inbox: str
    shared_inbox: str | None
    key_id: str | None
    public_key_pem: str | None
    data: str
    fetched_at: str


class StoredDocument(TypedDict):
    data: str
    fetched_at: str


class StoredKey(TypedDict):
    owner: str
    public_key_pem: str


class Inboxes(TypedDict):
    inbox: str
    shared_inbox: str | None


def save(store: Store, row: RemoteActorRow) -> None:
    store.db.table("remote_actors").upsert(dict(row), pk="id")


def forget(store: Store, actor_id: str) -> None:
    """A deleted actor: nothing of them is kept."""
    store.execute("DELETE FROM remote_actors WHERE id = ?", [actor_id])


def document(store: Store, actor_id: str) -> StoredDocument | None:
    """The stored actor document and when it was fetched."""
    row = store.one("SELECT data, fetched_at FROM remote_actors WHERE id = ?", [actor_id])
    return StoredDocument(data=row["data"], fetched_at=row["fetched_at"]) if row else None


def key(store: Store, key_id: str) -> StoredKey | None:
    """The stored public key with this id and the actor who owns it."""
    row = store.one("SELECT id, public_key_pem FROM remote_actors WHERE key_id = ?", [key_id])
    if row is None or not row["public_key_pem"]:
        return None
    return StoredKey(owner=row["id"], public_key_pem=row["public_key_pem"])


class KeyCache:
    """`key()` answers kept in memory while `remote_actors` is unchanged (its change counter,
    migration m015): any write — a refetched or rotated key, a deleted actor, a purged
    domain, by this process or another — empties it, so a verification never uses a key
    past its replacement. Bounded; answers "no such key" are not kept."""

    def __init__(self, store: Store, size: int = 8192) -> None:
        self._store = store
        self._counters = ChangeCounters(store)
        self._size = size
        self._version = -1
        self._keys: dict[str, StoredKey] = {}

    def key(self, key_id: str) -> StoredKey | None:
        version = self._counters.current()["remote_actors"]
        if version != self._version:
            self._keys.clear()
            self._version = version
        kept = self._keys.get(key_id)
        if kept is None:
            kept = key(self._store, key_id)
            if kept is not None:
                if len(self._keys) >= self._size:
                    self._keys.clear()
                self._keys[key_id] = kept
        return kept


def inboxes(store: Store, actor_id: str) -> Inboxes | None:
    row = store.one("SELECT inbox, shared_inbox FROM remote_actors WHERE id = ?", [actor_id])
    return Inboxes(inbox=row["inbox"], shared_inbox=row["shared_inbox"]) if row else None


def preferred_username(store: Store, actor_id: str) -> str | None:
    row = store.one("SELECT preferred_username FROM remote_actors WHERE id = ?", [actor_id])
    return row["preferred_username"] if row else None


def ids_named(store: Store, preferred_username: str) -> list[str]:
    """The cached actors with this preferred username (on any host)."""
    return [r["id"] for r in store.all(
        "SELECT id FROM remote_actors WHERE lower(preferred_username) = lower(?)",
        [preferred_username])]
