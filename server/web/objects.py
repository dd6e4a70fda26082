"""Object URLs: the same IRI answers ActivityStreams JSON or a German HTML page; deleted
objects answer 410 with a Tombstone."""

from __future__ import annotations

import json
from datetime import datetime

from aiohttp import web

from mitwirken.federation import activities
from mitwirken.federation.collections import collection
from mitwirken.federation.schemaorg import opportunity_jsonld, practice_jsonld, script_json
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, interactions, outbox, remote_content
from mitwirken.models.content import Opportunity
from mitwirken.models.store import Store
from mitwirken.models.vocab import PracticeSection, label
from mitwirken.server.app_keys import SERVICES, SETTINGS, STORE, URLS
from mitwirken.server.usecases import responses
from mitwirken.server.web import i18n, page_text
from mitwirken.server.web.errors import MESSAGES_DE, ApiError
from mitwirken.server.web.negotiation import ap_response, wants_activity_json
from mitwirken.server.web.paging import collection_response
from mitwirken.server.web.representations import serve
from mitwirken.server.web.response_form_page import form_context
from mitwirken.server.web.templating import render

PAGE = 20
COMMENTS_SHOWN = 100  # the oldest approved comments under an object; all are in `replies`


def _tombstone(ap_id: str, former_type: str, deleted_at: str) -> web.Response:
    doc = activities.tombstone(ap_id, former_type, datetime.fromisoformat(deleted_at))
    doc["@context"] = "https://www.w3.org/ns/activitystreams"
    return ap_response(doc, status=410)


def _gone(request: web.Request, ap_id: str) -> web.Response:
    row = outbox.tombstone(request.app[STORE], ap_id)
    if wants_activity_json(request) or "text/html" not in request.headers.get("Accept", ""):
        return _tombstone(ap_id, row["former_type"], row["deleted_at"])
    return render(request, "error.html", {"status": 410, "error": "gone",
                                          "message": MESSAGES_DE[410]}, status=410)


async def _object(request: web.Request, kind: str) -> web.StreamResponse:
    as_json = wants_activity_json(request)
    tables = ("instance", "actors", kind, "tombstones", "outbox")
    if not as_json:
        tables += ("interactions", "adoptions", "remote_objects", "responses",
                   "response_messages")
    return serve(request, ("object", kind, request.path_qs, as_json), tables,
                 lambda: _build_object(request, kind, as_json), html=not as_json)


def _build_object(request: web.Request, kind: str, as_json: bool) -> web.Response:
    store, urls = request.app[STORE], request.app[URLS]
    object_id = request.match_info["id"]
    ap_id = urls.opportunity(object_id) if kind == "opportunities" else urls.practice(object_id)
    obj = content_store.get(store, kind, object_id)
    if obj is None:
        if content_store.is_deleted(store, kind, object_id):
            return _gone(request, ap_id)
        raise ApiError(404, "not_found", "Unbekannter Inhalt.")
    svc = request.app[SERVICES].content
    if as_json:
        return ap_response(svc.to_ap(obj))
    actor = actor_repo.get_actor(store, obj.org_username)
    lang = i18n.locale_of(request)
    if isinstance(obj, Opportunity):
        ld = opportunity_jsonld(obj, urls, actor)
        english = lang == "en" and obj.description_en
        ctx = {"opp": obj, "facts": page_text.opportunity_facts(obj, lang),
               "template": "opportunity.html",
               "summary": page_text.plain(obj.description_en if english else obj.description),
               **form_context(ap_id)}
    else:
        ld = practice_jsonld(obj, urls, actor)
        sections = [(s, page_text.markdown(obj.sections[s])) for s in PracticeSection
                    if s in obj.sections]
        adoptions = remote_content.adoptions_of(store, object_id)
        ctx = {"practice": obj, "sections": sections, "template": "practice.html",
               "summary": obj.summary,
               "adoptions": adoptions,
               "resources": page_text.practice_resources(obj, lang)}
    counts = interactions.counts(store, ap_id)
    shown = responses.comments(store, ap_id, request.app[SETTINGS].public_replies,
                               COMMENTS_SHOWN)
    return render(request, ctx.pop("template"), {
        "comments": shown,
        **ctx, "actor": actor, "ap_id": ap_id, "present": page_text, "label": label,
        "jsonld": script_json(ld),
        "contact": page_text.contact_lines(obj, lang), "counts": counts,
        "handle": f"@{obj.org_username}@{urls.domain}",
    })


