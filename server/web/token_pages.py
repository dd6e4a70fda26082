"""`/verwaltung/schluessel`: the API tokens (bearer tokens of the JSON API) of the
organisations a person edits — list, create (shown once), revoke."""

from __future__ import annotations

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import STORE
from mitwirken.server.usecases import api_tokens, dashboard
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.auth import check_csrf, redirect, require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.templating import render

NOTICES = {"widerrufen": N_("Der Schlüssel ist widerrufen und funktioniert nicht mehr.")}


def _page(request: web.Request, new_token: str | None = None, status: int = 200
          ) -> web.Response:
    session = require_session(request)
    store = request.app[STORE]
    orgs = dashboard.editable_orgs(store, session.account)
    return render(request, "tokens.html", {
        "tokens": api_tokens.tokens_of(store, session.account), "orgs": orgs,
        "names": {a.username: a.name for a in orgs}, "new_token": new_token,
        "notice": NOTICES.get(request.query.get("hinweis", ""))},
        status=status, headers=NO_STORE)


async def tokens_page(request: web.Request) -> web.Response:
    return _page(request)


async def create_token(request: web.Request) -> web.Response:
    session = require_session(request)
    form = await request.post()
    check_csrf(request, form)
    try:
        token = api_tokens.create(request.app[STORE], session.account, str(form.get("org", "")),
                                  str(form.get("label", "")))
    except api_tokens.NotAllowed as exc:
        raise page_error(403, "forbidden", str(exc)) from exc
    return _page(request, new_token=token, status=201)


async def revoke_token(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    check_csrf(request, await request.post())
    try:
        token_id = int(request.match_info["id"])
        api_tokens.revoke(request.app[STORE], session.account, token_id)
    except (ValueError, api_tokens.NotAllowed) as exc:
        raise page_error(404, "not_found", N_("Diesen Schlüssel gibt es nicht, oder er gehört "
                         "einer Organisation, die Sie nicht bearbeiten dürfen.")) from exc
    return redirect("/verwaltung/schluessel?hinweis=widerrufen")
