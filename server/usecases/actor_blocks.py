"""Blocking one remote actor (an admin's decision, often on a report): from then on the inbox
refuses the actor's activities with 403 before anything is fetched, and content it sends or
shares is not stored. Setting the block, in one transaction:

- pending deliveries to the actor's own inbox are cancelled;
- each of its follows of our actors is removed and answered with a `Reject` of the Follow
  (as when an admin removes a follower; Mastodon's "remove follower"), our follows of it end;
- its content leaves the search and the pages, with its interactions with our objects
  (likes, boosts, public replies) and its responses and comments.

Lifting a block brings nothing back by itself. Every action is in the audit log with who
acted and why (`actor.block`, `actor.unblock`)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypedDict

from mitwirken.federation.remote import host
from mitwirken.federation.urls import Urls
from mitwirken.models import actor_blocks as repo
from mitwirken.models import (
    audit,
    deliveries,
    follows,
    interactions,
    remote_actors,
    responses,
)
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.server.usecases import follows as follow_cases
from mitwirken.server.usecases.network_ingest import purge_blocked_actor

log = logging.getLogger("mitwirken.moderation")

MAX_URL = 2000


class ActorBlockError(ValueError):
    """This actor cannot be blocked; the message is German."""


class BlockResult(TypedDict):
    """What a block removed."""

    followers: int
    following: int
    deliveries: int
    content: int
    interactions: int
    responses: int


def view(block: repo.ActorBlock) -> dict[str, Any]:
    """A block as the admin API, the CLI and the pages show it."""
    return dict(block)


def list_blocks(store: Store, limit: int = 500) -> list[dict[str, Any]]:
    return [view(b) for b in repo.list_blocks(store, limit)]


def get_block(store: Store, block_id: int) -> dict[str, Any] | None:
    block = repo.get(store, block_id)
    return view(block) if block else None


def is_blocked(store: Store, actor: str) -> bool:
    return repo.is_blocked(store, actor)


def check_actor(urls: Urls, actor: str) -> str:
    """The actor id to block; raises `ActorBlockError` for one of ours or a non-URL."""
    actor = actor.strip() if isinstance(actor, str) else ""
    if not actor.startswith(("https://", "http://")) or len(actor) > MAX_URL or not host(actor):
        raise ActorBlockError(N_("Bitte die Adresse (URL) des Kontos angeben, z. B. "
                              "»https://social.example/users/name«."))
    if actor == urls.base or actor.startswith(urls.base + "/"):
        raise ActorBlockError(N_("Ein Konto dieser Instanz kann nicht blockiert werden; eigene "
                              "Inhalte lassen sich ausblenden oder entfernen."))
    return actor


def block_actor(store: Store, urls: Urls, actor: str, reason: str, now: datetime, *,
                by: str) -> dict[str, Any]:
    """Block a remote actor (see the module text); the stored block with what it removed.
    Raises `ActorBlockError` (nothing written)."""
    actor = check_actor(urls, actor)
    with store.tx():
        repo.add(store, actor, host(actor), reason, by, now)
        inboxes = remote_actors.inboxes(store, actor)
        cancelled = deliveries.cancel_pending_for_inbox(
            store, inboxes["inbox"], now, "actor blocked") if inboxes else 0
        rejected = 0
        for username in follows.followed_by(store, actor):
            rejected += follow_cases.remove_follower(store, urls, username, actor, now, by=by,
                                                     reason=reason)
        following = follows.remove_actor(store, actor)
        content = purge_blocked_actor(store, actor)
        n_interactions = interactions.remove_all_by(store, actor)
        n_responses = responses.remove_all_by(store, actor)
        result = BlockResult(followers=rejected, following=following, deliveries=cancelled,
                             content=content, interactions=n_interactions,
                             responses=n_responses)
        audit.record(store, actor=by, action="actor.block", target=actor, reason=reason,
                     details=dict(result), now=now)
    log.info("actor_blocked actor=%s by=%s followers=%d following=%d deliveries=%d "
             "content=%d interactions=%d responses=%d", actor, by, rejected, following,
             cancelled, content, n_interactions, n_responses)
    block = repo.of_actor(store, actor)
    assert block is not None
    return {**view(block), "removed": dict(result)}


def unblock_actor(store: Store, block_id: int, now: datetime, *, by: str,
                  reason: str = "") -> dict[str, Any] | None:
    """Lift a block; the lifted block, or None if there is none with this id."""
    with store.tx():
        block = repo.remove(store, block_id)
        if block is not None:
            audit.record(store, actor=by, action="actor.unblock", target=block["actor"],
                         reason=reason, now=now)
    if block is None:
        return None
    log.info("actor_unblocked actor=%s by=%s", block["actor"], by)
    return view(block)


def unblock_url(store: Store, actor: str, now: datetime, *, by: str,
                reason: str = "") -> dict[str, Any] | None:
    """Lift the block of an actor named by its URL (the CLI); None if it is not blocked."""
    block = repo.of_actor(store, actor.strip())
    return unblock_actor(store, block["id"], now, by=by, reason=reason) if block else None
