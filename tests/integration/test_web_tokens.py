"""API tokens in the web UI: a person creates a token for an organisation they edit (shown
once, works with the JSON API), sees it listed by its label only, revokes it (the API then
refuses it); other organisations' tokens are out of reach."""

from __future__ import annotations

import re

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.usecases import moderation
from mitwirken.server.usecases.instance import make_actor
from tests.web_helpers import add_account, login, page_csrf

HTML = {"Accept": "text/html"}


@pytest.fixture
async def web(aiohttp_client, settings):
    store = Store.open(settings.db_path)
    actor_repo.create_actor(store, make_actor("bibliothek", "org", "Stadtbibliothek",
                                              sector="administration"))
    store.close()
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    return await aiohttp_client(create_app(settings, start_workers=False))


async def test_create_use_list_and_revoke_a_token(web, settings):
    await login(web, "anna@tafel.example")
    page = await web.get("/verwaltung/schluessel", headers=HTML)
    html = await page.text()
    assert "Stadtbibliothek" not in html and "Noch keine Schlüssel." in html
    token = await page_csrf(web, "/verwaltung/schluessel")
    resp = await web.post("/verwaltung/schluessel", data={
        "csrf": token, "org": "tafel", "label": "Website des Vereins"})
    html = await resp.text()
    assert resp.status == 201 and resp.headers["Cache-Control"] == "no-store"
    found = re.search(r'<code class="token">(mw_[^<]+)</code>', html)
    assert found
    secret = found.group(1)
    api = await web.get("/api/v1/opportunities", headers={"Authorization": f"Bearer {secret}"})
    assert api.status == 200
    listed = await (await web.get("/verwaltung/schluessel", headers=HTML)).text()
    assert "Website des Vereins" in listed and secret not in listed
    token_id = re.search(r"/verwaltung/schluessel/(\d+)/widerrufen", listed).group(1)
    resp = await web.post(f"/verwaltung/schluessel/{token_id}/widerrufen", data={},
                          allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    resp = await web.post(f"/verwaltung/schluessel/{token_id}/widerrufen",
                          data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    api = await web.get("/api/v1/opportunities", headers={"Authorization": f"Bearer {secret}"})
    assert api.status == 401
    store = Store.open(settings.db_path)
    assert [(e["actor"], e["action"], e["target"]) for e in moderation.audit_entries(store)
            if e["actor"].startswith("web:")] == [
        ("web:anna@tafel.example", "token.create", "tafel"),
        ("web:anna@tafel.example", "token.revoke", "tafel")]
    assert secret not in str(moderation.audit_entries(store))


async def test_other_organisations_tokens_are_out_of_reach(web, settings):
    store = Store.open(settings.db_path)
    actor_repo.create_token(store, "bibliothek", "fremd")
    foreign = store.scalar("SELECT id FROM api_tokens WHERE username = 'bibliothek'")
    store.close()
    await login(web, "anna@tafel.example")
    html = await (await web.get("/verwaltung/schluessel", headers=HTML)).text()
    assert "fremd" not in html
    token = await page_csrf(web, "/verwaltung/schluessel")
    resp = await web.post("/verwaltung/schluessel", data={"csrf": token, "org": "bibliothek"})
    assert resp.status == 403 and "keine Schlüssel anlegen" in await resp.text()
    for target in (str(foreign), "999", "abc"):
        resp = await web.post(f"/verwaltung/schluessel/{target}/widerrufen",
                              data={"csrf": token}, allow_redirects=False)
        assert resp.status == 404, target
    store = Store.open(settings.db_path)
    assert store.scalar("SELECT count(*) FROM api_tokens WHERE username = 'bibliothek'") == 1
    assert store.scalar("SELECT count(*) FROM api_tokens WHERE username = 'tafel'") == 0


async def test_the_token_page_needs_a_login(web):
    resp = await web.get("/verwaltung/schluessel", headers=HTML, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/anmelden")
