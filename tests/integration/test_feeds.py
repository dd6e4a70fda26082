"""Feeds and calendars for people without a fediverse account, the search page's filters and
the tags that search engines and link previews read — over real HTTP."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from icalendar import Calendar

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE

README = Path(__file__).resolve().parents[2] / "README.md"
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}
HTML = {"Accept": "text/html"}
FEST = {"title": "Straßenfest: Helfer:innen gesucht", "kind": "one-off",
        "description": "Auf- und Abbau beim **Straßenfest**.",
        "start": "2027-06-12T10:00:00+02:00", "end": "2027-06-12T16:00:00+02:00",
        "places": [{"name": "Marktplatz", "street": "Markt 1", "postal_code": "12345",
                    "locality": "Musterstadt", "latitude": 51.5, "longitude": 7.4}],
        "cause_areas": ["kultur"], "contact": {"email": "fest@tafel.example"}}
LESEN = {"title": "Vorlesen für Kinder", "kind": "regular", "description": "Jede Woche.",
         "cause_areas": ["bildung"], "contact": {"email": "lesen@tafel.example"}}


async def _publish(client, body: dict, kind: str = "opportunities") -> dict:
    token = actor_repo.create_token(client.app[STORE], "tafel")
    resp = await client.post(f"/api/v1/{kind}", json=body,
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201, await resp.text()
    return await resp.json()


def _atom(text: str) -> list[tuple[str, str]]:
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return [(e.findtext("a:title", namespaces=ATOM_NS) or "",
             e.find("a:link", ATOM_NS).get("href"))  # type: ignore[union-attr]
            for e in root.findall("a:entry", ATOM_NS)]


async def test_city_and_organisation_feeds_list_what_was_published(client):
    fest = await _publish(client, FEST)
    lesen = await _publish(client, LESEN)
    practice = await _publish(client, {"title": "Ehrenamtsbörse", "summary": "Jährlich."},
                              "practices")
    for path in ("/feed.atom", "/@tafel/feed.atom"):
        resp = await client.get(path)
        assert resp.status == 200 and resp.content_type == "application/atom+xml"
        entries = _atom(await resp.text())
        assert ("Vorlesen für Kinder", lesen["ap_id"]) in entries
        assert ("Straßenfest: Helfer:innen gesucht", fest["ap_id"]) in entries
        assert ("Ehrenamtsbörse", practice["ap_id"]) in entries
        assert entries[0][0] == "Ehrenamtsbörse"  # newest first
    city_only = _atom(await (await client.get("/@musterstadt/feed.atom")).text())
    assert city_only == []  # the city actor published nothing itself
    assert (await client.get("/@niemand/feed.atom")).status == 404


async def test_search_feed_takes_the_search_parameters(client):
    await _publish(client, FEST)
    await _publish(client, LESEN)
    resp = await client.get("/suche/feed.atom?cause_area=bildung")
    titles = [t for t, _ in _atom(await resp.text())]
    assert titles == ["Vorlesen für Kinder"]
    resp = await client.get("/suche/feed.atom?age=alt")
    assert resp.status == 400


async def test_feed_is_kept_and_revalidated(client):
    await _publish(client, LESEN)
    first = await client.get("/feed.atom")
    etag = first.headers["ETag"]
    again = await client.get("/feed.atom", headers={"If-None-Match": etag})
    assert again.status == 304
    await _publish(client, FEST)
    changed = await client.get("/feed.atom", headers={"If-None-Match": etag})
    assert changed.status == 200 and "Straßenfest" in await changed.text()


async def test_dated_opportunity_downloads_as_ics(client):
    fest = await _publish(client, FEST)
    page = await (await client.get(urlsplit(fest["ap_id"]).path, headers=HTML)).text()
    assert f'href="{fest["ap_id"]}/kalender.ics"' in page and "In den Kalender" in page
    assert 'href="https://www.openstreetmap.org/?mlat=51.5&amp;mlon=7.4' in page
    resp = await client.get(urlsplit(fest["ap_id"]).path + "/kalender.ics")
    assert resp.status == 200 and resp.content_type == "text/calendar"
    assert "attachment" in resp.headers["Content-Disposition"]
    cal = Calendar.from_ical(await resp.read())
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == "Straßenfest: Helfer:innen gesucht"
    assert event.decoded("dtstart") == datetime(2027, 6, 12, 8, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 6, 12, 14, 0, tzinfo=UTC)
    assert str(event["uid"]) == fest["ap_id"] and str(event["url"]) == fest["ap_id"]
    assert str(event["location"]) == "Marktplatz, Markt 1, 12345 Musterstadt"
    assert "Straßenfest" in str(event["description"]) and "**" not in str(event["description"])


async def test_undated_opportunity_has_no_calendar_entry(client):
    lesen = await _publish(client, LESEN)
    page = await (await client.get(urlsplit(lesen["ap_id"]).path, headers=HTML)).text()
    assert "In den Kalender" not in page
    resp = await client.get(urlsplit(lesen["ap_id"]).path + "/kalender.ics")
    assert resp.status == 404 and (await resp.json())["error"] == "not_dated"
    assert (await client.get("/angebote/unbekannt/kalender.ics")).status == 404


async def test_organisation_calendar_holds_its_dated_opportunities(client):
    await _publish(client, FEST)
    await _publish(client, LESEN)
    resp = await client.get("/@tafel/kalender.ics")
    cal = Calendar.from_ical(await resp.read())
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Straßenfest: Helfer:innen gesucht"]
    assert str(cal["x-wr-calname"]) == "Tafel Musterstadt e.V."


async def test_pages_carry_canonical_and_open_graph_tags(client):
    fest = await _publish(client, FEST)
    page = await (await client.get(urlsplit(fest["ap_id"]).path, headers=HTML)).text()
    assert f'<link rel="canonical" href="{fest["ap_id"]}">' in page
    assert '<meta property="og:title" content="Straßenfest: Helfer:innen gesucht">' in page
    assert '<meta property="og:description" content="Auf- und Abbau beim Straßenfest.">' in page
    home = await (await client.get("/", headers=HTML)).text()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    profile = await (await client.get("/@tafel", headers=HTML)).text()
    assert 'href="http://musterstadt.test/@tafel/feed.atom"' in profile


async def test_search_page_offers_the_network_filters_and_keeps_them(client):
    await _publish(client, FEST)
    await _publish(client, LESEN)
    resp = await client.get("/suche?cause_area=bildung&date_from=&age=", headers=HTML)
    page = await resp.text()
    for label in ("Bereich", "Tätigkeit", "Zeitliche Form", "Geeignet für", "Zeitaufwand",
                  "Mein Alter", "Termine ab", "Termine bis", "Bundesland"):
        assert f">{label}</label>" in page, label
    assert '<option value="bildung" selected>' in page
    assert "Vorlesen für Kinder" in page and "Straßenfest" not in page
    resp = await client.get("/suche?date_from=2027-06-12&date_to=2027-06-12", headers=HTML)
    page = await resp.text()
    assert "Straßenfest" in page and "Vorlesen für Kinder" not in page
    assert 'value="2027-06-12"' in page
    assert 'href="/suche/feed.atom?date_from=2027-06-12&amp;date_to=2027-06-12"' in page


async def test_sitemap_lists_public_pages_and_robots_points_to_it(client):
    fest = await _publish(client, FEST)
    practice = await _publish(client, {"title": "Ehrenamtsbörse", "summary": "Jährlich."},
                              "practices")
    resp = await client.get("/sitemap.xml")
    assert resp.status == 200 and resp.content_type == "application/xml"
    root = ET.fromstring(await resp.text())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    for url in (fest["ap_id"], practice["ap_id"], "http://musterstadt.test/@tafel",
                "http://musterstadt.test/impressum"):
        assert url in locs, url
    assert not any("/api/" in (loc or "") or "/actors/" in (loc or "") for loc in locs)
    robots = await (await client.get("/robots.txt")).text()
    assert "Sitemap: http://musterstadt.test/sitemap.xml" in robots and "Disallow: /api/" in robots


async def test_readme_pages_table_examples_answer(client):
    """Every URL in the README's table of pages answers 200 with the type it names."""
    fest = await _publish(client, FEST)
    practice = await _publish(client, {"title": "Ehrenamtsbörse", "summary": "Jährlich."},
                              "practices")
    text = README.read_text("utf-8")
    table = text.split("<!-- pages-table: start -->")[1].split("<!-- pages-table: end -->")[0]
    checked = 0
    for cell, what in re.findall(r"^\| (.+?) \| (.+?) \|$", table, re.M):
        for path in re.findall(r"`(/[^`]*)`", cell):
            path = path.replace("{id}", fest["id"] if path.startswith("/angebote")
                                else practice["id"])
            resp = await client.get(path, headers=HTML)
            assert resp.status == 200, path
            named = re.findall(r"`((?:application|text)/[a-z+.-]+)`", what)
            assert resp.content_type in (named or ["text/html"]), (path, resp.content_type)
            checked += 1
    assert checked >= 17
