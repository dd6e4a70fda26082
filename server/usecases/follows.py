"""Use cases of the social graph: following and unfollowing, follow requests and their
answers, relays; shared by the CLI, the inbox table and the tests."""

from __future__ import annotations

import logging
from datetime import datetime

from mitwirken.federation import activities
from mitwirken.federation.actors import actor_to_ap
from mitwirken.federation.fetch import Fetcher, webfinger
from mitwirken.federation.inbox import Activity, InboxContext, State, object_id
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActor, RemoteActors, host
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import audit, follows, remote_actors
from mitwirken.models.actors import ActorError
from mitwirken.models.store import Store
from mitwirken.models.web_names import check_web_url
from mitwirken.server.usecases import backfill, moderation
from mitwirken.server.usecases.network_ingest import purge_actor
from mitwirken.server.usecases.response_promise import reply_rate


async def lookup(fetcher: Fetcher, actors: RemoteActors, target: str) -> RemoteActor:
    """`@user@host`, `user@host` or an actor URL → the (freshly fetched) remote actor.
    Raises `WebNameError` for a malformed URL or host."""
    if "://" in target or target.startswith(("http:", "https:")):
        actor_id = check_web_url(target)
    else:
        actor_id = await webfinger(fetcher, target)
    return await actors.get(actor_id, refresh=True)


def follow(store: Store, urls: Urls, username: str, remote: RemoteActor, now: datetime, *,
           by: str | None = None) -> str:
    """Record a Follow request and queue it to the remote inbox; returns the Follow id. An
    admin's follow (`by`) goes into the audit log."""
    activity = activities.follow(urls, urls.actor(username), remote.id)
    with store.tx():
        follows.add_following(store, username=username, actor=remote.id,
                              follow_id=activity["id"], now=now)
        publish(store, username, activity, now, to_followers=False,
                extra_inboxes=[remote.inbox], public=False)
        if by is not None:
            moderation.record_action(store, by=by, action="follow", target=remote.id,
                                     reason="", now=now, details={"local": username})
    return activity["id"]


def unfollow(store: Store, urls: Urls, username: str, actor_id: str, now: datetime, *,
             by: str | None = None) -> bool:
    """Forget the follow and queue an Undo(Follow) to the remote inbox (audited when an
    admin does it, `by`)."""
    row = follows.get_following(store, username, actor_id)
    if row is None:
        return False
    remote = remote_actors.inboxes(store, actor_id)
    follow_activity = {"id": row["follow_id"], "type": "Follow", "actor": urls.actor(username),
                       "object": actor_id}
    undo = activities.undo(urls, urls.actor(username), follow_activity)
    with store.tx():
        follows.remove_following(store, username, actor_id)
        backfill.stop(store, username, actor_id, now)
        purge_actor(store, actor_id)
        if remote:
            publish(store, username, undo, now, to_followers=False,
                    extra_inboxes=[remote["inbox"]], public=False)
        if by is not None:
            moderation.record_action(store, by=by, action="unfollow", target=actor_id,
                                     reason="", now=now, details={"local": username})
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


def decide_follow_request(store: Store, urls: Urls, username: str, actor_id: str, *,
                          accept: bool, now: datetime, by: str | None = None,
                          reason: str = "") -> bool:
    """Accept (send Accept, count as follower) or reject (send Reject, forget) a pending
    follow request; an admin's decision (`by`) goes into the audit log."""
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
        if by is not None:
            moderation.record_action(
                store, by=by, action="follow.approve" if accept else "follow.reject",
                target=actor_id, reason=reason, now=now, details={"local": username})
    return True


def remove_follower(store: Store, urls: Urls, username: str, actor_id: str, now: datetime,
                    *, by: str, reason: str = "") -> bool:
    """An admin removes a follower: it is told with a `Reject` of its Follow (Mastodon's
    "remove follower") and gets no further deliveries. False if it does not follow."""
    row = follows.get_follower(store, username, actor_id)
    if row is None:
        return False
    follow_activity = {"id": row["follow_id"], "type": "Follow", "actor": actor_id,
                       "object": urls.actor(username)}
    with store.tx():
        follows.remove_follower(store, username, actor_id)
        publish(store, username, activities.reject(urls, urls.actor(username), follow_activity),
                now, to_followers=False, extra_inboxes=[row["inbox"]], public=False)
        moderation.record_action(store, by=by, action="follower.remove", target=actor_id,
                                 reason=reason, now=now, details={"local": username})
    return True


async def subscribe_relay(store: Store, urls: Urls, actors: RemoteActors, relay_actor: str,
                          now: datetime, *, litepub: bool = True, by: str = "system") -> str:
    """The instance actor follows a relay; relayed Announces are then accepted from it and
    their objects fetched from their origin (audit: `relay.add`). Raises `WebNameError` for a
    malformed URL."""
    relay = await actors.get(check_web_url(relay_actor), refresh=True)
    activity = activities.relay_follow(urls, relay.id, litepub)
    with store.tx():
        follows.add_following(store, username="instance", actor=relay.id,
                              follow_id=activity["id"], now=now)
        publish(store, "instance", activity, now, to_followers=False,
                extra_inboxes=[relay.inbox], public=False)
        audit.record(store, actor=by, action="relay.add", target=relay.id,
                     details={"follow": activity["id"], "litepub": litepub}, now=now)
    logging.getLogger("mitwirken.follows").info("relay_subscribed relay=%s by=%s", relay.id, by)
    return activity["id"]


