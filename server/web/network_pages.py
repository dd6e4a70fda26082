"""`/verwaltung/netzwerk` (admins only): the city's (or an organisation's, `?konto=`) place in
the network — whom it follows (follow another city by handle, unfollow), who follows it
(approve or reject pending requests, remove a follower: it gets a `Reject`), and every known
instance with its software, followers here and delivery state. Through `usecases.follows` and
`usecases.operations`, the use cases of `mitwirken follow|unfollow|approve|reject|
remove-follower|instances`."""

from __future__ import annotations

import logging
from itertools import islice

from aiohttp import web

from mitwirken.federation.fetch import FetchError
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.models.actors import LocalActor
from mitwirken.models.text_marks import N_
from mitwirken.models.web_names import WebNameError
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases import operations
from mitwirken.server.web import i18n
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import REASON_TOO_LONG, audit_name, reason_of, require_admin
from mitwirken.server.web.auth import check_csrf
from mitwirken.server.web.forms import text_value
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

STATES = {"pending": N_("wartet auf Zustimmung"), "accepted": N_("bestätigt"),
          "requested": N_("angefragt"), "rejected": N_("abgelehnt")}
MAX_LISTED = 500


def _actor(request: web.Request, username: str) -> LocalActor:
    store = request.app[STORE]
    actor = actor_repo.get_actor(store, username.lower()) if username else None
    if actor is None or actor.kind == "instance":
        actor = actor_repo.city_actor(store)
    return actor


def _page(request: web.Request, actor: LocalActor, *, notice: str | None = None,
          error: str | None = None, handle: str = "", status: int = 200) -> web.Response:
    store = request.app[STORE]
    return render(request, "network_admin.html", {
        "actor": actor, "actors": [a for a in actor_repo.list_actors(store)
                                   if a.kind != "instance"],
        "following": follows.list_following(store, actor.username),
        "followers": list(islice(follows.list_followers(store, actor.username), MAX_LISTED)),
        "instances": operations.known_instances(store), "states": STATES,
        "notice": notice, "error": error, "handle": handle, "here": "netzwerk"},
        status=status, headers=NO_STORE)


async def network_page(request: web.Request) -> web.Response:
    require_admin(request)
    return _page(request, _actor(request, request.query.get("konto", "")))


async def follow_submit(request: web.Request) -> web.Response:
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    actor = _actor(request, text_value(form, "konto"))
    handle = text_value(form, "handle")[:300]
    svc = request.app[SERVICES]
    try:
        remote = await social.lookup(svc.fetcher, svc.remote_actors, handle)
    except (WebNameError, FetchError) as exc:
        log.info("web_follow_failed account=%d target=%s", session.account.id, handle[:100])
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        _ = i18n.gettext_of(request)
        return _page(request, actor, handle=handle, status=422,
                     error=_("„%(handle)s“ wurde nicht gefunden (%(reason)s).")
                     % {"handle": handle, "reason": reason})
    social.follow(request.app[STORE], request.app[URLS], actor.username, remote,
                  request.app[CLOCK](), by=audit_name(session))
    svc.workers.delivery.wake()
    log.info("web_follow account=%d actor=%s target=%s", session.account.id, actor.username,
             remote.id)
    _ = i18n.gettext_of(request)
    return _page(request, actor, notice=_("Die Folgeanfrage an %(target)s ist unterwegs.")
                 % {"target": remote.id})


async def approval_submit(request: web.Request) -> web.Response:
    """Whether this actor's new followers wait for approval (`manuallyApprovesFollowers`)."""
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    actor = _actor(request, text_value(form, "konto"))
    on = text_value(form, "bestaetigen") == "ja"
    reason = reason_of(form)
    if reason is None:
        return _page(request, actor, error=REASON_TOO_LONG, status=422)
    social.set_manual_approval(request.app[STORE], request.app[URLS], actor.username, on,
                               request.app[CLOCK](), by=audit_name(session), reason=reason)
    request.app[SERVICES].workers.delivery.wake()
    log.info("web_manual_approval account=%d actor=%s on=%s", session.account.id,
             actor.username, on)
    actor = _actor(request, actor.username)
    return _page(request, actor, notice=(
        N_("Neue Folgende warten jetzt auf Ihre Zustimmung.") if on
        else N_("Neue Folgende werden jetzt ohne Rückfrage angenommen.")))


async def decide_submit(request: web.Request) -> web.Response:
    """One of: unfollow, approve or reject a request, remove a follower."""
    session = require_admin(request)
    form = await request.post()
    check_csrf(request, form)
    actor = _actor(request, text_value(form, "konto"))
    target, action, reason = text_value(form, "actor")[:2000], text_value(form, "aktion"), \
        reason_of(form)
    if reason is None:
        return _page(request, actor, error=REASON_TOO_LONG, status=422)
    store, urls, now, by = request.app[STORE], request.app[URLS], request.app[CLOCK](), \
        audit_name(session)
    _ = i18n.gettext_of(request)
    names = {"actor": actor.username, "target": target}
    if action == "entfolgen":
        done = social.unfollow(store, urls, actor.username, target, now, by=by)
        notice = _("@%(actor)s folgt %(target)s nicht mehr.") % names
    elif action in ("annehmen", "ablehnen"):
        done = social.decide_follow_request(store, urls, actor.username, target,
                                            accept=action == "annehmen", now=now, by=by,
                                            reason=reason)
        notice = (_("Angenommen: %(target)s") if action == "annehmen"
                  else _("Abgelehnt: %(target)s")) % names
    elif action == "entfernen":
        done = social.remove_follower(store, urls, actor.username, target, now, by=by,
                                      reason=reason)
        notice = _("Entfernt: %(target)s folgt @%(actor)s nicht mehr.") % names
    else:
        return _page(request, actor, error=N_("Unbekannte Aktion."), status=422)
    if not done:
        return _page(request, actor, status=404,
                     error=_("%(target)s passt nicht zu dieser Aktion (schon erledigt?).")
                     % names)
    request.app[SERVICES].workers.delivery.wake()
    log.info("web_network account=%d actor=%s action=%s target=%s", session.account.id,
             actor.username, action, target)
    return _page(request, actor, notice=notice)
