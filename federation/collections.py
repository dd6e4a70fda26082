"""Paged OrderedCollections (outbox, followers, following, adoptedBy …)."""

from __future__ import annotations

from typing import Any

from mitwirken.federation.as_types import OrderedCollection, OrderedCollectionPage
from mitwirken.federation.context import AS

PAGE_SIZE = 20


def collection(coll_id: str, total: int, *, first: bool = True) -> OrderedCollection:
    """The collection document: counts are public; items live on pages."""
    doc: OrderedCollection = {"@context": AS, "id": coll_id, "type": "OrderedCollection",
                              "totalItems": total}
    if first:
        doc["first"] = f"{coll_id}?page=1"
        if total:
            last = max(1, -(-total // PAGE_SIZE))
            doc["last"] = f"{coll_id}?page={last}"
    return doc


def page(coll_id: str, page_no: int, items: list[Any], total: int) -> OrderedCollectionPage:
    doc: OrderedCollectionPage = {
        "@context": AS,
        "id": f"{coll_id}?page={page_no}",
        "type": "OrderedCollectionPage",
        "partOf": coll_id,
        "totalItems": total,
        "orderedItems": items,
    }
    if page_no * PAGE_SIZE < total:
        doc["next"] = f"{coll_id}?page={page_no + 1}"
    if page_no > 1:
        doc["prev"] = f"{coll_id}?page={page_no - 1}"
    return doc


def parse_page(value: str | None) -> int | None:
    """`?page=N` → N (≥ 1); absent → None; anything else → ValueError."""
    if value is None:
        return None
    number = int(value)
    if number < 1 or number > 1_000_000:
        raise ValueError("page out of range")
    return number
