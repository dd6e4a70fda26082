"""The network's shared knowledge: search over local and remote content, adoption trails."""

from __future__ import annotations

import math
import re
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from mitwirken.models import content_store, remote_content, search, vocab
from mitwirken.models.fields import YEARS, in_year_range
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import label
from mitwirken.server.app_keys import STORE, SYNONYMS, URLS
from mitwirken.server.web import i18n
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.page_text import hits_de
from mitwirken.server.web.paging import collection_response
from mitwirken.server.web.representations import serve
from mitwirken.server.web.templating import render

TEXT_FILTERS = ("kind", "opp_kind", "cause_area", "activity_type", "theme", "sector", "remote",
                "suitable_for", "origin", "region")
MAX_LIMIT = 100
# Keyed filters take only known keys: a typo is a 400, not a silently empty result.
CHOICES = {"kind": ("opportunity", "practice"), "opp_kind": vocab.OpportunityKind,
           "cause_area": vocab.CauseArea, "activity_type": vocab.ActivityType,
           "theme": vocab.PracticeTheme, "sector": vocab.Sector, "remote": vocab.Remote,
           "suitable_for": vocab.SuitableFor, "region": vocab.Bundesland}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACED_OFFSET = re.compile(r" (\d\d(?::?\d\d)?)$")  # an unencoded "+01:00" arrives as " 01:00"


class _Bad(ValueError):
    """A parameter that parsed but is out of bounds (the message says why, in German)."""


def parse_query(params: dict[str, str]) -> search.Query:
    """Query string → search.Query; malformed numbers or dates raise ValueError with the name."""
    query = search.Query(q=params.get("q", "")[:200])
    for name in TEXT_FILTERS:
        value = params.get(name, "").strip()
        if value:
            allowed = [str(getattr(c, "value", c)) for c in CHOICES.get(name, ())]
            if allowed and value not in allowed:
                raise ValueError(f"{name}: erlaubt sind {', '.join(allowed)}")
            setattr(query, name, value[:100])
    name = ""
    try:
        name = "max_hours_per_week"
        if params.get(name):
            query.max_hours_per_week = float(params[name])
            if not math.isfinite(query.max_hours_per_week):
                raise _Bad("keine endliche Zahl")
        name = "age"
        if params.get(name):
            query.age = int(params[name])
            if not 0 <= query.age <= 150:
                raise _Bad("muss zwischen 0 und 150 liegen")
        for name in ("date_from", "date_to"):
            if params.get(name):
                text = params[name].strip()
                if _DAY.fullmatch(text):  # a day (the page's date field): all of it, UTC
                    text += "T00:00:00Z" if name == "date_from" else "T23:59:59Z"
                value = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", text))
                if value.tzinfo is None:
                    raise _Bad("braucht eine Zeitzone, z. B. Z oder +01:00")
                if not in_year_range(value):
                    raise _Bad(f"muss in den Jahren {YEARS[0]} bis {YEARS[1]} liegen")
                setattr(query, name, value)
        name = "limit"
        query.limit = min(max(int(params.get(name, 20)), 1), MAX_LIMIT)
        name = "offset"
        query.offset = max(int(params.get(name, 0)), 0)
        if query.offset > 1_000_000:
            raise _Bad("darf höchstens 1000000 sein")
    except _Bad as exc:
        raise ValueError(f"{name}: {exc}") from exc
    except ValueError as exc:  # int(), float() or fromisoformat() refused the text
        what = ("kein gültiges Datum (z. B. 2026-12-01T00:00:00Z)" if name.startswith("date")
                else "keine gültige Zahl")
        raise ValueError(f"{name}: {what}") from exc
    for name in ("local", "include_inactive"):
        if params.get(name, "") not in ("", "true", "false"):
            raise ValueError(f"{name}: erlaubt sind true oder false")
    if params.get("local") in ("true", "false"):
        query.local = params["local"] == "true"
    query.include_inactive = params.get("include_inactive") == "true"
    return query


def _search(request: web.Request) -> tuple[search.Query, int, list[dict]]:
    """The query of the API and of the page alike; a bad parameter is a 400 with the reason."""
    try:
        query = parse_query(dict(request.query))
    except ValueError as exc:
        raise ApiError(400, "bad_query", str(exc)) from exc
    total, items = search.search(request.app[STORE], query, request.app[SYNONYMS])
    return query, total, items


async def search_api(request: web.Request) -> web.Response:
    query, total, items = _search(request)
    body: dict = {"total": total, "total_exact": search.total_is_exact(query, total),
                  "limit": query.limit, "offset": query.offset, "items": items}
    if query.offset + query.limit < total:
        body["next_offset"] = query.offset + query.limit
    return web.json_response(body, headers={"Access-Control-Allow-Origin": "*"})


# The filters of the search page: (parameter, label, choices) — the network search's own.
PAGE_FILTERS = (
    ("cause_area", N_("Bereich"), vocab.CauseArea),
    ("activity_type", N_("Tätigkeit"), vocab.ActivityType),
    ("opp_kind", N_("Zeitliche Form"), vocab.OpportunityKind),
    ("remote", N_("Ort"), vocab.Remote),
    ("suitable_for", N_("Geeignet für"), vocab.SuitableFor),
    ("region", N_("Bundesland"), vocab.Bundesland),
    ("theme", N_("Thema (Praxisbeispiele)"), vocab.PracticeTheme),
    ("sector", N_("Beteiligter Sektor (Praxisbeispiele)"), vocab.Sector),
)
# (parameter, label, [(value, label)]) made once per language: the page renders ~120 options.
PAGE_FILTER_OPTIONS = {lang: tuple((name, title, tuple((c.value, label(c, lang))
                                                       for c in choices))
                                   for name, title, choices in PAGE_FILTERS)
                       for lang in i18n.LOCALES}
HOURS_CHOICES = (("1", N_("bis 1 Stunde pro Woche")), ("2", N_("bis 2 Stunden pro Woche")),
                 ("4", N_("bis 4 Stunden pro Woche")), ("8", N_("bis 8 Stunden pro Woche")))


# The search page is kept per query string while the index and the actors are unchanged.
SEARCH_PAGE_TABLES = ("instance", "actors", "search_items")


async def search_page(request: web.Request) -> web.Response:
    def build() -> web.Response:
        query, total, items = _search(request)
        params = {k: v for k, v in request.query.items() if k != "offset" and v}
        more = None
        if query.offset + query.limit < total:
            more = "?" + urlencode({**params, "offset": query.offset + query.limit})
        return render(request, "search.html", {
            "query": query,
            "hits": hits_de(total, search.total_is_exact(query, total), i18n.locale_of(request)),
            "items": items, "label": label, "params": params,
            "filters": PAGE_FILTER_OPTIONS[i18n.locale_of(request)], "hours": HOURS_CHOICES,
            "more": more,
            "feed_query": urlencode(params)})
    return serve(request, ("search page", request.query_string), SEARCH_PAGE_TABLES, build,
                 html=True)


async def adopted_by(request: web.Request) -> web.Response:
    store, urls = request.app[STORE], request.app[URLS]
    practice_id = request.match_info["id"]
    if not content_store.practice_exists(store, practice_id):
        raise ApiError(404, "not_found", "Unbekanntes Praxisbeispiel.")
    coll_id = f"{urls.practice(practice_id)}/adoptedBy"
    total = remote_content.count_adoptions(store, practice_id)

    def fetch(limit: int, offset: int) -> list[str]:
        return remote_content.adopted_by_page(store, practice_id, limit, offset)

    return collection_response(request, coll_id, total, fetch)