# --- incoming follows (inbox handlers, listed in server/inbox_table.py) ------------------

inbox_log = logging.getLogger("mitwirken.inbox")  # inbox events keep the inbox's logger


def send_accept(ctx: InboxContext, username: str, follow_activity: dict, inbox: str) -> None:
    """Queue the Accept of a Follow to the follower's inbox."""
    actor_url = ctx.urls.instance_actor if username == "instance" else ctx.urls.actor(username)
    accept = activities.accept(ctx.urls, actor_url, follow_activity)
    publish(ctx.store, username, accept, ctx.clock(), to_followers=False,
            extra_inboxes=[inbox], public=False)


async def receive_follow(ctx: InboxContext, activity: Activity) -> State | None:
    """Follow of one of our actors, or of the instance actor by a relay it follows: the
    follower is recorded, pending or (without manual approval) accepted at once."""
    target = object_id(activity.get("object"))
    username = ctx.local_username(target)
    if target == ctx.urls.instance_actor and follows.get_following(
            ctx.store, "instance", activity["actor"]):
        username = "instance"  # a LitePub relay we subscribed to follows us back
    if username is None:
        return "ignored"
    remote = await ctx.actors.get(activity["actor"])
    # A limited domain's follows wait for approval, whatever the actor's own setting.
    manual = ctx.manual_approval(username) or moderation.domain_limited(ctx.store,
                                                                         remote.domain)
    now = ctx.clock()
    with ctx.store.tx():
        follows.add_follower(ctx.store, username=username, actor=remote.id,
                             follow_id=activity["id"], state="pending" if manual else "accepted",
                             inbox=remote.inbox, shared_inbox=remote.shared_inbox, now=now)
        if not manual or follows.get_follower(ctx.store, username, remote.id)["state"] == \
                "accepted":
            send_accept(ctx, username, activity, remote.inbox)
    inbox_log.info("follow_received local=%s actor=%s domain=%s state=%s", username, remote.id,
                   remote.domain, "pending" if manual else "accepted")
    return "processed"


async def receive_undo_follow(ctx: InboxContext, activity: Activity) -> State | None:
    """Undo of a Follow (or of an activity given only by its id that was a Follow): the
    follower goes. Matched by the Follow's id, else by the followed actor."""
    inner = activity.get("object")
    inner_id = object_id(inner)
    actor = activity["actor"]
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    if inner_type not in (None, "Follow"):
        return None
    removed = bool(inner_id) and follows.remove_follow_by_id(ctx.store, inner_id, actor)
    if not removed and isinstance(inner, dict):
        username = ctx.local_username(object_id(inner.get("object")))
        removed = bool(username) and follows.remove_follower(ctx.store, username, actor)
    if not removed:
        return None
    inbox_log.info("unfollowed actor=%s domain=%s", actor, host(actor))
    return "processed"


async def receive_follow_answer(ctx: InboxContext, activity: Activity) -> State | None:
    """Accept or Reject of one of our Follows, by the actor we asked."""
    inner = activity.get("object")
    follow_id = object_id(inner)
    row = follows.following_by_follow_id(ctx.store, follow_id) if follow_id else None
    if row is None and isinstance(inner, dict):
        username = ctx.local_username(inner.get("actor"))
        if username:
            row = follows.get_following(ctx.store, username, activity["actor"])
    if row is None or row["actor"] != activity["actor"]:
        return "ignored"
    state = "accepted" if activity["type"] == "Accept" else "rejected"
    already = row["state"] == "accepted"
    with ctx.store.tx():
        follows.set_following_state(ctx.store, row["follow_id"], state)
        if state == "accepted" and not already:  # a repeated Accept starts nothing anew
            backfill.start(ctx.store, row["username"], row["actor"], ctx.clock())
    inbox_log.info("follow_%s local=%s actor=%s", state, row["username"], row["actor"])
    return "processed"


def set_manual_approval(store: Store, urls: Urls, username: str, on: bool, now: datetime, *,
                        by: str, reason: str = "") -> bool:
    """Whether new followers of `username` wait for an admin's approval
    (`manuallyApprovesFollowers`, Mastodon's lock). The actor's `Update` goes to its
    followers and the change into the audit log; False when it was already so."""
    actor = actor_repo.get_actor(store, username)
    if actor is None or actor.kind == "instance":
        raise ActorError(f"Kein Konto '{username}'.")
    if actor.manually_approves == on:
        return False
    with store.tx():
        actor = actor_repo.update_actor(store, username, manually_approves=on)
        rate = reply_rate(store, username, now)
        doc = actor_to_ap(actor, urls, extra_fields=(rate,) if rate else ())
        publish(store, username, activities.update(urls, username, doc, now), now)
        audit.record(store, actor=by, action="follow.approval", target=username,
                     reason=reason, details={"manually_approves": on}, now=now)
    logging.getLogger("mitwirken.follows").info("manual_approval username=%s on=%s by=%s",
                                               username, on, by)
    return True
