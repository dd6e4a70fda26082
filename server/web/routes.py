"""Every HTTP route of the instance, in one table: method, path, handler.

The handlers live in the modules of this package, one per group of URLs; this is the only
place that says which URL reaches which handler (the order is aiohttp's matching order). The
static files are added by the application factory."""

from __future__ import annotations

from aiohttp import web

from mitwirken.server.web import (
    actors,
    admin_pages,
    api,
    discovery,
    health,
    inbox,
    login,
    network,
    objects,
    openapi,
    pages,
    people_pages,
    practice_pages,
    token_pages,
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

    web.get("/api/v1/openapi.json", openapi.openapi_json),

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

    web.get("/anmelden", login.login_form),
    web.post("/anmelden", login.login_submit),
    web.post("/abmelden", login.logout),
    web.post("/abmelden/ueberall", login.logout_everywhere),
    web.get("/passwort/{token}", login.password_form),
    web.post("/passwort/{token}", login.password_submit),

    web.get("/verwaltung", admin_pages.dashboard_page),
    web.get("/verwaltung/angebote/neu", admin_pages.new_form),
    web.post("/verwaltung/angebote/neu", admin_pages.new_submit),
    web.get("/verwaltung/angebote/{id}", admin_pages.edit_form),
    web.post("/verwaltung/angebote/{id}", admin_pages.edit_submit),
    web.get("/verwaltung/angebote/{id}/loeschen", admin_pages.delete_form),
    web.post("/verwaltung/angebote/{id}/loeschen", admin_pages.delete_submit),
    web.post("/verwaltung/angebote/{id}/{action:bestaetigen|pausieren|schliessen|oeffnen}",
             admin_pages.action),
    web.get("/verwaltung/personen", people_pages.people_page),
    web.post("/verwaltung/personen", people_pages.add_person),
    web.post("/verwaltung/personen/zuruecksetzen", people_pages.reset_person),
    web.post("/verwaltung/personen/entfernen", people_pages.remove_person),
    web.get("/verwaltung/schluessel", token_pages.tokens_page),
    web.post("/verwaltung/schluessel", token_pages.create_token),
    web.post("/verwaltung/schluessel/{id}/widerrufen", token_pages.revoke_token),
    web.get("/verwaltung/praxis/neu", practice_pages.new_form),
    web.post("/verwaltung/praxis/neu", practice_pages.new_submit),
    web.get("/verwaltung/praxis/{id}", practice_pages.edit_form),
    web.post("/verwaltung/praxis/{id}", practice_pages.edit_submit),
    web.get("/verwaltung/praxis/{id}/loeschen", practice_pages.delete_form),
    web.post("/verwaltung/praxis/{id}/loeschen", practice_pages.delete_submit),

    web.get("/healthz", health.healthz, allow_head=True),  # for the proxy and monitoring
]
