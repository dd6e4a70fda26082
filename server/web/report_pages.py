"""`/verwaltung/meldungen` (admins only; the report form `/verwaltung/meldungen/senden` also
for staff, roles in `REPORTER_ROLES`): the moderation queue — open reports first, one
report with its comment, who reported it and the reported actor and objects, and the actions
(dismiss, hide, remove, block actor, block domain) with a reason. Through
`usecases.reports.resolve`, the use case of `POST /api/v1/admin/reports/{id}/resolve`."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import reports
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import (
    REASON_TOO_LONG,
    audit_name,
    reason_of,
    require_admin,
    require_reporter,
)
from mitwirken.server.web.auth import check_csrf, redirect
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

NOT_FOUND = N_("Diese Meldung gibt es nicht.")
ACTION_NAMES = {"dismiss": N_("Verwerfen (kein Verstoß)"), "hide": N_("Verbergen"),
                "remove": N_("Entfernen (löschen)"), "block_actor": N_("Konto sperren"),
                "block_domain": N_("Domain sperren")}
DONE_NAMES = {**ACTION_NAMES, "forwarded": N_("an den Ursprungsserver weitergeleitet")}
STATE_NAMES = {"open": N_("offen"), "resolved": N_("erledigt")}
DIRECTION_NAMES = {"incoming": N_("eingegangen"), "outgoing": N_("von hier gesendet")}
NOTICES = {"erledigt": N_("Die Meldung ist erledigt.")}


def _kinds(request: web.Request) -> list[tuple[str, str]]:
    base = request.app[URLS].base
    return [(base + "/actors/", "Konto"), (base + "/angebote/", "Angebot"),
            (base + "/praxis/", "Praxisbeispiel")]


def _objects(request: web.Request, urls: list[str]) -> list[dict[str, str]]:
    """The reported URLs with what each is (for the admin's eye only)."""
    kinds = _kinds(request)
    return [{"url": url, "kind": next((k for p, k in kinds if url.startswith(p)), "Inhalt")}
            for url in urls]


def _list(request: web.Request, *, notice: str | None = None, error: str | None = None,
          values: dict[str, str] | None = None, status: int = 200) -> web.Response:
    store = request.app[STORE]
    items = reports.list_reports(store, "open") + [
        r for r in reports.list_reports(store, None) if r["state"] != "open"]
    return render(request, "reports.html", {
        "items": items, "state_names": STATE_NAMES, "action_names": ACTION_NAMES,
        "direction_names": DIRECTION_NAMES, "done_names": DONE_NAMES, "notice": notice,
        "error": error, "values": values or {}}, status=status, headers=NO_STORE)


async def list_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _list(request)


SINGLE = "einzeln"  # the hidden `form` field of the report form on its own page
SENT = N_("Die Meldung ist an den Server des Inhalts unterwegs.")


def _send_form(request: web.Request, *, notice: str | None = None, error: str | None = None,
               values: dict[str, str] | None = None, status: int = 200) -> web.Response:
    return render(request, "report_send.html", {
        "values": values or {"object": request.query.get("objekt", "")[:2000]},
        "notice": notice, "error": error, "admin": _is_admin(request)},
        status=status, headers=NO_STORE)


def _is_admin(request: web.Request) -> bool:
    session = require_reporter(request)
    return session.account.role == "admin"


async def send_form(request: web.Request) -> web.Response:
    """The report form on its own page (admins and staff), linked from remote content on the
    search and review pages: `?objekt=URL` fills in the address."""
    require_reporter(request)
    return _send_form(request)


async def send_submit(request: web.Request) -> web.Response:
    """Report remote content to its origin: a `Flag` from the instance actor (as
    `POST /api/v1/admin/reports` and `mitwirken report send`). Admins and staff; the answer is
    the form's own page, or for an admin sending from the reports screen that screen."""
    session = require_reporter(request)
    form = await request.post()
    check_csrf(request, form)
    url, comment = text_value(form, "object")[:2000], reason_of(form, "comment")
    values = {"object": url, "comment": text_value(form, "comment")[:2000]}
    single = text_value(form, "form") == SINGLE or session.account.role != "admin"
    answer = _send_form if single else _list
    if not url.startswith(("https://", "http://")):
        log.info("web_report_invalid reason=no_url account=%d", session.account.id)
        return answer(request, values=values, status=422,
                      error=N_("Bitte die Adresse (URL) des gemeldeten Inhalts angeben."))
    if comment is None:
        return answer(request, values=values, status=422, error=REASON_TOO_LONG)
    try:
        report = reports.send(request.app[STORE], request.app[SERVICES].urls, url, comment,
                              request.app[CLOCK](), by=audit_name(session))
    except reports.UnknownObject:
        log.info("web_report_invalid reason=unknown_object account=%d", session.account.id)
        return answer(request, values=values, status=404,
                      error=N_("Dieser Inhalt ist hier nicht bekannt."))
    request.app[SERVICES].workers.delivery.wake()
    log.info("web_report_sent account=%d role=%s report=%s", session.account.id,
             session.account.role, report["id"])
    return answer(request, notice=SENT, values={"object": "", "comment": ""})


def _report_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise page_error(404, "not_found", NOT_FOUND)
    return int(raw)


def _report(request: web.Request) -> dict[str, Any]:
    report = reports.get_report(request.app[STORE], _report_id(request))
    if report is None:
        raise page_error(404, "not_found", NOT_FOUND)
    return report


def _detail(request: web.Request, report: dict[str, Any], *, error: str | None = None,
            values: dict[str, str] | None = None, status: int = 200) -> web.Response:
    target = reports.reported_actor(request.app[STORE], request.app[URLS], report["objects"])
    return render(request, "report.html", {
        "report": report, "objects": _objects(request, report["objects"]),
        "target": target, "target_is_ours": bool(target and target.startswith(
            request.app[URLS].base + "/")),
        "state_names": STATE_NAMES, "action_names": ACTION_NAMES, "error": error,
        "direction_names": DIRECTION_NAMES, "done_names": DONE_NAMES,
        "values": values or {}, "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


async def report_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _detail(request, _report(request))


async def resolve_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    report = _report(request)
    form = await request.post()
    check_csrf(request, form)
    values = {"action": text_value(form, "action"), "reason": text_value(form, "reason")[:2000]}
    reason = reason_of(form)
    if report["state"] != "open":
        return _detail(request, report, status=409,
                       error=N_("Diese Meldung ist schon erledigt; es ändert sich nichts."))
    if values["action"] not in reports.ACTIONS:
        return _invalid(request, report, N_("Bitte eine der Maßnahmen wählen."), values)
    if reason is None:
        return _invalid(request, report, REASON_TOO_LONG, values)
    app = request.app
    try:
        result = reports.resolve(app[STORE], app[SERVICES].content, report["id"],
                                 values["action"], reason, app[CLOCK](), by=audit_name(session))
    except reports.ReportError as exc:
        return _invalid(request, report, str(exc), values)
    if result is None:
        raise page_error(404, "not_found", NOT_FOUND)
    log.info("web_report_resolved account=%d id=%d action=%s removed=%d", session.account.id,
             report["id"], values["action"], len(result["removed"]))
    return redirect(f"/verwaltung/meldungen/{report['id']}?hinweis=erledigt")


def _invalid(request: web.Request, report: dict[str, Any], message: str,
             values: dict[str, str]) -> web.Response:
    log.info("web_report_invalid id=%d action=%s", report["id"], values["action"][:40] or "-")
    return _detail(request, report, error=message, values=values, status=422)
