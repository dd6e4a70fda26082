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
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.login import Login
from mitwirken.server.web.doc_cache import Representations
from mitwirken.server.web.metrics import Metrics
from mitwirken.server.web.rate_limit import RateLimit

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
URLS = web.AppKey("urls", Urls)
CLOCK = web.AppKey("clock", Callable[[], datetime])  # type: ignore[arg-type]
JINJA = web.AppKey("jinja", jinja2.Environment)
SERVICES = web.AppKey("services", Services)  # set when the app starts (fetcher, workers, …)
REPRESENTATIONS = web.AppKey("representations", Representations)  # kept public answers
SYNONYMS = web.AppKey("synonyms", dict)  # models.search_analysis.Synonyms, loaded at start
FOLLOW_LIMIT = web.AppKey("follow_limit", RateLimit)  # the "Folgen" form, per address
RESPONSE_FORM_LIMIT = web.AppKey("response_form_limit", RateLimit)  # the response form
LOGIN = web.AppKey("login", Login)  # sessions of the web UI
ACCOUNTS = web.AppKey("accounts", Accounts)  # web accounts (set-password links)
METRICS = web.AppKey("metrics", Metrics)  # only when the setting metrics_token is set
RESET_LIMIT = web.AppKey("reset_limit", RateLimit)  # "Passwort vergessen", per address
