"""Safe remote fetches: signed GETs with timeouts, size caps, capped redirects, media-type and
origin checks, and no private addresses unless the instance allows them (tests, demos)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.signatures import sign_headers
from mitwirken.models.safe_json import JsonRefused, parse_json
from mitwirken.models.web_names import WebNameError, check_web_url

log = logging.getLogger("mitwirken.fetch")

AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AP_MEDIA = ("application/activity+json", "application/ld+json")
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 3


class FetchError(Exception):
    """A remote document could not be fetched safely; `status` is the HTTP status if any."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Signer:
    key_id: str
    private_key_pem: str


_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"),)  # is_global misses it (security.md C-04)


def is_private_address(host: str) -> bool:
    name = host.strip("[]")
    try:
        addr = ipaddress.ip_address(name)
    except ValueError:
        try:  # "2130706433", "0x7f000001", "127.1": the resolver dials these as IPv4
            addr = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return host.lower() in ("localhost",) or host.lower().endswith(".localhost")
    if isinstance(addr, ipaddress.IPv6Address):
        inner = addr.ipv4_mapped or addr.sixtofour  # ::ffff:a.b.c.d and 6to4 wrap an IPv4
        if inner is not None and is_private_address(str(inner)):
            return True
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
            or addr.is_multicast or addr.is_unspecified or not addr.is_global
            or any(addr in net for net in _NOT_PUBLIC))


class Fetcher:
    """GETs ActivityStreams documents on behalf of the instance actor."""

    def __init__(self, session: aiohttp.ClientSession, signer: Signer, *,
                 allow_private: bool, timeout: float, clock: Callable[[], datetime],
                 max_bytes: int = MAX_BYTES,
                 host_blocked: Callable[[str], bool] | None = None) -> None:
        self.session = session
        self.host_blocked = host_blocked  # the admin's domain blocks: never fetched from
        self.signer = signer
        self.allow_private = allow_private
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.clock = clock
        self.max_bytes = max_bytes

    def check_url(self, url: str) -> None:
        try:
            parts = urlsplit(check_web_url(url))
        except WebNameError as exc:
            raise FetchError(f"not an http(s) URL: {url[:200]!r}") from exc
        if parts.hostname is None:
            raise FetchError(f"not an http(s) URL: {url[:200]!r}")
        if self.host_blocked is not None and self.host_blocked(parts.hostname):
            raise FetchError(f"blocked domain: {parts.hostname[:200]}")
        if self.allow_private:
            return
        if parts.scheme != "https":
            raise FetchError("plain http is not allowed")
        if is_private_address(parts.hostname):
            raise FetchError("private or loopback address refused")

    async def get_json(self, url: str, *, accept: str = AP_ACCEPT, signed: bool = True,
                       media_types: tuple[str, ...] = AP_MEDIA) -> tuple[str, JsonObject]:
        """Fetch `url` (following ≤ 3 redirects); returns (final URL, document)."""
        current = url.split("#", 1)[0]
        for _ in range(MAX_REDIRECTS + 1):
            self.check_url(current)
            headers = {"Accept": accept}
            if signed:
                headers = sign_headers("GET", current, key_id=self.signer.key_id,
                                       private_key_pem=self.signer.private_key_pem,
                                       now=self.clock(), accept=accept)
            try:
                async with self.session.get(current, headers=headers, allow_redirects=False,
                                            timeout=self.timeout) as resp:
                    if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                        nxt = urljoin(current, resp.headers["Location"])
                        if urlsplit(nxt).scheme == "http" and urlsplit(current).scheme == "https":
                            raise FetchError("redirect from https to http refused")
                        current = nxt
                        continue
                    if resp.status != 200:
                        raise FetchError(f"HTTP {resp.status} from {current}", resp.status)
                    if resp.content_type not in media_types or not _as_profile(resp):
                        raise FetchError(f"unexpected media type {resp.content_type}")
                    body = await self._read_capped(resp)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise FetchError(f"{type(exc).__name__} fetching {current}") from exc
            try:
                doc = parse_json(body)
            except JsonRefused as exc:
                raise FetchError(f"refused JSON: {exc.reason}") from exc
            if not isinstance(doc, dict):
                raise FetchError("JSON document is not an object")
            return current, doc
        raise FetchError("too many redirects")

    async def get_object(self, url: str) -> JsonObject:
        """An ActivityStreams object whose `id` is the URL it was fetched from (or, after a
        redirect on the same host, the final URL)."""
        final, doc = await self.get_json(url)
        doc_id = doc.get("id")
        wanted = url.split("#", 1)[0]
        same_host = urlsplit(final).netloc.lower() == urlsplit(wanted).netloc.lower()
        if doc_id != wanted and not (same_host and doc_id == final):
            raise FetchError(f"id {str(doc_id)[:200]} does not match the URL fetched")
        return doc

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        if resp.content_length is not None and resp.content_length > self.max_bytes:
            raise FetchError("response too large")
        chunks, size = [], 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError("response too large")
            chunks.append(chunk)
        return b"".join(chunks)


