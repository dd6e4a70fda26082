"""Feeds for people without a fediverse account: Atom (`feedgen`) for the city, each
organisation and any search; iCalendar for each dated opportunity and per organisation.

All of them are public documents made from what the pages show, kept and revalidated like
them (`representations.serve`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from feedgen.feed import FeedGenerator

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, search
from mitwirken.models.content import Opportunity, Practice
from mitwirken.server.app_keys import SETTINGS, STORE, SYNONYMS, URLS
from mitwirken.server.web import ical
from mitwirken.server.web.actors import local_actor
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.network import parse_query
from mitwirken.server.web.representations import serve

ATOM = "application/atom+xml"
ICS = "text/calendar"
FEED_SIZE = 50
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CONTENT_TABLES = ("instance", "actors", "opportunities", "practices")
SEARCH_TABLES = ("instance", "actors", "search_items")


@dataclass(frozen=True)
class Entry:
    id: str
    url: str
    title: str
    summary: str
    published: datetime
    author: str


def _when(value: str | datetime | None) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if value:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return EPOCH


def atom(feed_id: str, title: str, html_url: str, entries: list[Entry]) -> bytes:
    """An Atom feed whose `updated` is its newest entry's, so the same entries give the same
    bytes (and ETag)."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.language("de")
    fg.link(href=feed_id, rel="self", type=ATOM)
    fg.link(href=html_url, rel="alternate", type="text/html")
    fg.updated(max((e.published for e in entries), default=EPOCH))
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e.id)
        fe.title(e.title)
        fe.link(href=e.url, rel="alternate", type="text/html")
        fe.published(e.published)
        fe.updated(e.published)
        fe.summary(e.summary or e.title)
        fe.author({"name": e.author})
    return bytes(fg.atom_str(pretty=True))


def _feed_response(body: bytes) -> web.Response:
    return web.Response(body=body, content_type=ATOM, charset="utf-8")


def _object_entry(request: web.Request, obj: Opportunity | Practice, author: str) -> Entry:
    urls = request.app[URLS]
    assert obj.id is not None
    url = urls.opportunity(obj.id) if isinstance(obj, Opportunity) else urls.practice(obj.id)
    summary = obj.summary if isinstance(obj, Practice) else ical.place_text(obj)
    return Entry(url, url, obj.title, summary or "", _when(obj.published), author)


async def city_feed(request: web.Request) -> web.Response:
    """Everything published on this instance, newest first."""
    def build() -> web.Response:
        settings, urls = request.app[SETTINGS], request.app[URLS]
        _, hits = search.search(request.app[STORE], search.Query(local=True, limit=FEED_SIZE))
        entries = [Entry(h["ap_id"], h["url"], h["title"], h["summary"] or "",
                         _when(h["published"]), h["origin_name"] or settings.instance_name)
                   for h in hits]
        return _feed_response(atom(f"{urls.base}/feed.atom", settings.instance_name,
                                   f"{urls.base}/", entries))
    return serve(request, ("feed", "city"), SEARCH_TABLES, build)


async def actor_feed(request: web.Request) -> web.Response:
    """An organisation's (or the city actor's own) opportunities and practice posts."""
    def build() -> web.Response:
        actor, store, urls = local_actor(request), request.app[STORE], request.app[URLS]
        objects: list[Opportunity | Practice] = [
            *content_store.list_objects(store, "opportunities", username=actor.username,
                                        statuses=("open", "paused"), limit=FEED_SIZE),
            *content_store.list_objects(store, "practices", username=actor.username,
                                        limit=FEED_SIZE)]
        entries = sorted((_object_entry(request, o, actor.name) for o in objects),
                         key=lambda e: e.published, reverse=True)[:FEED_SIZE]
        profile = urls.profile(actor.username)
        return _feed_response(atom(f"{profile}/feed.atom", actor.name, profile, entries))
    return serve(request, ("feed", "actor", request.path), CONTENT_TABLES, build)


async def search_feed(request: web.Request) -> web.Response:
    """Any network search as a feed: the same parameters as `/suche`, newest first."""
    def build() -> web.Response:
        urls = request.app[URLS]
        try:
            query = parse_query(dict(request.query))
        except ValueError as exc:
            raise ApiError(400, "bad_query", str(exc)) from exc
        query.limit, query.offset = FEED_SIZE, 0
        _, hits = search.search(request.app[STORE], query, request.app[SYNONYMS])
        hits.sort(key=lambda h: h["published"] or "", reverse=True)
        entries = [Entry(h["ap_id"], h["url"], h["title"], h["summary"] or "",
                         _when(h["published"]), h["origin_name"] or h["origin"]) for h in hits]
        title = f"Suche: {query.q}" if query.q else "Suche im Netzwerk"
        qs = f"?{request.query_string}" if request.query_string else ""
        return _feed_response(atom(f"{urls.base}/suche/feed.atom{qs}", title,
                                   f"{urls.base}/suche{qs}", entries))
    return serve(request, ("feed", "search", request.path_qs), SEARCH_TABLES, build)


def _ics_response(body: bytes, filename: str) -> web.Response:
    return web.Response(body=body, content_type=ICS, charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


async def opportunity_ics(request: web.Request) -> web.Response:
    """"In den Kalender": one dated opportunity as an .ics file."""
    def build() -> web.Response:
        store, urls = request.app[STORE], request.app[URLS]
        opp = content_store.get(store, "opportunities", request.match_info["id"])
        if not isinstance(opp, Opportunity):
            raise ApiError(404, "not_found", "Unbekannter Inhalt.")
        if opp.start is None or opp.end is None:
            raise ApiError(404, "not_dated", "Dieses Angebot hat keinen festen Termin.")
        actor = actor_repo.get_actor(store, opp.org_username)
        name = actor.name if actor else opp.org_username
        body = ical.calendar(opp.title, [ical.event(opp, urls, name)])
        return _ics_response(body, f"{opp.id}.ics")
    return serve(request, ("ics", request.path), CONTENT_TABLES, build)


async def actor_ics(request: web.Request) -> web.Response:
    """An organisation's dated opportunities, to subscribe to in a calendar app."""
    def build() -> web.Response:
        actor, store, urls = local_actor(request), request.app[STORE], request.app[URLS]
        opps = content_store.list_objects(store, "opportunities", username=actor.username,
                                          statuses=("open", "paused", "filled"), limit=500)
        events = [ical.event(o, urls, actor.name) for o in opps
                  if isinstance(o, Opportunity) and o.start is not None and o.end is not None]
        return _ics_response(ical.calendar(actor.name, events), f"{actor.username}.ics")
    return serve(request, ("ics", request.path), CONTENT_TABLES, build)
