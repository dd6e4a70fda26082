"""Recording what a local actor publishes and queueing its delivery in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from mitwirken.federation.as_types import OutgoingActivity
from mitwirken.models import outbox
from mitwirken.models.deliveries import enqueue_deliveries
from mitwirken.models.follows import follower_inboxes
from mitwirken.models.store import Store


def publish(store: Store, username: str, activity: OutgoingActivity, now: datetime, *,
            to_followers: bool = True, extra_inboxes: Iterable[str] = (),
            public: bool = True) -> int:
    """Store `activity` in the outbox and enqueue one delivery per distinct inbox (shared
    inbox preferred). Returns the number of deliveries queued. Runs inside one transaction,
    so a crash leaves either everything or nothing."""
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
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
