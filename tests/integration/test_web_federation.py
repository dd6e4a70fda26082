"""What a person publishes with the web form reaches a following city over real HTTP — the
form uses the same publishing use case as the API, nothing of its own."""

from __future__ import annotations

import aiohttp

from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases.accounts import Accounts
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
