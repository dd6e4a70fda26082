"""Practice posts in `/verwaltung`: the form (preview as Mastodon shows an Article, publish,
edit keeping what the form does not show, errors next to their fields, delete), roles and
CSRF — through the same `ContentService` as the API."""

from __future__ import annotations

import re

import pytest

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.publishing import ContentService
from tests.web_helpers import Clock, add_account, login, page_csrf

HTML = {"Accept": "text/html"}
FORM = {
    "org": "tafel", "title": "Engagement-Lotsen", "summary": "Ehrenamtliche beraten vor Ort.",
    "sections.ausgangslage": "Viele fanden den Weg nicht.",
    "sections.ansatz": "Beratung **wöchentlich**.", "status": "running",
    "partners.0.name": "Sozialamt", "partners.0.sector": "administration",
    "partners.0.role": "lead", "resources.budget_range": "1000-10000",
    "resources.volunteers": "12", "resources.time_to_implement_months": "6",
    "contact.email": "lotsen@tafel.example", "city": "Musterstadt", "licence": "CC-BY-4.0",
}


@pytest.fixture
async def web(aiohttp_client, settings):
    store = Store.open(settings.db_path)
    actor_repo.create_actor(store, make_actor("bibliothek", "org", "Stadtbibliothek",
                                              sector="administration"))
    store.close()
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    return await aiohttp_client(create_app(settings, start_workers=False, clock=Clock()))


def practices(settings):
    store = Store.open(settings.db_path)
    try:
        return content_store.list_objects(store, "practices")
    finally:
        store.close()


async def submit(web, path, data, action):
    token = await page_csrf(web, path)
    return await web.post(path, data=[*data.items(), ("aktion", action), ("csrf", token),
                                      ("themes", "anlaufstelle"),
                                      ("sectors_involved", "civil-society")],
                          allow_redirects=False)


async def test_dashboard_link_leads_to_the_practice_form(web):
    await login(web, "anna@tafel.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert 'href="/verwaltung/praxis/neu">Neues Praxisbeispiel' in html
    form = await (await web.get("/verwaltung/praxis/neu", headers=HTML)).text()
    assert re.search(r'<label for="f-title">Titel</label>', form)
    assert "Ausgangslage" in form and "Übertragbarkeit" in form
    assert 'value="Musterstadt"' in form  # the city is filled in


async def test_preview_shows_what_mastodon_shows_of_an_article(web, settings):
    await login(web, "anna@tafel.example")
    resp = await submit(web, "/verwaltung/praxis/neu", FORM, "vorschau")
    html = await resp.text()
    assert resp.status == 200
    card = html.split('class="toot-content"')[1].split("</div>")[0]
    assert "Engagement-Lotsen" in card and "Ehrenamtliche beraten vor Ort." in card
    assert "Viele fanden den Weg nicht." not in card  # Mastodon drops an Article's content
    assert "/praxis/vorschau" in card
    assert "Viele fanden den Weg nicht." in html  # the page view shows the sections
    assert practices(settings) == []


async def test_publish_edit_and_delete(web, settings):
    await login(web, "anna@tafel.example")
    resp = await submit(web, "/verwaltung/praxis/neu", FORM, "veroeffentlichen")
    assert resp.status == 303
    [p] = practices(settings)
    assert resp.headers["Location"] == f"/verwaltung/praxis/{p.id}?hinweis=veroeffentlicht"
    assert p.partners[0].name == "Sozialamt" and p.resources.volunteers == 12
    assert {s.value for s in p.sectors_involved} == {"civil-society", "administration"}
    assert p.licence == "CC-BY-4.0" and p.sections
    path = f"/verwaltung/praxis/{p.id}"
    html = await (await web.get(path, headers=HTML)).text()
    assert 'value="Sozialamt"' in html and ">Speichern</button>" in html
    resp = await submit(web, path, {**FORM, "title": "Lotsen neu",
                                    "sections.ansatz": ""}, "speichern")
    assert resp.status == 303
    [saved] = practices(settings)
    assert saved.title == "Lotsen neu" and "ansatz" not in {s.value for s in saved.sections}
    token = await page_csrf(web, f"{path}/loeschen")
    resp = await web.post(f"{path}/loeschen", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303 and practices(settings) == []


async def test_errors_next_to_fields_and_input_kept(web, settings):
    await login(web, "anna@tafel.example")
    bad = {**FORM, "title": "", "partners.0.sector": "", "adapted_from": "kein-link",
           "resources.volunteers": "-3"}
    resp = await submit(web, "/verwaltung/praxis/neu", bad, "veroeffentlichen")
    html = await resp.text()
    assert resp.status == 422
    assert 'id="error-title"' in html and 'id="error-partners-0-sector"' in html
    assert 'id="error-adapted_from"' in html and 'id="error-resources-volunteers"' in html
    assert "Viele fanden den Weg nicht." in html and 'value="kein-link"' in html
    assert practices(settings) == []


async def test_roles_and_csrf(web, settings):
    store = Store.open(settings.db_path)
    theirs = ContentService(store, Urls(settings.base_url), Clock()).create(
        "practices", "bibliothek", {"title": "Fremd", "summary": "Nicht deins."})
    store.close()
    await login(web, "anna@tafel.example")
    path = f"/verwaltung/praxis/{theirs.id}"
    assert (await web.get(path, headers=HTML)).status == 403
    token = await page_csrf(web, "/verwaltung")
    for target in (path, f"{path}/loeschen"):
        resp = await web.post(target, data={"csrf": token, **FORM, "aktion": "speichern"},
                              allow_redirects=False)
        assert resp.status == 403
    resp = await web.post("/verwaltung/praxis/neu", data={**FORM, "aktion": "vorschau"},
                          allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    resp = await web.post("/verwaltung/praxis/neu", data={
        **FORM, "org": "bibliothek", "csrf": token, "aktion": "veroeffentlichen"},
        allow_redirects=False)
    assert resp.status == 403
    assert [p.title for p in practices(settings)] == ["Fremd"]


async def test_a_fourth_partner_is_stored_and_shown_again(web, settings):
    await login(web, "anna@tafel.example")
    partners = {f"partners.{i}.{k}": v for i, name in enumerate(
        ["Sozialamt", "Tafel", "Sparkasse", "Hochschule"])
        for k, v in (("name", name), ("sector", "civil-society"), ("role", "partner"))}
    resp = await submit(web, "/verwaltung/praxis/neu", {**FORM, **partners}, "veroeffentlichen")
    assert resp.status == 303, await resp.text()
    [p] = practices(settings)
    assert [x.name for x in p.partners] == ["Sozialamt", "Tafel", "Sparkasse", "Hochschule"]
    html = await (await web.get(f"/verwaltung/praxis/{p.id}", headers=HTML)).text()
    assert 'name="partners.3.name" type="text" value="Hochschule"' in html
    assert 'name="partners.5.name"' in html  # six rows