def _replies(request: web.Request, kind: str) -> web.Response:
    """The object's `replies` collection (as Mastodon serves it): the ids of the public
    comments that may be shown; never a direct message."""
    def build() -> web.Response:
        store, urls = request.app[STORE], request.app[URLS]
        object_id = request.match_info["id"]
        if content_store.get(store, kind, object_id) is None:  # type: ignore[arg-type]
            raise ApiError(404, "not_found", "Unknown object.")
        ap_id = urls.opportunity(object_id) if kind == "opportunities" \
            else urls.practice(object_id)
        setting = request.app[SETTINGS].public_replies

        def fetch(limit: int, offset: int) -> list[str]:
            return [c["note_id"] for c in responses.comments(store, ap_id, setting, limit,
                                                              offset)]

        return collection_response(request, f"{ap_id}/replies",
                                   responses.count_comments(store, ap_id, setting), fetch)
    return serve(request, ("replies", request.path_qs),
                 (kind, "responses", "response_messages"), build)


def _counted(request: web.Request, kind: str, what: str) -> web.Response:
    """The object's `likes` or `shares` collection: how many, never who (no pages)."""
    def build() -> web.Response:
        store, urls = request.app[STORE], request.app[URLS]
        object_id = request.match_info["id"]
        if content_store.get(store, kind, object_id) is None:  # type: ignore[arg-type]
            raise ApiError(404, "not_found", "Unknown object.")
        ap_id = urls.opportunity(object_id) if kind == "opportunities" \
            else urls.practice(object_id)
        total = interactions.counts(store, ap_id).get("like" if what == "likes" else
                                                      "announce", 0)
        return ap_response(collection(f"{ap_id}/{what}", total, first=False))
    return serve(request, (what, request.path_qs), (kind, "interactions"), build)


async def opportunity_likes(request: web.Request) -> web.Response:
    return _counted(request, "opportunities", "likes")


async def opportunity_shares(request: web.Request) -> web.Response:
    return _counted(request, "opportunities", "shares")


async def practice_likes(request: web.Request) -> web.Response:
    return _counted(request, "practices", "likes")


async def practice_shares(request: web.Request) -> web.Response:
    return _counted(request, "practices", "shares")


async def opportunity_replies(request: web.Request) -> web.Response:
    return _replies(request, "opportunities")


async def practice_replies(request: web.Request) -> web.Response:
    return _replies(request, "practices")


async def opportunity(request: web.Request) -> web.StreamResponse:
    return await _object(request, "opportunities")


async def practice(request: web.Request) -> web.StreamResponse:
    return await _object(request, "practices")


def _page_no(request: web.Request) -> int:
    try:
        page = int(request.query.get("seite", 1))
        if page > 100_000:
            raise ValueError("too large")
        return max(page, 1)
    except ValueError as exc:
        raise ApiError(400, "bad_page", "seite muss eine Zahl sein.") from exc


def _names(store: Store) -> dict[str, str]:
    return {a.username: a.name for a in actor_repo.list_actors(store)}


LIST_TABLES = ("instance", "actors", "opportunities", "practices")


async def opportunity_list(request: web.Request) -> web.Response:
    page = _page_no(request)

    def build() -> web.Response:
        store = request.app[STORE]
        items = content_store.list_objects(store, "opportunities", statuses=("open",),
                                           limit=PAGE, offset=(page - 1) * PAGE)
        return render(request, "opportunities.html", {
            "items": items, "page": page, "more": len(items) == PAGE, "names": _names(store),
            "present": page_text, "label": label})
    return serve(request, ("list", "opportunities", page), LIST_TABLES, build, html=True)


async def practice_list(request: web.Request) -> web.Response:
    page = _page_no(request)

    def build() -> web.Response:
        store = request.app[STORE]
        items = content_store.list_objects(store, "practices", limit=PAGE,
                                           offset=(page - 1) * PAGE)
        return render(request, "practices.html", {
            "items": items, "page": page, "more": len(items) == PAGE, "names": _names(store),
            "label": label})
    return serve(request, ("list", "practices", page), LIST_TABLES, build, html=True)


async def activity(request: web.Request) -> web.Response:
    """Public activities (Create/Update/Delete/Announce) can be dereferenced by their id; those
    of a deleted object answer 410 with a Tombstone."""
    def build() -> web.Response:
        store = request.app[STORE]
        ap_id = request.app[URLS].activity(request.match_info["id"])
        activity_json = outbox.public_activity(store, ap_id)
        if activity_json is None:
            withdrawn = outbox.withdrawn_activity(store, ap_id)
            if withdrawn is None:
                raise ApiError(404, "not_found", "Unbekannte Aktivität.")
            return _tombstone(ap_id, withdrawn["type"], withdrawn["deleted_at"])
        return ap_response(json.loads(activity_json))
    return serve(request, ("activity", request.path_qs), ("outbox", "tombstones"), build)
