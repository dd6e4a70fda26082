"""The JSON shapes of the protocol, named: the ActivityStreams documents we build (activities,
actors, collections) and our WebFinger and NodeInfo answers.

They are TypedDicts, so plain dicts at runtime — exactly what `json.dumps` writes and the
golden files compare: naming a shape changes nothing on the wire, but mypy checks that a builder
fills every key its type promises and that a reader only uses keys the type has. Keys that are
not Python names (`@context`) need TypedDict's functional form.

What a peer sends stays a `JsonObject` until a reader has checked the keys it uses
(`remote.parse_actor`, `convert.note_to_opportunity`): a TypedDict would claim a shape nobody
verified. Our own Note and Article are `JsonObject`s too: their `mw:` keys are defined by the
converters and pinned by tests/golden/, not repeated here.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = [
    "ActivityHead",
    "ActorDocument",
    "ActorKey",
    "Audience",
    "Endpoints",
    "Hashtag",
    "Icon",
    "Jrd",
    "JsonObject",
    "Link",
    "NodeInfo",
    "NodeInfoLinks",
    "NodeInfoSoftware",
    "OrderedCollection",
    "OrderedCollectionPage",
    "OutgoingActivity",
    "PropertyValue",
    "Tombstone",
]

JsonObject = dict[str, Any]
"""Any JSON object: what arrived from the network (unchecked), or a document with open keys.
An activity a peer sent is one too (`federation.inbox.Activity`); `OutgoingActivity` is ours."""

# ------------------------------------------------------------------------------ activities

ActivityHead = TypedDict(
    "ActivityHead", {"@context": list[object], "id": str, "type": str, "actor": str}
)
"""What every activity we send starts with."""


class Audience(TypedDict):
    """Public addressing: `to` the Public collection, `cc` the author's followers."""

    to: list[str]
    cc: list[str]


class Tombstone(TypedDict):
    """What a Delete carries in place of the deleted object."""

    id: str
    type: str
    formerType: str
    deleted: str


class OutgoingActivity(ActivityHead):
    """An activity we send: Follow, Accept, Reject, Undo, Create, Update, Delete, Announce,
    Flag.

    `object` is an id, an embedded object (a Note, the Follow being accepted), a Tombstone,
    or (a Flag) the reported actor and objects."""

    object: str | JsonObject | Tombstone | list[str]
    to: list[str]
    cc: NotRequired[list[str]]
    published: NotRequired[str]
    content: NotRequired[str]  # a Flag's comment


# ---------------------------------------------------------------------------------- actors


class ActorKey(TypedDict):
    """An actor's `publicKey` (draft-cavage signatures name it by `id`)."""

    id: str
    owner: str
    publicKeyPem: str


class Endpoints(TypedDict):
    sharedInbox: str


class Icon(TypedDict):
    type: str
    mediaType: str
    url: str


class PropertyValue(TypedDict):
    """A Mastodon profile field (schema.org `PropertyValue`)."""

    type: str
    name: str
    value: str


ActorDocument = TypedDict("ActorDocument", {
    "@context": list[object],
    "id": str,
    "type": str,
    "preferredUsername": str,
    "webfinger": NotRequired[str],
    "name": str,
    "summary": str,
    "url": str,
    "published": str,
    "inbox": str,
    "outbox": str,
    "followers": str,
    "following": NotRequired[str],
    "endpoints": Endpoints,
    "manuallyApprovesFollowers": bool,
    "discoverable": bool,
    "indexable": bool,
    "icon": NotRequired[Icon],
    "attachment": NotRequired[list[PropertyValue]],
    "publicKey": ActorKey,
})
"""A local actor: the city or an organisation (`Organization`), or the instance actor
(`Application`, without following, icon and profile fields)."""

# ----------------------------------------------------------------------------- collections

OrderedCollection = TypedDict("OrderedCollection", {
    "@context": str,
    "id": str,
    "type": str,
    "totalItems": int,
    "first": NotRequired[str],
    "last": NotRequired[str],
})

OrderedCollectionPage = TypedDict("OrderedCollectionPage", {
    "@context": str,
    "id": str,
    "type": str,
    "partOf": str,
    "totalItems": int,
    "orderedItems": list[Any],
    "next": NotRequired[str],
    "prev": NotRequired[str],
})


class Hashtag(TypedDict):
    type: str
    href: str
    name: str


# ------------------------------------------------------------------ WebFinger and NodeInfo


class Link(TypedDict):
    """A link of a JRD or of the NodeInfo discovery document."""

    rel: str
    type: NotRequired[str]
    href: NotRequired[str]
    template: NotRequired[str]


class Jrd(TypedDict):
    """Our WebFinger answer (RFC 7033)."""

    subject: str
    aliases: list[str]
    links: list[Link]


class NodeInfoLinks(TypedDict):
    links: list[Link]


class NodeInfoSoftware(TypedDict):
    name: str
    version: str
    repository: NotRequired[str]  # NodeInfo 2.1
    homepage: NotRequired[str]  # NodeInfo 2.1


class NodeInfo(TypedDict):
    version: str
    software: NodeInfoSoftware
    protocols: list[str]
    services: dict[str, list[str]]
    openRegistrations: bool
    usage: JsonObject
    metadata: JsonObject
