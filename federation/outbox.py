"""Recording what a local actor publishes and queueing its delivery in one transaction; and
keeping what is recorded current when the object changes or goes (issue 17 §4)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from mitwirken.federation.as_types import OutgoingActivity
from mitwirken.models import outbox
from mitwirken.models.deliveries import enqueue_deliveries, replace_bodies
from mitwirken.models.follows import follower_inboxes
from mitwirken.models.store import Store


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def publish(store: Store, username: str, activity: OutgoingActivity, now: datetime, *,
            to_followers: bool = True, extra_inboxes: Iterable[str] = (),
            public: bool = True) -> int:
    """Store `activity` in the outbox and enqueue one delivery per distinct inbox (shared
    inbox preferred). Returns the number of deliveries queued. Runs inside one transaction,
    so a crash leaves either everything or nothing."""
    body = _json(activity)
    obj = activity.get("object")
    object_id = obj.get("id") if isinstance(obj, dict) else obj
    with store.tx():
        outbox.record(store, outbox.OutboxEntry(
            id=activity["id"], username=username, type=activity["type"],
            object_id=object_id if isinstance(object_id, str) else None,
            activity=body, public=public, published=now))
        inboxes = list(extra_inboxes)
        if to_followers:
            inboxes += follower_inboxes(store, username)
        return enqueue_deliveries(store, activity["id"], username, body, inboxes, now)


def restate_object(store: Store, document: Mapping[str, object]) -> int:
    """After an edit: every Create and Update of the object embeds `document`, its current
    state, in the outbox and in every delivery (pending or sent), so no earlier state (a
    contact detail the editor removed) is served or sent later. Returns the activities
    rewritten."""
    embedded = {k: v for k, v in document.items() if k != "@context"}
    with store.tx():
        bodies = outbox.restate(store, str(document["id"]), _json(embedded))
        replace_bodies(store, bodies)
    return len(bodies)


def withdraw_object(store: Store, object_id: str) -> int:
    """After a Delete: the object's Create and Update keep only its id, in the outbox and in
    every delivery; with its tombstone they answer 410 and leave the outbox pages. Returns
    the activities rewritten."""
    with store.tx():
        bodies = outbox.withdraw(store, object_id)
        replace_bodies(store, bodies)
    return len(bodies)
