"""Which remote domains this instance refuses (table `domain_blocks`).

A blocked domain also blocks its subdomains (`spam.example` covers `a.spam.example`), as
Takahē's `recursively_blocked()` and Mastodon do. Domains are stored lower-case without a
trailing dot."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models.store import Store, iso


class DomainBlock(TypedDict):
    domain: str
    reason: str
    created_at: str


def normalise(domain: str) -> str:
    """`Spam.Example.` → `spam.example`."""
    return domain.lower().strip().rstrip(".")


def block(store: Store, domain: str, reason: str, now: datetime) -> None:
    store.execute("INSERT OR REPLACE INTO domain_blocks (domain, reason, created_at) "
                  "VALUES (?, ?, ?)", [normalise(domain), reason, iso(now)])


def unblock(store: Store, domain: str) -> bool:
    return store.execute("DELETE FROM domain_blocks WHERE domain = ?",
                         [normalise(domain)]).rowcount > 0


def is_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked, directly or through a parent domain."""
    candidates: set[str] = set()
    for domain in domains:
        parts = domain.lower().rstrip(".").split(".")
        candidates.update(".".join(parts[i:]) for i in range(len(parts) - 1))
    if not candidates:
        return False
    marks = ",".join("?" * len(candidates))
    return store.one(f"SELECT 1 FROM domain_blocks WHERE domain IN ({marks})",
                     list(candidates)) is not None


def list_blocks(store: Store) -> list[DomainBlock]:
    return [DomainBlock(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT domain, reason, created_at FROM domain_blocks ORDER BY domain")]