async def webfinger_jrd(fetcher: Fetcher, handle: str) -> tuple[str, JsonObject]:
    """Fetch the WebFinger document of `@user@host` (or `user@host`, `acct:user@host`);
    returns (host, document)."""
    handle = handle.strip().removeprefix("acct:").lstrip("@")
    user, sep, host = handle.rpartition("@")
    if not sep or not user or not host or "/" in host or "?" in host or "#" in host:
        raise FetchError(f"not a handle: {handle[:100]}")
    schemes = ["https"]
    if fetcher.allow_private:  # demos and tests: a local city may speak plain http only
        schemes = ["http"] if is_local_test_host(host) else ["https", "http"]
    jrd: JsonObject = {}
    for scheme in schemes:
        url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{user}@{host}"
        try:
            _, jrd = await fetcher.get_json(
                url, accept="application/jrd+json, application/json", signed=False,
                media_types=("application/jrd+json", "application/json"))
            break
        except FetchError as exc:
            # Only a failed connection (no TLS there) falls back; an answer over https is final.
            if scheme == schemes[-1] or exc.status is not None:
                raise
            log.info("webfinger_http_fallback host=%s reason=%s", host, exc.reason)
    return host, jrd


def actor_link(jrd: JsonObject) -> str | None:
    """The ActivityPub actor id a WebFinger document names (`rel=self`)."""
    for link in jrd.get("links", []):
        if (isinstance(link, dict) and link.get("rel") == "self"
                and str(link.get("type", "")).split(";")[0].strip() in AP_MEDIA
                and isinstance(link.get("href"), str)):
            return str(link["href"])
    return None


async def webfinger(fetcher: Fetcher, handle: str) -> str:
    """Resolve `@user@host` (or `user@host`, `acct:user@host`) to an actor id."""
    _, jrd = await webfinger_jrd(fetcher, handle)
    actor = actor_link(jrd)
    if actor is None:
        raise FetchError("no ActivityPub actor in WebFinger answer")
    return actor


def _as_profile(resp: aiohttp.ClientResponse) -> bool:
    """``application/ld+json`` counts only with the ActivityStreams profile (security.md C-01,
    Mastodon's ``valid_activitypub_content_type?``)."""
    if resp.content_type != "application/ld+json":
        return True
    params = resp.headers.get("Content-Type", "").split(";")[1:]
    return any(p.strip().startswith("profile=") and
               "https://www.w3.org/ns/activitystreams" in p.split("=", 1)[1].strip('" ').split()
               for p in params)


def is_local_test_host(host: str) -> bool:
    """Test and demo names (`*.test`, `*.localhost`) speak plain http when allowed."""
    name = host.split(":")[0].lower()
    return name.endswith(".test") or name == "localhost" and ":" not in host


class PublicOnlyResolver(AbstractResolver):
    """DNS for production: names that resolve to private, loopback or link-local addresses
    are refused before any connection is made (no DNS-rebinding path to internal services)."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self.inner = inner or ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        public = [r for r in results if not is_private_address(str(r["host"]))]
        if not public:
            raise OSError(f"{host} resolves only to private addresses")
        return public

    async def close(self) -> None:
        await self.inner.close()


AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]
"""One `getaddrinfo` entry: family, type, proto, canonical name, socket address."""


def public_only_socket(addr_info: AddrInfo) -> socket.socket:
    """The socket for one outgoing connection, refused (`OSError`) when the address it is about
    to connect to is private, loopback, link-local or otherwise not public.

    aiohttp calls this (`TCPConnector(socket_factory=…)`) for every connection it opens, with
    the very address it then connects to: every request, every redirect hop, every delivery,
    whatever the resolver answered (a name that resolved publicly for the check and inwards
    for the connection cannot slip through). A reused keep-alive connection was checked when
    it was opened."""
    family, type_, proto, _, address = addr_info
    if is_private_address(str(address[0])):
        raise OSError(f"connection to {address[0]} refused: not a public address")
    return socket.socket(family=family, type=type_, proto=proto)
