"""Remote actors: fetched through the safe fetcher, cached with their keys in SQLite."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.fetch import Fetcher, FetchError
from mitwirken.federation.signatures import PublicKey
from mitwirken.models import remote_actors
from mitwirken.models.store import Store, iso
from mitwirken.models.web_names import WebNameError, check_web_url

log = logging.getLogger("mitwirken.remote")

ACTOR_TYPES = {"Person", "Organization", "Application", "Service", "Group"}
CACHE_TTL = timedelta(days=2)


@dataclass(frozen=True)
class RemoteActor:
    id: str
    type: str
    preferred_username: str | None
    name: str | None
    inbox: str
    shared_inbox: str | None
    key_id: str | None
    public_key_pem: str | None
    data: JsonObject

    @property
    def domain(self) -> str:
        return (urlsplit(self.id).hostname or "").lower()

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox

    @property
    def handle(self) -> str:
        return f"@{self.preferred_username}@{urlsplit(self.id).netloc}"


def host(url: str) -> str:
    """The host of a well-formed http(s) URL, lower case, without a trailing dot; "" for
    anything else (a `javascript://evil/…` id must never pass a same-host check)."""
    return _host(url) if isinstance(url, str) else ""


@lru_cache(maxsize=4096)  # called several times per inbox request, mostly with the same URLs
def _host(url: str) -> str:
    """A malformed URL (control characters, spaces, a bad host: `models.web_names`) has no
    host, so an activity or object with such an id fails every same-host check."""
    try:
        parts = urlsplit(check_web_url(url))
    except (ValueError, WebNameError):
        return ""
    return (parts.hostname or "").lower().rstrip(".")


def _web_url(url: str) -> bool:
    try:
        check_web_url(url)
    except WebNameError:
        return False
    return True


def parse_actor(doc: JsonObject) -> RemoteActor:
    """Validate the fields we rely on; every URL must live on the actor's own host."""
    actor_id = doc.get("id")
    if not isinstance(actor_id, str) or not _web_url(actor_id):
        raise FetchError("actor without a valid id")
    types = doc.get("type")
    type_ = types if isinstance(types, str) else None
    if type_ not in ACTOR_TYPES:
        raise FetchError(f"not an actor type: {str(types)[:50]}")
    inbox = doc.get("inbox")
    if not isinstance(inbox, str) or not _web_url(inbox) or host(inbox) != host(actor_id):
        raise FetchError("actor inbox missing or on another host")
    endpoints = doc.get("endpoints")
    endpoints = endpoints if isinstance(endpoints, dict) else {}
    shared = endpoints.get("sharedInbox")
    if not isinstance(shared, str) or not _web_url(shared) or host(shared) != host(actor_id):
        shared = None
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    key_id = pem = None
    if isinstance(key, dict) and key.get("owner", actor_id) == actor_id:
        key_id = key.get("id") if isinstance(key.get("id"), str) else None
        pem = key.get("publicKeyPem") if isinstance(key.get("publicKeyPem"), str) else None
    username = doc.get("preferredUsername")
    name = doc.get("name")
    return RemoteActor(
        id=actor_id, type=type_, inbox=inbox, shared_inbox=shared, key_id=key_id,
        public_key_pem=pem,
        preferred_username=username if isinstance(username, str) else None,
        name=name if isinstance(name, str) else None, data=doc)


class RemoteActors:
    """Cache in front of the fetcher. Keys are looked up by key id (fragment or separate doc)."""

    def __init__(self, store: Store, fetcher: Fetcher, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self._keys = remote_actors.KeyCache(store)

    def cached(self, actor_id: str) -> RemoteActor | None:
        row = remote_actors.document(self.store, actor_id)
        return parse_actor(json.loads(row["data"])) if row else None

    def save(self, actor: RemoteActor) -> None:
        with self.store.tx():
            self._upsert(actor)

    def _upsert(self, actor: RemoteActor) -> None:
        remote_actors.save(self.store, remote_actors.RemoteActorRow(
            id=actor.id, type=actor.type, preferred_username=actor.preferred_username,
            name=actor.name, domain=actor.domain, inbox=actor.inbox,
            shared_inbox=actor.shared_inbox, key_id=actor.key_id,
            public_key_pem=actor.public_key_pem, data=json.dumps(actor.data),
            fetched_at=iso(self.clock())))

    async def get(self, actor_id: str, *, refresh: bool = False) -> RemoteActor:
        if not refresh:
            row = remote_actors.document(self.store, actor_id)
            if row and row["fetched_at"] >= iso(self.clock() - CACHE_TTL):
                return parse_actor(json.loads(row["data"]))
        doc = await self.fetcher.get_object(actor_id)
        actor = parse_actor(doc)
        self.save(actor)
        log.info("actor_fetched actor=%s domain=%s", actor.id, actor.domain)
        return actor

    async def key_lookup(self, key_id: str, refresh: bool) -> PublicKey | None:
        """For signature verification: the key and its owner, which must point back at it."""
        if not refresh:
            stored = self._keys.key(key_id)
            if stored:
                return PublicKey(key_id, stored["owner"], stored["public_key_pem"])
        try:
            final, doc = await self.fetcher.get_json(key_id)
            if doc.get("type") not in ACTOR_TYPES or doc.get("id") != key_id.split("#")[0]:
                # A separate key document (or GoToSocial's stub actor): follow its owner.
                owner = doc.get("owner") or (doc.get("publicKey") or {}).get("owner")
                if not isinstance(owner, str) or host(owner) != host(key_id):
                    return None
                doc = await self.fetcher.get_object(owner)
            elif host(final) != host(key_id):
                return None
            actor = parse_actor(doc)
        except FetchError as exc:
            log.info("key_fetch_failed key_id=%s reason=%s", key_id, exc.reason)
            return None
        if actor.key_id != key_id or not actor.public_key_pem or host(actor.id) != host(key_id):
            return None
        self.save(actor)
        return PublicKey(key_id, actor.id, actor.public_key_pem)
