"""A loopback inbox that answers a programmable sequence of statuses and records everything.

Every POST (any host name, any path) is an inbox delivery. The sink checks each request's
draft-cavage signature with bovine primitives only (``Signature``, ``HttpSignature``,
``CryptographicIdentifier``, ``validate_digest``) — never with ``federation.signatures`` — so a
bug there cannot hide itself. There is deliberately no time-window check: tests run the sender on
a fake clock; they compare the recorded ``Date`` headers instead.

Keys are taken from ``keys`` (key id → PEM) or, when a resolver is given, fetched from the
sender's actor document the way a real peer would.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver
from bovine.crypto.digest import validate_digest
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.signature import Signature
from bovine.crypto.types import CryptographicIdentifier

AP_JSON = "application/activity+json"


@dataclass
class Received:
    """One request that reached an inbox, and what we answered."""

    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    verified: bool
    reason: str
    key_id: str | None
    owner: str | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"

    @property
    def activity(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def activity_id(self) -> str | None:
        act = self.activity
        return act.get("id") if isinstance(act, dict) else None

    @property
    def date(self) -> str | None:
        return self.headers.get("date")

    @property
    def signed_headers(self) -> list[str]:
        try:
            return Signature.from_signature_header(self.headers["signature"]).fields
        except Exception:
            return []


class Script:
    """Statuses to answer, in order; ``default`` once they are used up. An entry is a status
    or ``(status, headers)``."""

    def __init__(self, default: int = 202) -> None:
        self.default = default
        self.queue: deque[tuple[int, dict[str, str]]] = deque()

    def push(self, *replies: int | tuple[int, Mapping[str, str]]) -> None:
        for reply in replies:
            status, headers = reply if isinstance(reply, tuple) else (reply, {})
            self.queue.append((status, dict(headers)))

    def next(self) -> tuple[int, dict[str, str]]:
        return self.queue.popleft() if self.queue else (self.default, {})


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in headers.items():
        out[k.lower()] = f"{out[k.lower()]}, {v}" if k.lower() in out else v
    return out


def verify_draft_cavage(method: str, path: str, headers: Mapping[str, str], body: bytes,
                        public_key_pem: str, owner: str) -> tuple[bool, str]:
    """Verify like a strict peer (Mastodon's rules minus the clock): ``(request-target)``,
    ``host``, ``date`` and — for POST — ``digest`` signed; Digest matches the raw body."""
    h = _lower(headers)
    try:
        sig = Signature.from_signature_header(h["signature"])
    except Exception as exc:
        return False, f"unparsable Signature: {exc!r}"[:200]
    fields = sig.fields
    required = {"(request-target)", "host", "date"} | ({"digest"} if method == "POST" else set())
    if missing := required - set(fields):
        return False, f"not signed: {sorted(missing)}"
    if method == "POST" and not validate_digest({"digest": h.get("digest", "")}, body):
        return False, "digest mismatch"
    hs = HttpSignature()
    for name in fields:
        if name == "(request-target)":
            hs.with_field(name, f"{method.lower()} {path}")
        elif name in h:
            hs.with_field(name, h[name])
        else:
            return False, f"signed header {name} missing"
    ident = CryptographicIdentifier.from_pem(public_key_pem, owner)
    return (hs.verify_with_identity(ident, sig.signature) == owner), "checked"


class FixedResolver(AbstractResolver):
    """Every name resolves to one loopback port (a sink serving many host names)."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET
                      ) -> list[dict]:
        return [{"hostname": host, "host": "127.0.0.1", "port": self.port,
                 "family": socket.AF_INET, "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


@dataclass
class Sink:
    """``await sink.start()`` serves on a loopback port; map host names to ``sink.port``."""

    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key id → (owner, PEM)
    resolver: AbstractResolver | None = None
    verify: bool = True
    script: Script = field(default_factory=Script)
    received: list[Received] = field(default_factory=list)
    hold_after: int | None = None
    """When set, requests after this many accepted deliveries wait for ``release`` and are
    then answered 503 without being recorded as accepted (simulates a hung peer)."""
    held: int = 0

    def __post_init__(self) -> None:
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=10_000_000)
        app.router.add_route("POST", "/{tail:.*}", self._inbox)
        return app

    async def start(self, port: int = 0) -> int:
        """Listen on one more loopback port (0: any free one); returns it."""
        if self._runner is None:
            self._runner = web.AppRunner(self.app(), access_log=None)
            await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.port

    async def close(self) -> None:
        self.release.set()
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    # --- what tests look at ---------------------------------------------------------------

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    def distinct(self) -> set[tuple[str, str | None]]:
        """(inbox URL, activity id) of accepted deliveries — what a deduping receiver keeps."""
        return {(r.url, r.activity_id) for r in self.accepted}

    def to(self, url: str) -> list[Received]:
        return [r for r in self.received if r.url == url]

    async def wait_for(self, predicate, within: float = 10.0) -> None:
        """Wait (no blind sleeping) until ``predicate(self)`` holds; TimeoutError after
        ``within`` seconds."""
        async with asyncio.timeout(within):
            while not predicate(self):
                self.arrived.clear()
                await self.arrived.wait()

    # --- the inbox ------------------------------------------------------------------------

    async def _key(self, key_id: str) -> tuple[str, str] | None:
        if key_id in self.keys:
            return self.keys[key_id]
        if self.resolver is None:
            return None
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=self.resolver))
        url = key_id.split("#", 1)[0]
        async with self._session.get(url, headers={"Accept": AP_JSON}) as resp:
            if resp.status != 200:
                return None
            doc = await resp.json(content_type=None)
        key = doc.get("publicKey") or {}
        if key.get("id") != key_id:
            return None
        self.keys[key_id] = (doc["id"], key["publicKeyPem"])
        return self.keys[key_id]

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = _lower(request.headers)
        if self.hold_after is not None and len(self.accepted) >= self.hold_after:
            self.held += 1
            self.arrived.set()
            await self.release.wait()
            return web.json_response({"error": "held"}, status=503)
        try:
            key_id = Signature.from_signature_header(headers.get("signature", "")).key_id
        except Exception:
            key_id = None
        verified, reason, owner = False, "unsigned", None
        if self.verify and key_id:
            key = await self._key(key_id)
            if key is None:
                reason = "unknown key"
            else:
                owner = key[0]
                verified, reason = verify_draft_cavage(request.method, request.path_qs,
                                                       headers, body, key[1], owner)
        status, extra = self.script.next()
        self.received.append(Received(request.method, request.host, request.path_qs, headers,
                                      body, status, verified, reason, key_id, owner))
        self.arrived.set()
        return web.json_response({} if status < 300 else {"error": "scripted"}, status=status,
                                 headers=extra)


def inbox_urls(hosts: Iterable[str], per_host: int) -> list[str]:
    """``per_host`` distinct personal inboxes on each host name."""
    return [f"http://{h}/users/u{i}/inbox" for h in hosts for i in range(per_host)]
