"""The editor JSON API (bearer tokens). Field names are the models' snake_case names."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models import interactions as interaction_repo
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import german_errors
from mitwirken.models.fields import unencodable_paths
from mitwirken.models.safe_json import JsonRefused, parse_json
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases.publishing import ContentService, Kind, NotFound, ReadOnlyField
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.security_headers import mark_token_route

log = logging.getLogger("mitwirken.api")

BEARER = {"WWW-Authenticate": 'Bearer realm="mitwirken"'}
INTERACTIONS_SHOWN = 200  # of each kind, the newest; `totals` counts them all
KINDS: dict[str, Kind] = {"opportunities": "opportunities", "practices": "practices"}


def service(request: web.Request) -> ContentService:
    return request.app[SERVICES].content


def authenticate(request: web.Request) -> LocalActor:
    mark_token_route(request)  # the answer, also a 401, is never cached
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Ein API-Schlüssel (Bearer-Token) ist erforderlich.",
                       BEARER)
    actor = actor_repo.actor_for_token(request.app[STORE], token.strip())
    if actor is None:
        raise ApiError(401, "unauthorized", "Unbekannter API-Schlüssel.", BEARER)
    return actor


def may_manage(actor: LocalActor, username: str) -> bool:
    """Organisations manage their own objects; city staff manage every local organisation's."""
    return actor.username == username or actor.kind == "city"


JSON_TYPES = ("application/json", "application/merge-patch+json")


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object. The body needs a JSON content type (415 otherwise) and is
    parsed with a depth limit, no duplicate keys and only UTF-8-encodable text (400)."""
    if request.content_type not in JSON_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       "Der Inhalt muss JSON sein (Content-Type: application/json).")
    try:
        data = parse_json(await request.read() or b"null", unencodable_text=True)
    except JsonRefused as exc:
        log.info("api_json_refused path=%s reason=%s", request.path, exc.reason)
        raise ApiError(400, "malformed_json", "Der Inhalt ist kein gültiges JSON.") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "Erwartet wird ein JSON-Objekt.")
    return data


def kind_of(request: web.Request) -> Kind:
    kind = KINDS.get(request.match_info["kind"])
    if kind is None:
        raise ApiError(404, "not_found", "Unbekannte Sammlung.")
    return kind


def represent(svc: ContentService, obj) -> dict:
    data = obj.model_dump(mode="json")
    data["ap_id"] = svc.ap_id(obj)
    data["url"] = svc.ap_id(obj)
    return data


def owned(request: web.Request, actor: LocalActor, kind: Kind):
    try:
        obj = service(request).get(kind, request.match_info["id"])
    except NotFound as exc:
        raise ApiError(404, "not_found", "Kein solcher Eintrag.") from exc
    if not may_manage(actor, obj.org_username):
        raise ApiError(403, "forbidden", "Dieser Eintrag gehört einer anderen Organisation.")
    return obj


@contextmanager
def editor_input() -> Iterator[None]:
    """Invalid editor input becomes a 422 listing each field with a German message."""
    try:
        yield
    except ValidationError as exc:
        raise ApiError(422, "validation_failed", german_errors(exc)) from exc
    except ReadOnlyField as exc:
        raise ApiError(422, "validation_failed", [
            {"field": f, "message": "Dieses Feld setzt der Server; bitte weglassen."}
            for f in exc.fields]) from exc


async def list_own(request: web.Request) -> web.Response:
    actor = authenticate(request)
    kind = kind_of(request)
    username = request.query.get("org", actor.username)
    if not may_manage(actor, username):
        raise ApiError(403, "forbidden", "Nur eigene Einträge.")
    try:
        limit = min(max(int(request.query.get("limit", 50)), 1), 200)
        offset = min(max(int(request.query.get("offset", 0)), 0), 10**9)
    except ValueError as exc:
        raise ApiError(400, "bad_paging", "limit und offset müssen ganze Zahlen sein.") from exc
    svc = service(request)
    items = content_store.list_objects(request.app[STORE], kind, username=username,
                                       limit=limit, offset=offset)
    return web.json_response({
        "items": [represent(svc, o) for o in items],
        "total": content_store.count(request.app[STORE], kind, username),
        "limit": limit, "offset": offset})


async def create(request: web.Request) -> web.Response:
    actor = authenticate(request)
    kind = kind_of(request)
    data = await json_body(request)
    username = data.pop("org_username", actor.username)
    if not isinstance(username, str) or unencodable_paths(username):
        raise ApiError(422, "validation_failed", [{
            "field": "org_username", "message": "Hier wird ein Benutzername als Text erwartet."}])
    target = actor_repo.get_actor(request.app[STORE], username)
    if target is None or target.kind == "instance" or not may_manage(actor, target.username):
        raise ApiError(403, "forbidden", "Nur für die eigene Organisation.")
    with editor_input():
        obj = service(request).create(kind, target.username, data, strict=True)
    svc = service(request)
    return web.json_response(represent(svc, obj), status=201,
                             headers={"Location": f"/api/v1/{kind}/{obj.id}"})


async def read(request: web.Request) -> web.Response:
    actor = authenticate(request)
    obj = owned(request, actor, kind_of(request))
    return web.json_response(represent(service(request), obj))


async def update(request: web.Request) -> web.Response:
    actor = authenticate(request)
    kind = kind_of(request)
    obj = owned(request, actor, kind)
    patch = await json_body(request)
    with editor_input():
        updated = service(request).update(kind, obj.id, patch, strict=True)
    return web.json_response(represent(service(request), updated))


async def delete(request: web.Request) -> web.Response:
    actor = authenticate(request)
    kind = kind_of(request)
    obj = owned(request, actor, kind)
    service(request).delete(kind, obj.id)
    return web.Response(status=204)


async def confirm(request: web.Request) -> web.Response:
    actor = authenticate(request)
    obj = owned(request, actor, "opportunities")
    return web.json_response(represent(service(request), service(request).confirm(obj.id)))


async def close(request: web.Request) -> web.Response:
    actor = authenticate(request)
    obj = owned(request, actor, "opportunities")
    closed = service(request).set_status(obj.id, OpportunityStatus.CLOSED)
    return web.json_response(represent(service(request), closed))


async def interactions(request: web.Request) -> web.Response:
    actor = authenticate(request)
    obj = owned(request, actor, kind_of(request))
    ap_id = service(request).ap_id(obj)
    rows = interaction_repo.for_object(request.app[STORE], ap_id, INTERACTIONS_SHOWN)
    totals = interaction_repo.counts(request.app[STORE], ap_id)
    return web.json_response({
        "replies": [{k: r[k] for k in ("id", "actor", "content", "url", "created_at")}
                    for r in rows if r["kind"] == "reply"],
        "likes": [r["actor"] for r in rows if r["kind"] == "like"],
        "announces": [r["actor"] for r in rows if r["kind"] == "announce"],
        "totals": {name: totals.get(kind, 0) for name, kind in
                   (("replies", "reply"), ("likes", "like"), ("announces", "announce"))},
    })
