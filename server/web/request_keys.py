"""What the authentication middleware puts on a request, and the CSRF token of its forms.

A logged-in request carries its `Session` (whose CSRF token every form posts back); an
anonymous form (login, set password) uses a random token in a cookie of its own, set only on
the answer that rendered such a form (a double-submit cookie) — so an anonymous public page
sets no cookie and stays in the representation cache."""

from __future__ import annotations

from aiohttp import web

from mitwirken.server.usecases.login import Session, new_secret

SESSION = web.RequestKey("session", Session)
ANON_CSRF = web.RequestKey("anon_csrf", str)
ANON_CSRF_NEW = web.RequestKey("anon_csrf_new", bool)


def current_session(request: web.Request) -> Session | None:
    return request.get(SESSION)


def csrf_token(request: web.Request) -> str:
    """The token a form on this page must post back as `csrf`."""
    session = request.get(SESSION)
    if session is not None:
        return session.csrf
    if ANON_CSRF not in request:
        request[ANON_CSRF] = new_secret()
        request[ANON_CSRF_NEW] = True
    return request[ANON_CSRF]
