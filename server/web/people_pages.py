"""`/verwaltung/personen` (staff and admins): the web accounts — list, add (the one-time
set-password link is shown once), reset a password, remove. Through `usecases.accounts`, the
same use case as the `mitwirken user` commands, which also decides who may touch which account
(staff: staff and editor accounts; admins: all; nobody their own removal)."""

from __future__ import annotations

import logging

from aiohttp import web

from mitwirken.models.accounts import ROLES, AccountError
from mitwirken.models.actors import LocalActor
from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import ACCOUNTS, SETTINGS, STORE
from mitwirken.server.usecases import dashboard
from mitwirken.server.usecases.accounts import AccountForbidden, OwnAccount
from mitwirken.server.usecases.login import Session
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import audit_name
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import ApiError, page_error
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

ROLE_NAMES = {"admin": N_("Administration"),
              "staff": N_("Anlaufstelle (alle Organisationen)"),
              "editor": N_("Redaktion einer Organisation")}
NOTICES = {"entfernt": N_("Das Konto ist entfernt; seine Anmeldungen sind beendet.")}


MANAGERS = ("admin", "staff")


def _manager(request: web.Request) -> Session:
    session = require_session(request)
    if session.account.role not in MANAGERS:
        raise page_error(403, "forbidden", N_("Konten verwalten nur die Anlaufstelle und die "
                         "Administration."))
    return session


def _roles(session: Session) -> tuple[str, ...]:
    """The roles this person may give (staff: no admin)."""
    return ROLES if session.account.role == "admin" else tuple(r for r in ROLES if r != "admin")


def _refused(request: web.Request, exc: AccountError) -> ApiError:
    if isinstance(exc, AccountForbidden):
        return page_error(403, "forbidden", i18n.message_of(request, exc))
    if isinstance(exc, OwnAccount):
        return page_error(422, "own_account", i18n.message_of(request, exc))
    return page_error(404, "not_found", i18n.message_of(request, exc))


def _orgs(request: web.Request, session: Session) -> list[LocalActor]:
    return dashboard.editable_orgs(request.app[STORE], session.account)


def _page(request: web.Request, session: Session, *, link: str | None = None,
          error: str | None = None, status: int = 200, email: str = "") -> web.Response:
    return render(request, "people.html", {
        "accounts": request.app[ACCOUNTS].list(), "roles": _roles(session),
        "role_names": ROLE_NAMES,
        "orgs": _orgs(request, session), "link": link, "error": error, "email": email,
        "me": session.account, "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})


async def people_page(request: web.Request) -> web.Response:
    return _page(request, _manager(request))


async def add_person(request: web.Request) -> web.Response:
    session = _manager(request)
    form = await request.post()
    check_csrf(request, form)
    email = str(form.get("email", ""))[:300]
    try:
        new = request.app[ACCOUNTS].add(email, str(form.get("role", "")),
                                        [str(o) for o in form.getall("org", [])],
                                        by=audit_name(session), acting=session.account)
    except AccountForbidden as exc:
        raise _refused(request, exc) from exc
    except AccountError as exc:
        return _page(request, session, error=i18n.message_of(request, exc), status=422,
                     email=email)
    log.info("web_account_added by=%d id=%d", session.account.id, new.account.id)
    return _page(request, session, link=request.app[SETTINGS].base_url + (new.link or ""),
                 status=201)


async def reset_person(request: web.Request) -> web.Response:
    session = _manager(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        link = request.app[ACCOUNTS].reset(str(form.get("email", "")),
                                           by=audit_name(session), acting=session.account)
    except AccountError as exc:
        raise _refused(request, exc) from exc
    return _page(request, session, link=request.app[SETTINGS].base_url + link)


async def remove_person(request: web.Request) -> web.StreamResponse:
    session = _manager(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        request.app[ACCOUNTS].remove(str(form.get("email", "")), by=audit_name(session),
                                     acting=session.account)
    except AccountError as exc:
        raise _refused(request, exc) from exc
    return redirect("/verwaltung/personen?hinweis=entfernt")
