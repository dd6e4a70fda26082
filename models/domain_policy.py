"""Which remote domains this instance refuses (table `domain_blocks`).

A blocked domain also blocks its subdomains (`spam.example` covers `a.spam.example`), as
Takahē's `recursively_blocked()` and Mastodon do. Domains are stored lower-case without a
trailing dot."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models.store import Store, iso
from mitwirken.models.web_names import WebNameError, check_host, normalise_domain


class DomainBlock(TypedDict):
    domain: str
    reason: str
    created_at: str


def normalise(domain: str) -> str:
    """`Spam.Example.` → `spam.example`; raises `WebNameError` for anything that is not a
    domain name or IP literal (`export`, `https://spam.example`), before anything is written."""
    return normalise_domain(domain)


def _host_form(host: str) -> str:
    """A host as the blocks are stored: lower case, no trailing dot, IDNA for Unicode names."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return check_host(host)
    except WebNameError:
        return host


def block(store: Store, domain: str, reason: str, now: datetime) -> None:
    store.execute("INSERT OR REPLACE INTO domain_blocks (domain, reason, created_at) "
                  "VALUES (?, ?, ?)", [normalise(domain), reason, iso(now)])


def unblock(store: Store, domain: str) -> bool:
    """Lift a block. A malformed name is refused, unless an older version stored exactly
    that name (a block of `export`): then that row goes."""
    try:
        name = normalise(domain)
    except WebNameError:
        legacy = domain.lower().strip().rstrip(".")
        if store.one("SELECT 1 FROM domain_blocks WHERE domain = ?", [legacy]) is None:
            raise
        name = legacy
    return store.execute("DELETE FROM domain_blocks WHERE domain = ?", [name]).rowcount > 0


def is_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked, directly or through a parent domain."""
    candidates: set[str] = set()
    for domain in domains:
        host = _host_form(domain)
        parts = host.split(".")
        candidates.add(host)  # also an IPv6 literal, which has no dot
        candidates.update(".".join(parts[i:]) for i in range(len(parts) - 1))
    if not candidates:
        return False
    marks = ",".join("?" * len(candidates))
    return store.one(f"SELECT 1 FROM domain_blocks WHERE domain IN ({marks})",
                     list(candidates)) is not None


def list_blocks(store: Store) -> list[DomainBlock]:
    return [DomainBlock(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT domain, reason, created_at FROM domain_blocks ORDER BY domain")]
