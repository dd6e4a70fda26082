"""/.well-known/* and NodeInfo, and the public list of blocked domains (when published)."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.metadata import version

from aiohttp import web

from mitwirken.federation import discovery
from mitwirken.federation.context import ns_document
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, outbox
from mitwirken.models.store import Store
from mitwirken.server.app_keys import CLOCK, SETTINGS, STORE, URLS
from mitwirken.server.usecases import moderation
from mitwirken.server.web.errors import ApiError

JRD = "application/jrd+json"


async def webfinger(request: web.Request) -> web.Response:
    resource = request.query.get("resource")
    if not resource:
        raise ApiError(400, "missing_resource", "Der Parameter resource fehlt.")
    urls = request.app[URLS]
    username = discovery.parse_resource(resource, urls)
    if username is None:
        raise ApiError(404, "not_found", "Unbekannte Ressource.")
    store = request.app[STORE]
    if username == "@instance":
        doc = discovery.jrd("", urls, instance=True)
    else:
        actor = actor_repo.get_actor(store, username)
        if actor is None or actor.kind == "instance":
            raise ApiError(404, "not_found", "Unbekanntes Konto.")
        doc = discovery.jrd(actor.username, urls)
    return web.json_response(doc, content_type=JRD,
                             headers={"Access-Control-Allow-Origin": "*"})


async def host_meta(request: web.Request) -> web.Response:
    return web.Response(text=discovery.host_meta(request.app[URLS]),
                        content_type="application/xrd+xml")


async def nodeinfo_links(request: web.Request) -> web.Response:
    return web.json_response(discovery.nodeinfo_links(request.app[URLS]),
                             headers={"Access-Control-Allow-Origin": "*"})


async def nodeinfo(request: web.Request) -> web.Response:
    v = request.match_info["version"]
    if v not in discovery.NODEINFO_VERSIONS:
        raise ApiError(404, "not_found", "NodeInfo gibt es in den Versionen 2.0 und 2.1.")
    store, settings = request.app[STORE], request.app[SETTINGS]
    users = actor_repo.count_users(store)
    posts = content_store.count_live(store)
    now = request.app[CLOCK]()
    doc = discovery.nodeinfo(
        v, software_version=version("mitwirken"), name=settings.instance_name,
        city_username=settings.city_username, users=users, local_posts=posts,
        urls=request.app[URLS], active_month=_active(store, now, 30),
        active_halfyear=_active(store, now, 182),
    )
    schema = f"http://nodeinfo.diaspora.software/ns/schema/{v}#"
    return web.json_response(doc, content_type=f'application/json; profile="{schema}"',
                             headers={"Access-Control-Allow-Origin": "*"})


def _active(store: Store, now: datetime, days: int) -> int:
    """Local actors that published something in the last `days` days (real numbers only)."""
    return outbox.active_publishers(store, now - timedelta(days=days))


async def namespace(request: web.Request) -> web.Response:
    return web.json_response(ns_document(), content_type="application/ld+json")


async def domain_blocks(request: web.Request) -> web.Response:
    """Mastodon's `GET /api/v1/instance/domain_blocks` (an array), when the setting
    `publish_domain_blocks` is on; 404 otherwise."""
    if not request.app[SETTINGS].publish_domain_blocks:
        raise ApiError(404, "not_found", "Die Sperrliste wird nicht veröffentlicht.")
    return web.json_response(moderation.public_domain_blocks(request.app[STORE]))
