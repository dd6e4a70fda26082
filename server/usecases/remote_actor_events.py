"""What a remote actor tells us about itself: its profile changed (Update of the actor) or its
account is gone (Delete of the actor). Everything else about remote actors is cached on demand
by `federation.remote.RemoteActors`.

The `receive_*` functions are inbox handlers (listed in `server/inbox_table.py`); they return
None when the activity is about something other than the actor itself."""

from __future__ import annotations

import logging

from mitwirken.federation.inbox import Activity, InboxContext, State, object_id
from mitwirken.models import follows, interactions, remote_actors, responses
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")  # inbox events keep the inbox's logger


def forget_actor(store: Store, actor_id: str) -> int:
    """A deleted account: its follows both ways, its interactions with our objects, its
    responses (with every message of them) and its cached actor document go, in one
    transaction. Returns how many follows were removed."""
    with store.tx():
        n = follows.remove_actor(store, actor_id)
        interactions.remove_all_by(store, actor_id)
        responses.remove_all_by(store, actor_id)
        remote_actors.forget(store, actor_id)
    log.info("actor_deleted actor=%s removed_follows=%d", actor_id, n)
    return n


async def receive_actor_update(ctx: InboxContext, activity: Activity) -> State | None:
    """Update of the actor itself: fetch the actor again (the embedded copy is not trusted)."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("id") != activity["actor"]:
        return None
    await ctx.actors.get(activity["actor"], refresh=True)
    return "processed"


async def receive_actor_delete(ctx: InboxContext, activity: Activity) -> State | None:
    """Delete of the actor itself (one we never cached is answered before it is stored)."""
    target = object_id(activity.get("object"))
    if target != activity["actor"]:
        return None
    forget_actor(ctx.store, activity["actor"])
    return "processed"
