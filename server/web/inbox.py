"""The inbox routes: hand the POST to `federation.inbox.receive()` and answer its verdict.
Verifying, policing and recording happen there; all processing happens in the inbox worker."""

from __future__ import annotations

from aiohttp import web

from mitwirken.federation.inbox import InboxPost, Outcome, Verdict, receive
from mitwirken.models.actors import actor_exists
from mitwirken.server.app_keys import METRICS, SERVICES, STORE
from mitwirken.server.web.errors import ApiError

ACCEPTED = b'{"status": "accepted"}'

# verdict → (status, error code) of the JSON error answer
ERRORS = {
    Outcome.TOO_LARGE: (413, "body_too_large"),
    Outcome.MALFORMED_JSON: (400, "malformed_json"),
    Outcome.MALFORMED_ACTIVITY: (400, "malformed_activity"),
    Outcome.BLOCKED: (403, "domain_blocked"),
    Outcome.UNAUTHORIZED: (401, "invalid_signature"),
}


def _answer(verdict: Verdict) -> web.Response:
    if verdict.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE):
        return web.Response(body=ACCEPTED, status=202, content_type="application/json")
    if verdict.outcome is Outcome.IGNORED:
        return web.json_response({"status": "ignored"}, status=202)
    status, error = ERRORS[verdict.outcome]
    raise ApiError(status, error, verdict.detail)


async def _receive(request: web.Request, recipient: str | None) -> web.Response:
    post = InboxPost(method=request.method, path_qs=request.path_qs, headers=request.headers,
                     content_length=request.content_length, read_body=request.read,
                     recipient=recipient)
    verdict = await receive(request.app[SERVICES].inbox_deps, post)
    if (metrics := request.app.get(METRICS)) is not None:
        metrics.inbox_posts.labels(verdict.outcome.value).inc()
    return _answer(verdict)


async def shared_inbox(request: web.Request) -> web.Response:
    return await _receive(request, None)


async def actor_inbox(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    if not actor_exists(request.app[STORE], username):
        raise ApiError(404, "not_found", "Unbekannter Akteur.")
    return await _receive(request, username)


async def instance_inbox(request: web.Request) -> web.Response:
    return await _receive(request, "instance")
