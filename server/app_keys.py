"""Typed application keys: everything a handler needs is passed through the app, no globals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import jinja2
from aiohttp import web

from mitwirken.federation.urls import Urls
from mitwirken.models.store import Store
from mitwirken.server.config import Settings
from mitwirken.server.dependencies import Services
from mitwirken.server.web.doc_cache import Representations
from mitwirken.server.web.metrics import Metrics

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
URLS = web.AppKey("urls", Urls)
CLOCK = web.AppKey("clock", Callable[[], datetime])  # type: ignore[arg-type]
JINJA = web.AppKey("jinja", jinja2.Environment)
SERVICES = web.AppKey("services", Services)  # set when the app starts (fetcher, workers, …)
REPRESENTATIONS = web.AppKey("representations", Representations)  # kept public answers
SYNONYMS = web.AppKey("synonyms", dict)  # models.search_analysis.Synonyms, loaded at start
METRICS = web.AppKey("metrics", Metrics)  # only when the setting metrics_token is set
