"""Local actors: the instance actor, the city (Anlaufstelle) and its organisations."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, TypedDict, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mitwirken.models.fields import WebUrl
from mitwirken.models.ids import hash_token, new_token
from mitwirken.models.store import Store, iso, utcnow
from mitwirken.models.vocab import Sector

ActorKind = Literal["instance", "city", "org"]
SECTORS = tuple(s.value for s in Sector)  # the five sectors of Engagierte Stadt
SECTOR_LABELS = {s.value: s.label_de for s in Sector}
# Paths and names that must never become a username (they would shadow routes or confuse peers).
RESERVED = {"actor", "admin", "api", "inbox", "instance", "static", "ns", "mitwirken", "relay"}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,29}$")


class ActorError(Exception):
    """A local actor cannot be created or found; the message is for the admin."""


class LocalActor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    kind: ActorKind
    name: str = Field(min_length=1, max_length=100)
    summary: str = Field("", max_length=2000)
    sector: str | None = None
    website: WebUrl | None = None
    phone: str | None = None
    email: str | None = None
    office_hours: str | None = None
    address: str | None = None
    icon_url: WebUrl | None = None
    manually_approves: bool = False
    public_key_pem: str
    private_key_pem: str
    created_at: datetime
    updated_at: datetime

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME_RE.match(value):
            raise ValueError(
                "Benutzername: 1–30 Zeichen, Kleinbuchstaben a–z, Ziffern und _, "
                "beginnend mit Buchstabe oder Ziffer."
            )
        return value

    @field_validator("sector")
    @classmethod
    def _sector(cls, value: str | None) -> str | None:
        if value is not None and value not in SECTORS:
            raise ValueError(f"Sektor muss einer von {', '.join(SECTORS)} sein.")
        return value


class ActorRow(TypedDict):
    """A row of `actors`: a `LocalActor` with SQLite's types (0/1, ISO timestamps)."""

    username: str
    kind: ActorKind
    name: str
    summary: str
    sector: str | None
    website: str | None
    phone: str | None
    email: str | None
    office_hours: str | None
    address: str | None
    icon_url: str | None
    manually_approves: int
    public_key_pem: str
    private_key_pem: str
    created_at: str
    updated_at: str


def _row(actor: LocalActor) -> ActorRow:
    data = actor.model_dump()
    data["manually_approves"] = int(actor.manually_approves)
    data["created_at"] = iso(actor.created_at)
    data["updated_at"] = iso(actor.updated_at)
    return cast(ActorRow, data)


def create_actor(store: Store, actor: LocalActor) -> LocalActor:
    if actor.kind != "instance" and actor.username in RESERVED:
        raise ActorError(f"Der Benutzername '{actor.username}' ist reserviert.")
    with store.tx():
        if get_actor(store, actor.username) is not None:
            raise ActorError(f"Es gibt bereits ein Konto '{actor.username}'.")
        store.db.table("actors").insert(dict(_row(actor)))
    return actor


def get_actor(store: Store, username: str) -> LocalActor | None:
    row = store.one("SELECT * FROM actors WHERE username = ?", [username])
    return LocalActor.model_validate(row) if row else None


def actor_exists(store: Store, username: str) -> bool:
    """Cheaper than `get_actor` where only existence matters (every per-actor inbox POST)."""
    return store.one("SELECT 1 FROM actors WHERE username = ?", [username]) is not None


def instance_actor(store: Store) -> LocalActor:
    row = store.one("SELECT * FROM actors WHERE kind = 'instance'")
    if row is None:
        raise ActorError("Instanz ist nicht eingerichtet (mitwirken init).")
    return LocalActor.model_validate(row)


def city_actor(store: Store) -> LocalActor:
    row = store.one("SELECT * FROM actors WHERE kind = 'city'")
    if row is None:
        raise ActorError("Instanz ist nicht eingerichtet (mitwirken init).")
    return LocalActor.model_validate(row)


def kind_of(store: Store, username: str) -> str | None:
    """The kind of a local actor, read without validating the row (for `mitwirken check`)."""
    row = store.one("SELECT kind FROM actors WHERE username = ?", [username])
    return row["kind"] if row else None


def count_users(store: Store) -> int:
    """The city and its organisations (NodeInfo's users; the instance actor does not count)."""
    return int(store.scalar("SELECT count(*) FROM actors WHERE kind != 'instance'") or 0)


def list_actors(store: Store, kind: ActorKind | None = None) -> list[LocalActor]:
    if kind is None:
        rows = store.all("SELECT * FROM actors WHERE kind != 'instance' ORDER BY kind, username")
    else:
        rows = store.all("SELECT * FROM actors WHERE kind = ? ORDER BY username", [kind])
    return [LocalActor.model_validate(r) for r in rows]


def update_actor(store: Store, username: str, **changes: object) -> LocalActor:
    actor = get_actor(store, username)
    if actor is None:
        raise ActorError(f"Kein Konto '{username}'.")
    updated = LocalActor.model_validate({**actor.model_dump(), **changes, "updated_at": utcnow()})
    with store.tx():
        store.db.table("actors").update(username, dict(_row(updated)))
    return updated


def create_token(store: Store, username: str, label: str = "") -> str:
    """Create an API token for an actor; only its hash is stored, the token is returned once."""
    if get_actor(store, username) is None:
        raise ActorError(f"Kein Konto '{username}'.")
    token = new_token()
    with store.tx():
        store.db.table("api_tokens").insert(
            {
                "token_hash": hash_token(token),
                "username": username,
                "label": label,
                "created_at": iso(utcnow()),
            }
        )
    return token


class TokenRow(TypedDict):
    """An API token as its owner sees it: never the token, only its label and dates."""

    id: int
    username: str
    label: str
    created_at: str


def list_tokens(store: Store, usernames: list[str]) -> list[TokenRow]:
    if not usernames:
        return []
    rows = store.all(
        "SELECT id, username, label, created_at FROM api_tokens WHERE username IN "
        f"({','.join('?' * len(usernames))}) ORDER BY username, created_at, id", usernames)
    return [cast(TokenRow, r) for r in rows]


def token_owner(store: Store, token_id: int) -> str | None:
    row = store.one("SELECT username FROM api_tokens WHERE id = ?", [token_id])
    return str(row["username"]) if row else None


def revoke_token(store: Store, token_id: int) -> None:
    with store.tx():
        store.execute("DELETE FROM api_tokens WHERE id = ?", [token_id])


def actor_for_token(store: Store, token: str) -> LocalActor | None:
    row = store.one("SELECT username FROM api_tokens WHERE token_hash = ?", [hash_token(token)])
    return get_actor(store, row["username"]) if row else None


def get_setting(store: Store, key: str) -> str | None:
    row = store.one("SELECT value FROM instance WHERE key = ?", [key])
    return row["value"] if row else None


def set_setting(store: Store, key: str, value: str) -> None:
    with store.tx():
        store.db.table("instance").upsert({"key": key, "value": value}, pk="key")
