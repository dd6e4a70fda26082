"""`/verwaltung/inhalte` over real HTTP (issue 15, remote content review in the web UI): A
limits B's domain, B's practice post arrives and waits; A's admin sees it on the page, approves
it (it becomes searchable), hides it by its URL (it leaves /suche at once) and removes it (it
never comes back) — each in the audit log as `web:<e-mail>` with its reason. Staff get 403, a
form without CSRF 403, an unknown URL 404, no action 422."""

from __future__ import annotations

import aiohttp

from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases import moderation
from tests.fediverse import drain
from tests.integration.test_federation_policy import admin
from tests.integration.test_network import follow, found, publish_practice, served
from tests.web_helpers import PASSWORD, add_account, csrf_of

__all__ = ["served"]  # the fixture, imported for this module's tests

HTML = {"Accept": "text/html"}


class Person:
    def __init__(self, fediverse, inst) -> None:
        self.base = inst.base
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=fediverse.resolver),
            cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path, headers=HTML,
                                    allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def post(self, path: str, data: dict, csrf_from: str = "/verwaltung/inhalte"
                   ) -> tuple[int, str]:
        _, page = await self.get(csrf_from)
        async with self.session.post(self.base + path, data={**data, "csrf": csrf_of(page)},
                                     headers=HTML, allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def login(self, email: str) -> None:
        status, _ = await self.post("/anmelden", {"email": email, "password": PASSWORD},
                                    "/anmelden")
        assert status == 303


async def test_admin_reviews_remote_content_in_the_web_ui(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)
    assert admin(a, "limit", "city-b.test", "--reason", "Viel Werbung") == 0
    add_account(a.settings, "chef@stadt-a.example", "admin")
    add_account(a.settings, "staff@stadt-a.example", "staff")
    prac = publish_practice(b, "city_b", title="Nachbarschaftshilfe im Quartier B")
    await drain(a, b)
    iri = b.app[SERVICES].urls.practice(prac.id)
    assert found(a, "Nachbarschaftshilfe") == {}

    chef = Person(fediverse, a)
    staff = Person(fediverse, a)
    try:
        await chef.login("chef@stadt-a.example")
        status, page = await chef.get("/verwaltung/inhalte")
        assert status == 200 and iri in page and "wartet auf Prüfung" in page

        status, page = await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": iri, "aktion": "freigeben", "reason": "geprüft"})
        assert status == 200 and f"{iri} ist freigegeben." in page
        assert list(found(a, "Nachbarschaftshilfe")) == [iri]

        status, page = await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": iri, "aktion": "ausblenden", "reason": "irreführend"})
        assert status == 200 and "ausgeblendet" in page
        assert found(a, "Nachbarschaftshilfe") == {}
        status, search_page = await chef.get("/suche?q=Nachbarschaftshilfe")
        assert "Quartier B" not in search_page

        status, page = await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": iri, "aktion": "entfernen", "reason": "Spam"})
        assert status == 200 and f"{iri} ist entfernt." in page
        assert a.app[STORE].one("SELECT id FROM remote_objects WHERE id = ?", [iri]) is None

        assert (await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": "https://nirgendwo.example/x", "aktion": "ausblenden"}))[0] == 404
        assert (await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": iri, "aktion": "loeschen"}))[0] == 422
        async with chef.session.post(a.base + "/verwaltung/inhalte/entscheiden", data={
                "object": iri, "aktion": "freigeben"}, headers=HTML) as resp:
            assert resp.status == 403  # no CSRF token

        await staff.login("staff@stadt-a.example")
        assert (await staff.get("/verwaltung/inhalte"))[0] == 403
    finally:
        await chef.session.close()
        await staff.session.close()
    entries = [(e["actor"], e["action"], e["reason"]) for e in
               moderation.audit_entries(a.app[STORE]) if e["target"] == iri]
    assert entries == [("web:chef@stadt-a.example", "content.approve", "geprüft"),
                       ("web:chef@stadt-a.example", "content.hide", "irreführend"),
                       ("web:chef@stadt-a.example", "content.remove", "Spam")]
