"""The metrics behind `/metrics` (Prometheus text format; the route is in `web.health`), on
only when the setting `metrics_token` is set.

Per application (tests build many apps, so nothing is registered globally):

- `mitwirken_deliveries{state}` and `mitwirken_inbox_items{type,state}`: the queues, read
  from the database at each scrape (`usecases.operations.queue_figures`); done and failed
  deliveries are the outcomes, pending and held the depth;
- `mitwirken_domains_unavailable`: domains given up on after seven days of failures;
- `mitwirken_reports_open`: reports waiting in the moderation queue;
- `mitwirken_inbox_posts_total{verdict}`: how the inbox answered (accepted, blocked, …);
- `mitwirken_http_request_duration_seconds{family}`: request latency per route family
  (`api`, `admin`, `inbox`, `actors`, `objects`, `discovery`, `pages`, `metrics`, `other`).

The latency middleware is installed only when metrics are on, so the hot GET path pays
nothing otherwise."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from mitwirken.models.store import Store
from mitwirken.server.usecases import operations

FAMILIES = (("/api/v1/admin/", "admin"), ("/api/", "api"), ("/metrics", "metrics"),
            ("/.well-known/", "discovery"), ("/nodeinfo/", "discovery"), ("/ns", "discovery"),
            ("/actor", "actors"), ("/@", "actors"), ("/angebote", "objects"),
            ("/praxis", "objects"), ("/activities/", "objects"), ("/static/", "static"))


def family(request: web.Request) -> str:
    """The route family of a request, from its matched route (never from the raw path, so a
    scanner cannot invent label values)."""
    resource = request.match_info.route.resource
    if resource is None:
        return "other"
    path = resource.canonical
    if path == "/inbox" or path.endswith("/inbox"):
        return "inbox"
    for prefix, name in FAMILIES:
        if path.startswith(prefix):
            return name
    return "pages"


class _Queues(Collector):
    def __init__(self, store: Store, known_types: Callable[[], frozenset[str]]) -> None:
        self.store = store
        self.known_types = known_types

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = operations.queue_figures(self.store, self.known_types())
        deliveries = GaugeMetricFamily("mitwirken_deliveries", "Deliveries by state (kept "
                                       "14 days after they finish)", labels=["state"])
        for state, n in figures["deliveries"].items():
            deliveries.add_metric([state], n)
        yield deliveries
        yield GaugeMetricFamily("mitwirken_domains_unavailable", "Remote domains marked "
                                "unavailable (failures on seven days)",
                                value=figures["unavailable_domains"])
        yield GaugeMetricFamily("mitwirken_reports_open", "Reports waiting in the moderation "
                                "queue", value=figures["open_reports"])
        items = GaugeMetricFamily("mitwirken_inbox_items", "Received activities by type and "
                                  "state (kept 14 days)", labels=["type", "state"])
        for type_, state, n in figures["inbox_items"]:
            items.add_metric([type_, state], n)
        yield items


class Metrics:
    """The registry of one app, and the instruments the web layer feeds."""

    def __init__(self, store: Store, known_types: Callable[[], frozenset[str]]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Histogram("mitwirken_http_request_duration_seconds",
                                  "Request latency by route family", ["family"],
                                  registry=self.registry)
        self.inbox_posts = Counter("mitwirken_inbox_posts", "Inbox POSTs by verdict",
                                   ["verdict"], registry=self.registry)
        self.registry.register(_Queues(store, known_types))

    def render(self) -> bytes:
        return generate_latest(self.registry)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def latency_middleware(metrics: Metrics) -> Callable[[web.Request, Handler],
                                                     Awaitable[web.StreamResponse]]:
    @web.middleware
    async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
        start = time.perf_counter()
        try:
            return await handler(request)
        finally:
            metrics.requests.labels(family(request)).observe(time.perf_counter() - start)
    return measure
