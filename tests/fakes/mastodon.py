"""A small stand-in for a Mastodon 4.x server, for federation tests on loopback.

It serves WebFinger and ``Person`` actors with RSA keys, signs its own requests the way Mastodon
does (``rsa-sha256``, POST headers ``(request-target) host date digest content-type``, GET
headers ``(request-target) host date accept``, ``Digest: SHA-256=…``, keyId
``…/users/alice#main-key``) and records every request. POSTs to its inboxes are verified
with bovine's ``build_validate_http_signature_raw`` — independent of ``federation.signatures``
— with our actor's key fetched over HTTP like Mastodon's ``FetchRemoteKeyService``.

Everything is built with bovine primitives directly (``HttpSignature``, ``CryptographicSecret``,
``CryptographicIdentifier``), so the signing knobs (``fields``, ``host``, ``date``, ``digest``)
can also forge broken requests for the inbox security tests.
"""

from __future__ import annotations

import email.utils
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.signature import Signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret

from tests.fakes.sink import Received, Script

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
AP_JSON = "application/activity+json"
MASTODON_POST_FIELDS = ("(request-target)", "host", "date", "digest", "content-type")
MASTODON_GET_FIELDS = ("(request-target)", "host", "date", "accept")
MASTODON_CONTEXT = [
    AS,
    "https://w3id.org/security/v1",
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
    },
]

_KEY_POOL: list[tuple[str, str]] = []


def pooled_keypair(index: int) -> tuple[str, str]:
    """RSA-2048 key pairs are slow to make; tests share a few per process."""
    while len(_KEY_POOL) <= index:
        _KEY_POOL.append(generate_rsa_public_private_key())
    return _KEY_POOL[index]


def http_date(now: datetime) -> str:
    return email.utils.format_datetime(now.astimezone(UTC), usegmt=True)


@dataclass
class User:
    username: str
    public_pem: str
    private_pem: str


