"""Headers on every answer, whoever wrote it: our handlers, the error middleware, and aiohttp
itself (the router's 404 and 405, 413 for a large body, static files).

- `X-Content-Type-Options: nosniff` on every content type, JSON included (security.md D-11);
- `Referrer-Policy: same-origin` (as Mastodon): a link from a listing to an organisation's
  website does not tell that site which listing, search or tag page it came from;
- `Cache-Control: no-store` on everything that depends on a token: every request with an
  `Authorization` header and every route of the editor API (its 401 answers too), so no shared
  cache or browser keeps an editor's data.

The hook is `on_response_prepare`, which aiohttp runs for every response it sends for this
application, also for the ones it raises itself."""

from __future__ import annotations

from aiohttp import web

REFERRER_POLICY = "same-origin"
TOKEN_ROUTE = web.RequestKey("token_route", bool)
"""Set by the editor API's authentication: the answer depends on a bearer token."""


def mark_token_route(request: web.Request) -> None:
    request[TOKEN_ROUTE] = True


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if request.get(TOKEN_ROUTE) or "Authorization" in request.headers:
        headers["Cache-Control"] = "no-store"


def install(app: web.Application) -> None:
    app.on_response_prepare.append(add_security_headers)
