"""Every HTTP route of the instance, in one table: method, path, handler.

The handlers live in the modules of this package, one per group of URLs; this is the only
place that says which URL reaches which handler (the order is aiohttp's matching order). The
static files are added by the application factory."""

from __future__ import annotations

from aiohttp import web

from mitwirken.server.web import (
    actors,
    admin,
    api,
    discovery,
    health,
    inbox,
    network,
    objects,
    openapi,
    pages,
)

ROUTES: list[web.RouteDef] = [
    web.get("/.well-known/webfinger", discovery.webfinger),
    web.get("/.well-known/host-meta", discovery.host_meta),
    web.get("/.well-known/nodeinfo", discovery.nodeinfo_links),
    web.get("/nodeinfo/{version}", discovery.nodeinfo),
    web.get("/ns", discovery.namespace),

    web.get("/actor", actors.instance_actor),
    web.get("/actor/followers", actors.instance_followers),
    web.get("/actor/outbox", actors.instance_outbox),
    web.get("/actors/{username}", actors.actor_document),
    web.get("/@{username}", actors.profile_page),
    web.get("/actors/{username}/outbox", actors.outbox),
    web.get("/actors/{username}/followers", actors.followers),
    web.get("/actors/{username}/following", actors.following),

    web.post("/inbox", inbox.shared_inbox),
    web.post("/actors/{username}/inbox", inbox.actor_inbox),
    web.post("/actor/inbox", inbox.instance_inbox),

    web.get("/api/v1/{kind:opportunities|practices}", api.list_own),
    web.post("/api/v1/{kind:opportunities|practices}", api.create),
    web.get("/api/v1/{kind:opportunities|practices}/{id}", api.read),
    web.patch("/api/v1/{kind:opportunities|practices}/{id}", api.update),
    web.delete("/api/v1/{kind:opportunities|practices}/{id}", api.delete),
    web.post("/api/v1/opportunities/{id}/confirm", api.confirm),
    web.post("/api/v1/opportunities/{id}/close", api.close),
    web.get("/api/v1/{kind:opportunities|practices}/{id}/interactions", api.interactions),
    web.get("/api/v1/admin/inbox", api.admin_inbox),
    web.get("/api/v1/admin/federation", admin.get_federation),
    web.post("/api/v1/admin/federation", admin.set_federation),
    web.get("/api/v1/admin/domains", admin.list_domains),
    web.post("/api/v1/admin/domains", admin.set_domain),
    web.get("/api/v1/admin/domains/{domain}", admin.get_domain),
    web.delete("/api/v1/admin/domains/{domain}", admin.delete_domain),
    web.get("/api/v1/admin/audit", admin.audit_log),
    web.get("/api/v1/admin/reports", admin.list_reports),
    web.post("/api/v1/admin/reports", admin.send_report),
    web.post("/api/v1/admin/reports/{id}/resolve", admin.resolve_report),
    web.get("/api/v1/admin/instances", admin.list_instances),
    web.get("/api/v1/admin/deliveries", admin.list_deliveries),
    web.post("/api/v1/admin/deliveries/retry", admin.retry_domain),
    web.post("/api/v1/admin/deliveries/{id}/retry", admin.retry_delivery),
    web.get("/api/v1/admin/delivery-health", admin.delivery_health),

    web.get("/api/v1/openapi.json", openapi.openapi_json),
    web.get("/api/v1/instance/domain_blocks", discovery.domain_blocks),

    web.get("/api/v1/search", network.search_api),
    web.get("/suche", network.search_page),
    web.get("/praxis/{id}/adoptedBy", network.adopted_by),

    web.get("/angebote/{id}", objects.opportunity),
    web.get("/praxis/{id}", objects.practice),
    web.get("/angebote", objects.opportunity_list),
    web.get("/praxis", objects.practice_list),
    web.get("/activities/{id}", objects.activity),

    web.get("/", pages.home),
    web.get("/about", pages.about),
    web.get("/tags/{name}", pages.tag_page),

    web.get("/healthz", health.healthz, allow_head=True),  # for the proxy and monitoring
    web.get("/metrics", health.metrics),  # Prometheus; 404 unless metrics_token is set
]
