"""`/verwaltung/foederation` (admins only): the federation mode with a switch, the domain
rules (block, limit, allow, each with a reason) with add / change / remove forms,
Mastodon's domain-block CSV (upload to import, download to export), and the blocked remote
actors (block one by its URL, lift a block). Through `usecases.moderation` and
`usecases.actor_blocks`, the same use cases as the admin API and `mitwirken block`."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.web_request import FileField

from mitwirken.models.domain_policy import Mode, Policy
from mitwirken.models.text_marks import N_
from mitwirken.models.web_names import WebNameError
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import actor_blocks, moderation, operations
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import (
    REASON_TOO_LONG,
    audit_name,
    reason_of,
    require_admin,
)
from mitwirken.server.web.auth import check_csrf, redirect
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

PAGE = "/verwaltung/foederation"
POLICY_NAMES = {"block": N_("Sperren"), "limit": N_("Einschränken"), "allow": N_("Erlauben")}
NOTICES = {
    "modus": N_("Der Föderationsmodus ist umgestellt; das gilt ab sofort."),
    "regel": N_("Die Regel für die Domain ist gespeichert und gilt ab sofort."),
    "entfernt": N_("Die Regel ist entfernt."),
    "konto": N_("Das Konto ist gesperrt; seine Follows, Inhalte und Antworten sind entfernt."),
    "aufgehoben": N_("Die Sperre des Kontos ist aufgehoben."),
}


def _page(request: web.Request, *, error: str | None = None, notice: str | None = None,
          values: dict[str, str] | None = None, status: int = 200) -> web.Response:
    store = request.app[STORE]
    return render(request, "federation.html", {
        "mode": moderation.federation_mode(store).value,
        "held": operations.delivery_queue(store, None, 0)["summary"]["held"],
        "rules": moderation.domain_rules(store), "policy_names": POLICY_NAMES,
        "actor_blocks": actor_blocks.list_blocks(store),
        "error": error, "values": values or {},
        "notice": notice or NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


def _invalid(request: web.Request, message: str, values: dict[str, str] | None = None
             ) -> web.Response:
    log.info("web_federation_invalid path=%s", request.path)
    return _page(request, error=message, values=values, status=422)


async def federation_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _page(request)


async def mode_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    mode, reason = text_value(form, "mode"), reason_of(form)
    if mode not in [m.value for m in Mode]:
        return _invalid(request, N_("Bitte »offen« oder »nur erlaubte Domains« wählen."))
    if reason is None:
        return _invalid(request, REASON_TOO_LONG)
    result = moderation.set_federation_mode(request.app[STORE], Mode(mode),
                                            request.app[CLOCK](), by=audit_name(session),
                                            reason=reason)
    log.info("web_federation_mode account=%d mode=%s released=%d held=%d",
             session.account.id, mode, result["released"], result["held"])
    return redirect(f"{PAGE}?hinweis=modus")


async def rule_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    values = {"domain": text_value(form, "domain")[:300], "policy": text_value(form, "policy"),
              "reason": text_value(form, "reason")[:2000]}
    reason = reason_of(form)
    if not values["domain"]:
        return _invalid(request, N_("Bitte einen Domainnamen angeben, z. B. »spam.example«."),
                        values)
    if values["policy"] not in [p.value for p in Policy]:
        return _invalid(request, N_("Bitte »Sperren«, »Einschränken« oder »Erlauben« wählen."),
                        values)
    if reason is None:
        return _invalid(request, REASON_TOO_LONG, values)
    try:
        rule = moderation.set_domain_rule(request.app[STORE], values["domain"],
                                          Policy(values["policy"]), reason,
                                          request.app[CLOCK](), by=audit_name(session))
    except WebNameError as exc:
        return _invalid(request, f"{exc}", values)
    log.info("web_domain_rule account=%d domain=%s policy=%s", session.account.id,
             rule["domain"], rule["policy"])
    return redirect(f"{PAGE}?hinweis=regel")


async def remove_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    reason = reason_of(form)
    if reason is None:
        return _invalid(request, REASON_TOO_LONG)
    try:
        domain = moderation.normalised_domain(text_value(form, "domain"))
        removed = moderation.remove_domain_rule(request.app[STORE], domain,
                                                request.app[CLOCK](), by=audit_name(session),
                                                reason=reason)
    except WebNameError as exc:
        return _invalid(request, f"{exc}")
    if not removed:
        return _invalid(request, N_("Für diese Domain gibt es keine Regel."))
    log.info("web_domain_rule_removed account=%d domain=%s", session.account.id, domain)
    return redirect(f"{PAGE}?hinweis=entfernt")


async def import_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    upload = form.get("file")
    if not isinstance(upload, FileField):
        return _invalid(request, N_("Bitte eine CSV-Datei auswählen (Export aus Mastodon: "
                        "Moderation → Föderation → Exportieren)."))
    try:
        text = upload.file.read().decode("utf-8")
    except UnicodeDecodeError:
        return _invalid(request, N_("Die Datei ist kein Text in UTF-8 – ist es wirklich die "
                        "CSV-Datei aus Mastodon? Nichts wurde verändert."))
    try:
        result = moderation.import_mastodon_csv(request.app[STORE], text, request.app[CLOCK](),
                                                by=audit_name(session))
    except moderation.CsvError as exc:
        return _invalid(request, str(exc))
    log.info("web_domain_import account=%d blocked=%d limited=%d allowed=%d",
             session.account.id, result["blocked"], result["limited"], result["allowed"])
    _ = i18n.gettext_of(request)
    return _page(request, notice=_(
        N_("Die Sperrliste ist eingelesen: %(blocked)s gesperrt, %(limited)s eingeschränkt, "
        "%(allowed)s erlaubt.")) % result)


async def export_csv(request: web.Request) -> web.Response:
    session = require_admin(request)
    text = moderation.export_mastodon_csv(request.app[STORE])
    log.info("web_domain_export account=%d", session.account.id)
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="domain_blocks.csv"'})


async def actor_block_submit(request: web.Request) -> web.StreamResponse:
    """Block one remote actor by its URL (as `POST /api/v1/admin/actors`)."""
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    values = {"actor": text_value(form, "actor")[:2000],
              "actor_reason": text_value(form, "reason")[:2000]}
    reason = reason_of(form)
    if reason is None:
        return _invalid(request, REASON_TOO_LONG, values)
    try:
        block = actor_blocks.block_actor(request.app[STORE], request.app[URLS],
                                         values["actor"], reason, request.app[CLOCK](),
                                         by=audit_name(session))
    except actor_blocks.ActorBlockError as exc:
        return _invalid(request, str(exc), values)
    request.app[SERVICES].workers.delivery.wake()  # the Rejects of its follows
    log.info("web_actor_blocked account=%d actor=%s", session.account.id, block["actor"])
    return redirect(f"{PAGE}?hinweis=konto")


async def actor_unblock_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    reason = reason_of(form)
    if reason is None:
        return _invalid(request, REASON_TOO_LONG)
    raw = text_value(form, "id")
    lifted = actor_blocks.unblock_actor(request.app[STORE], int(raw), request.app[CLOCK](),
                                        by=audit_name(session),
                                        reason=reason) if raw.isdigit() else None
    if lifted is None:
        return _invalid(request, N_("Diese Sperre gibt es nicht (mehr)."))
    log.info("web_actor_unblocked account=%d actor=%s", session.account.id, lifted["actor"])
    return redirect(f"{PAGE}?hinweis=aufgehoben")
