"""Human pages: the start page and the about page."""

from __future__ import annotations

from aiohttp import web

from models import actors as actor_repo
from models import content_store
from models.vocab import label
from server.state import STORE
from server.templating import render

routes = web.RouteTableDef()


@routes.get("/")
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


@routes.get("/about")
async def about(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return render(request, "about.html", {"city": actor_repo.city_actor(store)})
