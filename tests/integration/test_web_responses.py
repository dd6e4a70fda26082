"""The responses inbox of the web UI over real HTTP: a volunteer on a Mastodon-shaped server
writes directly under an opportunity; the organisation's editor sees it at
/verwaltung/antworten (overdue once the promise has passed), opens the thread, answers — the
answer reaches the volunteer's server signed and addressed to them alone — and marks it
handled. An editor of another organisation gets 404; staff see every response."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import aiohttp
import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from tests.fakes.mastodon import FakeMastodon
from tests.fediverse import drain
from tests.integration.test_network import add_org
from tests.integration.test_responses_flow import direct_note
from tests.web_helpers import PASSWORD, Clock, add_account, csrf_of

HTML = {"Accept": "text/html"}


class Browser:
    """A cookie-keeping client of one instance, as a logged-in person."""

    def __init__(self, fediverse, city) -> None:
        self.city = city
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=fediverse.resolver),
            cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.city.base + path, headers=HTML,
                                    allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def post(self, path: str, data: dict, csrf_from: str) -> tuple[int, str, str]:
        _, page = await self.get(csrf_from)
        async with self.session.post(self.city.base + path, data={**data,
                                     "csrf": csrf_of(page)}, headers=HTML,
                                     allow_redirects=False) as resp:
            return resp.status, resp.headers.get("Location", ""), await resp.text()

    async def login(self, email: str) -> None:
        status, location, _ = await self.post("/anmelden", {"email": email,
                                                            "password": PASSWORD}, "/anmelden")
        assert status == 303 and location == "/verwaltung", (status, location)


@pytest.fixture
async def world(fediverse):
    clock = Clock()
    clock.now = datetime.now(UTC)  # the fake Mastodon checks signature dates against real time
    city = await fediverse.add("city-a", clock=clock)
    add_org(city, "tafel")
    add_org(city, "sport")
    for email, role, orgs in (("anna@tafel.example", "editor", ["tafel"]),
                              ("sven@sport.example", "editor", ["sport"]),
                              ("stadt@musterstadt.example", "staff", [])):
        add_account(city.settings, email, role, orgs)
    masto = await FakeMastodon(fediverse.resolver, users=("rosa",), clock=clock).start()
    browsers: list[Browser] = []

    def browser() -> Browser:
        browsers.append(Browser(fediverse, city))
        return browsers[-1]
    yield city, masto, clock, browser
    for b in browsers:
        await b.session.close()
    await masto.close()


async def test_editor_sees_answers_and_closes_a_volunteers_message(world):
    city, masto, clock, browser = world
    store = city.app[STORE]
    token = actor_repo.create_token(store, "tafel")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(
            resolver=masto.resolver)) as api, api.post(
            f"{city.base}/api/v1/opportunities", headers={"Authorization": f"Bearer {token}"},
            json={"title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
                  "contact": {"email": "info@tafel.example"}}) as resp:
        assert resp.status == 201
        opp = await resp.json()
    tafel = city.app[URLS].actor("tafel")
    note = direct_note(masto, "rosa", tafel, opp["ap_id"], "Ich möchte helfen! <b>Rosa</b>")
    assert (await masto.post("rosa", f"{city.base}/inbox", note))[0] == 202
    await drain(city)

    anna = browser()
    await anna.login("anna@tafel.example")
    status, dashboard = await anna.get("/verwaltung")
    assert status == 200 and "1 offen" in dashboard and "überfällig" not in dashboard
    status, listing = await anna.get("/verwaltung/antworten")
    assert status == 200 and "Lesepat:in gesucht" in listing and "Rosa" in listing
    [response_id] = re.findall(r'href="/verwaltung/antworten/([^"?/]+)"', listing)

    clock.advance(days=8)  # five working days are past: overdue (and the login expired)
    assert (await anna.get("/verwaltung/antworten"))[0] == 303
    await anna.login("anna@tafel.example")
    assert "überfällig" in (await anna.get("/verwaltung/antworten"))[1]
    assert "davon 1 überfällig" in (await anna.get("/verwaltung"))[1]

    clock.advance(days=-8)  # back to real time for the signed delivery of the answer
    thread_path = f"/verwaltung/antworten/{response_id}"
    status, thread = await anna.get(thread_path)
    assert status == 200 and "Ich möchte helfen!" in thread and "<script" not in thread
    assert 'for="f-antwort">Ihre Antwort</label>' in thread

    status, _, page = await anna.post(f"{thread_path}/antwort", {"antwort": "  "}, thread_path)
    assert status == 422 and "Bitte eine Antwort schreiben." in page

    status, location, _ = await anna.post(f"{thread_path}/antwort",
                                          {"antwort": "Danke, Rosa! Kommen Sie **Dienstag**."},
                                          thread_path)
    assert status == 303 and location.endswith("hinweis=gesendet")
    await drain(city)
    [got] = [r for r in masto.inbox if (r.activity or {}).get("type") == "Create"]
    assert got.verified and got.path == "/users/rosa/inbox"
    assert got.activity["to"] == [masto.actor_id("rosa")] and got.activity["cc"] == []
    assert "<strong>Dienstag</strong>" in got.activity["object"]["content"]
    status, thread = await anna.get(thread_path)
    assert "Ihre Antwort" in thread and "Beantwortet" in thread

    status, location, _ = await anna.post(f"{thread_path}/status", {"status": "handled"},
                                          thread_path)
    assert status == 303
    assert "Erledigt" in (await anna.get(thread_path))[1]
    assert "Keine Rückmeldungen" in (await anna.get("/verwaltung/antworten"))[1]
    assert response_id in (await anna.get("/verwaltung/antworten?status=handled"))[1]

    sven = browser()  # another organisation's editor
    await sven.login("sven@sport.example")
    assert (await sven.get(thread_path))[0] == 404
    assert response_id not in (await sven.get("/verwaltung/antworten?status=alle"))[1]
    status, _, _ = await sven.post(f"{thread_path}/antwort", {"antwort": "Hallo"},
                                   "/verwaltung/antworten")
    assert status == 404

    staff = browser()  # the Anlaufstelle sees every organisation's responses
    await staff.login("stadt@musterstadt.example")
    assert response_id in (await staff.get("/verwaltung/antworten?status=alle"))[1]


async def test_the_inbox_needs_a_login_and_a_csrf_token(world):
    city, _, _, browser = world
    visitor = browser()
    status, _ = await visitor.get("/verwaltung/antworten")
    assert status == 303
    anna = browser()
    await anna.login("anna@tafel.example")
    async with anna.session.post(f"{city.base}/verwaltung/antworten/x/status",
                                 data={"status": "handled"}, headers=HTML,
                                 allow_redirects=False) as resp:
        assert resp.status == 403
