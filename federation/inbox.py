"""Processing committed inbox items. The HTTP handler only verifies and records; this module
decides what each activity means. Handlers are registered per type (no long match chains)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActors, host
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows, interactions, remote_actors
from mitwirken.models.markdown import sanitize_html
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")

Handler = Callable[["InboxContext", dict], Awaitable[str]]
HANDLERS: dict[str, Handler] = {}


class Reject(Exception):
    """The activity is well-formed but not acceptable (forgery, wrong owner …)."""


@dataclass
class InboxContext:
    store: Store
    urls: Urls
    actors: RemoteActors
    clock: Callable[[], datetime]
    manual_approval: Callable[[str], bool]
    extra: dict[str, Handler] = field(default_factory=dict)

    def local_username(self, actor_url: object) -> str | None:
        """The username behind one of our actor URLs, if it exists."""
        if not isinstance(actor_url, str) or not actor_url.startswith(self.urls.base + "/actors/"):
            return None
        username = actor_url[len(self.urls.base + "/actors/"):]
        actor = actor_repo.get_actor(self.store, username)
        return username if actor and actor.kind != "instance" else None


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn
    return register


def object_id(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


async def process(ctx: InboxContext, activity: dict) -> str:
    """Returns the item's final state: 'processed' or 'ignored'."""
    type_ = activity.get("type")
    handler = ctx.extra.get(type_) or HANDLERS.get(type_) if isinstance(type_, str) else None
    if handler is None:
        log.info("activity_ignored type=%s actor=%s", str(type_)[:40], activity.get("actor"))
        return "ignored"
    return await handler(ctx, activity)


# --- follows ------------------------------------------------------------------------------

@handles("Follow")
async def on_follow(ctx: InboxContext, activity: dict) -> str:
    target = object_id(activity.get("object"))
    username = ctx.local_username(target)
    if target == ctx.urls.instance_actor and follows.get_following(
            ctx.store, "instance", activity["actor"]):
        username = "instance"  # a LitePub relay we subscribed to follows us back
    if username is None:
        return "ignored"
    remote = await ctx.actors.get(activity["actor"])
    manual = ctx.manual_approval(username)
    now = ctx.clock()
    with ctx.store.tx():
        follows.add_follower(ctx.store, username=username, actor=remote.id,
                             follow_id=activity["id"], state="pending" if manual else "accepted",
                             inbox=remote.inbox, shared_inbox=remote.shared_inbox, now=now)
        if not manual or follows.get_follower(ctx.store, username, remote.id)["state"] == \
                "accepted":
            send_accept(ctx, username, activity, remote.inbox)
    log.info("follow_received local=%s actor=%s domain=%s state=%s", username, remote.id,
             remote.domain, "pending" if manual else "accepted")
    return "processed"


def send_accept(ctx: InboxContext, username: str, follow_activity: dict, inbox: str) -> None:
    actor_url = ctx.urls.instance_actor if username == "instance" else ctx.urls.actor(username)
    accept = activities.accept(ctx.urls, actor_url, follow_activity)
    publish(ctx.store, username, accept, ctx.clock(), to_followers=False,
            extra_inboxes=[inbox], public=False)


@handles("Undo")
async def on_undo(ctx: InboxContext, activity: dict) -> str:
    inner = activity.get("object")
    inner_id = object_id(inner)
    actor = activity["actor"]
    if isinstance(inner, dict) and inner.get("actor") not in (None, actor):
        raise Reject("Undo of someone else's activity")
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    store = ctx.store
    if inner_type in (None, "Follow"):
        removed = bool(inner_id) and follows.remove_follow_by_id(store, inner_id, actor)
        if not removed and isinstance(inner, dict):
            username = ctx.local_username(object_id(inner.get("object")))
            removed = bool(username) and follows.remove_follower(store, username, actor)
        if removed:
            log.info("unfollowed actor=%s domain=%s", actor, host(actor))
            return "processed"
    if inner_type in (None, "Like", "Announce") and inner_id and \
            interactions.remove(store, inner_id, actor):
        return "processed"
    return "ignored"


