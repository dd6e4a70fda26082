"""Reading a remote actor's outbox page by page (the client side of a backfill).

An outbox is an `OrderedCollection` whose `first` is a page URL (Mastodon, Mitwirken) or an
embedded page (some servers), or, for small collections, one with its items inline. Every
document is fetched with the instance actor's signed GET through the guarded fetcher, and must
live on the actor's own host: a page or `next` link elsewhere ends the walk, so an outbox can
never make us fetch (or believe) another host's pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.fetch import Fetcher, FetchError
from mitwirken.federation.remote import host

log = logging.getLogger("mitwirken.backfill")

COLLECTION_TYPES = ("OrderedCollection", "Collection")
MAX_ITEMS_PER_PAGE = 200  # a page larger than this is cut (Mastodon serves 20)


@dataclass(frozen=True)
class OutboxPage:
    """One page: its activities (embedded ones only) and the next page's URL, if any."""

    url: str
    items: list[JsonObject]
    next: str | None


def _link(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _on_host(url: str | None, actor_id: str) -> str | None:
    if url is None:
        return None
    if host(url) != host(actor_id):
        log.warning("backfill_link_refused url=%s actor=%s", url[:200], actor_id)
        return None
    return url


def _as_page(url: str, doc: JsonObject, actor_id: str) -> OutboxPage:
    raw = doc.get("orderedItems", doc.get("items", []))
    raw_items = raw if isinstance(raw, list) else []
    items = [item for item in raw_items[:MAX_ITEMS_PER_PAGE] if isinstance(item, dict)]
    return OutboxPage(url=url, items=items, next=_on_host(_link(doc.get("next")), actor_id))


async def read_page(fetcher: Fetcher, url: str, actor_id: str) -> OutboxPage:
    """The page at `url`; for the collection itself (the outbox URL), its first page."""
    if _on_host(url, actor_id) is None:
        raise FetchError(f"outbox page on another host than {actor_id}")
    final, doc = await fetcher.get_json(url)
    if host(final) != host(actor_id):
        raise FetchError("outbox redirected to another host")
    if doc.get("type") not in COLLECTION_TYPES:
        return _as_page(final, doc, actor_id)
    first = doc.get("first")
    if isinstance(first, dict) and ("orderedItems" in first or "items" in first):
        return _as_page(final, first, actor_id)
    first_url = _on_host(_link(first), actor_id)
    if first_url is None:
        return _as_page(final, doc, actor_id)  # unpaged: the items are inline (or none)
    final, doc = await fetcher.get_json(first_url)
    if host(final) != host(actor_id):
        raise FetchError("outbox page redirected to another host")
    return _as_page(final, doc, actor_id)
