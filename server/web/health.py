"""`GET /healthz` for the reverse proxy, the container runtime and monitoring.

Cheap and without authentication: one trivial query proves the database file is open and
readable. It says nothing about remote peers on purpose: an unreachable Mastodon server must not
make the proxy take *this* instance out of service.
"""

from __future__ import annotations

import logging
import sqlite3
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from mitwirken.server.app_keys import STORE

log = logging.getLogger("mitwirken.health")


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
