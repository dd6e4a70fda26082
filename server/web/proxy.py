"""Honour `X-Forwarded-*` headers, but only from the reverse proxy we were told to trust.

Behind Caddy or nginx every request arrives from the proxy's address; the real client address,
the original scheme (https) and the public host only reach us as headers. Anyone can send such
headers, so they are believed only when the TCP peer (`request.remote`) is listed in
`settings.trusted_proxies` (addresses or CIDR networks). Identity URLs never depend on this: they
come from `base_url` alone (see `federation.urls`); this middleware is for logs, rate limits and
anything that asks `request.secure`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from mitwirken.server.config import ConfigError

log = logging.getLogger("mitwirken.proxy")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """`127.0.0.1`, `::1`, `172.30.80.0/24` → networks; a bad entry is a configuration error."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ConfigError(f"trusted_proxies: {entry!r} ist keine IP-Adresse oder kein Netz "
                              "(is no IP address or network)") from exc
    return networks


def is_trusted(address: str | None, networks: list[Network]) -> bool:
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """Walk the X-Forwarded-For chain from the right, skipping our own trusted proxies; the first
    address that is not one of them is the client. Entries left of it were supplied by the client
    and prove nothing."""
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        client = hop
        if not is_trusted(hop, networks):
            break
    return client


def _first(value: str) -> str:
    return value.split(",")[0].strip()


def proxy_middleware(trusted_proxies: Iterable[str]) -> Callable[..., Awaitable]:
    """Build the middleware for the configured proxies (parsed once, not per request)."""
    networks = parse_networks(trusted_proxies)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not networks:
            return await handler(request)
        peer = request.remote
        headers = request.headers
        forwarded = any(h in headers for h in
                        ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"))
        if not forwarded:
            return await handler(request)
        if not is_trusted(peer, networks):
            log.debug("forwarded_headers_ignored remote=%s path=%s", peer, request.path)
            return await handler(request)
        changes: dict[str, str] = {}
        if xff := headers.get("X-Forwarded-For"):
            changes["remote"] = client_address(peer or "", xff, networks)
        proto = _first(headers.get("X-Forwarded-Proto", "")).lower()
        if proto in ("http", "https"):
            changes["scheme"] = proto
        if host := _first(headers.get("X-Forwarded-Host", "")):
            changes["host"] = host
        log.debug("forwarded_headers_honoured remote=%s client=%s scheme=%s host=%s path=%s",
                  peer, changes.get("remote", peer), changes.get("scheme", request.scheme),
                  changes.get("host", request.host), request.path)
        return await handler(request.clone(**changes) if changes else request)

    return middleware
