"""Actor documents, profile pages and the actors' collections."""

from __future__ import annotations

import json

from aiohttp import web

from mitwirken.federation import collections as coll
from mitwirken.federation.actors import actor_to_ap, profile_fields
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.models import outbox as outbox_repo
from mitwirken.models.actors import LocalActor
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.negotiation import ap_response, wants_activity_json
from mitwirken.server.web.paging import collection_response
from mitwirken.server.web.templating import render


def _local_actor(request: web.Request) -> LocalActor:
    actor = actor_repo.get_actor(request.app[STORE], request.match_info["username"].lower())
    if actor is None or actor.kind == "instance":
        raise ApiError(404, "not_found", "Unknown actor.")
    return actor


async def instance_actor(request: web.Request) -> web.Response:
    actor = actor_repo.instance_actor(request.app[STORE])
    return ap_response(actor_to_ap(actor, request.app[URLS]))


async def instance_followers(request: web.Request) -> web.Response:
    """Only relays follow the instance actor; the count is public, the list is not."""
    total = follows.count_accepted_followers(request.app[STORE], "instance")
    return ap_response(coll.collection(f"{request.app[URLS].instance_actor}/followers", total,
                                       first=False))


async def instance_outbox(request: web.Request) -> web.Response:
    return ap_response(coll.collection(f"{request.app[URLS].instance_actor}/outbox", 0,
                                       first=False))


async def actor_document(request: web.Request) -> web.StreamResponse:
    actor = _local_actor(request)
    urls = request.app[URLS]
    if not wants_activity_json(request) and "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPFound(urls.profile(actor.username))
    return ap_response(actor_to_ap(actor, urls))


async def profile_page(request: web.Request) -> web.StreamResponse:
    actor = _local_actor(request)
    urls = request.app[URLS]
    if wants_activity_json(request):
        return ap_response(actor_to_ap(actor, urls))
    store = request.app[STORE]
    followers = follows.count_accepted_followers(store, actor.username)
    orgs = actor_repo.list_actors(store, "org") if actor.kind == "city" else []
    return render(request, "profile.html", {
        "actor": actor,
        "fields": profile_fields(actor),
        "followers": followers,
        "orgs": orgs,
        "handle": f"@{actor.username}@{urls.domain}",
        "actor_id": urls.actor(actor.username),
    })


async def outbox(request: web.Request) -> web.Response:
    actor = _local_actor(request)
    store = request.app[STORE]
    total = outbox_repo.count_public(store, actor.username)

    def fetch(limit: int, offset: int) -> list:
        items = []
        for text in outbox_repo.public_page(store, actor.username, limit, offset):
            activity = json.loads(text)
            activity.pop("@context", None)
            items.append(activity)
        return items

    return collection_response(request, request.app[URLS].outbox(actor.username), total, fetch)


async def followers(request: web.Request) -> web.Response:
    actor = _local_actor(request)
    store = request.app[STORE]
    total = follows.count_accepted_followers(store, actor.username)

    def fetch(limit: int, offset: int) -> list:
        return follows.accepted_followers_page(store, actor.username, limit, offset)

    return collection_response(request, request.app[URLS].followers(actor.username), total, fetch)


async def following(request: web.Request) -> web.Response:
    actor = _local_actor(request)
    store = request.app[STORE]
    total = follows.count_accepted_following(store, actor.username)

    def fetch(limit: int, offset: int) -> list:
        return follows.accepted_following_page(store, actor.username, limit, offset)

    return collection_response(request, request.app[URLS].following(actor.username), total, fetch)
