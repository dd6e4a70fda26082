"""Paged ActivityPub collections over HTTP: `?page=N` answers a page, no `page` the collection."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from mitwirken.federation import collections as coll
from mitwirken.federation.collections import PAGE_SIZE
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.negotiation import ap_response


def collection_response(request: web.Request, coll_id: str, total: int,
                        fetch: Callable[[int, int], list]) -> web.Response:
    """`fetch(limit, offset)` returns one page's items; it is only called for a page."""
    try:
        page_no = coll.parse_page(request.query.get("page"))
    except ValueError as exc:
        raise ApiError(400, "bad_page", "page muss eine positive ganze Zahl sein.") from exc
    if page_no is None:
        return ap_response(coll.collection(coll_id, total))
    items = fetch(PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
    return ap_response(coll.page(coll_id, page_no, items, total))
