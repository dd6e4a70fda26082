"""The inboxes: verify, police, record, 202. All processing happens in the inbox worker."""

from __future__ import annotations

import json
import logging

from aiohttp import web

from mitwirken.federation.remote import host
from mitwirken.federation.signatures import (
    PublicKey,
    SignatureError,
    check_actor,
    key_id_of,
    verify_request,
)
from mitwirken.models import queue
from mitwirken.models.actors import actor_exists
from mitwirken.server.app_keys import CLOCK, SERVICES, SETTINGS, STORE, URLS
from mitwirken.server.usecases.follows import domain_blocked
from mitwirken.server.web.errors import ApiError

routes = web.RouteTableDef()
ACCEPTED = b'{"status": "accepted"}'
log = logging.getLogger("mitwirken.inbox")


class KeyDomainBlocked(SignatureError):
    """The signing key lives on a blocked domain: 403, and nothing is fetched from it."""

    def __init__(self, domain: str) -> None:
        super().__init__("key domain blocked")
        self.domain = domain


def _text(value: object) -> bool:
    """A string that can be stored: JSON escapes like "\\ud800" decode to lone surrogates."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _receive(request: web.Request, recipient: str | None) -> web.Response:
    app = request.app
    settings, store = app[SETTINGS], app[STORE]
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        raise ApiError(413, "body_too_large", f"limit is {settings.max_body_bytes} bytes")
    body = await request.read()
    try:
        text = body.decode("utf-8")
        activity = json.loads(text)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise ApiError(400, "malformed_json", "body is not UTF-8 JSON") from exc
    if not isinstance(activity, dict) or not all(
            _text(activity.get(k)) for k in ("id", "type", "actor")):
        raise ApiError(400, "malformed_activity", "an activity needs id, type and actor")
    actor = activity["actor"]
    origin = host(actor)
    if domain_blocked(store, origin):
        log.info("inbox_blocked actor=%s domain=%s", actor, origin)
        raise ApiError(403, "domain_blocked", None)
    services = app[SERVICES]
    remote = services.remote_actors
    obj = activity.get("object")
    obj_id = obj.get("id") if isinstance(obj, dict) else obj
    if activity["type"] == "Delete" and obj_id == actor and remote.cached(actor) is None:
        # Mastodon sends these to every inbox it knows; never fetch a deleted actor's key.
        log.info("inbox_delete_unknown_actor actor=%s", actor)
        return web.json_response({"status": "ignored"}, status=202)

    async def key_lookup(key_id: str, refresh: bool) -> PublicKey | None:
        """The key's domain is screened too (a key may live elsewhere than its actor),
        before anything is fetched from it."""
        key_host = host(key_id)
        if key_host != origin and domain_blocked(store, key_host):
            raise KeyDomainBlocked(key_host)
        return await remote.key_lookup(key_id, refresh)

    try:
        verified = await verify_request(
            request.method, request.path_qs, request.headers, body,
            our_hosts={app[URLS].domain}, key_lookup=key_lookup, now=app[CLOCK](),
            scheme="https" if settings.base_url.startswith("https:") else "http")
        check_actor(verified, actor)
    except KeyDomainBlocked as exc:
        log.info("inbox_blocked actor=%s domain=%s key_domain=%s", actor, origin, exc.domain)
        raise ApiError(403, "domain_blocked", None) from exc
    except SignatureError as exc:
        log.info("inbox_unauthorized actor=%s domain=%s key_id=%s reason=%s", actor,
                 origin, (key_id_of(request.headers) or "")[:200], exc.reason)
        raise ApiError(401, "invalid_signature", exc.reason) from exc
    if host(activity["id"]) != origin:
        raise ApiError(400, "malformed_activity", "activity id is on another host than actor")
    row_id = await services.inbox_commit.record(queue.InboxRow(
        activity_id=activity["id"], origin=origin, actor=actor, type=activity["type"],
        recipient=recipient, body=text, received_at=app[CLOCK]()))
    log.info("inbox_accepted id=%s type=%s actor=%s domain=%s duplicate=%s", activity["id"],
             activity["type"], actor, origin, row_id is None)
    return web.Response(body=ACCEPTED, status=202, content_type="application/json")


@routes.post("/inbox")
async def shared_inbox(request: web.Request) -> web.Response:
    return await _receive(request, None)


@routes.post("/actors/{username}/inbox")
async def actor_inbox(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    if not actor_exists(request.app[STORE], username):
        raise ApiError(404, "not_found", "Unknown actor.")
    return await _receive(request, username)


@routes.post("/actor/inbox")
async def instance_inbox(request: web.Request) -> web.Response:
    return await _receive(request, "instance")
