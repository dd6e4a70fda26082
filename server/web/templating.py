"""Jinja2 templates for the German HTML pages (autoescaping on)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from mitwirken.server.app_keys import JINJA, SETTINGS, URLS
from mitwirken.server.usecases.reports import REPORTER_ROLES
from mitwirken.server.web.request_keys import csrf_token, current_session

TEMPLATES = Path(__file__).parent / "templates"
# Our pages run no script at all; remote content can never bring one in (defence in depth
# behind autoescaping and the HTML sanitiser). Images may come from anywhere over https.
CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
       "img-src 'self' https: data:; style-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["reporter_roles"] = REPORTER_ROLES  # who sees „Melden“ at remote content
    return env


def render(request: web.Request, name: str, context: dict[str, Any], status: int = 200,
           headers: dict[str, str] | None = None) -> web.Response:
    app = request.app
    env = app[JINJA]
    base = {"settings": app[SETTINGS], "urls": app[URLS], "request": request,
            "session": current_session(request), "csrf": lambda: csrf_token(request)}
    body = env.get_template(name).render(**base, **context)
    # A page's header depends on the login cookie: caches must key on it, and a page made for
    # a logged-in person is kept by nobody.
    personal = {"Cache-Control": "private, no-store"} if base["session"] else {}
    return web.Response(text=body, status=status, content_type="text/html",
                        headers={"Vary": "Accept, Cookie", "Content-Security-Policy": CSP,
                                 "X-Content-Type-Options": "nosniff", **personal,
                                 **(headers or {})})
