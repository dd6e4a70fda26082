"""`GET /healthz` for the reverse proxy, the container runtime and monitoring, and
`GET /metrics` (Prometheus text; 404 unless the setting `metrics_token` is set, then 401
without that bearer token).

Cheap and without authentication: one trivial query proves the database file is open and
readable. It says nothing about remote peers on purpose: an unreachable Mastodon server must not
make the proxy take *this* instance out of service.
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from mitwirken.server.app_keys import METRICS, SETTINGS, STORE
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.security_headers import mark_token_route

log = logging.getLogger("mitwirken.health")
BEARER = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def _version() -> str:
    try:
        return version("mitwirken")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


async def healthz(request: web.Request) -> web.Response:
    body = {"status": "ok", "database": "ok", "version": _version()}
    status = 200
    try:
        request.app[STORE].migrations_applied()
    except (sqlite3.Error, AttributeError) as exc:
        log.error("health_database_failed error=%s", exc)
        body.update(status="error", database="error")
        status = 503
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


async def metrics(request: web.Request) -> web.Response:
    token = request.app[SETTINGS].metrics_token
    kept = request.app.get(METRICS)
    if kept is None or not token:
        raise ApiError(404, "not_found", "Diese Seite gibt es nicht.")
    mark_token_route(request)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"),
                                                              token.encode("utf-8")):
        log.info("metrics_refused remote=%s", request.remote)
        raise ApiError(401, "unauthorized", "Bearer token required.", BEARER)
    return web.Response(body=kept.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
