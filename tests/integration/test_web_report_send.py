"""Reporting remote content from the web UI (issue 15): A's admin reports B's practice post on
/verwaltung/meldungen; B receives a `Flag` from A's instance actor and opens a report. An
unknown URL is 404, a missing URL 422, staff 403, no CSRF 403; the report is audited."""

from __future__ import annotations

from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import moderation
from tests.fediverse import drain
from tests.integration.test_network import follow, found, publish_practice, served
from tests.integration.test_web_review import Person
from tests.web_helpers import add_account

__all__ = ["served"]  # the fixture, imported for this module's tests


async def test_admin_reports_remote_content_to_its_origin(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)
    prac = publish_practice(b, "city_b", title="Beitrag mit falschen Angaben")
    await drain(a, b)
    url = b.app[URLS].practice(prac.id)
    assert url in found(a, "Angaben")
    add_account(a.settings, "chef@stadt-a.example", "admin")
    add_account(a.settings, "staff@stadt-a.example", "staff")
    chef, staff = Person(fediverse, a), Person(fediverse, a)
    page = "/verwaltung/meldungen"
    try:
        await chef.login("chef@stadt-a.example")
        assert (await chef.post(f"{page}/senden", {"object": "", "comment": "x"}, page))[0] \
            == 422
        assert (await chef.post(f"{page}/senden", {
            "object": "https://unbekannt.example/x", "comment": "x"}, page))[0] == 404
        status, html = await chef.post(f"{page}/senden", {
            "object": url, "comment": "Falsche Angaben im Text"}, page)
        assert status == 200 and "Die Meldung ist an den Server des Inhalts unterwegs." in html
        assert "von hier gesendet" in html
        async with chef.session.post(a.base + f"{page}/senden", data={"object": url},
                                     headers={"Accept": "text/html"}) as resp:
            assert resp.status == 403  # no CSRF token
        await staff.login("staff@stadt-a.example")
        assert (await staff.get(page))[0] == 403
    finally:
        await chef.session.close()
        await staff.session.close()
    await drain(a, b)
    (report,) = b.app[STORE].all("SELECT reporter, comment, state FROM reports")
    assert report == {"reporter": "http://city-a.test/actor",
                      "comment": "Falsche Angaben im Text", "state": "open"}
    assert any(e["actor"] == "web:chef@stadt-a.example" and e["action"].startswith("report")
               for e in moderation.audit_entries(a.app[STORE]))