@handles("Accept", "Reject")
async def on_accept_reject(ctx: InboxContext, activity: dict) -> str:
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
    follows.set_following_state(ctx.store, row["follow_id"], state)
    log.info("follow_%s local=%s actor=%s", state, row["username"], row["actor"])
    return "processed"


# --- actors -------------------------------------------------------------------------------

@handles("Delete")
async def on_delete(ctx: InboxContext, activity: dict) -> str:
    target = object_id(activity.get("object"))
    if target == activity["actor"]:
        with ctx.store.tx():
            n = follows.remove_actor(ctx.store, target)
            interactions.remove_all_by(ctx.store, target)
            remote_actors.forget(ctx.store, target)
        log.info("actor_deleted actor=%s removed_follows=%d", target, n)
        return "processed"
    if target and host(target) == host(activity["actor"]) and \
            interactions.remove(ctx.store, target, activity["actor"]):
        return "processed"
    return await _extension(ctx, "Delete:remote", activity)


async def _extension(ctx: InboxContext, name: str, activity: dict) -> str:
    """Hand over to an optional extension (the knowledge network registers these)."""
    handler = ctx.extra.get(name)
    return await handler(ctx, activity) if handler else "ignored"


@handles("Update")
async def on_update(ctx: InboxContext, activity: dict) -> str:
    obj = activity.get("object")
    if isinstance(obj, dict) and obj.get("id") == activity["actor"]:
        await ctx.actors.get(activity["actor"], refresh=True)
        return "processed"
    if isinstance(obj, dict) and obj.get("type") == "Note" and obj.get("id"):
        if host(obj["id"]) != host(activity["actor"]):
            raise Reject("object on another host than its actor")
        if interactions.update_reply(ctx.store, obj["id"], activity["actor"],
                                     _text(obj.get("content"))):
            return "processed"
    return await _extension(ctx, "Update:remote", activity)


# --- interactions with our objects -------------------------------------------------------

def _text(value: object) -> str:
    return sanitize_html(value[:20000]) if isinstance(value, str) else ""


def _record(ctx: InboxContext, kind: interactions.InteractionKind, id_: str, object_: str,
            actor: str,
            content: str | None = None, url: str | None = None) -> None:
    interactions.record(ctx.store, kind=kind, id_=id_, object_id=object_, actor=actor,
                        content=content, url=url if url and host(url) else None,
                        now=ctx.clock())
    log.info("interaction kind=%s object=%s actor=%s", kind, object_, actor)


@handles("Like", "EmojiReact")
async def on_like(ctx: InboxContext, activity: dict) -> str:
    target = object_id(activity.get("object"))
    if not target or not ctx.urls.is_local(target):
        return "ignored"
    _record(ctx, "like", activity["id"], target, activity["actor"])
    return "processed"


@handles("Announce")
async def on_announce(ctx: InboxContext, activity: dict) -> str:
    target = object_id(activity.get("object"))
    if target and ctx.urls.is_local(target):
        _record(ctx, "announce", activity["id"], target, activity["actor"])
        return "processed"
    return await _extension(ctx, "Announce:remote", activity)


@handles("Create")
async def on_create(ctx: InboxContext, activity: dict) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return "ignored"
    if not isinstance(obj.get("id"), str) or host(obj["id"]) != host(activity["actor"]):
        raise Reject("object on another host than its actor")
    attributed = obj.get("attributedTo")
    if attributed is not None and object_id(attributed) != activity["actor"]:
        raise Reject("attributedTo is not the actor")
    parent = obj.get("inReplyTo")
    parent_id = object_id(parent)
    if parent_id and ctx.urls.is_local(parent_id):
        _record(ctx, "reply", obj["id"], parent_id, activity["actor"],
                _text(obj.get("content")), obj.get("url") if isinstance(obj.get("url"), str)
                else None)
        return "processed"
    return await _extension(ctx, "Create:remote", activity)


def dumps(activity: dict) -> str:
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
