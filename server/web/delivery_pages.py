"""`/verwaltung/zustellung` (admins only): delivery health — the queue per state, outcomes of
the last 24 hours and 7 days, the failing domains with their latest HTTP status and error,
the domains marked unavailable — and "Jetzt erneut versuchen" per domain; the list of
deliveries by state and domain with "Jetzt erneut versuchen" per failed or waiting one (issue
15). Through `usecases.operations` (`delivery_health`, `delivery_queue`, `retry_domain`,
`retry_delivery`), the use cases of `GET /api/v1/admin/delivery-health`,
`GET /api/v1/admin/deliveries`, `POST /api/v1/admin/deliveries/retry` and
`POST /api/v1/admin/deliveries/{id}/retry`."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from mitwirken.models.text_marks import N_
from mitwirken.models.web_names import WebNameError
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE
from mitwirken.server.usecases import moderation, operations
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import audit_name, require_admin
from mitwirken.server.web.auth import check_csrf
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

STATE_NAMES = {"pending": N_("wartend"), "held": N_("zurückgehalten"),
               "done": N_("zugestellt"), "failed": N_("aufgegeben")}
RETRYABLE = ("pending", "failed")  # what `retry_delivery` takes up again
LIST_LIMIT = 100
BAD_STATE = N_("Unbekannter Zustand: wählen Sie wartend, zurückgehalten, zugestellt oder "
               "aufgegeben.")
NO_SUCH_DELIVERY = N_("Keine wartende oder aufgegebene Zustellung mit dieser Nummer.")


class Filters:
    """The list's filters (`zustand`, `domain`), checked: `error` names the bad one."""

    def __init__(self, values: MultiDictProxy[Any]) -> None:
        self.state: str | None = text_value(values, "zustand") or None
        self.domain: str | None = text_value(values, "domain") or None
        self.raw_domain = self.domain or ""
        self.error: str | None = None
        if self.state is not None and self.state not in STATE_NAMES:
            self.state, self.error = None, BAD_STATE
        if self.domain is not None:
            try:
                self.domain = moderation.normalised_domain(self.domain)
            except WebNameError as exc:
                self.domain, self.error = None, f"{exc}"


def _page(request: web.Request, *, filters: Filters | None = None, notice: str | None = None,
          error: str | None = None, status: int = 200) -> web.Response:
    store = request.app[STORE]
    filters = filters or Filters(request.query)
    queue = operations.delivery_queue(store, filters.state, LIST_LIMIT, domain=filters.domain)
    summary = queue["summary"]
    return render(request, "delivery.html", {
        "health": operations.delivery_health(store, request.app[CLOCK]()),
        "queue": {"pending": summary["pending"], "held": summary["held"],
                  "done": summary["done"], "failed": summary["failed"]},
        "deliveries": queue["deliveries"], "filters": filters, "retryable": RETRYABLE,
        "list_limit": LIST_LIMIT,
        "state_names": STATE_NAMES, "notice": notice, "error": error or filters.error},
        status=status, headers=NO_STORE)


async def delivery_page(request: web.Request) -> web.Response:
    session = require_admin(request)
    filters = Filters(request.query)
    if filters.error:
        log.info("web_delivery_filter_invalid account=%d", session.account.id)
        return _page(request, filters=filters, status=400)
    return _page(request, filters=filters)


async def retry_one_submit(request: web.Request) -> web.StreamResponse:
    """"Jetzt erneut versuchen" on one row of the list (`operations.retry_delivery`, audited
    as `delivery.retry`); the page comes back with the list's filters."""
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        delivery_id = int(request.match_info["id"])
    except ValueError:
        delivery_id = -1
    if delivery_id < 0 or not operations.retry_delivery(
            request.app[STORE], delivery_id, request.app[CLOCK](), by=audit_name(session)):
        log.info("web_delivery_retry_unknown account=%d id=%s", session.account.id,
                 request.match_info["id"][:40])
        raise page_error(404, "not_found", NO_SUCH_DELIVERY)
    request.app[SERVICES].workers.delivery.wake()
    log.info("web_delivery_retry_one account=%d id=%d", session.account.id, delivery_id)
    _ = i18n.gettext_of(request)
    return _page(request, filters=Filters(form),
                 notice=_("Die Zustellung %(id)s wird jetzt erneut versucht.")
                 % {"id": delivery_id})


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
