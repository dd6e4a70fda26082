"""Moderation and domain policy: which remote domains this instance federates with.

Blocking a domain has GoToSocial's documented effects, in one transaction: its followers go,
our follows of its actors end, pending deliveries to it are cancelled, its content disappears
from this instance, and its inbox requests get 403 from then on (`federation.inbox` screens
every activity and every signing key against `models.domain_policy`)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models import deliveries, domain_policy, follows
from mitwirken.models.store import Store
from mitwirken.server.usecases.network_ingest import purge_domain


class BlockResult(TypedDict):
    """What a block removed, and the domain as stored (lower case, IDNA)."""

    domain: str
    followers: int
    following: int
    deliveries: int
    content: int


def block_domain(store: Store, domain: str, reason: str, now: datetime) -> BlockResult:
    """Block a domain: its followers go, pending deliveries to it are cancelled, its content
    disappears, and its inbox requests get 403 from now on (GoToSocial's documented effects).
    Raises `WebNameError` (nothing written) for a name that is not a domain."""
    domain = domain_policy.normalise(domain)
    with store.tx():
        domain_policy.block(store, domain, reason, now)
        followers, following = follows.remove_domain(store, domain)
        cancelled = deliveries.cancel_pending_for_domain(store, domain, now, "domain blocked")
        content = purge_domain(store, domain)
    return BlockResult(domain=domain, followers=followers, following=following,
                       deliveries=cancelled, content=content)


def domain_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked; a blocked domain also blocks its subdomains."""
    return domain_policy.is_blocked(store, *domains)


def unblock_domain(store: Store, domain: str) -> bool:
    return domain_policy.unblock(store, domain)
