"""`/verwaltung/rueckmeldungen`: the responses inbox of the web UI (German) — the list with
what is overdue, one thread, the answer, handled / reopened, public comments approved or
hidden. Every change goes through `usecases.responses`, the same use case as the JSON API."""

from __future__ import annotations

import logging
from datetime import datetime

from aiohttp import web

from mitwirken.models.states import IllegalTransition
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE
from mitwirken.server.usecases import responses
from mitwirken.server.usecases.response_promise import our_object
from mitwirken.server.usecases.responses import Viewer
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")
NO_STORE = {"Cache-Control": "no-store"}
STATES = {"offen": "open", "beantwortet": "answered", "erledigt": "handled"}
STATE_LABELS = {"open": "offen", "answered": "beantwortet", "handled": "erledigt"}
VISIBILITY_LABELS = {"direct": "Interessensbekundung (direkt)", "public": "öffentlicher Kommentar",
                     "form": "über das Formular"}
NOTICES = {
    "beantwortet": "Die Antwort ist unterwegs.",
    "erledigt": "Die Rückmeldung ist als erledigt markiert.",
    "geoeffnet": "Die Rückmeldung ist wieder offen.",
    "freigegeben": "Der Kommentar erscheint jetzt unter dem Eintrag.",
    "verborgen": "Der Kommentar ist verborgen.",
}
ACTIONS = {"erledigt": ("state", "handled", "erledigt"), "oeffnen": ("state", "open", "geoeffnet"),
           "freigeben": ("moderate", "approved", "freigegeben"),
           "verbergen": ("moderate", "hidden", "verborgen")}
NOT_FOUND = "Diese Rückmeldung gibt es nicht (mehr)."


def _viewer(request: web.Request) -> Viewer:
    return Viewer.of_account(require_session(request).account)


def _decorate(request: web.Request, item: dict[str, object], now: datetime
              ) -> dict[str, object]:
    """What the pages show besides the response itself: overdue, the object's title."""
    due = item.get("due_at")
    found = our_object(request.app[STORE], request.app[SERVICES].urls, str(item["object"])) \
        if item.get("object") else None
    return {**item, "overdue": item["state"] == "open" and isinstance(due, str)
            and datetime.fromisoformat(due) < now,
            "title": getattr(found[1], "title", None) if found else None,
            "state_label": STATE_LABELS.get(str(item["state"]), item["state"]),
            "visibility_label": VISIBILITY_LABELS.get(str(item["visibility"]), "")}


async def list_page(request: web.Request) -> web.Response:
    viewer = _viewer(request)
    chosen = request.query.get("status", "")
    state = STATES.get(chosen)
    now = request.app[CLOCK]()
    items = [_decorate(request, i, now)
             for i in responses.list_for(request.app[STORE], viewer, state=state)]
    items.sort(key=lambda i: (not i["overdue"], ))  # what is overdue first, else newest first
    return render(request, "responses.html", {
        "items": items, "chosen": chosen if state else "",
        "overdue": sum(1 for i in items if i["overdue"])}, headers=NO_STORE)


def _one(request: web.Request, viewer: Viewer) -> dict[str, object]:
    try:
        row = responses.visible(request.app[STORE], viewer, request.match_info["id"])
    except responses.NotFound as exc:
        raise page_error(404, "not_found", NOT_FOUND) from exc
    return _decorate(request, responses.present(request.app[STORE], row), request.app[CLOCK]())


def _thread_page(request: web.Request, item: dict[str, object], *, error: str | None = None,
                 draft: str = "", status: int = 200) -> web.Response:
    return render(request, "response.html", {
        "item": item, "error": error, "draft": draft,
        "notice": NOTICES.get(request.query.get("hinweis", ""))}, status=status,
        headers=NO_STORE)


async def thread_page(request: web.Request) -> web.Response:
    return _thread_page(request, _one(request, _viewer(request)))


async def answer_submit(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    item = _one(request, viewer)
    form = await request.post()
    check_csrf(request, form)
    content = form.get("antwort")
    svc = request.app[SERVICES]
    deps = responses.Answering(store=svc.store, urls=svc.urls, actors=svc.remote_actors,
                               clock=svc.clock, wake=svc.workers.delivery.wake)
    try:
        await responses.answer(deps, viewer, str(item["id"]), content)
    except responses.BadAnswer as exc:
        return _thread_page(request, item, error=str(exc),
                            draft=content if isinstance(content, str) else "", status=422)
    log.info("web_response_answered id=%s by=%s", item["id"], viewer.name)
    return redirect(f"/verwaltung/rueckmeldungen/{item['id']}?hinweis=beantwortet")


async def action(request: web.Request) -> web.StreamResponse:
    viewer = _viewer(request)
    item = _one(request, viewer)
    check_csrf(request, await request.post())
    kind, value, notice = ACTIONS[request.match_info["action"]]
    store = request.app[STORE]
    try:
        if kind == "state":
            responses.set_state(store, viewer, str(item["id"]), value, request.app[CLOCK]())
        else:
            responses.moderate(store, viewer, str(item["id"]), value)  # type: ignore[arg-type]
    except IllegalTransition as exc:
        raise page_error(409, "conflict", "Das geht in diesem Zustand nicht.") from exc
    except responses.NotPublic as exc:
        raise page_error(422, "not_public", "Nur öffentliche Kommentare können freigegeben "
                         "oder verborgen werden.") from exc
    return redirect(f"/verwaltung/rueckmeldungen/{item['id']}?hinweis={notice}")
