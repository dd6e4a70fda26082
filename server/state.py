"""Typed application keys: everything a handler needs is passed through the app, no globals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
import jinja2
from aiohttp import web

from mitwirken.federation.urls import Urls
from mitwirken.models.store import Store
from mitwirken.server.config import Settings

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
URLS = web.AppKey("urls", Urls)
CLOCK = web.AppKey("clock", Callable[[], datetime])  # type: ignore[arg-type]
JINJA = web.AppKey("jinja", jinja2.Environment)
RESOLVER = web.AppKey("resolver", Any)  # aiohttp AbstractResolver or None
HTTP = web.AppKey("http", aiohttp.ClientSession)
SERVICES = web.AppKey("services", dict)  # named long-lived helpers (fetcher, workers, …)