class FakeMastodon:
    """``await FakeMastodon(resolver).start()`` registers ``mastodon.test`` with the resolver."""

    def __init__(self, resolver: AbstractResolver, domain: str = "mastodon.test",
                 users: Sequence[str] = ("alice", "bob"), *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.resolver = resolver
        self.domain = domain
        self.base = f"http://{domain}"
        self.clock = clock
        self.users: dict[str, User] = {}
        for i, name in enumerate(("actor", *users)):
            self.users[name] = User(name, *pooled_keypair(i))
        self.requests: list[tuple[str, str]] = []  # (method, path) of everything served
        self.inbox: list[Received] = []
        self.script = Script(default=202)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self._our_keys: dict[str, CryptographicIdentifier] = {}
        self._validate = build_validate_http_signature_raw(self._retrieve_key)

    # --- identity -------------------------------------------------------------------------

    def actor_id(self, user: str) -> str:
        return f"{self.base}/actor" if user == "actor" else f"{self.base}/users/{user}"

    def key_id(self, user: str) -> str:
        return f"{self.actor_id(user)}#main-key"

    def actor_document(self, user: str) -> dict:
        u = self.users[user]
        actor = self.actor_id(user)
        if user == "actor":  # Mastodon's instance actor (Account.representative)
            return {"@context": MASTODON_CONTEXT, "id": actor, "type": "Application",
                    "preferredUsername": self.domain, "inbox": f"{actor}/inbox",
                    "outbox": f"{actor}/outbox", "manuallyApprovesFollowers": True,
                    "endpoints": {"sharedInbox": f"{self.base}/inbox"},
                    "publicKey": {"id": self.key_id(user), "owner": actor,
                                  "publicKeyPem": u.public_pem}}
        return {
            "@context": MASTODON_CONTEXT, "id": actor, "type": "Person",
            "following": f"{actor}/following", "followers": f"{actor}/followers",
            "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox",
            "featured": f"{actor}/collections/featured", "preferredUsername": user,
            "name": user.capitalize(), "summary": "<p>Ehrenamtlich unterwegs.</p>",
            "url": f"{self.base}/@{user}", "manuallyApprovesFollowers": False,
            "discoverable": True, "indexable": False, "published": "2023-01-01T00:00:00Z",
            "publicKey": {"id": self.key_id(user), "owner": actor,
                          "publicKeyPem": u.public_pem},
            "tag": [], "attachment": [], "endpoints": {"sharedInbox": f"{self.base}/inbox"},
        }

    def rotate_key(self, user: str) -> None:
        """The account gets a new key pair (its actor document changes with it)."""
        used = {u.private_pem for u in self.users.values()}
        index = next(i for i in range(len(_KEY_POOL) + 1)
                     if i == len(_KEY_POOL) or _KEY_POOL[i][1] not in used)
        self.users[user] = User(user, *pooled_keypair(index))

    # --- activities shaped like Mastodon's ------------------------------------------------

    def follow(self, user: str, target: str) -> dict:
        return {"@context": AS, "id": f"{self.base}/{uuid.uuid4()}", "type": "Follow",
                "actor": self.actor_id(user), "object": target}

    def undo(self, user: str, activity: dict) -> dict:
        inner = {k: v for k, v in activity.items() if k != "@context"}
        return {"@context": AS, "id": f"{self.actor_id(user)}#follows/{uuid.uuid4().int % 10**6}"
                "/undo", "type": "Undo", "actor": self.actor_id(user), "object": inner}

    def note(self, user: str, content: str = "<p>Hallo!</p>", **extra: Any) -> dict:
        status = f"{self.actor_id(user)}/statuses/{uuid.uuid4().int % 10**18}"
        published = self.clock().astimezone(UTC).isoformat(timespec="seconds")
        note = {"id": status, "type": "Note", "summary": None, "inReplyTo": None,
                "published": published, "url": f"{self.base}/@{user}/{status.rsplit('/', 1)[1]}",
                "attributedTo": self.actor_id(user), "to": [PUBLIC],
                "cc": [f"{self.actor_id(user)}/followers"], "sensitive": False,
                "content": content, "tag": [], "attachment": [], **extra}
        return {"@context": MASTODON_CONTEXT, "id": f"{status}/activity", "type": "Create",
                "actor": self.actor_id(user), "published": published, "to": note["to"],
                "cc": note["cc"], "object": note}

    def delete_self(self, user: str) -> dict:
        actor = self.actor_id(user)
        return {"@context": [AS, "https://w3id.org/security/v1"], "id": f"{actor}#delete",
                "type": "Delete", "actor": actor, "to": [PUBLIC], "object": actor}

    # --- signing (bovine primitives, Mastodon's header set) -------------------------------

    def sign(self, user: str, method: str, url: str, body: bytes = b"", *,
             fields: Sequence[str] | None = None, host: str | None = None,
             date: datetime | str | None = None, digest: str | None = None,
             key_user: str | None = None, content_type: str = AP_JSON) -> dict[str, str]:
        """Headers for one request. Overrides forge broken requests: ``fields`` (what is
        signed), ``host`` (Host header and signed host), ``date``, ``digest`` (header value,
        signed as given), ``key_user`` (whose key signs while ``user`` names the keyId)."""
        parts = urlsplit(url)
        host = host or parts.netloc
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        when = date if isinstance(date, str) else http_date(date or self.clock())
        headers = {"Host": host, "Date": when}
        if method.upper() == "POST":
            headers["Digest"] = digest or content_digest_sha256(body, prefix="SHA-256")
            headers["Content-Type"] = content_type
            default_fields = MASTODON_POST_FIELDS
        else:
            headers["Accept"] = AP_JSON
            default_fields = MASTODON_GET_FIELDS
        lowered = {k.lower(): v for k, v in headers.items()}
        sig = HttpSignature()
        for name in fields or default_fields:
            value = f"{method.lower()} {target}" if name == "(request-target)" else lowered[name]
            sig.with_field(name, value)
        signer = self.users[key_user or user]
        secret = CryptographicSecret.from_pem(self.key_id(user), signer.private_pem)
        headers["Signature"] = sig.sign_for_http_draft(secret)
        return headers

    async def post(self, user: str, url: str, activity: dict | bytes, **sign_kw: Any
                   ) -> tuple[int, Any]:
        """A signed POST from ``user``; returns (status, parsed JSON body or text)."""
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        headers = self.sign(user, "POST", url, body, **sign_kw)
        return await self.send("POST", url, body, headers)

    async def send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
                   ) -> tuple[int, Any]:
        """A raw request through the shared resolver (for hand-built, forged headers)."""
        assert self.session is not None, "start() first"
        async with self.session.request(method, url, data=body, headers=headers,
                                        allow_redirects=False) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakeMastodon:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_get("/.well-known/webfinger", self._webfinger)
        app.router.add_get("/actor", self._actor)
        app.router.add_get("/users/{user}", self._actor)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_post("/users/{user}/inbox", self._inbox)
        app.router.add_post("/actor/inbox", self._inbox)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.resolver.ports[self.domain] = self.port  # type: ignore[attr-defined]
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=self.resolver),
            headers={"User-Agent": "http.rb/5.1.1 (Mastodon/4.3.0; +http://mastodon.test/)"})
        return self

    async def close(self) -> None:
        if self.session:
            await self.session.close()
        if self._runner:
            await self._runner.cleanup()

    def fetches(self) -> list[tuple[str, str]]:
        """GETs others made of our documents (key fetches, actor lookups, WebFinger)."""
        return [r for r in self.requests if r[0] == "GET"]

    # --- handlers -------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler):
        self.requests.append((request.method, request.path_qs))
        return await handler(request)

    async def _webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        user, _, host = resource.removeprefix("acct:").partition("@")
        if host != self.domain or user not in self.users:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response({
            "subject": f"acct:{user}@{self.domain}", "aliases": [self.actor_id(user)],
            "links": [{"rel": "self", "type": AP_JSON, "href": self.actor_id(user)},
                      {"rel": "http://ostatus.org/schema/1.0/subscribe",  # as Mastodon 4.x
                       "template": f"{self.base}/authorize_interaction?uri={{uri}}"}]},
            content_type="application/jrd+json")

    async def _actor(self, request: web.Request) -> web.Response:
        user = request.match_info.get("user", "actor")
        if user not in self.users:
            return web.json_response({"error": "Record not found"}, status=404)
        return web.Response(text=json.dumps(self.actor_document(user)),
                            content_type=AP_JSON, charset="utf-8")

    async def _retrieve_key(self, key_id: str) -> CryptographicIdentifier | None:
        """Like Mastodon's FetchRemoteKeyService: fetch the keyId (signed GET by our
        instance actor), accept it if it is an actor whose publicKey.id is the keyId."""
        if key_id in self._our_keys:
            return self._our_keys[key_id]
        url = key_id.split("#", 1)[0]
        headers = self.sign("actor", "GET", url)
        assert self.session is not None
        async with self.session.get(url, headers=headers) as resp:
            if resp.status != 200:
                return None
            doc = await resp.json(content_type=None)
        key = doc.get("publicKey") or {}
        if key.get("id") != key_id or key.get("owner") != doc.get("id"):
            return None
        ident = CryptographicIdentifier.from_pem(key["publicKeyPem"], doc["id"])
        self._our_keys[key_id] = ident
        return ident

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()

        async def get_body() -> bytes:
            return body

        try:
            key_id = Signature.from_signature_header(request.headers["Signature"]).key_id
        except Exception:
            key_id = None
        owner = None
        try:
            owner = await self._validate(request.method, str(request.url), request.headers,
                                         get_body)
        except Exception as exc:  # bovine may raise on junk; a real Mastodon answers 401
            reason = f"{type(exc).__name__}"
        else:
            reason = "checked"
        try:
            actor = json.loads(body).get("actor")
        except (ValueError, AttributeError):
            actor = None
        verified = owner is not None and owner == actor
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, extra = self.script.next()
        self.inbox.append(Received(request.method, request.host, request.path_qs, headers,
                                   body, status, verified, reason, key_id, owner))
        return web.json_response({} if status < 300 else {"error": "scripted"}, status=status,
                                 headers=extra)
