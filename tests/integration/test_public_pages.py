"""The public pages as a new visitor meets them (issue 14, "Defects on today's pages"): what a
closed opportunity says, contact links, topic links, organisation pages, hashtag pages,
Impressum and Datenschutz, German messages — over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import STORE
from mitwirken.server.config import load_settings

HTML = {"Accept": "text/html"}
OPP = {"title": "Vorlesen in der Stadtbibliothek", "description": "Einmal pro Woche vorlesen.",
       "kind": "regular", "cause_areas": ["bildung"], "activity_types": ["lernhilfe-lesen"],
       "contact": {"name": "Frau Beispiel", "email": "lesen@tafel.example",
                   "phone": "0421 / 12 34-5"}}


async def _publish(client, body: dict, kind: str = "opportunities") -> dict:
    store = client.app[STORE]
    token = actor_repo.create_token(store, "tafel")
    resp = await client.post(f"/api/v1/{kind}", json=body,
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201, await resp.text()
    doc = await resp.json()
    doc["token"] = token
    return doc


async def _page(client, path: str) -> str:
    resp = await client.get(path, headers=HTML)
    assert resp.status == 200, (path, resp.status)
    assert resp.content_type == "text/html"
    return await resp.text()


async def test_open_opportunity_links_contact_and_topics(client):
    opp = await _publish(client, OPP)
    html = await _page(client, urlsplit(opp["ap_id"]).path)
    assert '<a href="mailto:lesen@tafel.example">lesen@tafel.example</a>' in html
    assert '<a href="tel:04211234-5">' not in html and 'href="tel:042112345"' in html
    assert "Mitmachen" in html and "Im Fediverse" in html
    assert re.search(r'<a class="tag" href="http://musterstadt.test/tags/bildung">', html)
    assert ' style="' not in html  # our CSP refuses inline styles: the stylesheet does it


async def test_opportunity_list_leads_to_the_filtered_search(client):
    page = await _page(client, "/angebote")
    assert '<a href="/suche?kind=opportunity">Suche</a>' in page
    search = await _page(client, "/suche?kind=opportunity")
    assert '<option value="opportunity" selected' in search  # the filter arrives set
    english = await client.get("/angebote", headers={"Accept-Language": "en"})
    assert 'in the <a href="/suche?kind=opportunity">search</a>' in await english.text()


async def test_closed_opportunity_no_longer_invites_anyone(client):
    opp = await _publish(client, OPP)
    resp = await client.post(f"/api/v1/opportunities/{opp['id']}/close",
                             headers={"Authorization": f"Bearer {opp['token']}"})
    assert resp.status == 200
    html = await _page(client, urlsplit(opp["ap_id"]).path)
    assert "Dieses Angebot ist beendet" in html
    assert "<h2>Mitmachen</h2>" not in html
    assert "lesen@tafel.example" not in html and "Im Fediverse" not in html


async def test_fediverse_channel_switched_off_is_not_offered(client):
    opp = await _publish(client, {**OPP, "apply_channels": ["email"]})
    html = await _page(client, urlsplit(opp["ap_id"]).path)
    assert "<h2>Mitmachen</h2>" in html and "mailto:lesen@tafel.example" in html
    assert "Im Fediverse" not in html


async def test_organisation_page_lists_its_opportunities_and_practice(client):
    opp = await _publish(client, OPP)
    practice = await _publish(client, {"title": "Lesecafé für Familien",
                                       "summary": "Ein Nachmittag im Monat."}, "practices")
    html = await _page(client, "/@tafel")
    assert "Vorlesen in der Stadtbibliothek" in html and opp["ap_id"] in html
    assert "Lesecafé für Familien" in html and practice["ap_id"] in html
    city = await _page(client, "/@musterstadt")
    assert "Vorlesen in der Stadtbibliothek" not in city  # the city lists its own posts only


async def test_tag_pages_list_what_carries_the_tag_with_one_heading(client):
    await _publish(client, OPP)
    await _publish(client, {**OPP, "title": "Gartenhilfe", "cause_areas": ["umwelt"],
                            "activity_types": ["handwerk-garten"]})
    topic = await _page(client, "/tags/bildung")
    assert "<h1>#Bildung</h1>" in topic and "– Bildung" not in topic
    assert "Vorlesen in der Stadtbibliothek" in topic and "Gartenhilfe" not in topic
    every = await _page(client, "/tags/ehrenamt")  # on every opportunity, in no text
    assert "Vorlesen in der Stadtbibliothek" in every and "Gartenhilfe" in every
    city = await _page(client, "/tags/musterstadt")
    assert "Gartenhilfe" in city and "Alles aus Musterstadt" in city


async def test_webfinger_advertises_no_interaction_page_we_do_not_serve(client):
    resp = await client.get("/.well-known/webfinger",
                            params={"resource": "acct:tafel@musterstadt.test"})
    links = (await resp.json())["links"]
    assert {link["rel"] for link in links} == {"self", "http://webfinger.net/rel/profile-page"}
    assert all("template" not in link for link in links)


async def test_every_page_links_impressum_and_datenschutz(client):
    for path in ("/", "/angebote", "/praxis", "/suche", "/about", "/@tafel", "/impressum",
                 "/datenschutz"):
        html = await _page(client, path)
        assert '<a href="/impressum">Impressum</a>' in html, path
        assert '<a href="/datenschutz">Datenschutz</a>' in html, path
        assert "Instanz" not in html.split("<main")[0], path  # no jargon in the navigation


async def test_impressum_without_details_says_what_is_missing(client):
    html = await _page(client, "/impressum")
    assert "noch nicht eingetragen" in html and "operator_name" in html


async def test_impressum_and_datenschutz_show_the_operator(aiohttp_client, settings):
    cfg = load_settings(settings.data_dir, env={
        "MITWIRKEN_OPERATOR_NAME": "Stadt Musterstadt, Freiwilligenagentur",
        "MITWIRKEN_OPERATOR_ADDRESS": "Marktplatz 1\n12345 Musterstadt",
        "MITWIRKEN_OPERATOR_EMAIL": "engagement@musterstadt.de",
        "MITWIRKEN_OPERATOR_PHONE": "0123 45678-0",
        "MITWIRKEN_OPERATOR_REPRESENTATIVE": "Oberbürgermeisterin Erika Muster",
        "MITWIRKEN_PRIVACY_OFFICER": "Datenschutz der Stadt, datenschutz@musterstadt.de",
        "MITWIRKEN_ACCESS_LOG": "off"})
    client = await aiohttp_client(create_app(cfg, start_workers=False))
    imprint = await _page(client, "/impressum")
    assert "Stadt Musterstadt, Freiwilligenagentur<br>Marktplatz 1<br>12345 Musterstadt" in imprint
    assert 'href="mailto:engagement@musterstadt.de"' in imprint
    assert 'href="tel:0123456780"' in imprint
    assert "Oberbürgermeisterin Erika Muster" in imprint and "noch nicht" not in imprint
    privacy = await _page(client, "/datenschutz")
    assert "datenschutz@musterstadt.de" in privacy
    assert "14 Tage" in privacy  # the queues' pruning, as models/deliveries.py does it
    assert "in kein Protokoll" in privacy  # access_log = off


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_toml(settings) -> None:
    """Append the README's Impressum example to the instance's mitwirken.toml."""
    block = next(b for b in re.findall(r"```toml\n(.*?)```", README.read_text("utf-8"), re.S)
                 if "operator_name" in b)
    block = "\n".join(line.removeprefix("  ") for line in block.splitlines())
    config = settings.data_dir / "mitwirken.toml"
    config.write_text(config.read_text("utf-8") + "\n" + block, "utf-8")


async def test_readme_impressum_example_works(aiohttp_client, settings):
    _readme_toml(settings)
    client = await aiohttp_client(create_app(load_settings(settings.data_dir, env={}),
                                             start_workers=False))
    imprint = await _page(client, "/impressum")
    assert "Stadt Musterstadt, Freiwilligenagentur<br>Marktplatz 1<br>12345 Musterstadt" in imprint


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer mw_unknown"}])
async def test_api_refusals_are_german(client, headers):
    resp = await client.get("/api/v1/opportunities", headers=headers)
    assert resp.status == 401
    detail = (await resp.json())["detail"]
    assert "API-Schlüssel" in detail


@pytest.mark.parametrize(("query", "detail"), [
    ("kind=alles", "kind: erlaubt sind opportunity, practice"),
    ("age=alt", "age: keine gültige Zahl"),
    ("date_from=morgen", "date_from: kein gültiges Datum"),
    ("local=ja", "local: erlaubt sind true oder false"),
])
async def test_search_refusals_are_german(client, query, detail):
    resp = await client.get(f"/api/v1/search?{query}")
    assert resp.status == 400
    assert (await resp.json())["detail"].startswith(detail)


async def test_practice_page_shows_effort_documents_and_its_model(client):
    practice = await _publish(client, {
        "title": "Lesecafé für Familien", "summary": "Ein Nachmittag im Monat.",
        "resources": {"budget_range": "1000-10000", "staff_hours_per_month": 12.5,
                      "volunteers": 25, "time_to_implement_months": 4},
        "attachments": [{"url": "https://tafel.example/leitfaden.pdf",
                         "name": "Leitfaden Lesecafé", "media_type": "application/pdf"}],
        "adapted_from": "https://engagiert.beispielstadt.de/praxis/k3x9m2p4q7rt"},
        "practices")
    html = await _page(client, urlsplit(practice["ap_id"]).path)
    assert "<h2>Aufwand</h2>" in html
    assert "<strong>Budget:</strong> 1.000 – 10.000 €" in html
    assert "<strong>Personalstunden pro Monat:</strong> 12,5" in html
    assert "<strong>Freiwillige:</strong> 25" in html
    assert "<strong>Umsetzungsdauer:</strong> 4 Monate" in html
    assert "<h2>Dokumente</h2>" in html
    assert '<a href="https://tafel.example/leitfaden.pdf">Leitfaden Lesecafé</a>' in html
    assert "(application/pdf)" in html
    assert "Nach dem Vorbild von:" in html and "Aufgegriffen von:" not in html
    assert 'href="https://engagiert.beispielstadt.de/praxis/k3x9m2p4q7rt"' in html


async def test_practice_page_without_effort_or_documents_has_no_empty_boxes(client):
    practice = await _publish(client, {"title": "Lesecafé für Familien",
                                       "summary": "Ein Nachmittag im Monat.",
                                       "resources": {"volunteers": 3}}, "practices")
    html = await _page(client, urlsplit(practice["ap_id"]).path)
    assert "<strong>Freiwillige:</strong> 3" in html
    assert "Budget:" not in html and "Umsetzungsdauer:" not in html
    assert "<h2>Dokumente</h2>" not in html and "Nach dem Vorbild von:" not in html


def _squash(html: str) -> str:
    """The page's text with its line breaks and indentation as single spaces."""
    return " ".join(html.split())


