"""The one aiohttp application factory. All state lives on the app under typed keys."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver

from mitwirken.federation.fetch import PublicOnlyResolver
from mitwirken.federation.urls import Urls
from mitwirken.models.store import Store, utcnow
from mitwirken.server.config import Settings
from mitwirken.server.services import services_ctx
from mitwirken.server.state import CLOCK, HTTP, JINJA, RESOLVER, SERVICES, SETTINGS, STORE, URLS
from mitwirken.server.web import (
    actors,
    api,
    discovery,
    health,
    inbox,
    network,
    objects,
    openapi,
    pages,
)
from mitwirken.server.web.errors import error_middleware
from mitwirken.server.web.proxy import proxy_middleware
from mitwirken.server.web.templating import make_environment

log = logging.getLogger("mitwirken")
STATIC = Path(__file__).parent / "web" / "static"
USER_AGENT = "Mitwirken (+https://github.com/mitwirken/mitwirken)"


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    """One client session per app; tests pass a resolver that maps fake host names."""
    resolver: AbstractResolver | None = app[RESOLVER]
    if resolver is None and not app[SETTINGS].allow_private_network:
        resolver = PublicOnlyResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, limit=200, limit_per_host=8)
    session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})
    app[HTTP] = session
    yield
    await session.close()


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    resolver: AbstractResolver | None = None,
    clock: Callable[[], datetime] = utcnow,
    start_workers: bool = True,
) -> web.Application:
    """Build the application. `resolver` and `clock` are seams for tests; `start_workers=False`
    lets tests drive background work by calling `tick()` themselves."""
    app = web.Application(
        # Forwarded headers first (only from trusted proxies), so everything after sees the
        # real client and scheme.
        middlewares=[proxy_middleware(settings.trusted_proxies), error_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[URLS] = Urls(settings.base_url)
    app[STORE] = store or Store.open(settings.db_path)
    app[CLOCK] = clock
    app[RESOLVER] = resolver
    app[JINJA] = make_environment()
    app[SERVICES] = {"start_workers": start_workers}
    app.cleanup_ctx.append(_http_client)
    app.cleanup_ctx.append(services_ctx)
    app.router.add_routes(discovery.routes)
    app.router.add_routes(actors.routes)
    app.router.add_routes(inbox.routes)
    app.router.add_routes(api.routes)
    app.router.add_routes(openapi.routes)
    app.router.add_routes(network.routes)
    app.router.add_routes(objects.routes)
    app.router.add_routes(pages.routes)
    app.router.add_routes(health.routes)  # /healthz for proxy and monitoring
    app.router.add_static("/static", STATIC)
    return app
