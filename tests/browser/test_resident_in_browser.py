"""A resident in a real browser, without any account: finds an opportunity from the start
page, on the list and in the search with a filter, reads it on a phone-sized screen, adds it to
a calendar, and follows the city from the "Folgen" form (their server is a small fake
that answers WebFinger like Mastodon). axe-core checks home, list, detail and search pages;
home, list, search and detail fit a 360 px screen (no horizontal scrolling); screenshots of the
detail page at 1280, 390 and 360 px wide are kept in tests/browser/artefacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from icalendar import Calendar
from playwright.async_api import Page, expect

from mitwirken.models import actors as actor_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.config import load_settings
from mitwirken.server.usecases.instance import init_instance, make_actor
from tests.browser.conftest import Site, fits_narrow, no_serious_violations, screenshot
from tests.fediverse import free_port

TITLE = "Helfer:innen für das Straßenfest am Marktplatz"
FEST = {"title": TITLE, "kind": "one-off",
        "description": "Wir bauen **Stände** auf und ab. Ganz ohne Vorkenntnisse; "
                       "Verpflegungsmöglichkeiten-und-Getränkeausgabe inklusive.",
        "start": "2027-06-12T10:00:00+02:00", "end": "2027-06-12T16:00:00+02:00",
        "places": [{"name": "Marktplatz", "street": "Markt 1", "postal_code": "12345",
                    "locality": "Musterstadt"}],
        "cause_areas": ["kultur"], "activity_types": ["veranstaltungen"],
        "contact": {"name": "Frau Beispiel", "email": "fest@tafel.example",
                    "phone": "0123 456789"}}
OTHER = {"title": "Vorlesen in der Bibliothek", "kind": "regular", "description": "Jede Woche.",
         "cause_areas": ["bildung"], "contact": {"email": "lesen@tafel.example"}}


@pytest.fixture
async def open_site(tmp_path) -> AsyncIterator[Site]:
    """A real server that may reach loopback addresses (the visitor's fake server), with two
    opportunities of `tafel` published through the API."""
    port = free_port()
    data = tmp_path / "site"
    init_instance(data, f"http://127.0.0.1:{port}", "Engagierte Stadt Musterstadt",
                  "musterstadt", allow_private_network=True)
    settings = load_settings(data, env={})
    store = Store.open(settings.db_path)
    actor_repo.create_actor(store, make_actor("tafel", "org", "Tafel Musterstadt e.V.",
                                              sector="civil-society"))
    token = actor_repo.create_token(store, "tafel")
    store.close()
    server = TestServer(create_app(settings), host="127.0.0.1", port=port)
    await server.start_server()
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for body in (OTHER, FEST):
                async with session.post(f"{url}/api/v1/opportunities", json=body,
                                        headers={"Authorization": f"Bearer {token}"}) as r:
                    assert r.status == 201, await r.text()
        yield Site(settings, url)
    finally:
        await server.close()


@pytest.fixture
async def visitor_server() -> AsyncIterator[str]:
    """The resident's own fediverse server: WebFinger with Mastodon's subscribe template, and
    the page where it would ask 'follow?'."""
    async def webfinger(request: web.Request) -> web.Response:
        user = request.query["resource"].removeprefix("acct:")
        base = f"http://{request.host}"
        return web.json_response({"subject": f"acct:{user}", "links": [
            {"rel": "self", "type": "application/activity+json", "href": f"{base}/users/rosa"},
            {"rel": "http://ostatus.org/schema/1.0/subscribe",
             "template": f"{base}/authorize_interaction?uri={{uri}}"}]},
            content_type="application/jrd+json")

    async def authorize(request: web.Request) -> web.Response:
        return web.Response(text=f"<!doctype html><title>Folgen?</title><h1>Folgen: "
                                 f"{request.query['uri']}</h1>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/.well-known/webfinger", webfinger)
    app.router.add_get("/authorize_interaction", authorize)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.close()


async def test_resident_finds_reads_on_a_phone_adds_to_calendar_and_follows(
        page: Page, open_site: Site, visitor_server: str, axe_script, tmp_path):
    url = open_site.url
    await page.goto(f"{url}/")
    await no_serious_violations(page, axe_script, "home")
    await fits_narrow(page, "home")
    await expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    await page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Engagement-Angebote").click()
    await expect(page).to_have_url(f"{url}/angebote")
    await no_serious_violations(page, axe_script, "list")
    await fits_narrow(page, "list")

    await page.get_by_role("link", name="Suche im Netzwerk").click()
    await page.get_by_label("Suchbegriff").fill("Straßenfest")
    await page.get_by_text("Weitere Filter").click()
    await page.get_by_label("Bereich").select_option(label="Kultur")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_role("status")).to_have_text("1 Treffer")
    await expect(page.get_by_label("Bereich")).to_have_value("kultur")  # the filter stays
    await no_serious_violations(page, axe_script, "search")
    await fits_narrow(page, "search")
    await page.get_by_role("link", name=TITLE).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await expect(page.get_by_role("link", name="fest@tafel.example")).to_have_attribute(
        "href", "mailto:fest@tafel.example")
    await expect(page.get_by_role("link", name="0123 456789")).to_have_attribute(
        "href", "tel:0123456789")
    await no_serious_violations(page, axe_script, "detail")
    await screenshot(page, "detail-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "detail-390")
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390px screen"
    await no_serious_violations(page, axe_script, "detail-390")
    await fits_narrow(page, "detail", shot="detail-360")

    async with page.expect_download() as info:
        await page.get_by_role("link", name="In den Kalender").click()
    download = await info.value
    saved = tmp_path / "termin.ics"
    await download.save_as(saved)
    (event,) = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == TITLE
    assert str(event["location"]) == "Marktplatz, Markt 1, 12345 Musterstadt"

    # follow the city itself (not an organisation): from the start page's "So folgen Sie uns";
    # the browser's own Origin / Sec-Fetch-Site pass the cross-site check of /folgen
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(f"{url}/")
    await page.get_by_role("link", name="So folgen Sie uns").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Engagierte Stadt Musterstadt folgen")
    await expect(page.locator("main")).to_contain_text(
        f"@musterstadt@{url.removeprefix('http://')}")
    await page.get_by_label("Ihre Adresse im Fediverse").fill("@rosa@nirgendwo.invalid")
    await page.get_by_role("button", name="Folgen").click()
    await expect(page.get_by_role("alert")).to_contain_text("nicht finden")
    await page.get_by_label("Ihre Adresse im Fediverse").fill(f"@rosa@{visitor_server}")
    await page.get_by_role("button", name="Folgen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Folgen: musterstadt@{url.removeprefix('http://')}")


async def test_a_resident_switches_to_english_and_back(page: Page, open_site: Site, axe_script):
    """The switch in the header (a plain link, no script): English pages with the same
    content, the German text of an opportunity marked as German, axe on the English detail
    page; the choice (the `lang` cookie) holds on the next pages; `Deutsch` switches back."""
    url = open_site.url
    await page.goto(f"{url}/angebote")  # the browser asks for German (de-DE)
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await page.get_by_role("link", name="English").click()
    await expect(page).to_have_url(f"{url}/angebote")  # back on the same page
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Volunteer opportunities")
    nav = page.get_by_role("navigation", name="Main navigation")
    await expect(nav.get_by_role("link", name="Search the network")).to_be_visible()
    await expect(page.get_by_role("link", name="Log in")).to_be_visible()

    await page.get_by_role("link", name=TITLE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "de")
    await expect(page.get_by_role("heading", name="Take part")).to_be_visible()
    await expect(page.get_by_text("Sat 12 June 2027, 10:00–16:00")).to_be_visible()
    await expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    await expect(page.get_by_role("button", name="Send message")).to_be_visible()
    await no_serious_violations(page, axe_script, "detail-en")
    await screenshot(page, "detail-en-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "detail-en-390")
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the English page is {overflow}px wider than a 390px screen"
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.goto(f"{url}/suche")  # the cookie holds
    await page.get_by_text("More filters").click()
    await page.get_by_label("Cause").select_option(label="Culture")
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("status")).to_have_text("1 result")
    await no_serious_violations(page, axe_script, "search-en")

    await page.get_by_role("link", name="Deutsch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page.get_by_role("status")).to_have_text("1 Treffer")
    await expect(page.get_by_label("Bereich")).to_have_value("kultur")  # the query kept
