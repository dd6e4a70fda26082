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
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.group_commit import GroupCommit
from mitwirken.federation.remote import RemoteActors, host
from mitwirken.federation.signatures import (
    PublicKey,
    SignatureError,
    check_actor,
    key_id_of,
    verify_request,
)
from mitwirken.federation.urls import Urls
from mitwirken.models import actor_blocks, domain_policy, inbox_items
from mitwirken.models import actors as actor_repo
from mitwirken.models.safe_json import JsonRefused, parse_json
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")

Activity = JsonObject
"""An activity as a peer sent it: checked key by key by the rules and handlers."""
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
    BLOCKED = "blocked"  # the actor's domain, or the signing key's, is refused (blocked, or
    # not on the allow-list in allow-list mode)
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
    policy: domain_policy.PolicyCache  # the domain rules and the mode, kept while unchanged


class KeyDomainBlocked(SignatureError):
    """The signing key lives on a refused domain: 403, and nothing is fetched from it."""

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
        if key_host != origin and deps.policy.is_refused(key_host):
            raise KeyDomainBlocked(key_host)
        if deps.policy.actor_blocked(key_id.split("#", 1)[0]):
            raise KeyDomainBlocked(key_host)  # a blocked actor's key signs for nobody
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
        activity = parse_json(body)
    except JsonRefused as exc:
        log.info("inbox_malformed_json reason=%s", exc.reason)
        return Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON")
    if not isinstance(activity, dict) or not all(
            _storable_text(activity.get(k)) for k in ("id", "type", "actor")):
        return Verdict(Outcome.MALFORMED_ACTIVITY, "an activity needs id, type and actor")
    actor = activity["actor"]
    origin = host(actor)
    if deps.policy.is_refused(origin):  # blocked, or not on the allow-list
        log.info("inbox_blocked actor=%s domain=%s mode=%s", actor, origin,
                 domain_policy.mode(deps.store).value)
        return Verdict(Outcome.BLOCKED)
    if deps.policy.actor_blocked(actor):  # an admin blocked this one actor
        log.info("inbox_blocked actor=%s domain=%s reason=actor_blocked", actor, origin)
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
    row_id = await deps.commit.record(inbox_items.InboxRow(
        activity_id=activity["id"], origin=origin, actor=actor, type=activity["type"],
        recipient=post.recipient, body=body.decode("utf-8"), received_at=deps.clock()))
    log.info("inbox_accepted id=%s type=%s actor=%s domain=%s duplicate=%s", activity["id"],
             activity["type"], actor, origin, row_id is None)
    return Verdict(Outcome.DUPLICATE if row_id is None else Outcome.ACCEPTED)


# --- dispatching: one committed activity → its handlers -----------------------------------


class Reject(Exception):
    """The activity is well-formed but not acceptable (forgery, wrong owner …)."""


Handler = Callable[["InboxContext", Activity], Awaitable[State | None]]
"""An inbox handler: a final state when the activity is its business, None for "not mine,
ask the next handler"; raises `Reject` for a forgery."""


class InboxRouter:
    """Activity type → an ordered chain of handlers. The first handler that returns a state
    decides; a type nobody takes, or a chain where every handler passes, is "ignored"
    (Fedify: activities without a listener are silently ignored)."""

    def __init__(self) -> None:
        self._chains: dict[str, tuple[Handler, ...]] = {}

    def on(self, type_: str, *handlers: Handler) -> InboxRouter:
        """Route `type_` to `handlers`, asked in this order; returns the router for chaining."""
        if not handlers:
            raise ValueError(f"no handler for {type_}")
        if type_ in self._chains:
            raise ValueError(f"{type_} is routed twice")
        self._chains[type_] = handlers
        return self

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._chains)

    def chain(self, type_: str) -> tuple[Handler, ...]:
        return self._chains.get(type_, ())

    async def dispatch(self, ctx: InboxContext, activity: Activity) -> State:
        type_ = activity.get("type")
        chain = self._chains.get(type_) if isinstance(type_, str) else None
        if not chain:
            log.info("activity_ignored type=%s actor=%s", str(type_)[:40], activity.get("actor"))
            return "ignored"
        for handler in chain:
            state = await handler(ctx, activity)
            if state is not None:
                return state
        return "ignored"


@dataclass
class InboxContext:
    """What the inbox worker and its handlers share; `router` lists the handlers (an empty
    router ignores everything)."""

    store: Store
    urls: Urls
    actors: RemoteActors
    clock: Callable[[], datetime]
    manual_approval: Callable[[str], bool]
    router: InboxRouter = field(default_factory=InboxRouter)

    def local_username(self, actor_url: object) -> str | None:
        """The username behind one of our actor URLs, if it exists."""
        if not isinstance(actor_url, str) or not actor_url.startswith(self.urls.base + "/actors/"):
            return None
        username = actor_url[len(self.urls.base + "/actors/"):]
        actor = actor_repo.get_actor(self.store, username)
        return username if actor and actor.kind != "instance" else None


async def process(ctx: InboxContext, activity: Activity) -> State:
    """Returns the item's final state: 'processed' or 'ignored'. An activity whose domain was
    refused after it was received (blocked, or the mode switched to allow-list) is ignored:
    the policy takes effect for what is still queued, too."""
    origin = host(activity.get("actor") or "")
    if origin and domain_policy.is_refused(ctx.store, origin):
        log.info("activity_ignored reason=domain_refused type=%s actor=%s",
                 str(activity.get("type"))[:40], activity.get("actor"))
        return "ignored"
    if isinstance(actor := activity.get("actor"), str) and actor_blocks.is_blocked(
            ctx.store, actor):
        log.info("activity_ignored reason=actor_blocked type=%s actor=%s",
                 str(activity.get("type"))[:40], actor)
        return "ignored"
    return await ctx.router.dispatch(ctx, activity)


def object_id(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(ident := value.get("id"), str):
        return ident
    return None


# --- protocol rules that come first in a chain --------------------------------------------


async def only_own_undo(ctx: InboxContext, activity: Activity) -> State | None:
    """An actor may undo only its own activities; an Undo naming another actor's is a
    forgery, whatever it would undo."""
    inner = activity.get("object")
    if isinstance(inner, dict) and inner.get("actor") not in (None, activity["actor"]):
        raise Reject("Undo of someone else's activity")
    return None


async def only_own_create(ctx: InboxContext, activity: Activity) -> State | None:
    """A Create must embed its object (we never fetch one: ignored otherwise), and the object
    must be the actor's: on the actor's host and, if attributed, attributed to the actor."""
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return "ignored"
    if not isinstance(obj.get("id"), str) or host(obj["id"]) != host(activity["actor"]):
        raise Reject("object on another host than its actor")
    attributed = obj.get("attributedTo")
    if attributed is not None and object_id(attributed) != activity["actor"]:
        raise Reject("attributedTo is not the actor")
    return None
