"""`/verwaltung/antworten`: the responses inbox of the web UI (issue 13 on issue 14's screens) —
the list with what is overdue, one thread, the answer form, handled/reopened, and for public
comments approve/hide. Everything goes through `usecases.responses`, the same use case as
`/api/v1/responses`; who sees what is its rule (`may_see`): an editor the responses of the
organisations they edit, staff and admins (acting as the city) all of them."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models.actors import LocalActor
from mitwirken.models.states import IllegalTransition
from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import responses
from mitwirken.server.usecases.login import Session
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

NO_STORE = {"Cache-Control": "no-store"}
STATES = {"open": N_("Offen"), "answered": N_("Beantwortet"), "handled": N_("Erledigt")}
VISIBILITY = {"direct": N_("Nachricht an die Organisation"),
              "public": N_("Öffentlicher Kommentar"), "form": N_("Über das Formular")}
NOTICES = {"gesendet": N_("Die Antwort ist unterwegs zur Person."),
           "erledigt": N_("Als erledigt markiert."), "geoeffnet": N_("Wieder geöffnet."),
           "freigegeben": N_("Der Kommentar ist freigegeben und erscheint unter dem Beitrag."),
           "verborgen": N_("Der Kommentar ist verborgen.")}
NOT_FOUND = N_("Diese Rückmeldung gibt es nicht, oder sie gehört einer anderen Organisation.")


def viewers(store, session: Session) -> list[LocalActor]:
    """The actors whose responses this person sees: the city for staff and admins (all of
    them), else each organisation they edit."""
    if session.account.sees_all:
        return [actor_repo.city_actor(store)]
    found = (actor_repo.get_actor(store, u) for u in session.account.orgs)
    return [a for a in found if a is not None]


def _overdue(item: dict, now: datetime) -> bool:
    due = item.get("due_at")
    return item["state"] == "open" and isinstance(due, str) and \
        datetime.fromisoformat(due.replace("Z", "+00:00")) < now


def visible_items(store, session: Session, state: str | None, now: datetime) -> list[dict]:
    items: dict[object, dict] = {}
    for actor in viewers(store, session):
        for item in responses.list_for(store, actor, state=state):
            items[item["id"]] = {**item, "overdue": _overdue(item, now)}
    return sorted(items.values(), key=lambda i: str(i["received_at"]), reverse=True)


def summary(store, session: Session, now: datetime) -> dict[str, int]:
    """What the dashboard shows: open responses and how many of them are overdue."""
    open_items = visible_items(store, session, "open", now)
    return {"open": len(open_items), "overdue": sum(i["overdue"] for i in open_items)}


def _acting(request: web.Request, session: Session) -> tuple[LocalActor, dict]:
    """The actor allowed to see this response (as the use case checks it), and the response."""
    store = request.app[STORE]
    for actor in viewers(store, session):
        try:
            row = responses.visible(store, actor, request.match_info["id"])
        except responses.NotFound:
            continue
        return actor, responses.present(store, row)
    log.warning("web_forbidden account=%d path=%s", session.account.id, request.path)
    raise page_error(404, "not_found", NOT_FOUND)


def _titles(request: web.Request, items: list[dict]) -> dict[str, str]:
    """Our objects' titles by ap_id, for the list (one lookup per distinct object)."""
    store, urls = request.app[STORE], request.app[URLS]
    prefixes = {urls.opportunity(""): "opportunities", urls.practice(""): "practices"}
    out: dict[str, str] = {}
    for item in items:
        ap_id = item.get("object")
        if not isinstance(ap_id, str) or ap_id in out:
            continue
        for prefix, kind in prefixes.items():
            if ap_id.startswith(prefix):
                obj = content_store.get(store, kind, ap_id.removeprefix(prefix))  # type: ignore[arg-type]
                out[ap_id] = obj.title if obj is not None else ap_id
        out.setdefault(ap_id, ap_id)
    return out


