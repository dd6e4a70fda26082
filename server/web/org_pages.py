"""`/verwaltung/organisationen` (staff and admins): the organisations with their editors; a
new organisation; its profile (a change is sent to its followers as an `Update`); assigning
and unassigning editors. Through `usecases.organisations`, the use case of `mitwirken org add`."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from mitwirken.models.accounts import AccountError
from mitwirken.models.actors import SECTOR_LABELS, ActorError, LocalActor
from mitwirken.models.german_errors import german_errors
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import Sector
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases.login import Session
from mitwirken.server.usecases.organisations import PROFILE_FIELDS, Organisations
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import audit_name
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.forms import FormState, place_errors, text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

STAFF_ONLY = N_("Organisationen verwalten die Anlaufstelle und die Administration.")
NOT_FOUND = N_("Diese Organisation gibt es nicht.")
LIST_NOTICES = {"angelegt": N_("Die Organisation ist angelegt."),
                "zugeordnet": N_("Die Person gehört jetzt zur Redaktion."),
                "entfernt": N_("Die Person gehört nicht mehr zur Redaktion dieser Organisation.")}
EDIT_NOTICES = {"gespeichert": N_("Das Profil ist gespeichert; wer der Organisation folgt, "
                               "sieht es bald auch in Mastodon.")}
HELP = {
    "username": N_("Der Name im Fediverse, z. B. „tafel“ wird zu @tafel@{domain}. 1–30 "
                "Zeichen: Kleinbuchstaben a–z, Ziffern und _. Später nicht mehr änderbar."),
    "name": N_("So heißt die Organisation, wie sie überall angezeigt wird, z. B. „Tafel "
            "Musterstadt e. V.“."),
    "sector": N_("Zu welchem Bereich gehört die Organisation?"),
    "summary": N_("Ein paar Sätze: Was macht die Organisation, wen sucht sie? Eine Leerzeile "
               "beginnt einen neuen Absatz."),
    "website": N_("Die Adresse der eigenen Website, beginnend mit https://."),
    "email": N_("Wohin Interessierte schreiben können."),
    "phone": N_("Eine Telefonnummer für Fragen, z. B. 0123 456789."),
    "office_hours": N_("Wann jemand erreichbar ist, z. B. „Di und Do 10–12 Uhr“."),
    "address": N_("Straße, Hausnummer und Ort, falls man vorbeikommen kann."),
}
# Longer input is cut before validation; well above every field's limit, so an over-long
# value still gets its German error rather than being shortened silently.
FIELD_MAX = 10_000


def _staff(request: web.Request) -> Session:
    session = require_session(request)
    if not session.account.sees_all:
        log.warning("web_forbidden account=%d path=%s", session.account.id, request.path)
        raise page_error(403, "forbidden", STAFF_ONLY)
    return session


def organisations(request: web.Request) -> Organisations:
    app = request.app
    return Organisations(app[STORE], app[URLS], app[CLOCK],
                         wake=app[SERVICES].workers.delivery.wake)


def _org(request: web.Request) -> LocalActor:
    try:
        return organisations(request).get(request.match_info["username"])
    except ActorError as exc:
        raise page_error(404, "not_found", NOT_FOUND) from exc


def _values(actor: LocalActor) -> dict[str, Any]:
    values: dict[str, Any] = {"username": actor.username}
    for name in PROFILE_FIELDS:
        value = getattr(actor, name)
        values[name] = "" if value is None else str(value)
    return values


def _read(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: text_value(form, name)[:FIELD_MAX] for name in names}


def _form(request: web.Request, state: FormState, actor: LocalActor | None,
          status: int = 200) -> web.Response:
    domain = request.app[URLS].domain
    username_help = HELP["username"]  # translated before the domain goes in
    return render(request, "org_form.html", {
        "state": state, "org": actor, "sectors": list(Sector), "domain": domain,
        "help": {**HELP, "username": i18n.translations(i18n.locale_of(request)).gettext(
            username_help).format(domain=domain)},
        "notice": EDIT_NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


def _invalid(request: web.Request, session: Session, state: FormState,
             errors: list[dict[str, str]], actor: LocalActor | None) -> web.Response:
    place_errors(errors, state, ())
    log.info("web_org_invalid account=%d org=%s fields=%s", session.account.id,
             actor.username if actor else "-", ",".join(sorted(state.errors)) or "-")
    return _form(request, state, actor, status=422)


async def list_page(request: web.Request) -> web.Response:
    session = _staff(request)
    return _list(request, session)


def _list(request: web.Request, session: Session, error: tuple[str, str] | None = None,
          status: int = 200) -> web.Response:
    orgs = organisations(request)
    entries, editors = orgs.overview(), orgs.editor_accounts()
    free = {e.actor.username: [a for a in editors if e.actor.username not in a.orgs]
            for e in entries}
    return render(request, "organisations.html", {
        "entries": entries, "free_editors": free, "sector_labels": SECTOR_LABELS,
        "error": error,
        "notice": LIST_NOTICES.get(request.query.get("hinweis", "")), "me": session.account},
        status=status, headers=NO_STORE)


async def new_form(request: web.Request) -> web.Response:
    _staff(request)
    return _form(request, FormState({"username": "", **dict.fromkeys(PROFILE_FIELDS, "")}),
                 None)


async def new_submit(request: web.Request) -> web.StreamResponse:
    session = _staff(request)
    form = await request.post()
    check_csrf(request, form)
    values = _read(form, ("username", *PROFILE_FIELDS))
    state = FormState(values)
    try:
        actor = organisations(request).add(values["username"], values,
                                           by=audit_name(session))
    except ValidationError as exc:
        return _invalid(request, session, state, german_errors(exc, i18n.gettext_of(request)),
                        None)
    except ActorError as exc:
        return _invalid(request, session, state,
                        [{"field": "username", "message": i18n.message_of(request, exc)}], None)
    log.info("web_org_added by=%d username=%s", session.account.id, actor.username)
    return redirect("/verwaltung/organisationen?hinweis=angelegt")


async def edit_form(request: web.Request) -> web.Response:
    _staff(request)
    actor = _org(request)
    return _form(request, FormState(_values(actor)), actor)


async def edit_submit(request: web.Request) -> web.StreamResponse:
    session = _staff(request)
    actor = _org(request)
    form = await request.post()
    check_csrf(request, form)
    values = _read(form, PROFILE_FIELDS)
    state = FormState({"username": actor.username, **values})
    try:
        organisations(request).edit(actor.username, values)
    except ValidationError as exc:
        return _invalid(request, session, state, german_errors(exc, i18n.gettext_of(request)),
                        actor)
    log.info("web_org_edited by=%d username=%s", session.account.id, actor.username)
    return redirect(f"/verwaltung/organisationen/{actor.username}/profil?hinweis=gespeichert")


async def assign_submit(request: web.Request) -> web.StreamResponse:
    session = _staff(request)
    actor = _org(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        account = organisations(request).assign(actor.username, text_value(form, "email"),
                                                by=audit_name(session))
    except AccountError as exc:
        return _list(request, session, error=(actor.username, i18n.message_of(request, exc)),
                     status=422)
    log.info("web_org_editor_assigned by=%d username=%s account=%d", session.account.id,
             actor.username, account.id)
    return redirect("/verwaltung/organisationen?hinweis=zugeordnet")


async def unassign_submit(request: web.Request) -> web.StreamResponse:
    session = _staff(request)
    actor = _org(request)
    form = await request.post()
    check_csrf(request, form)
    raw = text_value(form, "account")
    try:
        account = organisations(request).unassign(actor.username,
                                                  int(raw) if raw.isdigit() else 0,
                                                  by=audit_name(session))
    except AccountError as exc:
        return _list(request, session, error=(actor.username, i18n.message_of(request, exc)),
                     status=422)
    log.info("web_org_editor_unassigned by=%d username=%s account=%d", session.account.id,
             actor.username, account.id)
    return redirect("/verwaltung/organisationen?hinweis=entfernt")
