"""The web UI's login state on every request: the session cookie is looked up (a server-side
session, `usecases.login`), CSRF tokens are checked on every form POST, pages that need a
login redirect to `/anmelden`.

Cookies are `HttpOnly`, `SameSite=Lax`, `Path=/`; when the instance URL is https they are
`Secure` and carry the `__Host-` prefix (the browser then refuses them from any other origin
or path)."""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import LOGIN, SETTINGS
from mitwirken.server.usecases.login import Session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.request_keys import ANON_CSRF, ANON_CSRF_NEW, SESSION

log = logging.getLogger("mitwirken.web")

SESSION_COOKIE = "mw_session"
CSRF_COOKIE = "mw_csrf"
CSRF_REFUSED = N_("Das Formular ist abgelaufen oder kam nicht von dieser Seite "
                  "(Sicherheitsprüfung fehlgeschlagen). Bitte laden Sie die Seite neu und "
                  "senden Sie es noch einmal.")


def secure_cookies(request: web.Request) -> bool:
    return request.app[SETTINGS].base_url.startswith("https://")


def cookie_name(request: web.Request, name: str) -> str:
    return f"__Host-{name}" if secure_cookies(request) else name


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(cookie_name(request, name), value, max_age=max_age, path="/",
                        httponly=True, samesite="Lax", secure=secure_cookies(request))


def delete_cookie(request: web.Request, response: web.StreamResponse, name: str) -> None:
    response.del_cookie(cookie_name(request, name), path="/", secure=secure_cookies(request),
                        httponly=True, samesite="Lax")


@web.middleware
async def session_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if "Cookie" in request.headers:
        value = request.cookies.get(cookie_name(request, SESSION_COOKIE))
        session = request.app[LOGIN].session(value) if value else None
        if session is not None:
            request[SESSION] = session
        anon = request.cookies.get(cookie_name(request, CSRF_COOKIE), "")
        if 20 <= len(anon) <= 100:
            request[ANON_CSRF] = anon
    response = await handler(request)
    if request.get(ANON_CSRF_NEW) and SESSION not in request:
        set_cookie(request, response, CSRF_COOKIE, request[ANON_CSRF])
    return response


def check_csrf(request: web.Request, form: MultiDictProxy[Any]) -> None:
    """403 with a German page unless the form carries this session's (or, logged out, this
    browser's) CSRF token."""
    session = request.get(SESSION)
    expected = session.csrf if session is not None else request.get(ANON_CSRF)
    sent = form.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode(), expected.encode()):
        log.warning("csrf_refused path=%s remote=%s logged_in=%s", request.path,
                    request.remote, session is not None)
        raise page_error(403, "csrf_refused", CSRF_REFUSED)


def redirect(location: str) -> web.Response:
    """303 See Other (after a form POST the browser GETs the new page)."""
    return web.Response(status=303, headers={"Location": location})


def require_session(request: web.Request) -> Session:
    """The logged-in session, or a redirect to the login page that comes back here."""
    session = request.get(SESSION)
    if session is None:
        raise web.HTTPSeeOther(f"/anmelden?weiter={quote(request.path_qs, safe='')}")
    return session


def safe_next(value: str | None) -> str:
    """Only paths of this site are followed after the login (no open redirect)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/verwaltung"
