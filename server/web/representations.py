"""Public documents served from bytes made once per version, with `ETag` and `304`.

A spreading post brings hundreds of servers fetching the same actor, key and object within
seconds. Converting and serialising the document (or rendering the page) anew for each of them
costs most of a GET; here the finished answer — body bytes and the headers that describe it —
is kept in memory under a key (what the document is: route, id, variant) together with the
version it was built from: the change counters of the tables it depends on
(`models.change_counters`, bumped by triggers on every write by any process). A kept answer is
served while those counters are unchanged; otherwise it is built again and kept.

Only 200 answers that set no cookie are kept, and HTML only for requests without a cookie
other than the language's (a page with a login header is a person's own). A key must hold
every input of the document that is not in the tracked tables: the path and query, the
negotiated variant and, for HTML, the page's language (`i18n.locale_of`: cookie, then
`Accept-Language`) — added here, so no German visitor is ever served a kept English page.

`If-None-Match` with the document's strong `ETag` answers `304 Not Modified`. Public
ActivityStreams documents carry `Cache-Control: public, max-age=60`; HTML pages `no-cache`
(always revalidated, so a page never outlives an edit in a browser)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from aiohttp import web

from mitwirken.server.app_keys import REPRESENTATIONS
from mitwirken.server.web import i18n
from mitwirken.server.web.doc_cache import Representation

AS_CACHE_CONTROL = "public, max-age=60"
HTML_CACHE_CONTROL = "no-cache"

def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison; `*` matches any current representation."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def _answer(request: web.Request, rep: Representation) -> web.Response:
    inm = request.headers.get("If-None-Match")
    if inm is not None and _matches(inm, rep.etag):
        return web.Response(status=304, headers=[h for h in rep.headers
                                                 if h[0] != "Content-Type"])
    return web.Response(body=rep.body, headers=rep.headers)


def _personal(request: web.Request) -> bool:
    """Whether the request carries a cookie other than the language choice (a session, a
    form's token, or anything we cannot read)."""
    if "Cookie" not in request.headers:
        return False
    names = set(request.cookies)
    return not names or names != {i18n.COOKIE}


def serve(request: web.Request, key: Hashable, tables: tuple[str, ...],
          build: Callable[[], web.Response], *, html: bool = False) -> web.Response:
    """The kept answer for `key` if the `tables` are unchanged since it was built; otherwise
    `build()` it (which may raise, e.g. 404) and keep it when it is a 200."""
    if html and _personal(request):
        response = build()
        response.headers.setdefault("Cache-Control", HTML_CACHE_CONTROL)
        return response
    if html:
        key = (key, i18n.locale_of(request))
    kept = request.app[REPRESENTATIONS]
    counters = kept.versions.current()
    version = tuple(counters[t] for t in tables)
    rep = kept.get(key, version)
    if rep is None:
        response = build()
        if (response.status != 200 or not isinstance(response.body, bytes)
                or response.cookies or "Set-Cookie" in response.headers):
            return response  # an error, a stream, or an answer made for one visitor
        rep = kept.put(key, version, response,
                       HTML_CACHE_CONTROL if html else AS_CACHE_CONTROL)
    return _answer(request, rep)
