"""What a person publishes with the web form reaches a following city over real HTTP — the
form uses the same publishing use case as the API, nothing of its own."""

from __future__ import annotations

import json

import aiohttp

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.instance import make_actor
from tests.fediverse import drain
from tests.web_helpers import PASSWORD, csrf_of


async def test_form_publication_and_closing_reach_a_follower(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    Accounts(a.app[STORE], a.app[CLOCK]).add("staff@city-a.example", "staff", [], PASSWORD)
    svc_b = b.app[SERVICES]
    remote = await social.lookup(svc_b.fetcher, svc_b.remote_actors, "@city_a@city-a.test")
    social.follow(b.app[STORE], b.app[URLS], "city_b", remote, b.app[CLOCK]())
    await drain(a, b)

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        page = await browser.get(f"{a.local}/anmelden", headers={"Accept": "text/html"})
        resp = await browser.post(f"{a.local}/anmelden", data={
            "email": "staff@city-a.example", "password": PASSWORD,
            "csrf": csrf_of(await page.text())}, allow_redirects=False)
        assert resp.status == 303
        form = await browser.get(f"{a.local}/verwaltung/angebote/neu")
        token = csrf_of(await form.text())
        resp = await browser.post(f"{a.local}/verwaltung/angebote/neu", data={
            "csrf": token, "org": "city_a", "title": "Aus dem Formular",
            "description": "Hallo Fediverse", "kind": "flexible",
            "contact.email": "info@city-a.example", "aktion": "veroeffentlichen"},
            allow_redirects=False)
        assert resp.status == 303
        object_id = resp.headers["Location"].split("/")[3].split("?")[0]
        await drain(a, b)
        ap_id = f"http://city-a.test/angebote/{object_id}"
        row = b.app[STORE].one("SELECT data FROM remote_objects WHERE id = ?", [ap_id])
        assert row and "Aus dem Formular" in row["data"] and '"closed"' not in row["data"]

        resp = await browser.post(f"{a.local}/verwaltung/angebote/{object_id}/schliessen",
                                  data={"csrf": token}, allow_redirects=False)
        assert resp.status == 303
        await drain(a, b)
        row = b.app[STORE].one("SELECT data FROM remote_objects WHERE id = ?", [ap_id])
        assert row and '"closed"' in row["data"]


async def test_profile_edit_reaches_a_following_city_as_an_actor_update(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    actor_repo.create_actor(a.app[STORE], make_actor(
        "tafel", "org", "Tafel", sector="civil-society", office_hours="Di 10–12 Uhr"))
    Accounts(a.app[STORE], a.app[CLOCK]).add("staff@city-a.example", "staff", [], PASSWORD)
    svc_b = b.app[SERVICES]
    remote = await social.lookup(svc_b.fetcher, svc_b.remote_actors, "@tafel@city-a.test")
    social.follow(b.app[STORE], b.app[URLS], "city_b", remote, b.app[CLOCK]())
    await drain(a, b)
    assert b.app[STORE].scalar("SELECT name FROM remote_actors WHERE id = ?",
                               [remote.id]) == "Tafel"

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        page = await browser.get(f"{a.local}/anmelden", headers={"Accept": "text/html"})
        resp = await browser.post(f"{a.local}/anmelden", data={
            "email": "staff@city-a.example", "password": PASSWORD,
            "csrf": csrf_of(await page.text())}, allow_redirects=False)
        assert resp.status == 303
        path = f"{a.local}/verwaltung/organisationen/tafel/profil"
        form = await browser.get(path)
        resp = await browser.post(path, data={
            "csrf": csrf_of(await form.text()), "name": "Tafel Musterstadt e. V.",
            "sector": "civil-society", "summary": "Wir retten Lebensmittel.",
            "office_hours": "Mi 14–16 Uhr", "website": "", "email": "", "phone": "",
            "address": ""}, allow_redirects=False)
        assert resp.status == 303
    await drain(a, b)

    # B verified the signed Update of the actor, fetched the actor again and shows the news
    updates = b.app[STORE].all("SELECT actor, state, body FROM inbox_items WHERE type = "
                               "'Update'")
    assert [(u["actor"], u["state"]) for u in updates] == [(remote.id, "processed")]
    assert json.loads(updates[0]["body"])["object"]["id"] == remote.id
    assert b.app[STORE].scalar("SELECT name FROM remote_actors WHERE id = ?",
                               [remote.id]) == "Tafel Musterstadt e. V."
    doc = json.loads(b.app[STORE].scalar("SELECT data FROM remote_actors WHERE id = ?",
                                         [remote.id]))
    fields = {f["name"]: f["value"] for f in doc["attachment"]}
    assert fields["Sprechzeiten"] == "Mi 14–16 Uhr"
    assert doc["summary"] == "<p>Wir retten Lebensmittel.</p>"
