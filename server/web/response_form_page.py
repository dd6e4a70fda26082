"""The response form on an opportunity's page (issue 13): people without a fediverse account
write to the organisation. The opportunity page shows the form (`form_context`); this module
answers its POST."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from mitwirken.models import content_store
from mitwirken.server.app_keys import RESPONSE_FORM_LIMIT, SERVICES, STORE, URLS
from mitwirken.server.usecases import response_form
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.origin_check import refuse_cross_site
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def form_context(ap_id: str, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"form_action": f"{ap_id}/rueckmeldung", "values": values or {},
            "errors": errors or {}, "privacy_text": response_form.PRIVACY_TEXT}


async def opportunity_response(request: web.Request) -> web.Response:
    store, urls = request.app[STORE], request.app[URLS]
    object_id = request.match_info["id"]
    opp = content_store.get(store, "opportunities", object_id)
    if opp is None:
        raise ApiError(404, "not_found", "Unknown object.")
    refuse_cross_site(request)
    if request.content_type not in FORM_TYPES:
        raise ApiError(415, "unsupported_media_type", "Bitte das Formular benutzen.")
    wait = request.app[RESPONSE_FORM_LIMIT].allow(request.remote or "?")
    if wait:
        log.warning("form_dropped reason=rate_limit_address remote=%s", request.remote)
        raise ApiError(429, "too_many_requests", "Zu viele Nachrichten von dieser Adresse. "
                       "Bitte versuchen Sie es später wieder.",
                       {"Retry-After": str(max(1, int(wait)))})
    posted = await request.post()
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    ap_id = urls.opportunity(object_id)
    page = {"opp": opp, "ap_id": ap_id}
    try:
        response_form.receive(store, urls, object_id, values, request.app[SERVICES].clock())
    except response_form.NoSuchOpportunity as exc:
        raise ApiError(404, "not_found", "Unknown object.") from exc
    except response_form.FormInvalid as exc:
        shown = {k: values.get(k, "")[:5000] for k in ("name", "kontakt", "nachricht")}
        return render(request, "response_sent.html", {
            **page, "sent": False, **form_context(ap_id, shown, exc.problems)}, status=422)
    except response_form.FormLimited as exc:
        raise ApiError(429, "too_many_requests", "Zu viele Nachrichten von dieser Adresse. "
                       "Bitte versuchen Sie es morgen wieder.") from exc
    return render(request, "response_sent.html", {**page, "sent": True})
