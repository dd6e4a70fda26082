"""Human pages: the start page and the about page."""

from __future__ import annotations

from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, search
from mitwirken.models.deliveries import KEEP_DAYS as QUEUE_KEEP_DAYS
from mitwirken.models.vocab import ActivityType, CauseArea, PracticeTheme, Sector, label
from mitwirken.models.vocab_base import fold_hashtag
from mitwirken.server.app_keys import SETTINGS, STORE, SYNONYMS
from mitwirken.server.usecases.publishing import ContentService
from mitwirken.server.web import i18n, page_text
from mitwirken.server.web.representations import serve
from mitwirken.server.web.templating import render

CONTENT_TABLES = ("instance", "actors", "opportunities", "practices")


async def home(request: web.Request) -> web.Response:
    def build() -> web.Response:
        store = request.app[STORE]
        return render(request, "home.html", {
            "city": actor_repo.city_actor(store),
            "orgs": actor_repo.list_actors(store, "org"),
            "latest": content_store.list_objects(store, "opportunities", statuses=("open",),
                                                 limit=6),
            "practices": content_store.list_objects(store, "practices", limit=3),
            "label": label,
        })
    return serve(request, ("home",), CONTENT_TABLES, build, html=True)


async def about(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return render(request, "about.html", {"city": actor_repo.city_actor(store)})


ACCESS_LOG_TEXT = {
    "on": "Diese Angaben stehen im Protokoll des Servers, solange das Betriebssystem es "
          "aufbewahrt, und dienen nur dem sicheren Betrieb.",
    "errors": "Ins Protokoll des Servers kommen sie nur, wenn ein Aufruf fehlschlägt oder "
              "ungewöhnlich lange dauert; es dient nur dem sicheren Betrieb.",
    "off": "Der Server schreibt sie in kein Protokoll.",
}


def _operator(request: web.Request) -> dict[str, object]:
    settings = request.app[SETTINGS]
    return {"address": [line.strip() for line in settings.operator_address.splitlines()
                        if line.strip()],
            "tel": page_text.tel_href(settings.operator_phone)}


async def impressum(request: web.Request) -> web.Response:
    return render(request, "impressum.html", _operator(request))


async def datenschutz(request: web.Request) -> web.Response:
    return render(request, "datenschutz.html", {
        **_operator(request), "queue_days": QUEUE_KEEP_DAYS,
        "access_log_text": ACCESS_LOG_TEXT[request.app[SETTINGS].access_log],
        "public_replies": request.app[SETTINGS].public_replies,
        "retention_days": request.app[SETTINGS].response_retention_days})


# Hashtag pages: the links in our Notes' content point here (Mastodon rewrites them to its own
# tag timelines; browsers and other software follow them to us).
TAG_FILTERS = {CauseArea: "cause_area", ActivityType: "activity_type", PracticeTheme: "theme",
               Sector: "sector"}


async def tag_page(request: web.Request) -> web.Response:
    """The objects that carry a hashtag: a topic tag is its filter, #Ehrenamt (on every
    opportunity) all opportunities, the city's tag everything published here; any other
    tag is looked up as text."""
    name = request.match_info["name"].lower()
    lang = i18n.locale_of(request)
    _ = i18n.translations(lang).gettext
    query = search.Query(limit=50)
    lead, heading = None, f"#{request.match_info['name']}"
    for enum, field in TAG_FILTERS.items():
        for member in enum:
            if member.tag.lower() == name:
                setattr(query, field, member.value)
                lead = _("Alles zum Thema „%(topic)s“") % {"topic": member.label(lang)}
                heading = f"#{member.tag}"
    city = ContentService.city_name(request.app[SETTINGS].instance_name)
    if lead is None and name == "ehrenamt":
        query.kind, lead = "opportunity", _("Alle Engagement-Angebote")
    elif lead is None and name == fold_hashtag(city).lower():
        query.local, lead = True, _("Alles aus %(city)s") % {"city": city}
    elif lead is None:
        query.q = name  # a free tag: full-text search
    total, items = search.search(request.app[STORE], query, request.app[SYNONYMS])
    hits = page_text.hits_de(total, search.total_is_exact(query, total), lang)
    return render(request, "search.html", {"query": query, "hits": hits, "items": items,
                                           "label": label, "params": {},
                                           "heading": heading,
                                           "lead": lead})
