"""Use cases of the social graph shared by the CLI, the API and the tests."""

from __future__ import annotations

from datetime import datetime

from mitwirken.federation import activities
from mitwirken.federation.fetch import Fetcher, webfinger
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActor, RemoteActors
from mitwirken.federation.urls import Urls
from mitwirken.models import deliveries, domain_policy, follows, remote_actors
from mitwirken.models.store import Store
from mitwirken.server.usecases.network_ingest import purge_actor, purge_domain


async def lookup(fetcher: Fetcher, actors: RemoteActors, target: str) -> RemoteActor:
    """`@user@host`, `user@host` or an actor URL → the (freshly fetched) remote actor."""
    actor_id = target if target.startswith(("http://", "https://")) else \
        await webfinger(fetcher, target)
    return await actors.get(actor_id, refresh=True)


def follow(store: Store, urls: Urls, username: str, remote: RemoteActor, now: datetime) -> str:
    """Record a Follow request and queue it to the remote inbox; returns the Follow id."""
    activity = activities.follow(urls, urls.actor(username), remote.id)
    with store.tx():
        follows.add_following(store, username=username, actor=remote.id,
                              follow_id=activity["id"], now=now)
        publish(store, username, activity, now, to_followers=False,
                extra_inboxes=[remote.inbox], public=False)
    return activity["id"]


def unfollow(store: Store, urls: Urls, username: str, actor_id: str, now: datetime) -> bool:
    """Forget the follow and queue an Undo(Follow) to the remote inbox."""
    row = follows.get_following(store, username, actor_id)
    if row is None:
        return False
    remote = remote_actors.inboxes(store, actor_id)
    follow_activity = {"id": row["follow_id"], "type": "Follow", "actor": urls.actor(username),
                       "object": actor_id}
    undo = activities.undo(urls, urls.actor(username), follow_activity)
    with store.tx():
        follows.remove_following(store, username, actor_id)
        purge_actor(store, actor_id)
        if remote:
            publish(store, username, undo, now, to_followers=False,
                    extra_inboxes=[remote["inbox"]], public=False)
    return True


def find_following(store: Store, username: str, target: str) -> str | None:
    """Match an actor URL or `@user@host` against what `username` follows."""
    rows = follows.list_following(store, username)
    for row in rows:
        if row["actor"] == target:
            return row["actor"]
    user, _, host = target.lstrip("@").partition("@")
    for row in rows:
        cached = remote_actors.preferred_username(store, row["actor"])
        if cached and cached == user and \
                row["actor"].split("/")[2] == host:
            return row["actor"]
    return None


def block_domain(store: Store, domain: str, reason: str, now: datetime) -> dict:
    """Block a domain: its followers go, pending deliveries to it are cancelled, its content
    disappears, and its inbox requests get 403 from now on (GoToSocial's documented effects)."""
    domain = domain_policy.normalise(domain)
    with store.tx():
        domain_policy.block(store, domain, reason, now)
        followers, following = follows.remove_domain(store, domain)
        cancelled = deliveries.cancel_pending_for_domain(store, domain, now, "domain blocked")
        content = purge_domain(store, domain)
    return {"followers": followers, "following": following, "deliveries": cancelled,
            "content": content}


def domain_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked; a blocked domain also blocks its subdomains."""
    return domain_policy.is_blocked(store, *domains)


def unblock_domain(store: Store, domain: str) -> bool:
    return domain_policy.unblock(store, domain)


def decide_follow_request(store: Store, urls: Urls, username: str, actor_id: str, *,
                          accept: bool, now: datetime) -> bool:
    """Accept (send Accept, count as follower) or reject (send Reject, forget) a pending
    follow request."""
    row = follows.get_follower(store, username, actor_id)
    if row is None or row["state"] != "pending":
        return False
    follow_activity = {"id": row["follow_id"], "type": "Follow", "actor": actor_id,
                       "object": urls.actor(username)}
    build = activities.accept if accept else activities.reject
    with store.tx():
        if accept:
            follows.set_follower_state(store, username, actor_id, "accepted")
        else:
            follows.remove_follower(store, username, actor_id)
        publish(store, username, build(urls, urls.actor(username), follow_activity), now,
                to_followers=False, extra_inboxes=[row["inbox"]], public=False)
    return True


async def subscribe_relay(store: Store, urls: Urls, actors: RemoteActors, relay_actor: str,
                          now: datetime, *, litepub: bool = True) -> str:
    """The instance actor follows a relay; relayed Announces are then accepted from it and
    their objects fetched from their origin."""
    relay = await actors.get(relay_actor, refresh=True)
    activity = activities.relay_follow(urls, relay.id, litepub)
    with store.tx():
        follows.add_following(store, username="instance", actor=relay.id,
                              follow_id=activity["id"], now=now)
        publish(store, "instance", activity, now, to_followers=False,
                extra_inboxes=[relay.inbox], public=False)
    return activity["id"]
