"""Human pages: the start page and the about page."""

from __future__ import annotations

from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, search
from mitwirken.models.vocab import ActivityType, CauseArea, PracticeTheme, Sector, label
from mitwirken.server.app_keys import STORE, SYNONYMS
from mitwirken.server.web.templating import render


async def home(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return render(request, "home.html", {
        "city": actor_repo.city_actor(store),
        "orgs": actor_repo.list_actors(store, "org"),
        "latest": content_store.list_objects(store, "opportunities", statuses=("open",),
                                             limit=6),
        "practices": content_store.list_objects(store, "practices", limit=3),
        "label": label,
    })


async def about(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return render(request, "about.html", {"city": actor_repo.city_actor(store)})


# Hashtag pages: the links in our Notes' content point here (Mastodon rewrites them to its own
# tag timelines; browsers and other software follow them to us).
TAG_FILTERS = {CauseArea: "cause_area", ActivityType: "activity_type", PracticeTheme: "theme",
               Sector: "sector"}


async def tag_page(request: web.Request) -> web.Response:
    name = request.match_info["name"].lower()
    query = search.Query(limit=50)
    title = f"#{request.match_info['name']}"
    for enum, field in TAG_FILTERS.items():
        for member in enum:
            if member.tag.lower() == name:
                setattr(query, field, member.value)
                title = f"#{member.tag} – {member.label_de}"
    if all(getattr(query, f) is None for f in TAG_FILTERS.values()):
        query.q = name  # a free tag (e.g. the city): full-text search
    total, items = search.search(request.app[STORE], query, request.app[SYNONYMS])
    return render(request, "search.html", {"query": query, "total": total, "items": items,
                                           "label": label, "params": {}, "heading": title})
