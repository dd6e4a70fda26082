"""`/verwaltung/praxis/…`: the practice-post form (create, edit, preview, delete). Every write
goes through `usecases.publishing.ContentService`, as the JSON API's."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from markupsafe import Markup
from pydantic import ValidationError

from mitwirken.federation.mastodon_view import mastodon_status_html
from mitwirken.models import actors as actor_repo
from mitwirken.models.content import Practice, german_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import PracticeSection, label
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import dashboard
from mitwirken.server.usecases.login import Session
from mitwirken.server.web import i18n, page_text
from mitwirken.server.web import practice_form as fields
from mitwirken.server.web.admin_pages import (
    NO_STORE,
    default_org,
    own_object,
    posting_org,
    service,
)
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.forms import FormState
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

NOTICES = {"veroeffentlicht": N_("Das Praxisbeispiel ist veröffentlicht."),
           "gespeichert": N_("Die Änderungen sind gespeichert und werden verteilt.")}


def _own(request: web.Request, session: Session) -> Practice:
    obj = own_object(request, session, "practices")
    assert isinstance(obj, Practice)
    return obj


def _page(request: web.Request, session: Session, state: FormState, *,
          practice: Practice | None, preview: dict[str, Any] | None = None,
          status: int = 200) -> web.Response:
    return render(request, "practice_form.html", {
        "state": state, "practice": practice, "preview": preview, "help": fields.HELP,
        "vocab": fields.VOCABULARIES, "label": label, "partner_rows": fields.PARTNER_ROWS,
        "orgs": dashboard.editable_orgs(request.app[STORE], session.account),
        "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


def _preview(request: web.Request, obj: Practice, doc: dict[str, Any]) -> dict[str, Any]:
    actor = actor_repo.get_actor(request.app[STORE], obj.org_username)
    return {
        "content": Markup(mastodon_status_html(doc)),  # noqa: S704
        "actor": actor, "handle": f"@{obj.org_username}@{request.app[URLS].domain}",
        "practice": obj,
        "sections": [(s, Markup(page_text.markdown(obj.sections[s])))  # noqa: S704
                     for s in PracticeSection if s in obj.sections],
    }


def _invalid(request: web.Request, session: Session, state: FormState, exc: ValidationError,
             practice: Practice | None) -> web.Response:
    fields.place_errors(german_errors(exc, i18n.gettext_of(request)), state)
    log.info("web_form_invalid account=%d fields=%s", session.account.id,
             ",".join(sorted(state.errors)) or "-")
    return _page(request, session, state, practice=practice, status=422)


async def new_form(request: web.Request) -> web.Response:
    session = require_session(request)
    city = service(request).city_name(actor_repo.city_actor(request.app[STORE]).name)
    return _page(request, session, FormState(fields.values_of(None, default_org(request, session),
                                                              city)), practice=None)


async def new_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    form = await request.post()
    check_csrf(request, form)
    values = fields.values_of_form(form)
    org = posting_org(request, session, values["org"])
    data = fields.input_of(values)
    state = FormState(values)
    svc = service(request)
    try:
        if form.get("aktion") == "vorschau":
            obj, doc = svc.preview("practices", org, data)
            assert isinstance(obj, Practice)
            return _page(request, session, state, practice=None,
                         preview=_preview(request, obj, doc))
        created = svc.create("practices", org, data)
    except ValidationError as exc:
        return _invalid(request, session, state, exc, None)
    log.info("web_published account=%d id=%s org=%s kind=practice", session.account.id,
             created.id, org)
    return redirect(f"/verwaltung/praxis/{created.id}?hinweis=veroeffentlicht")


async def edit_form(request: web.Request) -> web.Response:
    session = require_session(request)
    practice = _own(request, session)
    return _page(request, session, FormState(fields.values_of(practice)), practice=practice)


async def edit_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    practice = _own(request, session)
    assert practice.id is not None
    form = await request.post()
    check_csrf(request, form)
    values = {**fields.values_of_form(form), "org": practice.org_username}
    data = fields.input_of(values, current=practice)
    state = FormState(values)
    svc = service(request)
    try:
        if form.get("aktion") == "vorschau":
            obj, doc = svc.preview("practices", practice.org_username, data,
                                   object_id=practice.id)
            assert isinstance(obj, Practice)
            return _page(request, session, state, practice=practice,
                         preview=_preview(request, obj, doc))
        svc.update("practices", practice.id, data)
    except ValidationError as exc:
        return _invalid(request, session, state, exc, practice)
    log.info("web_saved account=%d id=%s kind=practice", session.account.id, practice.id)
    return redirect(f"/verwaltung/praxis/{practice.id}?hinweis=gespeichert")


async def delete_form(request: web.Request) -> web.Response:
    session = require_session(request)
    practice = _own(request, session)
    return render(request, "delete.html", {"opp": practice, "what": "Praxisbeispiel"},
                  headers=NO_STORE)


async def delete_submit(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    practice = _own(request, session)
    assert practice.id is not None
    check_csrf(request, await request.post())
    service(request).delete("practices", practice.id)
    log.info("web_deleted account=%d id=%s kind=practice", session.account.id, practice.id)
    return redirect("/verwaltung?hinweis=geloescht")