async def list_page(request: web.Request) -> web.Response:
    session = require_session(request)
    store, now = request.app[STORE], request.app[CLOCK]()
    state = request.query.get("status", "open")
    if state not in (*STATES, "alle"):
        raise page_error(400, "bad_state", N_("Unbekannter Status."))
    items = visible_items(store, session, None if state == "alle" else state, now)
    return render(request, "responses_list.html", {
        "items": items, "state": state, "states": STATES, "visibility": VISIBILITY,
        "titles": _titles(request, items), "notice": NOTICES.get(request.query.get("hinweis", ""))},
        headers=NO_STORE)


def _thread(request: web.Request, session: Session, *, error: str | None = None,
            draft: str = "", status: int = 200) -> web.Response:
    _, item = _acting(request, session)
    now = request.app[CLOCK]()
    messages = [{**m, "html": Markup(m["content"])} for m in item["messages"]]  # noqa: S704 - sanitised when stored
    return render(request, "response_thread.html", {
        "item": {**item, "overdue": _overdue(item, now)}, "messages": messages,
        "states": STATES, "visibility": VISIBILITY, "error": error, "draft": draft,
        "title": _titles(request, [item]).get(str(item.get("object")), ""),
        "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


async def thread_page(request: web.Request) -> web.Response:
    return _thread(request, require_session(request))


async def _posted(request: web.Request) -> tuple[Session, Any, LocalActor, dict]:
    """A form POST on one response: logged in, CSRF checked, the response visible."""
    session = require_session(request)
    form = await request.post()
    check_csrf(request, form)
    actor, item = _acting(request, session)
    return session, form, actor, item


async def answer_submit(request: web.Request) -> web.StreamResponse:
    session, form, actor, item = await _posted(request)
    svc = request.app[SERVICES]
    deps = responses.Answering(store=svc.store, urls=svc.urls, actors=svc.remote_actors,
                               clock=svc.clock, wake=svc.workers.delivery.wake)
    content = str(form.get("antwort", ""))
    try:
        await responses.answer(deps, actor, str(item["id"]), content)
    except responses.BadAnswer as exc:
        return _thread(request, session, error=str(exc), draft=content, status=422)
    log.info("web_response_answered id=%s account=%d", item["id"], session.account.id)
    return redirect(f"/verwaltung/antworten/{item['id']}?hinweis=gesendet")


async def state_submit(request: web.Request) -> web.StreamResponse:
    _, form, actor, item = await _posted(request)
    wanted = str(form.get("status", ""))
    if wanted not in ("handled", "open"):
        raise page_error(400, "bad_state", N_("Unbekannter Status."))
    try:
        responses.set_state(request.app[STORE], actor, str(item["id"]), wanted,
                            request.app[CLOCK]())
    except IllegalTransition as exc:
        raise page_error(409, "illegal_transition",
                         N_("Das geht in diesem Zustand nicht.")) from exc
    notice = "erledigt" if wanted == "handled" else "geoeffnet"
    return redirect(f"/verwaltung/antworten/{item['id']}?hinweis={notice}")


async def moderation_submit(request: web.Request) -> web.StreamResponse:
    _, form, actor, item = await _posted(request)
    decision = {"freigeben": "approved", "verbergen": "hidden"}.get(str(form.get("aktion", "")))
    if decision is None:
        raise page_error(400, "bad_decision", N_("Unbekannte Entscheidung."))
    try:
        responses.moderate(request.app[STORE], actor, str(item["id"]), decision)  # type: ignore[arg-type]
    except responses.HeldForAdmins as exc:
        raise page_error(409, "held_for_review", responses.HELD_TEXT) from exc
    except responses.NotPublic as exc:
        raise page_error(409, "not_public", N_("Nur öffentliche Kommentare werden freigegeben.")) \
            from exc
    notice = "freigegeben" if decision == "approved" else "verborgen"
    return redirect(f"/verwaltung/antworten/{item['id']}?hinweis={notice}")
