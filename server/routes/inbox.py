"""The inboxes: verify, police, record, 202. All processing happens in the inbox worker."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from federation.remote import host
from federation.signatures import SignatureError, check_actor, key_id_of, verify_request
from models import queue
from server.errors import ApiError
from server.state import CLOCK, SERVICES, SETTINGS, STORE, URLS

routes = web.RouteTableDef()
log = logging.getLogger("mitwirken.inbox")


def is_blocked(store, *domains: str) -> bool:
    """A blocked domain also blocks its subdomains."""
    candidates = set()
    for domain in domains:
        parts = domain.lower().split(".")
        candidates.update(".".join(parts[i:]) for i in range(len(parts) - 1))
    if not candidates:
        return False
    marks = ",".join("?" * len(candidates))
    return store.one(f"SELECT 1 FROM domain_blocks WHERE domain IN ({marks})",
                     list(candidates)) is not None


async def _receive(request: web.Request, recipient: str | None) -> web.Response:
    app = request.app
    settings, store = app[SETTINGS], app[STORE]
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        raise ApiError(413, "body_too_large", f"limit is {settings.max_body_bytes} bytes")
    body = await request.read()
    try:
        activity = json.loads(body.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise ApiError(400, "malformed_json", "body is not UTF-8 JSON") from exc
    if not isinstance(activity, dict) or not all(
            isinstance(activity.get(k), str) for k in ("id", "type", "actor")):
        raise ApiError(400, "malformed_activity", "an activity needs id, type and actor")
    actor = activity["actor"]
    key_id = key_id_of(request.headers) or ""
    if is_blocked(store, host(actor), host(key_id)):
        log.info("inbox_blocked actor=%s domain=%s", actor, host(actor))
        raise ApiError(403, "domain_blocked", None)
    services = app[SERVICES]
    remote = services["actors"]
    obj = activity.get("object")
    obj_id = obj.get("id") if isinstance(obj, dict) else obj
    if activity["type"] == "Delete" and obj_id == actor and remote.cached(actor) is None:
        # Mastodon sends these to every inbox it knows; never fetch a deleted actor's key.
        log.info("inbox_delete_unknown_actor actor=%s", actor)
        return web.json_response({"status": "ignored"}, status=202)
    try:
        verified = await verify_request(
            request.method, request.path_qs, request.headers, body,
            our_hosts={app[URLS].domain}, key_lookup=remote.key_lookup, now=app[CLOCK](),
            scheme=urlsplit(settings.base_url).scheme)
        check_actor(verified, actor)
    except SignatureError as exc:
        log.info("inbox_unauthorized actor=%s domain=%s key_id=%s reason=%s", actor,
                 host(actor), key_id[:200], exc.reason)
        raise ApiError(401, "invalid_signature", exc.reason) from exc
    if host(activity["id"]) != host(actor):
        raise ApiError(400, "malformed_activity", "activity id is on another host than actor")
    row = queue.record_inbox_item(store, activity_id=activity["id"], origin=host(actor),
                                  actor=actor, type_=activity["type"], recipient=recipient,
                                  body=body.decode("utf-8"), now=app[CLOCK]())
    queue.mark_domain_available(store, host(actor))
    log.info("inbox_accepted id=%s type=%s actor=%s domain=%s duplicate=%s", activity["id"],
             activity["type"], actor, host(actor), row is None)
    if "inbox_worker" in services:
        services["inbox_worker"].wake()
    return web.json_response({"status": "accepted"}, status=202)


@routes.post("/inbox")
async def shared_inbox(request: web.Request) -> web.Response:
    return await _receive(request, None)


@routes.post("/actors/{username}/inbox")
async def actor_inbox(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    from models.actors import get_actor

    if get_actor(request.app[STORE], username) is None:
        raise ApiError(404, "not_found", "Unknown actor.")
    return await _receive(request, username)


@routes.post("/actor/inbox")
async def instance_inbox(request: web.Request) -> web.Response:
    return await _receive(request, "instance")
