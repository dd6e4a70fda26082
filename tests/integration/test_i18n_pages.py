"""The public pages in English (issue 14): labels, facts, dates and vocabularies in English;
an opportunity's English title and description where its editor gave them, else the German
text marked `lang="de"`; forms, their errors and the error pages — over real HTTP, and the
same pages still German for a German visitor."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE

HTML = {"Accept": "text/html"}
EN = {**HTML, "Accept-Language": "en"}
DE = {**HTML, "Accept-Language": "de"}
OPP = {"title": "Vorlesen in der Stadtbibliothek", "description": "Einmal pro Woche vorlesen.",
       "kind": "one-off", "start": "2026-12-12T10:00:00+01:00",
       "end": "2026-12-12T14:00:00+01:00", "min_age": 16, "volunteers_needed": 3,
       "places_left": 1, "cause_areas": ["bildung"], "suitable_for": ["seniors"],
       "contact": {"name": "Frau Beispiel", "email": "lesen@tafel.example"}}
ENGLISH = {**OPP, "title": "Pflanzaktion", "title_en": "Tree planting day",
           "description_en": "We plant **200 trees** together."}


async def publish(client, body: dict) -> str:
    token = actor_repo.create_token(client.app[STORE], "tafel")
    resp = await client.post("/api/v1/opportunities", json=body,
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201, await resp.text()
    return urlsplit((await resp.json())["ap_id"]).path


async def page(client, path: str, headers: dict, status: int = 200) -> str:
    async with aiohttp.ClientSession() as bare, bare.get(client.make_url(path),
                                                         headers=headers) as resp:
        assert resp.status == status, (path, resp.status)
        assert resp.content_type == "text/html"
        return await resp.text()


async def test_opportunity_page_in_english_with_german_content_marked(client):
    path = await publish(client, OPP)
    html = await page(client, path, EN)
    assert '<h1 lang="de">Vorlesen in der Stadtbibliothek</h1>' in html
    assert '<section class="description" lang="de"><p>Einmal pro Woche vorlesen.</p>' in html
    for text in ("<strong>Kind:</strong> One-off", "<strong>Minimum age:</strong> 16 years",
                 "<strong>When:</strong> Sat 12 December 2026, 10:00–14:00",
                 "<strong>Wanted:</strong> 3 volunteers (1 place left)",
                 "<strong>Reply:</strong> within 5 working days",
                 "<strong>Suitable for:</strong> Older people", ">Education</a>",
                 "<h2>Take part</h2>", "Add to calendar", "<strong>Contact:</strong>",
                 "Get in touch without a fediverse account", "Send message"):
        assert text in html, text
    main = html.split("<main")[1]  # (the schema.org JSON-LD in the head stays German)
    for german in ("Mitmachen", "Mindestalter", "Werktagen", "In den Kalender"):
        assert german not in main, german
    de = await page(client, path, DE)
    assert "<h1>Vorlesen in der Stadtbibliothek</h1>" in de
    assert "<strong>Mindestalter:</strong> 16 Jahre" in de and "<h2>Mitmachen</h2>" in de
    assert 'lang="de"' not in de.split("<main")[1]


async def test_english_title_and_description_where_the_editor_gave_them(client):
    path = await publish(client, ENGLISH)
    html = await page(client, path, EN)
    assert "<title>Tree planting day – " in html and "<h1>Tree planting day</h1>" in html
    assert '<section class="description"><p>We plant <strong>200 trees</strong>' in html
    assert "Pflanzaktion" not in html.split("<main")[1]
    listing = await page(client, "/angebote", EN)
    assert "<strong>Tree planting day</strong>" in listing
    assert "12 December 2026" in listing and "One-off" in listing
    home = await page(client, "/", EN)
    assert "<strong>Tree planting day</strong>" in home
    de = await page(client, path, DE)
    assert "<h1>Pflanzaktion</h1>" in de and "Tree planting day" not in de.split("<main")[1]
    assert "12. Dezember 2026" in await page(client, "/angebote", DE)


async def test_search_page_and_its_filters_in_english(client):
    await publish(client, OPP)
    html = await page(client, "/suche?q=vorlesen&cause_area=bildung", EN)
    for text in ('<label for="q">Search term</label>', "More filters",
                 '<label for="f-cause_area">Cause</label>', '<option value="">any</option>',
                 '<option value="bildung" selected>Education</option>',
                 "up to 2 hours a week", "My age", "Dates from", ">Search</button>",
                 "1 result</p>", "Opportunity ·", "Subscribe to this search as a feed"):
        assert text in html, text
    assert "Weitere Filter" not in html and "Bereich" not in html
    tag = await page(client, "/tags/bildung", EN)
    assert "Everything on “Education”" in tag
    de = await page(client, "/suche?q=vorlesen&cause_area=bildung", DE)
    assert '<option value="bildung" selected>Bildung</option>' in de and "1 Treffer" in de


async def test_error_pages_forms_and_legal_pages_in_english(client):
    missing = await page(client, "/gibtsnicht", EN, status=404)
    assert "<h1>Error 404</h1>" in missing and "This page does not exist." in missing
    path = await publish(client, OPP)
    async with aiohttp.ClientSession() as bare, bare.post(
            client.make_url(f"{path}/rueckmeldung"), headers=EN,
            data={"name": "", "kontakt": "kaputt", "nachricht": ""}) as resp:
        assert resp.status == 422
        html = await resp.text()
    assert "Please check your details." in html
    assert "Please give an e-mail address or a phone number." in html
    assert "Please agree to the processing of your details." in html
    async with aiohttp.ClientSession() as bare, bare.post(
            client.make_url("/folgen"), headers=EN, data={"handle": "kein handle"}) as resp:
        assert resp.status == 400
        html = await resp.text()
    assert "Please enter your fediverse address like this" in html
    assert "<h1>Follow " in html
    legal = await page(client, "/impressum", EN)
    assert "<h1>Legal notice</h1>" in legal and "<h2>Content</h2>" in legal
    privacy = await page(client, "/datenschutz", EN)
    assert "<h1>Privacy statement</h1>" in privacy and "<h2>Your rights</h2>" in privacy
    assert '<p lang="de">Wir setzen beim Lesen keine Cookies' in privacy  # binding German
    assert "lang" in privacy and "ein Jahr lang die gewählte Sprache" in privacy
    follow = await page(client, "/folgen", EN)
    assert "Your fediverse address" in follow and 'type="submit">Follow</button>' in follow


async def test_organisation_profile_in_english(client):
    html = await page(client, "/@tafel", EN)
    for phrase in ("<dt>Sector</dt><dd>Civil society</dd>", "<dt>Office hours</dt>",
                   "<dt>Phone</dt>", "Subscribe as a feed", "<h2>Follow</h2>",
                   "<strong>0</strong> followers"):
        assert phrase in html, phrase
    de = await page(client, "/@tafel", DE)
    assert "<dt>Sektor</dt><dd>Zivilgesellschaft</dd>" in de and "<h2>Folgen</h2>" in de
    async with aiohttp.ClientSession() as bare, bare.get(
            client.make_url("/actors/tafel"),
            headers={"Accept": "application/activity+json", "Accept-Language": "en"}) as resp:
        doc = await resp.json(content_type=None)
    names = {f["name"]: f["value"] for f in doc["attachment"]}
    assert names["Sektor"] == "Zivilgesellschaft"  # the actor document stays German
