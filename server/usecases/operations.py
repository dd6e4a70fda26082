"""Operations: what an admin looks at to see whether federation works — the delivery queue
(counts, unavailable domains, recent rows, retry one now), the log of received activities,
the known instances (their software from NodeInfo, followers here, delivery health, last
activity) and the figures of `/metrics`. Shared by the CLI and the admin API."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, TypedDict

from mitwirken.federation.discovery import remote_software
from mitwirken.federation.fetch import Fetcher, FetchError
from mitwirken.models import audit, deliveries, domain_policy, inbox_items, instances, reports
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.operations")


def delivery_queue(store: Store, state: str | None, limit: int,
                   domain: str | None = None) -> dict[str, Any]:
    """`{"summary": counts per state and unavailable domains, "deliveries": newest rows}`
    (of one state, and of one domain with its subdomains, when given)."""
    return {"summary": deliveries.delivery_summary(store),
            "deliveries": deliveries.list_deliveries(store, state, limit, domain) if limit
            else []}


def delivery(store: Store, delivery_id: int) -> deliveries.DeliveryListing | None:
    return deliveries.get_delivery(store, delivery_id)


def retry_delivery(store: Store, delivery_id: int, now: datetime, *,
                   by: str | None = None) -> bool:
    """Try a failed or waiting delivery again now; False if there is no such open row. An
    admin's retry (`by`) goes into the audit log."""
    with store.tx():
        done = deliveries.requeue_delivery(store, delivery_id, now)
        if done and by is not None:
            audit.record(store, actor=by, action="delivery.retry", target=str(delivery_id),
                         now=now)
    return done


def received_activities(store: Store, limit: int) -> list[dict[str, Any]]:
    """The newest inbox items with their outcome, and the type and id of their object (the
    body itself is not shown)."""
    rows = inbox_items.list_recent(store, limit)
    for row in rows:
        body = json.loads(row.pop("body"))
        obj = body.get("object")
        row["object_type"] = obj.get("type") if isinstance(obj, dict) else None
        row["object_id"] = obj.get("id") if isinstance(obj, dict) else obj
    return rows


def reclaim_leases(store: Store) -> tuple[int, int]:
    """At start-up under the data folder's lock: the rows the previous run had claimed are free
    again at once instead of after their lease (`(deliveries, inbox items)`)."""
    return deliveries.release_leases(store), inbox_items.release_leases(store)


class QueueFigures(TypedDict):
    """What `/metrics` reports from the database at each scrape."""

    deliveries: dict[str, int]  # state → rows
    unavailable_domains: int
    inbox_items: list[tuple[str, str, int]]  # (type, state, rows); unknown types as "other"
    open_reports: int


def queue_figures(store: Store, known_types: frozenset[str]) -> QueueFigures:
    """Deliveries per state, unavailable domains, and inbox items per type and state (types
    nobody routes count as `other`, so a peer cannot invent label values)."""
    summary = deliveries.delivery_summary(store)
    merged: dict[tuple[str, str], int] = {}
    for type_, state, n in inbox_items.counts_by_type_and_state(store):
        key = (type_ if type_ in known_types else "other", state)
        merged[key] = merged.get(key, 0) + n
    return QueueFigures(
        deliveries={"pending": summary["pending"], "held": summary["held"],
                    "done": summary["done"], "failed": summary["failed"]},
        unavailable_domains=len(summary["unavailable_domains"]),
        inbox_items=[(t, s, n) for (t, s), n in sorted(merged.items())],
        open_reports=reports.count_open(store))


def known_instances(store: Store, limit: int = 1000) -> list[instances.InstanceOverview]:
    return instances.overview(store, limit)


async def refresh_instances(store: Store, fetcher: Fetcher, now: datetime,
                            limit: int = 200) -> int:
    """Read the NodeInfo of every known instance this one federates with (refused domains
    are skipped: nothing is fetched from them); returns how many answered."""
    answered = 0
    for domain in instances.known_domains(store, limit):
        if domain_policy.is_refused(store, domain):
            continue
        try:
            software, version = await remote_software(fetcher, domain)
        except FetchError as exc:
            instances.save(store, domain, software=None, version=None, error=exc.reason[:300],
                           now=now)
            log.info("nodeinfo_failed domain=%s reason=%s", domain, exc.reason)
            continue
        instances.save(store, domain, software=software, version=version, error=None, now=now)
        answered += 1
    return answered


def delivery_health(store: Store, now: datetime) -> dict[str, Any]:
    """The delivery-health document: queue depth per state, outcomes over the last 24 hours
    and 7 days, the failing domains with their latest answer, and the unavailable ones."""
    summary = deliveries.delivery_summary(store)
    return {"queue": {"pending": summary["pending"], "held": summary["held"]},
            "last_24h": deliveries.outcomes_since(store, now - timedelta(hours=24)),
            "last_7d": deliveries.outcomes_since(store, now - timedelta(days=7)),
            "failing_domains": deliveries.failures_by_domain(store),
            "unavailable_domains": summary["unavailable_domains"]}


def retry_domain(store: Store, domain: str, now: datetime, *, by: str) -> int:
    """Try every failed or waiting delivery to a domain again now (audited); the delivery
    worker still holds those its policy does not let through. Returns how many."""
    with store.tx():
        n = deliveries.requeue_domain(store, domain, now)
        deliveries.mark_domain_available(store, domain)
        audit.record(store, actor=by, action="delivery.retry_domain", target=domain,
                     details={"requeued": n}, now=now)
    log.info("deliveries_requeued domain=%s n=%d by=%s", domain, n, by)
    return n