@pytest.mark.parametrize(("setting", "days", "shown", "not_shown"), [
    ("hold", "30", "sobald die Organisation sie freigegeben hat", "sofort, solange"),
    ("show", "1", "sofort, solange die Organisation sie nicht ausblendet",
     "sobald die Organisation sie freigegeben hat"),
])
async def test_datenschutz_says_how_replies_and_form_messages_are_shown_and_kept(
        aiohttp_client, settings, setting, days, shown, not_shown):
    cfg = load_settings(settings.data_dir, env={"MITWIRKEN_PUBLIC_REPLIES": setting,
                                                "MITWIRKEN_RESPONSE_RETENTION_DAYS": days})
    client = await aiohttp_client(create_app(cfg, start_workers=False))
    text = _squash(await _page(client, "/datenschutz"))
    assert ("Von Favoriten und geteilten Beiträgen zeigen wir auf den Seiten nur, wie viele es "
            "sind, nicht wer.") in text
    assert "Auf den Seiten zeigen wir nur, wie viele es sind" not in text  # the old, wrong one
    assert ("Eine öffentliche Antwort zeigen wir unter dem Beitrag mit Ihrem Namen, der "
            "Adresse Ihres Kontos und ihrem Text, " + shown) in text
    assert not_shown not in text
    assert ("Wir speichern dann Ihren Namen, Ihre E-Mail-Adresse oder Telefonnummer und Ihre "
            "Nachricht und schicken sie per E-Mail an die Organisation") in text
    unit = "Tag" if days == "1" else "Tage"
    assert f"als erledigt markiert, löschen wir {days} {unit} danach die Nachrichten und wer " \
        "sie geschrieben hat" in text
    assert "Solange eine Antwort nicht als erledigt markiert ist, löschen wir sie nicht von " \
        "selbst" in text
