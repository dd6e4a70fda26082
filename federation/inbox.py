"""The inbox in the protocol layer: `receive()` turns one inbox POST into a `Verdict`, and an
`InboxRouter` later hands each committed activity to the handlers listed for its type.

`receive()` is "verify, police, record" (GoToSocial's thin inbox handler, Takahē's
`InboxMessage.objects.create(); return 202`): it looks at an activity only as far as it must to
decide whether to store it, and knows no web framework (the route maps the verdict to a
status). What an activity *means* is decided later, in the inbox worker, by the chain of
handlers the router holds for its type (Fedify's `.on(Follow, handler)`); the one table of
those chains is `server/inbox_table.py`."""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mitwirken.federation import activities
from mitwirken.federation.group_commit import GroupCommit
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActors, host
from mitwirken.federation.signatures import (
    PublicKey,
    SignatureError,
    check_actor,
    key_id_of,
    verify_request,
)
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import domain_policy, follows, interactions, queue, remote_actors
from mitwirken.models.markdown import sanitize_html
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")

Activity = dict[str, Any]
State = Literal["processed", "ignored"]
"""The final state of a processed inbox item (besides "rejected" and "failed", which the
worker sets when a handler raises)."""


# --- receiving: one POST → one verdict ----------------------------------------------------


class Outcome(enum.Enum):
    """What `receive()` decided; the route maps each to one HTTP answer."""

    ACCEPTED = "accepted"  # verified and committed
    DUPLICATE = "duplicate"  # verified; an activity with this id was committed before
    IGNORED = "ignored"  # answered without verifying or storing (the Delete shortcut)
    TOO_LARGE = "too_large"
    MALFORMED_JSON = "malformed_json"
    MALFORMED_ACTIVITY = "malformed_activity"
    BLOCKED = "blocked"  # the actor's domain, or the signing key's, is blocked
    UNAUTHORIZED = "unauthorized"  # the signature does not prove that the actor sent it


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str | None = None  # short English, safe to send back to the sender


@dataclass(frozen=True)
class InboxPost:
    """One inbox request as received, exactly as the signature covers it."""

    method: str
    path_qs: str
    headers: Mapping[str, str]
    content_length: int | None  # as declared by the sender; None when chunked
    read_body: Callable[[], Awaitable[bytes]]  # only called once the declared size is allowed
    recipient: str | None  # a personal inbox's username, "instance", or None (shared inbox)


@dataclass(frozen=True)
class InboxDeps:
    """What `receive()` needs, passed explicitly (nothing is looked up globally)."""

    store: Store
    actors: RemoteActors
    our_hosts: frozenset[str]  # the Host a signature must name
    scheme: str  # "https" or "http", to rebuild an RFC 9421 @target-uri
    max_body_bytes: int
    clock: Callable[[], datetime]
    commit: GroupCommit


class KeyDomainBlocked(SignatureError):
    """The signing key lives on a blocked domain: 403, and nothing is fetched from it."""

    def __init__(self, domain: str) -> None:
        super().__init__("key domain blocked")
        self.domain = domain


def _storable_text(value: object) -> bool:
    """A string that can be stored. JSON allows escapes like "\\ud800", which decode to lone
    surrogates that cannot be encoded as UTF-8 (so SQLite cannot store them); refusing them
    here keeps one such activity from failing the group commit of its neighbours."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _deletes_uncached_actor(actors: RemoteActors, activity: Activity) -> bool:
    """Mastodon sends the Delete of a deleted account to every inbox it knows, and the
    account's key is gone by then. If we never cached the actor we hold nothing of it: answer
    202 "ignored" without fetching (and failing to fetch) its key."""
    obj = activity.get("object")
    obj_id = obj.get("id") if isinstance(obj, dict) else obj
    actor = activity["actor"]
    return activity["type"] == "Delete" and obj_id == actor and actors.cached(actor) is None


def _screened_key_lookup(deps: InboxDeps, origin: str
                         ) -> Callable[[str, bool], Awaitable[PublicKey | None]]:
    async def key_lookup(key_id: str, refresh: bool) -> PublicKey | None:
        """The key's domain is screened too (a key may live elsewhere than its actor),
        before anything is fetched from it."""
        key_host = host(key_id)
        if key_host != origin and domain_policy.is_blocked(deps.store, key_host):
            raise KeyDomainBlocked(key_host)
        return await deps.actors.key_lookup(key_id, refresh)

    return key_lookup


async def receive(deps: InboxDeps, post: InboxPost) -> Verdict:
    """Check one inbox POST and, if it holds, commit it for the inbox worker. Cheap checks come
    first, so garbage and blocked senders never cause a fetch or a write. ACCEPTED and
    DUPLICATE mean the row is committed (a crash after the answer loses nothing)."""
    if post.content_length is not None and post.content_length > deps.max_body_bytes:
        return Verdict(Outcome.TOO_LARGE, f"limit is {deps.max_body_bytes} bytes")
    body = await post.read_body()
    try:
        text = body.decode("utf-8")
        activity = json.loads(text)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON")
    if not isinstance(activity, dict) or not all(
            _storable_text(activity.get(k)) for k in ("id", "type", "actor")):
        return Verdict(Outcome.MALFORMED_ACTIVITY, "an activity needs id, type and actor")
    actor = activity["actor"]
    origin = host(actor)
    if domain_policy.is_blocked(deps.store, origin):
        log.info("inbox_blocked actor=%s domain=%s", actor, origin)
        return Verdict(Outcome.BLOCKED)
    if _deletes_uncached_actor(deps.actors, activity):
        log.info("inbox_delete_unknown_actor actor=%s", actor)
        return Verdict(Outcome.IGNORED)
    try:
        verified = await verify_request(
            post.method, post.path_qs, post.headers, body, our_hosts=deps.our_hosts,
            key_lookup=_screened_key_lookup(deps, origin), now=deps.clock(), scheme=deps.scheme)
        check_actor(verified, actor)
    except KeyDomainBlocked as exc:
        log.info("inbox_blocked actor=%s domain=%s key_domain=%s", actor, origin, exc.domain)
        return Verdict(Outcome.BLOCKED)
    except SignatureError as exc:
        log.info("inbox_unauthorized actor=%s domain=%s key_id=%s reason=%s", actor,
                 origin, (key_id_of(post.headers) or "")[:200], exc.reason)
        return Verdict(Outcome.UNAUTHORIZED, exc.reason)
    # Mastodon's rule: an activity's id lives on its actor's host. The signature proves the
    # actor, not the id, and the id is the dedupe key: without this, one server could
    # pre-empt (and so suppress) activity ids of another.
    if host(activity["id"]) != origin:
        return Verdict(Outcome.MALFORMED_ACTIVITY, "activity id is on another host than actor")
    row_id = await deps.commit.record(queue.InboxRow(
        activity_id=activity["id"], origin=origin, actor=actor, type=activity["type"],
        recipient=post.recipient, body=text, received_at=deps.clock()))
    log.info("inbox_accepted id=%s type=%s actor=%s domain=%s duplicate=%s", activity["id"],
             activity["type"], actor, origin, row_id is None)
    return Verdict(Outcome.DUPLICATE if row_id is None else Outcome.ACCEPTED)


# --- dispatching: one committed activity → its handlers -----------------------------------

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
