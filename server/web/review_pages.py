"""`/verwaltung/inhalte` (admins only): remote content review — what limited domains sent
(held until approved) and what was hidden, and for any remote object or public reply by its
URL: approve, hide (it leaves the search and the pages at once) or remove (deleted, and a
tombstone keeps it from coming back). Through `usecases.moderation` (`held_content`,
`approve_content`, `hide_content`, `remove_content`), the use cases of `mitwirken review`."""

from __future__ import annotations

import logging

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import CLOCK, STORE
from mitwirken.server.usecases import moderation
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import REASON_TOO_LONG, audit_name, reason_of, require_admin
from mitwirken.server.web.auth import check_csrf
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

ACTIONS = {"freigeben": ("approve", N_("ist freigegeben")),  # the form's word → the decision
           "ausblenden": ("hide", N_("ist ausgeblendet")),
           "entfernen": ("remove", N_("ist entfernt"))}
NOT_STORED = (N_("Unter dieser Adresse ist hier kein Inhalt aus dem Netzwerk gespeichert (oder "
              "nichts, was freigegeben werden könnte)."))


def _page(request: web.Request, *, notice: str | None = None, error: str | None = None,
          object_iri: str = "", status: int = 200) -> web.Response:
    return render(request, "review.html", {
        "items": moderation.held_content(request.app[STORE]), "notice": notice,
        "error": error, "object": object_iri, "here": "inhalte"},
        status=status, headers=NO_STORE)


async def review_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _page(request)


async def decide_submit(request: web.Request) -> web.Response:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    object_iri, action = text_value(form, "object")[:2000], text_value(form, "aktion")
    reason = reason_of(form)
    if action not in ACTIONS or not object_iri.startswith(("https://", "http://")):
        return _page(request, error=N_("Bitte die Adresse (URL) des Inhalts und eine Aktion "
                     "angeben."), object_iri=object_iri, status=422)
    if reason is None:
        return _page(request, error=REASON_TOO_LONG, object_iri=object_iri, status=422)
    decision, done = ACTIONS[action]
    decide = moderation.REVIEW_DECISIONS[decision]
    if not decide(request.app[STORE], object_iri, request.app[CLOCK](), by=audit_name(session),
                  reason=reason):
        return _page(request, error=NOT_STORED, object_iri=object_iri, status=404)
    log.info("web_review account=%d action=%s object=%s", session.account.id, action,
             object_iri)
    return _page(request, notice=f"{object_iri} {i18n.gettext_of(request)(done)}.")
