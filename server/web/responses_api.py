"""The responses API (issue 13): volunteers' answers for the organisation that owns them and for
the city; an organisation's public answer statistics."""

from __future__ import annotations

import logging

from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.models.responses import Moderation
from mitwirken.models.states import IllegalTransition
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases import response_promise, responses
from mitwirken.server.web.api import authenticate, json_body
from mitwirken.server.web.errors import ApiError

log = logging.getLogger("mitwirken.api")
NOT_FOUND = "Keine solche Rückmeldung."


def _visible(request: web.Request) -> tuple[responses.Viewer, str]:
    return responses.Viewer.of_actor(authenticate(request)), request.match_info["id"]


async def list_responses(request: web.Request) -> web.Response:
    viewer = responses.Viewer.of_actor(authenticate(request))
    state = request.query.get("state") or None
    try:
        items = responses.list_for(request.app[STORE], viewer, state=state,
                                   object_=request.query.get("object") or None)
    except ValueError as exc:
        raise ApiError(400, "bad_state",
                       "state muss open, answered oder handled sein.") from exc
    return web.json_response({"items": items})


async def read(request: web.Request) -> web.Response:
    actor, response_id = _visible(request)
    store = request.app[STORE]
    try:
        row = responses.visible(store, actor, response_id)
    except responses.NotFound as exc:
        raise ApiError(404, "not_found", NOT_FOUND) from exc
    return web.json_response(responses.present(store, row))


async def reply(request: web.Request) -> web.Response:
    actor, response_id = _visible(request)
    data = await json_body(request)
    svc = request.app[SERVICES]
    deps = responses.Answering(store=svc.store, urls=svc.urls, actors=svc.remote_actors,
                               clock=svc.clock, wake=svc.workers.delivery.wake)
    try:
        message = await responses.answer(deps, actor, response_id, data.get("content"))
    except responses.NotFound as exc:
        raise ApiError(404, "not_found", NOT_FOUND) from exc
    except responses.BadAnswer as exc:
        raise ApiError(422, "validation_failed",
                       [{"field": "content", "message": str(exc)}]) from exc
    return web.json_response(message, status=201)


async def set_state(request: web.Request) -> web.Response:
    actor, response_id = _visible(request)
    data = await json_body(request)
    store = request.app[STORE]
    state = data.get("state")
    if state not in ("handled", "open"):
        raise ApiError(422, "validation_failed", [
            {"field": "state", "message": "Erlaubt sind „handled“ und „open“."}])
    try:
        body = responses.set_state(store, actor, response_id, state, request.app[SERVICES].clock())
    except responses.NotFound as exc:
        raise ApiError(404, "not_found", NOT_FOUND) from exc
    except IllegalTransition as exc:
        raise ApiError(409, "conflict",
                       f"Von „{exc.src}“ nach „{exc.dst}“ geht es nicht.") from exc
    return web.json_response(body)


async def _moderate(request: web.Request, decision: Moderation) -> web.Response:
    actor, response_id = _visible(request)
    try:
        body = responses.moderate(request.app[STORE], actor, response_id, decision)
    except responses.NotFound as exc:
        raise ApiError(404, "not_found", NOT_FOUND) from exc
    except responses.HeldForAdmins as exc:
        raise ApiError(409, "held_for_review", responses.HELD_TEXT) from exc
    except responses.NotPublic as exc:
        raise ApiError(422, "validation_failed", [
            {"field": "", "message": "Nur öffentliche Kommentare können freigegeben oder "
             "verborgen werden."}]) from exc
    return web.json_response(body)


async def approve(request: web.Request) -> web.Response:
    return await _moderate(request, "approved")


async def hide(request: web.Request) -> web.Response:
    return await _moderate(request, "hidden")


async def organisation_stats(request: web.Request) -> web.Response:
    """Public: aggregates only, never a person or a message."""
    store = request.app[STORE]
    username = request.match_info["username"].lower()
    actor = actor_repo.get_actor(store, username)
    if actor is None or actor.kind == "instance":
        raise ApiError(404, "not_found", "Keine solche Organisation.")
    return web.json_response(dict(response_promise.stats(store, username,
                                                  request.app[SERVICES].clock())))
