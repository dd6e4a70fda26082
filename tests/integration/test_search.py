"""Network search over local and remote content: filters, German spellings, prefixes, paging,
and 400s for bad parameters — through `models.search.search` and `GET /api/v1/search`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from mitwirken.models import search
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.search import Query
from mitwirken.models.search_analysis import load_synonyms
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.app_keys import SERVICES, STORE
from tests.golden.examples import FLEXIBLE, ONE_OFF, PRACTICE, REGULAR, SHIFTS

READ_ONLY = ("id", "org_username", "updated", "last_confirmed", "original_id", "adapted_from")
LOCAL = "musterstadt.test"
REMOTE = "beispielstadt.test"
VILLAGE = "dorf.test"


def data_of(example, **changes) -> dict:
    data = {k: v for k, v in example.model_dump(mode="json", exclude_none=True).items()
            if k not in READ_ONLY}
    if "partners" in data:
        data["partners"] = [p for p in data["partners"] if "actor_iri" not in p]
    return {**data, **changes}


def published(day: int) -> str:
    return datetime(2026, 10, day, 12, 0, tzinfo=UTC).isoformat()


def index_remote(store, name: str, model, origin: str, author: str) -> str:
    ap_id = f"http://{origin}/objects/{name}"
    common = {"ap_id": ap_id, "url": f"http://{origin}/seite/{name}", "local": False,
              "origin": origin, "origin_name": f"Engagierte Stadt {origin.split('.')[0]}",
              "actor": f"http://{origin}/actors/{author}"}
    item = (search.item_for_opportunity(model, **common) if isinstance(model, Opportunity)
            else search.item_for_practice(model, **common))
    search.index(store, item)
    return ap_id


class Corpus:
    """Named objects → their ActivityPub ids, and the reverse for readable assertions."""

    def __init__(self, client) -> None:
        self.client = client
        self.store = client.app[STORE]
        self.ids: dict[str, str] = {}

    def names(self, rows) -> set[str]:
        back = {v: k for k, v in self.ids.items()}
        return {back[r["ap_id"]] for r in rows}

    def query(self, **kw) -> set[str]:
        _, rows = search.search(self.store, Query(limit=100, **kw), load_synonyms())
        return self.names(rows)

    async def api(self, params: dict | str) -> tuple[int, dict]:
        qs = params if isinstance(params, str) else urlencode(params)
        resp = await self.client.get(f"/api/v1/search?{qs}")
        return resp.status, await resp.json()

    async def api_names(self, params: dict | str) -> set[str]:
        status, body = await self.api(params)
        assert status == 200, body
        assert body["total"] == len(body["items"]) or "next_offset" in body
        return self.names(body["items"])


@pytest.fixture
async def corpus(client) -> Corpus:
    c = Corpus(client)
    svc = client.app[SERVICES].content

    def local(name: str, kind: str, username: str, data: dict) -> None:
        obj = svc.create(kind, username, data, allow_read_only=True)
        c.ids[name] = svc.ap_id(obj)

    local("muell", "opportunities", "tafel", data_of(
        ONE_OFF, title="Müllsammelaktion an der Hauptstraße", cause_areas=["umwelt",
        "nachbarschaft"], activity_types=["handwerk-garten"],
        suitable_for=["families", "wheelchair-accessible"], published=published(5)))
    local("lesen", "opportunities", "tafel", data_of(REGULAR, published=published(4)))
    local("waerme", "opportunities", "tafel", data_of(SHIFTS, published=published(3)))
    local("uebersetzen", "opportunities", "tafel", data_of(FLEXIBLE, published=published(2)))
    local("vorlesen", "opportunities", "tafel", data_of(
        REGULAR, title="Vorlesen in der Stadtbibliothek", status="closed",
        published=published(1)))
    local("boerse", "practices", "musterstadt", data_of(PRACTICE, published=published(6)))

    fest = Opportunity.model_validate({
        "org_username": "kulturverein@beispielstadt.test", "kind": "regular",
        "title": "Straßenfest: Helfer:innen für Auf- und Abbau",
        "description": "Jeden Samstag im Sommer bauen wir Bühne und Stände auf.",
        "cause_areas": ["kultur"], "activity_types": ["veranstaltungen"],
        "time_budget": {"hours": 2, "unit": "per-week"}, "remote": "possible", "min_age": 14,
        "suitable_for": ["youth", "groups"],
        "start": "2026-06-01T10:00:00+02:00", "end": "2026-09-30T18:00:00+02:00",
        "places": [{"name": "Marktplatz", "locality": "Beispielstadt", "region": "DE-BY"}],
        "contact": {"email": "fest@beispielstadt.example"}, "apply_channels": ["email"],
        "apply_email": "fest@beispielstadt.example", "published": published(7)})
    c.ids["fest"] = index_remote(c.store, "fest", fest, REMOTE, "kulturverein")
    plattform = Practice.model_validate({
        "org_username": "beispielstadt@beispielstadt.test",
        "title": "Digitale Engagementplattform für den Landkreis",
        "summary": "Eine gemeinsame Plattform für alle Vereine im Landkreis; Pilot seit 2025.",
        "sections": {"ansatz": "Verwaltung und Kreistag bauen die Plattform gemeinsam."},
        "themes": ["digitalisierung"], "sectors_involved": ["administration", "politics"],
        "status": "pilot", "region": "DE-BY", "city": "Beispielstadt",
        "published": published(8)})
    c.ids["plattform"] = index_remote(c.store, "plattform", plattform, REMOTE, "beispielstadt")
    fahrdienst = Opportunity.model_validate({
        "org_username": "nachbarn@dorf.test", "kind": "flexible",
        "title": "Fahrdienst für Senior:innen zum Arzt",
        "description": "Zwei Fahrten im Monat, mit dem eigenen Auto; Kilometergeld gibt es.",
        "cause_areas": ["senioren"], "activity_types": ["fahrdienst"],
        "time_budget": {"hours": 2, "unit": "per-month"}, "min_age": 21,
        "suitable_for": ["seniors"],
        "places": [{"name": "Dorfgemeinschaftshaus", "locality": "Dorf", "region": "DE-SN"}],
        "contact": {"phone": "03731 12345"}, "apply_channels": ["phone"],
        "apply_phone": "03731 12345", "published": published(9)})
    c.ids["fahrdienst"] = index_remote(c.store, "fahrdienst", fahrdienst, VILLAGE, "nachbarn")
    return c


ACTIVE = {"muell", "lesen", "uebersetzen", "boerse", "fest", "plattform", "fahrdienst"}
ACTIVE_OPPS = {"muell", "lesen", "uebersetzen", "fest", "fahrdienst"}

FILTERS = [
    ({}, ACTIVE),
    ({"kind": "practice"}, {"boerse", "plattform"}),
    ({"kind": "opportunity"}, ACTIVE_OPPS),
    ({"kind": "opportunity", "include_inactive": "true"}, ACTIVE_OPPS | {"waerme", "vorlesen"}),
    ({"opp_kind": "regular"}, {"lesen", "fest"}),
    ({"opp_kind": "regular", "include_inactive": "true"}, {"lesen", "fest", "vorlesen"}),
    ({"opp_kind": "shifts"}, set()),
    ({"opp_kind": "shifts", "include_inactive": "true"}, {"waerme"}),
    ({"cause_area": "bildung"}, {"lesen"}),
    ({"cause_area": "umwelt", "opp_kind": "one-off"}, {"muell"}),
    ({"activity_type": "fahrdienst"}, {"fahrdienst"}),
    ({"theme": "digitalisierung"}, {"plattform"}),
    ({"theme": "anlaufstelle", "region": "DE-NW"}, {"boerse"}),
    ({"sector": "administration"}, {"boerse", "plattform"}),
    ({"sector": "business"}, {"boerse"}),
    ({"remote": "full"}, {"uebersetzen"}),
    ({"remote": "possible"}, {"fest"}),
    ({"remote": "no", "kind": "opportunity"}, {"muell", "lesen", "fahrdienst"}),
    ({"max_hours_per_week": "2"}, {"lesen", "fest", "fahrdienst"}),
    ({"max_hours_per_week": "1"}, {"fahrdienst"}),  # 2 per month ≈ 0.46 per week
    ({"max_hours_per_week": "3", "include_inactive": "true"},
     {"lesen", "fest", "fahrdienst", "waerme", "vorlesen"}),
    ({"age": "15"}, {"fest", "boerse", "plattform"}),
    ({"age": "16", "kind": "opportunity"}, {"muell", "uebersetzen", "fest"}),
    ({"age": "99", "kind": "opportunity"}, ACTIVE_OPPS),
    ({"date_from": "2026-12-01T00:00:00Z", "date_to": "2026-12-31T23:59:59Z"},
     {"muell", "uebersetzen"}),
    ({"date_from": "2026-12-01T00:00:00+01:00", "date_to": "2026-12-31T23:59:59+01:00",
      "include_inactive": "true"}, {"muell", "uebersetzen", "waerme"}),
    ({"date_from": "2027-01-01T00:00:00Z"}, {"lesen", "uebersetzen"}),
    ({"date_to": "2026-10-01T00:00:00Z"}, {"fest"}),
    ({"suitable_for": "wheelchair-accessible"}, {"muell"}),
    ({"suitable_for": "seniors"}, {"lesen", "fahrdienst"}),
    ({"origin": REMOTE}, {"fest", "plattform"}),
    ({"origin": LOCAL, "kind": "practice"}, {"boerse"}),
    ({"region": "DE-BY"}, {"fest", "plattform"}),
    ({"region": "DE-NW", "kind": "opportunity"}, {"muell", "lesen"}),
    ({"local": "false"}, {"fest", "plattform", "fahrdienst"}),
    ({"local": "true", "kind": "opportunity"}, {"muell", "lesen", "uebersetzen"}),
    ({"q": "Straßenfest", "region": "DE-BY", "remote": "possible"}, {"fest"}),
    ({"q": "lese", "cause_area": "kinder-jugend", "opp_kind": "regular",
      "max_hours_per_week": "2", "age": "18", "region": "DE-NW"}, {"lesen"}),
    ({"q": "lese", "include_inactive": "true"}, {"lesen", "vorlesen"}),
    ({"q": "Plattform", "theme": "digitalisierung", "sector": "politics", "origin": REMOTE},
     {"plattform"}),
    ({"q": "Plattform", "origin": LOCAL}, set()),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS,
                         ids=[urlencode(p) or "all" for p, _ in FILTERS])
async def test_filters_over_http(corpus, params, expected):
    assert await corpus.api_names(params) == expected


async def test_filters_through_query_object(corpus):
    assert corpus.query() == ACTIVE
    assert corpus.query(kind="opportunity", include_inactive=True) == \
        ACTIVE_OPPS | {"waerme", "vorlesen"}
    assert corpus.query(max_hours_per_week=1.5, age=18) == {"lesen"}
    assert corpus.query(date_from=datetime(2026, 7, 1, tzinfo=UTC),
                        date_to=datetime(2026, 7, 31, tzinfo=UTC)) == {"fest"}
    assert corpus.query(suitable_for="wheelchair-accessible", region="DE-NW") == {"muell"}
    assert corpus.query(origin=VILLAGE, local=False) == {"fahrdienst"}
    # "lesen" is suitable for seniors: its label "Senior:innen" is searchable text
    assert corpus.query(q="senior", kind="opportunity") == {"fahrdienst", "lesen"}


GERMAN = [
    ("Müll", {"muell"}), ("Muell", {"muell"}), ("MULL", {"muell"}), ("müllsammel", {"muell"}),
    ("MÜLLSAMMELAKTION", {"muell"}),
    # inside compounds too: "Hauptstraße"
    ("Straße", {"fest", "muell"}), ("Strasse", {"fest", "muell"}), ("STRASSE", {"fest", "muell"}),
    ("Hauptstraße", {"muell"}), ("hauptstrasse", {"muell"}), ("Haupt", {"muell"}),
    ("Infoblätter", {"uebersetzen"}), ("Infoblaetter", {"uebersetzen"}),
    ("übersetzen", {"uebersetzen"}), ("uebersetzen", {"uebersetzen"}),
    ("Ehrenamtsbörse", {"boerse"}), ("ehrenamtsborse", {"boerse"}),
    # and its synonyms (Engagement, Freiwillige …)
    ("Ehrenamts", {"boerse", "lesen", "plattform", "uebersetzen"}),
    ("Bürgermeister", {"boerse"}),  # in a section
    # the labels of offers and suitability are searchable: "lesen" offers the
    # "Ehrenamtskarte" and suits "Senior:innen"
    ("Senior:innen", {"fahrdienst", "lesen"}), ("Digitale Plattform", {"plattform"}),
    ("plattform landkreis", {"plattform"}), ("plattform rathaus", set()),
    ("Weihnachtstüten", {"muell"}), ("xyzzy", set()),
]


@pytest.mark.parametrize(("q", "expected"), GERMAN, ids=[q for q, _ in GERMAN])
async def test_german_words_and_prefixes(corpus, q, expected):
    assert corpus.query(q=q) == expected
    assert await corpus.api_names({"q": q}) == expected


async def test_text_with_search_syntax_is_taken_literally(corpus):
    for q in ('"Müll" OR lese*', "NEAR(müll lesen)", "müll AND", "-müll", "müll^2", "(", "*",
              "title:müll", "'; DROP TABLE search_items; --"):
        status, body = await corpus.api({"q": q})
        assert status == 200, (q, body)
    assert await corpus.api_names({"q": '"Müll" OR'}) == set()  # "or" must match too
    assert await corpus.api_names({"q": "müll AND"}) == set()
    assert await corpus.api_names({"q": "title:müll"}) == set()  # "title" is a word here
    assert await corpus.api_names({"q": "  -  "}) == ACTIVE  # no words: no text filter
    assert corpus.store.scalar("SELECT count(*) FROM search_items") == 9


async def test_title_matches_rank_first(corpus):
    _, body = await corpus.api({"q": "Plattform"})
    assert corpus.names(body["items"][:1]) == {"plattform"}
    # both titles match "lese" ("lesepat", and "vorles" inside the compound)
    _, body = await corpus.api({"q": "lese", "include_inactive": "true"})
    assert [i["title"] for i in body["items"]] == ["Vorlesen in der Stadtbibliothek",
                                                    "Lesepat:in an der Grundschule Nord"]


async def test_result_fields(corpus):
    status, body = await corpus.api({"q": "Fahrdienst"})
    assert status == 200
    assert body == {"total": 1, "total_exact": True, "limit": 20, "offset": 0, "items": [{
        "ap_id": "http://dorf.test/objects/fahrdienst", "kind": "opportunity", "local": False,
        "origin": "dorf.test", "origin_name": "Engagierte Stadt dorf",
        "actor": "http://dorf.test/actors/nachbarn", "url": "http://dorf.test/seite/fahrdienst",
        "title": "Fahrdienst für Senior:innen zum Arzt",
        "summary": "Zwei Fahrten im Monat, mit dem eigenen Auto; Kilometergeld gibt es.",
        "opp_kind": "flexible", "status": "open", "start": None, "end": None,
        "region": "DE-SN", "published": "2026-10-09T12:00:00Z"}]}
    _, body = await corpus.api({"q": "Müll"})
    item = body["items"][0]
    assert item["local"] is True and item["origin"] == LOCAL
    assert item["origin_name"] == "Tafel Musterstadt e.V."
    assert item["url"] == item["ap_id"] == corpus.ids["muell"]
    assert item["start"] == "2026-12-05T09:00:00Z"
    resp = await corpus.client.get("/api/v1/search?q=M%C3%BCll")
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.content_type == "application/json"


async def test_paging_with_limit_offset_and_next_offset(corpus):
    seen, offset, pages = [], 0, 0
    while offset is not None:
        status, body = await corpus.api({"limit": 3, "offset": offset})
        assert status == 200 and body["total"] == len(ACTIVE)
        assert body["limit"] == 3 and body["offset"] == offset
        assert len(body["items"]) == min(3, len(ACTIVE) - offset)
        seen += [i["ap_id"] for i in body["items"]]
        offset = body.get("next_offset")
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == len(ACTIVE)
    # newest first when there is no text
    assert [corpus.names([{"ap_id": s}]).pop() for s in seen] == [
        "fahrdienst", "plattform", "fest", "boerse", "muell", "lesen", "uebersetzen"]
    _, body = await corpus.api({"limit": 3, "offset": 6})
    assert len(body["items"]) == 1 and "next_offset" not in body
    _, body = await corpus.api({"offset": 50})
    assert body["items"] == [] and body["total"] == len(ACTIVE) and "next_offset" not in body
    _, body = await corpus.api({"limit": 1000})
    assert body["limit"] == 100
    _, body = await corpus.api({"limit": 0})
    assert body["limit"] == 1 and body["next_offset"] == 1
    _, body = await corpus.api({"offset": -5})
    assert body["offset"] == 0
    # paging also works under a text query and filters
    _, first = await corpus.api({"q": "lese", "include_inactive": "true", "limit": 1})
    _, second = await corpus.api({"q": "lese", "include_inactive": "true", "limit": 1,
                                  "offset": first["next_offset"]})
    assert first["total"] == second["total"] == 2 and "next_offset" not in second
    assert first["items"][0]["ap_id"] != second["items"][0]["ap_id"]
    total, rows = search.search(corpus.store, Query(limit=2, offset=2))
    assert total == len(ACTIVE) and corpus.names(rows) == {"fest", "boerse"}


async def test_counting_stops_at_the_bound(corpus, monkeypatch):
    """Beyond COUNT_BOUND hits (or beyond the page asked for, if further) the search stops
    counting: `total` is one more than that bound and `total_exact` false ("mehr als …");
    paging on still works, and a page beyond the bound counts up to its end."""
    monkeypatch.setattr(search, "COUNT_BOUND", 3)
    _, body = await corpus.api({"limit": 2})
    assert body["total"] == 4 and body["total_exact"] is False and body["next_offset"] == 2
    assert corpus.names(body["items"]) == {"fahrdienst", "plattform"}  # still newest first
    _, body = await corpus.api({"limit": 2, "offset": 2})  # bound 4
    assert body["total"] == 5 and body["total_exact"] is False and body["next_offset"] == 4
    assert corpus.names(body["items"]) == {"fest", "boerse"}
    _, body = await corpus.api({"limit": 2, "offset": 4})  # bound 6: seven items are "more"
    assert body["total"] == 7 and body["total_exact"] is False and body["next_offset"] == 6
    _, body = await corpus.api({"limit": 2, "offset": 6})  # bound 8: all seven counted
    assert body["total"] == len(ACTIVE) and body["total_exact"] is True
    assert corpus.names(body["items"]) == {"uebersetzen"} and "next_offset" not in body
    assert search.search(corpus.store, Query(limit=2))[0] == 4
    assert not search.total_is_exact(Query(limit=2), 4)
    # below the bound nothing changes: exact, and words are ranked
    _, body = await corpus.api({"q": "lese", "include_inactive": "true"})
    assert body["total"] == 2 and body["total_exact"] is True
    assert body["items"][0]["title"] == "Vorlesen in der Stadtbibliothek"
    # the page says so in German
    resp = await corpus.client.get("/suche?limit=2")
    assert resp.status == 200 and "mehr als 3 Treffer" in await resp.text()
    resp = await corpus.client.get("/suche?q=lese&include_inactive=true")
    assert "2 Treffer" in await resp.text() and "mehr als" not in await resp.text()


BAD = [
    ("max_hours_per_week=viel", "max_hours_per_week"),
    ("max_hours_per_week=nan", "max_hours_per_week"),
    ("age=alt", "age"),
    ("age=1.5", "age"),
    ("date_from=morgen", "date_from"),
    ("date_from=2026-12-01T00:00:00", "date_from: braucht eine Zeitzone"),
    ("date_to=2026-02-30T00:00:00Z", "date_to"),
    ("date_from=0001-01-01T00:00:00%2B01:00", "date_from: muss in den Jahren 1900 bis 2200 liegen"),
    ("date_to=9999-12-31T23:59:59-23:59", "date_to: muss in den Jahren 1900 bis 2200 liegen"),
    ("date_from=1899-12-31T23:00:00Z", "date_from: muss in den Jahren"),
    ("limit=zehn", "limit"),
    ("offset=x", "offset"),
    ("kind=opportunities", "kind"),
    ("opp_kind=einmalig", "opp_kind"),
    ("remote=ja", "remote"),
    ("cause_area=Bildung", "cause_area"),
    ("theme=digital", "theme"),
    ("sector=npo", "sector"),
    ("suitable_for=rollstuhl", "suitable_for"),
    ("activity_type=lesen", "activity_type"),
    ("region=NRW", "region"),
    ("local=yes", "local"),
    ("include_inactive=1", "include_inactive"),
]


@pytest.mark.parametrize(("qs", "named"), BAD, ids=[qs for qs, _ in BAD])
async def test_bad_parameters_are_400_json(corpus, qs, named):
    status, body = await corpus.api(qs)
    assert status == 400
    assert body["error"] == "bad_query"
    assert named in body["detail"]


async def test_unencoded_plus_in_offset_still_parses(corpus):
    # `+01:00` typed into a URL arrives as a space; it is read as the offset it was meant as
    status, body = await corpus.api("date_from=2026-12-01T00:00:00+01:00"
                                    "&date_to=2026-12-31T23:59:59+01:00")
    assert status == 200 and corpus.names(body["items"]) == {"muell", "uebersetzen"}


async def test_a_bare_day_is_that_whole_day_in_utc(corpus):
    # what the page's <input type="date"> sends: the same as the explicit bounds above
    status, body = await corpus.api("date_from=2026-12-01&date_to=2026-12-31")
    explicit = await corpus.api("date_from=2026-12-01T00:00:00Z&date_to=2026-12-31T23:59:59Z")
    assert status == 200 and body["items"] and body == explicit[1]


async def test_search_page_shows_results_with_origin(corpus):
    resp = await corpus.client.get("/suche?q=Stra%C3%9Fe", headers={"Accept": "text/html"})
    assert resp.status == 200
    html = await resp.text()
    assert "Straßenfest: Helfer:innen für Auf- und Abbau" in html and REMOTE in html
    assert 'aria-describedby="q-hint"' in html and "Findet auch Wortteile" in html
    resp = await corpus.client.get("/suche?kind=practice&theme=digitalisierung",
                                   headers={"Accept": "text/html"})
    assert "Digitale Engagementplattform für den Landkreis" in await resp.text()
    resp = await corpus.client.get("/suche?age=alt", headers={"Accept": "text/html"})
    assert resp.status == 400 and "text/html" in resp.content_type


async def test_deleting_and_updating_local_content_updates_the_index(corpus):
    svc = corpus.client.app[SERVICES].content
    muell_id = corpus.ids["muell"].rsplit("/", 1)[1]
    svc.update("opportunities", muell_id, {"title": "Laubsammelaktion im Stadtpark"})
    assert corpus.query(q="Müll") == set()
    assert corpus.query(q="Laub") == {"muell"}
    svc.set_status(muell_id, OpportunityStatus.CLOSED)
    assert corpus.query(q="Laub") == set()
    assert corpus.query(q="Laub", include_inactive=True) == {"muell"}
    svc.delete("opportunities", muell_id)
    assert corpus.query(q="Laub", include_inactive=True) == set()
    assert corpus.store.scalar("SELECT count(*) FROM search_items") == 8
    assert corpus.store.scalar("SELECT count(*) FROM search_text") == 8


# --- docs/NETWORK.md ------------------------------------------------------------------------

NETWORK_MD = Path(__file__).resolve().parents[2] / "docs" / "NETWORK.md"


def documented_search_urls() -> list[str]:
    return [m.group(0) for m in re.finditer(r"/api/v1/search\?[^'\"\s]*",
                                            NETWORK_MD.read_text(encoding="utf-8"))]


async def test_documented_search_examples_answer_200(corpus):
    urls = documented_search_urls()
    assert len(urls) >= 8
    for url in urls:
        resp = await corpus.client.get(url)
        body = await resp.json()
        assert resp.status == 200, (url, body)
        assert {"total", "limit", "offset", "items"} <= set(body)
    # the examples find what they promise in the test corpus
    _, body = await corpus.api(urls[1].split("?", 1)[1])  # q=Müll&kind=opportunity
    assert corpus.names(body["items"]) == {"muell"}
    _, body = await corpus.api(urls[4].split("?", 1)[1])  # practice, theme, sector
    assert corpus.names(body["items"]) == {"boerse"}
    # the German examples after the list, in their order
    expected = [{"lesen"}, {"lesen"}, {"fahrdienst"}, {"fahrdienst"}]
    for url, names in zip(urls[-4:], expected, strict=True):
        _, body = await corpus.api(url.split("?", 1)[1])
        assert names <= corpus.names(body["items"]), url
    # the documented answer has the fields of a real one (with a next page)
    block = re.search(r"```json\n(\{\n  \"total\".*?)\n```", NETWORK_MD.read_text(
        encoding="utf-8"), re.S)
    documented = json.loads(block.group(1))
    _, body = await corpus.api({"limit": 1})
    assert set(documented) == set(body) and documented["total_exact"] is body["total_exact"]
    assert set(documented["items"][0]) == set(body["items"][0])
    # README: "GET /api/v1/search?q=lesen&kind=opportunity"
    readme = (NETWORK_MD.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "/api/v1/search?q=lesen&kind=opportunity" in readme
    _, body = await corpus.api("q=lesen&kind=opportunity")
    assert "Lesepat:in an der Grundschule Nord" in [i["title"] for i in body["items"]]


async def test_documented_error_example_and_parameter_table(corpus):
    text = NETWORK_MD.read_text(encoding="utf-8")
    status, body = await corpus.api("kind=opportunities")
    assert status == 400
    assert json.dumps(body, ensure_ascii=False) in text
    from mitwirken.server.web.network import TEXT_FILTERS

    documented = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", text, re.MULTILINE))
    names = {n for pair in documented for n in pair if n}
    assert names == {"q", *TEXT_FILTERS, "max_hours_per_week", "date_from", "date_to", "age",
                     "local", "include_inactive", "limit", "offset"}
