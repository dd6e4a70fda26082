"""Actor documents, profile pages and the actors' collections."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from aiohttp import web

from mitwirken.federation import collections as coll
from mitwirken.federation.actors import actor_to_ap, profile_fields
from mitwirken.federation.as_types import PropertyValue
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, follows
from mitwirken.models import outbox as outbox_repo
from mitwirken.models.actors import LocalActor
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import Sector, label
from mitwirken.server.app_keys import CLOCK, STORE, URLS
from mitwirken.server.usecases import response_promise
from mitwirken.server.web import i18n
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.negotiation import ap_response, wants_activity_json
from mitwirken.server.web.paging import collection_response
from mitwirken.server.web.representations import serve
from mitwirken.server.web.templating import render

# The tables each document is built from (server/web/representations.py); an organisation's
# answer statistics are a profile field of its actor document and page.
ACTOR_TABLES = ("instance", "actors")
OPEN = ("open", "paused")  # what a profile page lists of an organisation's opportunities
PROFILE_TABLES = ACTOR_TABLES + ("responses",)


def local_actor(request: web.Request) -> LocalActor:
    actor = actor_repo.get_actor(request.app[STORE], request.match_info["username"].lower())
    if actor is None or actor.kind == "instance":
        raise ApiError(404, "not_found", "Unbekannter Akteur.")
    return actor


async def instance_actor(request: web.Request) -> web.Response:
    def build() -> web.Response:
        actor = actor_repo.instance_actor(request.app[STORE])
        return ap_response(actor_to_ap(actor, request.app[URLS]))
    return serve(request, ("instance-actor",), ACTOR_TABLES, build)


async def instance_followers(request: web.Request) -> web.Response:
    """Only relays follow the instance actor; the count is public, the list is not."""
    total = follows.count_accepted_followers(request.app[STORE], "instance")
    return ap_response(coll.collection(f"{request.app[URLS].instance_actor}/followers", total,
                                       first=False))


async def instance_outbox(request: web.Request) -> web.Response:
    return ap_response(coll.collection(f"{request.app[URLS].instance_actor}/outbox", 0,
                                       first=False))


# The names of the profile fields (federation/actors.py, German in the actor document), for
# the catalogue: the profile page shows them in its language.
PROFILE_FIELD_NAMES = (N_("Website"), N_("Sprechzeiten"), N_("Telefon"), N_("E-Mail"),
                       N_("Adresse"), N_("Sektor"), N_("Netzwerk"),
                       N_("Antwortet"))


def _extra_fields(request: web.Request, actor: LocalActor, tr: Callable[[str], str] = N_
                  ) -> tuple[tuple[str, str], ...]:
    rate = response_promise.reply_rate(request.app[STORE], actor.username, request.app[CLOCK](),
                                       tr)
    return (rate,) if rate else ()


def _page_fields(request: web.Request, actor: LocalActor) -> list[PropertyValue]:
    """The profile fields in the page's language (the sector's label, the answer rate)."""
    lang = i18n.locale_of(request)
    fields = profile_fields(actor, _extra_fields(request, actor, i18n.gettext_of(request)))
    if actor.sector and actor.sector in {s.value for s in Sector}:
        sector = html.escape(label(Sector(actor.sector), lang))
        fields = [{**f, "value": sector} if f["name"] == "Sektor" else f for f in fields]
    return fields


def _actor_json(request: web.Request) -> web.Response:
    def build() -> web.Response:
        actor = local_actor(request)
        return ap_response(actor_to_ap(actor, request.app[URLS],
                                       extra_fields=_extra_fields(request, actor)))
    return serve(request, ("actor", request.match_info["username"].lower()), PROFILE_TABLES,
                 build)


async def actor_document(request: web.Request) -> web.StreamResponse:
    if not wants_activity_json(request) and "text/html" in request.headers.get("Accept", ""):
        actor = local_actor(request)
        raise web.HTTPFound(request.app[URLS].profile(actor.username))
    return _actor_json(request)


async def profile_page(request: web.Request) -> web.StreamResponse:
    if wants_activity_json(request):
        return _actor_json(request)

    def build() -> web.Response:
        actor = local_actor(request)
        urls, store = request.app[URLS], request.app[STORE]
        followers = follows.count_accepted_followers(store, actor.username)
        orgs = actor_repo.list_actors(store, "org") if actor.kind == "city" else []
        return render(request, "profile.html", {
            "actor": actor,
            "opportunities": content_store.list_objects(
                store, "opportunities", username=actor.username, statuses=OPEN, limit=50),
            "practices": content_store.list_objects(store, "practices",
                                                    username=actor.username, limit=50),
            "label": label,
            "fields": _page_fields(request, actor),
            "followers": followers,
            "orgs": orgs,
            "handle": f"@{actor.username}@{urls.domain}",
            "actor_id": urls.actor(actor.username),
        })
    return serve(request, ("profile", request.path_qs),
                 PROFILE_TABLES + ("followers", "opportunities", "practices"), build,
                 html=True)


async def outbox(request: web.Request) -> web.Response:
    def build() -> web.Response:
        actor = local_actor(request)
        store = request.app[STORE]
        total = outbox_repo.count_public(store, actor.username)

        def fetch(limit: int, offset: int) -> list:
            items = []
            for text in outbox_repo.public_page(store, actor.username, limit, offset):
                activity = json.loads(text)
                activity.pop("@context", None)
                items.append(activity)
            return items

        return collection_response(request, request.app[URLS].outbox(actor.username), total,
                                   fetch)
    return serve(request, ("outbox", request.path_qs), ACTOR_TABLES + ("outbox",), build)


def _people(request: web.Request, table: str, count: Callable[[Store, str], int],
            page: Callable[[Store, str, int, int], list[str]], coll_url: Callable[[str], str]
            ) -> web.Response:
    """The followers or following collection of an actor (pages of actor ids)."""
    def build() -> web.Response:
        actor = local_actor(request)
        store = request.app[STORE]

        def fetch(limit: int, offset: int) -> list:
            return page(store, actor.username, limit, offset)

        return collection_response(request, coll_url(actor.username),
                                   count(store, actor.username), fetch)
    return serve(request, (table, request.path_qs), ACTOR_TABLES + (table,), build)


async def followers(request: web.Request) -> web.Response:
    return _people(request, "followers", follows.count_accepted_followers,
                   follows.accepted_followers_page, request.app[URLS].followers)


async def following(request: web.Request) -> web.Response:
    return _people(request, "following", follows.count_accepted_following,
                   follows.accepted_following_page, request.app[URLS].following)
