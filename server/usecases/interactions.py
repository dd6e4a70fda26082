"""What people elsewhere do with our objects: likes, boosts and replies, and taking them back
(Undo, Delete) or editing a reply (Update). Replies arrive through `usecases.responses`,
which records a public reply to one of our objects here too.

The `receive_*` functions are inbox handlers (listed in `server/inbox_table.py`): each parses
one activity, calls the use case and returns the item's state, or None when the activity is
not about one of our objects (the next handler in the chain is asked)."""

from __future__ import annotations

import logging
from datetime import datetime

from mitwirken.federation.inbox import Activity, InboxContext, State, object_id
from mitwirken.federation.remote import host
from mitwirken.models import interactions
from mitwirken.models.interactions import InteractionKind
from mitwirken.models.markdown import sanitize_html
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")  # inbox events keep the inbox's logger
MAX_REPLY_CHARS = 20000


def _content(value: object) -> str:
    return sanitize_html(value[:MAX_REPLY_CHARS]) if isinstance(value, str) else ""


# --- use cases ----------------------------------------------------------------------------


def record(store: Store, kind: InteractionKind, id_: str, object_: str, actor: str,
           now: datetime, content: str | None = None, url: str | None = None, *,
           held: bool = False) -> None:
    """Remember an interaction with one of our objects (a repeated id changes nothing); a
    `held` one is neither listed nor counted until an admin approves it."""
    interactions.record(store, kind=kind, id_=id_, object_id=object_, actor=actor,
                        content=content, url=url if url and host(url) else None, now=now,
                        held=held)
    log.info("interaction kind=%s object=%s actor=%s held=%s", kind, object_, actor, held)


def take_back(store: Store, id_: str, actor: str) -> bool:
    """An Undo of a like or boost, or the Delete of a reply, by the actor who made it."""
    return interactions.remove(store, id_, actor)


def edit_reply(store: Store, id_: str, actor: str, content_html: object) -> bool:
    """A reply edited by its own actor; the new text is sanitised as on arrival."""
    return interactions.update_reply(store, id_, actor, _content(content_html))


# --- inbox handlers -----------------------------------------------------------------------


async def receive_like(ctx: InboxContext, activity: Activity) -> State | None:
    """Like or EmojiReact of one of our objects."""
    target = object_id(activity.get("object"))
    if not target or not ctx.urls.is_local(target):
        return "ignored"
    record(ctx.store, "like", activity["id"], target, activity["actor"], ctx.clock())
    return "processed"


async def receive_boost(ctx: InboxContext, activity: Activity) -> State | None:
    """Announce of one of our objects; other Announces are the network's."""
    target = object_id(activity.get("object"))
    if not target or not ctx.urls.is_local(target):
        return None
    record(ctx.store, "announce", activity["id"], target, activity["actor"], ctx.clock())
    return "processed"


async def receive_undo(ctx: InboxContext, activity: Activity) -> State | None:
    """Undo of a Like or Announce (or of an activity given only by its id)."""
    inner = activity.get("object")
    inner_id = object_id(inner)
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    if inner_type in (None, "Like", "Announce") and inner_id and \
            take_back(ctx.store, inner_id, activity["actor"]):
        return "processed"
    return None
