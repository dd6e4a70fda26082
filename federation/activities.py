"""Building the activities we send (Follow, Accept, Undo, Create, Update, Delete, Announce,
Flag)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from mitwirken.federation.as_types import ActivityHead, Audience, OutgoingActivity, Tombstone
from mitwirken.federation.context import PUBLIC, activity_context
from mitwirken.federation.urls import Urls
from mitwirken.models.ids import new_id
from mitwirken.models.store import iso


def _base(urls: Urls, type_: str, actor: str) -> ActivityHead:
    return {"@context": activity_context(), "id": urls.activity(new_id()), "type": type_,
            "actor": actor}


def follow(urls: Urls, actor: str, target: str) -> OutgoingActivity:
    return {**_base(urls, "Follow", actor), "object": target, "to": [target]}


def accept(urls: Urls, actor: str, follow_activity: Mapping[str, Any]
           ) -> OutgoingActivity:
    """Accept with the Follow embedded (Mastodon and Fedify match on it)."""
    embedded = {k: v for k, v in follow_activity.items() if k != "@context"}
    return {**_base(urls, "Accept", actor), "object": embedded,
            "to": [cast(str, follow_activity.get("actor"))]}  # verified by the inbox


def reject(urls: Urls, actor: str, follow_activity: Mapping[str, Any]
           ) -> OutgoingActivity:
    embedded = {k: v for k, v in follow_activity.items() if k != "@context"}
    return {**_base(urls, "Reject", actor), "object": embedded,
            "to": [cast(str, follow_activity.get("actor"))]}  # verified by the inbox


def undo(urls: Urls, actor: str, activity: Mapping[str, Any]) -> OutgoingActivity:
    embedded = {k: v for k, v in activity.items() if k != "@context"}
    return {**_base(urls, "Undo", actor), "object": embedded, "to": embedded.get("to", [])}


def public_audience(urls: Urls, username: str) -> Audience:
    return {"to": [PUBLIC], "cc": [urls.followers(username)]}


def create(urls: Urls, username: str, obj: Mapping[str, Any], published: datetime
           ) -> OutgoingActivity:
    embedded = {k: v for k, v in obj.items() if k != "@context"}
    return {**_base(urls, "Create", urls.actor(username)), "published": iso(published),
            **public_audience(urls, username), "object": embedded}


def update(urls: Urls, username: str, obj: Mapping[str, Any], updated: datetime
           ) -> OutgoingActivity:
    embedded = {k: v for k, v in obj.items() if k != "@context"}
    return {**_base(urls, "Update", urls.actor(username)), "published": iso(updated),
            **public_audience(urls, username), "object": embedded}


def delete(urls: Urls, username: str, object_id: str, former_type: str, deleted: datetime
           ) -> OutgoingActivity:
    return {**_base(urls, "Delete", urls.actor(username)), "published": iso(deleted),
            **public_audience(urls, username),
            "object": tombstone(object_id, former_type, deleted)}


def tombstone(object_id: str, former_type: str, deleted: datetime) -> Tombstone:
    return {"id": object_id, "type": "Tombstone", "formerType": former_type,
            "deleted": iso(deleted)}


def announce(urls: Urls, username: str, object_id: str, object_author: str | None,
             published: datetime) -> OutgoingActivity:
    """A boost by id — the form Mastodon understands (interop.md §2.4)."""
    cc = [urls.followers(username)] + ([object_author] if object_author else [])
    return {**_base(urls, "Announce", urls.actor(username)), "published": iso(published),
            "to": [PUBLIC], "cc": cc, "object": object_id}


def relay_follow(urls: Urls, relay_actor: str, litepub: bool) -> OutgoingActivity:
    """Subscribe the instance actor to a relay: LitePub relays are followed like actors,
    Mastodon-style relays by following the Public collection (FEP-ae0c)."""
    target = relay_actor if litepub else PUBLIC
    return {**_base(urls, "Follow", urls.instance_actor), "object": target, "to": [relay_actor]}


def relay_announce(urls: Urls, object_id: str, published: datetime) -> OutgoingActivity:
    """What a LitePub relay client publishes: an Announce by id to its followers (relays)."""
    return {**_base(urls, "Announce", urls.instance_actor), "published": iso(published),
            "to": [f"{urls.instance_actor}/followers"], "cc": [PUBLIC], "object": object_id}


def flag(urls: Urls, reported_actor: str, objects: list[str], comment: str
         ) -> OutgoingActivity:
    """A report to the reported actor's server, from the instance actor as Mastodon sends
    it: `object` the reported actor and objects, `content` the comment, `to` the actor."""
    targets = list(dict.fromkeys([reported_actor, *objects]))
    return {**_base(urls, "Flag", urls.instance_actor), "object": targets,
            "content": comment, "to": [reported_actor]}
