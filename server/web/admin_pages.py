"""`/verwaltung`: the dashboard and the opportunity form of the web UI (German). Every write
goes through `usecases.publishing.ContentService`, the same use case as the JSON API."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from markupsafe import Markup
from pydantic import ValidationError

from mitwirken.federation.mastodon_view import mastodon_status_html
from mitwirken.models import actors as actor_repo
from mitwirken.models.content import Opportunity, Practice, german_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import OpportunityStatus, label
from mitwirken.server.app_keys import CLOCK, SERVICES, SETTINGS, STORE, URLS
from mitwirken.server.usecases import dashboard
from mitwirken.server.usecases.login import Session
from mitwirken.server.usecases.publishing import ContentService, Kind, NotFound
from mitwirken.server.web import i18n, page_text, responses_pages
from mitwirken.server.web import opportunity_form as form_fields
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

NO_STORE = {"Cache-Control": "no-store"}
NOT_YOURS = N_("Dieser Eintrag gehört einer Organisation, die Sie nicht bearbeiten dürfen.")
NOTICES = {
    "veroeffentlicht": N_("Das Angebot ist veröffentlicht."),
    "gespeichert": N_("Die Änderungen sind gespeichert und werden verteilt."),
    "bestaetigt": N_("Danke! Das Angebot ist als „noch aktuell“ bestätigt."),
    "pausiert": N_("Das Angebot ist pausiert und erscheint nicht mehr in der Liste."),
    "geschlossen": N_("Das Angebot ist beendet."),
    "geoeffnet": N_("Das Angebot ist wieder aktiv."),
    "geloescht": N_("Das Angebot ist gelöscht."),
}


def default_org(request: web.Request, session: Session) -> str:
    """The organisation a new post is for unless the person chooses: their first own one,
    else (staff, admins) the first they may edit."""
    if session.account.orgs:
        return session.account.orgs[0]
    orgs = dashboard.editable_orgs(request.app[STORE], session.account)
    return orgs[0].username if orgs else ""


def posting_org(request: web.Request, session: Session, chosen: str) -> str:
    """The organisation a submitted new post is for; 403 unless this person may publish as
    it (and it is an organisation or the city)."""
    org = chosen or (session.account.orgs[0] if session.account.orgs else "")
    if not session.account.may_edit(org) or actor_repo.kind_of(request.app[STORE], org) not in (
            "org", "city"):
        raise page_error(403, "forbidden", NOT_YOURS)
    return org


def service(request: web.Request) -> ContentService:
    return request.app[SERVICES].content


def own_object(request: web.Request, session: Session, kind: Kind
               ) -> Opportunity | Practice:
    """The object of the URL, if this person may edit it: else 404 or 403 (German page)."""
    try:
        obj = service(request).get(kind, request.match_info["id"])
    except NotFound as exc:
        raise page_error(404, "not_found", N_("Diesen Eintrag gibt es nicht (mehr).")) from exc
    if not session.account.may_edit(obj.org_username):
        log.warning("web_forbidden account=%d path=%s", session.account.id, request.path)
        raise page_error(403, "forbidden", NOT_YOURS)
    return obj


def _own_opportunity(request: web.Request, session: Session) -> Opportunity:
    obj = own_object(request, session, "opportunities")
    assert isinstance(obj, Opportunity)
    return obj


async def dashboard_page(request: web.Request) -> web.Response:
    session = require_session(request)
    settings = request.app[SETTINGS]
    orgs = dashboard.overview(request.app[STORE], session.account, request.app[CLOCK](),
                              settings.auto_pause_days)
    return render(request, "dashboard.html", {
        "orgs": orgs, "account": session.account, "label": label,
        "responses": responses_pages.summary(request.app[STORE], session,
                                             request.app[CLOCK]()),
        "notice": NOTICES.get(request.query.get("hinweis", ""))}, headers=NO_STORE)


def _form_page(request: web.Request, session: Session, state: form_fields.FormState, *,
               opp: Opportunity | None, preview: dict[str, Any] | None = None,
               status: int = 200) -> web.Response:
    store = request.app[STORE]
    return render(request, "opportunity_form.html", {
        "state": state, "opp": opp, "preview": preview, "help": form_fields.HELP,
        "vocab": form_fields.VOCABULARIES, "label": label, "place_rows": form_fields.PLACE_ROWS,
        "orgs": dashboard.editable_orgs(store, session.account),
        "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


def _preview(request: web.Request, obj: Opportunity, doc: dict[str, Any]) -> dict[str, Any]:
    """The post as a Mastodon timeline shows it, beside the page view."""
    actor = actor_repo.get_actor(request.app[STORE], obj.org_username)
    urls = request.app[URLS]
    attachments = [a for a in doc.get("attachment", []) if isinstance(a, dict)
                   and str(a.get("mediaType", "")).startswith("image/")]
    return {
        "content": Markup(mastodon_status_html(doc)),  # noqa: S704
        "actor": actor, "handle": f"@{obj.org_username}@{urls.domain}",
        "images": attachments, "opp": obj,
        "facts": page_text.opportunity_facts(obj, i18n.locale_of(request)),
        "description": Markup(page_text.markdown(obj.description)),  # noqa: S704
        "contact": page_text.contact_lines(obj, i18n.locale_of(request)),
    }


async def new_form(request: web.Request) -> web.Response:
    session = require_session(request)
    return _form_page(request, session, form_fields.FormState(
        form_fields.values_of(None, default_org(request, session))), opp=None)


async def new_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    form = await request.post()
    check_csrf(request, form)
    values = form_fields.values_of_form(form)
    org = posting_org(request, session, values["org"])
    data = form_fields.input_of(values)
    svc = service(request)
    state = form_fields.FormState(values)
    try:
        if form.get("aktion") == "vorschau":
            obj, doc = svc.preview("opportunities", org, data)
            assert isinstance(obj, Opportunity)
            return _form_page(request, session, state, opp=None,
                              preview=_preview(request, obj, doc))
        created = svc.create("opportunities", org, data)
    except ValidationError as exc:
        return _invalid(request, session, state, exc, opp=None)
    log.info("web_published account=%d id=%s org=%s", session.account.id, created.id, org)
    return redirect(f"/verwaltung/angebote/{created.id}?hinweis=veroeffentlicht")


def _invalid(request: web.Request, session: Session, state: form_fields.FormState,
             exc: ValidationError, opp: Opportunity | None) -> web.Response:
    form_fields.place_errors(german_errors(exc, i18n.gettext_of(request)), state)
    log.info("web_form_invalid account=%d fields=%s", session.account.id,
             ",".join(sorted(state.errors)) or "-")
    return _form_page(request, session, state, opp=opp, status=422)


async def edit_form(request: web.Request) -> web.Response:
    session = require_session(request)
    opp = _own_opportunity(request, session)
    return _form_page(request, session, form_fields.FormState(form_fields.values_of(opp)),
                      opp=opp)


async def edit_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    opp = _own_opportunity(request, session)
    form = await request.post()
    check_csrf(request, form)
    values = {**form_fields.values_of_form(form), "org": opp.org_username}
    data = form_fields.input_of(values, current=opp)
    svc = service(request)
    state = form_fields.FormState(values)
    assert opp.id is not None
    try:
        if form.get("aktion") == "vorschau":
            obj, doc = svc.preview("opportunities", opp.org_username, data, object_id=opp.id)
            assert isinstance(obj, Opportunity)
            return _form_page(request, session, state, opp=opp,
                              preview=_preview(request, obj, doc))
        svc.update("opportunities", opp.id, data)
    except ValidationError as exc:
        return _invalid(request, session, state, exc, opp=opp)
    log.info("web_saved account=%d id=%s", session.account.id, opp.id)
    return redirect(f"/verwaltung/angebote/{opp.id}?hinweis=gespeichert")


ACTIONS = {"bestaetigen": "bestaetigt", "pausieren": "pausiert", "schliessen": "geschlossen",
           "oeffnen": "geoeffnet"}


async def action(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    opp = _own_opportunity(request, session)
    check_csrf(request, await request.post())
    name = request.match_info["action"]
    svc = service(request)
    assert opp.id is not None
    if name == "bestaetigen":
        svc.confirm(opp.id)
    elif name == "pausieren":
        svc.set_status(opp.id, OpportunityStatus.PAUSED)
    elif name == "schliessen":
        svc.set_status(opp.id, OpportunityStatus.CLOSED)
    else:
        svc.set_status(opp.id, OpportunityStatus.OPEN)
    log.info("web_action account=%d id=%s action=%s", session.account.id, opp.id, name)
    return redirect(f"/verwaltung?hinweis={ACTIONS[name]}")


async def delete_form(request: web.Request) -> web.Response:
    session = require_session(request)
    opp = _own_opportunity(request, session)
    return render(request, "delete.html", {"opp": opp}, headers=NO_STORE)


async def delete_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    opp = _own_opportunity(request, session)
    check_csrf(request, await request.post())
    assert opp.id is not None
    service(request).delete("opportunities", opp.id)
    log.info("web_deleted account=%d id=%s", session.account.id, opp.id)
    return redirect("/verwaltung?hinweis=geloescht")
