"""`/verwaltung/zustellung` (admins only): delivery health — the queue per state, outcomes of
the last 24 hours and 7 days, the failing domains with their latest HTTP status and error,
the domains marked unavailable — and "Jetzt erneut versuchen" per domain. Through
`usecases.operations` (`delivery_health`, `retry_domain`), the use cases of
`GET /api/v1/admin/delivery-health` and `POST /api/v1/admin/deliveries/retry`."""

from __future__ import annotations

import logging

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.models.web_names import WebNameError
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE
from mitwirken.server.usecases import moderation, operations
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import audit_name, require_admin
from mitwirken.server.web.auth import check_csrf
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

STATE_NAMES = {"pending": N_("wartend"), "held": N_("zurückgehalten"),
               "done": N_("zugestellt"), "failed": N_("aufgegeben")}


def _page(request: web.Request, *, notice: str | None = None, error: str | None = None,
          status: int = 200) -> web.Response:
    store = request.app[STORE]
    summary = operations.delivery_queue(store, None, 0)["summary"]
    return render(request, "delivery.html", {
        "health": operations.delivery_health(store, request.app[CLOCK]()),
        "queue": {"pending": summary["pending"], "held": summary["held"],
                  "done": summary["done"], "failed": summary["failed"]},
        "state_names": STATE_NAMES, "notice": notice, "error": error},
        status=status, headers=NO_STORE)


async def delivery_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _page(request)


async def retry_submit(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        domain = moderation.normalised_domain(text_value(form, "domain"))
    except WebNameError as exc:
        log.info("web_delivery_retry_invalid account=%d", session.account.id)
        return _page(request, error=f"{exc}", status=422)
    n = operations.retry_domain(request.app[STORE], domain, request.app[CLOCK](),
                                by=audit_name(session))
    request.app[SERVICES].workers.delivery.wake()
    log.info("web_delivery_retry account=%d domain=%s requeued=%d", session.account.id,
             domain, n)
    _ = i18n.gettext_of(request)
    return _page(request, notice=_("%(n)s Zustellung(en) an %(domain)s werden jetzt erneut "
                                   "versucht.") % {"n": n, "domain": domain})
