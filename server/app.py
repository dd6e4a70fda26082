"""The one aiohttp application factory. All state lives on the app under typed keys."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver

from mitwirken.federation.urls import Urls
from mitwirken.models.change_counters import ChangeCounters
from mitwirken.models.search_analysis import load_synonyms
from mitwirken.models.store import Store, utcnow
from mitwirken.server.app_keys import (
    ACCOUNTS,
    CLOCK,
    FOLLOW_LIMIT,
    JINJA,
    LOGIN,
    METRICS,
    REPRESENTATIONS,
    RESET_LIMIT,
    RESPONSE_FORM_LIMIT,
    SERVICES,
    SETTINGS,
    STORE,
    SYNONYMS,
    URLS,
)
from mitwirken.server.config import Settings
from mitwirken.server.dependencies import open_services, workers_running
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.login import Login
from mitwirken.server.web import access_log, i18n
from mitwirken.server.web.auth import session_middleware
from mitwirken.server.web.doc_cache import Representations
from mitwirken.server.web.errors import error_middleware
from mitwirken.server.web.metrics import Metrics, latency_middleware
from mitwirken.server.web.proxy import proxy_middleware
from mitwirken.server.web.rate_limit import RateLimit
from mitwirken.server.web.routes import ROUTES
from mitwirken.server.web.security_headers import install as install_security_headers
from mitwirken.server.web.templating import make_environment

log = logging.getLogger("mitwirken")
STATIC = Path(__file__).parent / "web" / "static"


def _services_ctx(resolver: AbstractResolver | None, start_workers: bool
                  ) -> Callable[[web.Application], AsyncIterator[None]]:
    """The app's services (and its one HTTP session) live from startup to cleanup."""
    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_services(app[SETTINGS], app[STORE], resolver=resolver,
                                 clock=app[CLOCK]) as services:
            app[SERVICES] = services
            if not start_workers:
                yield
                return
            async with workers_running(services.workers):
                yield
    return services_ctx


def runner_options(settings: Settings) -> dict[str, Any]:
    """How `serve` (and the benchmarks) run the app: the access-log setting."""
    return access_log.runner_options(settings.access_log)


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
        # Then errors (their pages see the session), then the login state of the request.
        middlewares=[proxy_middleware(settings.trusted_proxies), error_middleware,
                     session_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[URLS] = Urls(settings.base_url)
    app[STORE] = store or Store.open(settings.db_path)
    app[CLOCK] = clock
    app[SYNONYMS] = load_synonyms()
    app[JINJA] = make_environment()
    i18n.load_all()  # a broken catalogue stops the start, not a page
    app[LOGIN] = Login(app[STORE], clock, settings.session_hours)
    app[ACCOUNTS] = Accounts(app[STORE], clock)
    app[REPRESENTATIONS] = Representations(ChangeCounters(app[STORE]))
    app[FOLLOW_LIMIT] = RateLimit(10, 600, time.monotonic)  # WebFinger lookups per address
    app[RESET_LIMIT] = RateLimit(5, 900, time.monotonic)  # reset mails asked per address
    app[RESPONSE_FORM_LIMIT] = RateLimit(10, 600, time.monotonic)  # response forms per address
    if settings.metrics_token:
        app[METRICS] = Metrics(app[STORE], lambda: app[SERVICES].inbox_context.router.types)
        app.middlewares.insert(0, latency_middleware(app[METRICS]))
    app.cleanup_ctx.append(_services_ctx(resolver, start_workers))
    app.router.add_routes(ROUTES)
    app.router.add_static("/static", STATIC)
    install_security_headers(app)
    return app
