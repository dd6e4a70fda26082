"""`/folgen`: the "Folgen" form — a visitor types their fediverse address and is sent to
their own server to confirm the follow (`usecases.remote_follow`)."""

from __future__ import annotations

import math

from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import FOLLOW_LIMIT, SERVICES, STORE, URLS
from mitwirken.server.usecases.remote_follow import CannotFollow, follow_page
from mitwirken.server.web import i18n
from mitwirken.server.web.origin_check import refuse_cross_site
from mitwirken.server.web.templating import render


def _target(request: web.Request, username: str) -> actor_repo.LocalActor:
    actor = actor_repo.get_actor(request.app[STORE], username.lower()) if username else None
    if actor is None or actor.kind == "instance":
        actor = actor_repo.city_actor(request.app[STORE])
    return actor


def _form(request: web.Request, actor: actor_repo.LocalActor, *, handle: str = "",
          error: str | None = None, status: int = 200) -> web.Response:
    urls = request.app[URLS]
    return render(request, "follow.html", {
        "actor": actor, "handle": f"@{actor.username}@{urls.domain}", "visitor": handle,
        "error": error}, status=status)


async def follow_form(request: web.Request) -> web.Response:
    return _form(request, _target(request, request.query.get("konto", "")))


async def follow_submit(request: web.Request) -> web.Response:
    refuse_cross_site(request)
    form = await request.post()
    actor = _target(request, str(form.get("konto", "")))
    visitor = str(form.get("handle", "")).strip()
    wait = request.app[FOLLOW_LIMIT].allow(request.remote or "?")
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        tr = i18n.translations(i18n.locale_of(request))
        return _form(request, actor, handle=visitor, status=429, error=tr.ngettext(
            "Zu viele Versuche. Bitte versuchen Sie es in %(num)s Minute noch einmal.",
            "Zu viele Versuche. Bitte versuchen Sie es in %(num)s Minuten noch einmal.",
            minutes) % {"num": minutes})
    urls = request.app[URLS]
    try:
        target = await follow_page(request.app[SERVICES].fetcher, visitor,
                                   f"{actor.username}@{urls.domain}", urls.actor(actor.username))
    except CannotFollow as exc:
        error = i18n.gettext_of(request)(exc.template) % exc.values if exc.values \
            else exc.message
        return _form(request, actor, handle=visitor, error=error, status=400)
    raise web.HTTPSeeOther(target)
