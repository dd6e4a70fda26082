"""Reporting remote content from the web UI (issue 15): A's admin reports B's practice post on
/verwaltung/meldungen, staff from the „Melden“ link of the search page on the form's own page
(/verwaltung/meldungen/senden); B receives a `Flag` from A's instance actor and opens a
report. An unknown URL is 404, a missing URL 422, editors 403 (staff 403 on the rest of the
admin screens), no CSRF 403; the report is audited."""

from __future__ import annotations

import json
from urllib.parse import quote

from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import FakeMastodon
from tests.fediverse import drain
from tests.integration.test_mastodon_fake import drain as mastodon_drain
from tests.integration.test_network import (
    add_org,
    follow,
    found,
    get_text,
    publish_opportunity,
    publish_practice,
    served,
)
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


async def test_staff_report_from_the_search_page_and_editors_may_not(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    add_org(a, "tafel")
    await follow(a, b)
    prac = publish_practice(b, "city_b", title="Beitrag mit erfundenen Zahlen")
    await drain(a, b)
    url = b.app[URLS].practice(prac.id)
    add_account(a.settings, "anlauf@stadt-a.example", "staff")
    add_account(a.settings, "redaktion@tafel.example", "editor", ["tafel"])
    staff, editor = Person(fediverse, a), Person(fediverse, a)
    form = "/verwaltung/meldungen/senden"
    link = f'href="{form}?objekt={quote(url)}"'
    try:
        await staff.login("anlauf@stadt-a.example")
        # The search page offers „Melden“ at the remote result, the form has its address
        status, html = await staff.get("/suche?q=erfundenen")
        assert status == 200 and link in html
        status, html = await staff.get(f"{form}?objekt={quote(url, safe='')}")
        assert status == 200 and f'value="{url}"' in html
        # Bad input: nothing is sent
        assert (await staff.post(form, {"object": "", "form": "einzeln"}, form))[0] == 422
        status, html = await staff.post(form, {"object": "https://unbekannt.example/x"}, form)
        assert status == 404 and "Dieser Inhalt ist hier nicht bekannt." in html
        assert a.app[STORE].scalar("SELECT count(*) FROM reports") == 0
        # Staff sends the report
        served.clear()
        status, html = await staff.post(form, {"object": url, "form": "einzeln",
                                               "comment": "Die Zahlen sind erfunden"}, form)
        assert status == 200 and "Die Meldung ist an den Server des Inhalts unterwegs." in html
        # Everything else under /verwaltung stays admin-only
        for page in ("/verwaltung/meldungen", "/verwaltung/foederation",
                     "/verwaltung/inhalte", "/verwaltung/zustellung"):
            assert (await staff.get(page))[0] == 403, page

        # An editor may not report
        await editor.login("redaktion@tafel.example")
        status, html = await editor.get("/suche?q=erfundenen")
        assert status == 200 and url in html and link not in html
        assert (await editor.get(form))[0] == 403
        status, html = await editor.post(form, {"object": url, "comment": "x"}, "/verwaltung")
        assert status == 403 and "nur die Administration und die Anlaufstelle" in html
    finally:
        await staff.session.close()
        await editor.session.close()

    # The Flag reaches B's inbox from A's instance actor, whose key B fetched to verify it
    await drain(a, b)
    (report,) = b.app[STORE].all("SELECT reporter, comment, state, objects FROM reports")
    assert report == {"reporter": "http://city-a.test/actor", "state": "open",
                      "comment": "Die Zahlen sind erfunden",
                      "objects": json.dumps([b.app[URLS].actor("city_b"), url])}
    assert ("GET", "/actor", "city-b.test") in served["city-a.test"]
    flag = b.app[STORE].one("SELECT actor, state FROM inbox_items WHERE type = 'Flag'")
    assert flag == {"actor": "http://city-a.test/actor", "state": "processed"}
    # One report on A, sent by the staff member, in the audit log
    assert a.app[STORE].scalar("SELECT count(*) FROM reports") == 1
    assert [(e["actor"], e["action"], e["target"]) for e in moderation.audit_entries(
        a.app[STORE]) if e["action"] == "report.send"] == [
        ("web:anlauf@stadt-a.example", "report.send", url)]


async def test_staff_report_a_comment_from_the_opportunity_page(fediverse):
    city = await fediverse.add("city-a", public_replies="show")
    masto = await FakeMastodon(fediverse.resolver).start()
    try:
        add_org(city, "tafel")
        opp = publish_opportunity(city, "tafel", title="Fahrdienst zum Wochenmarkt")
        page = f"/angebote/{opp.id}"
        parent = city.app[URLS].opportunity(opp.id)
        reply = masto.note("alice", "<p>Billige Uhren hier!</p>", inReplyTo=parent)
        assert (await masto.post("alice", "http://city-a.test/inbox", reply))[0] == 202
        await mastodon_drain(city)
        note_id = reply["object"]["id"]
        link = f'href="/verwaltung/meldungen/senden?objekt={quote(note_id)}"'
        add_account(city.settings, "anlauf@stadt-a.example", "staff")
        add_account(city.settings, "redaktion@tafel.example", "editor", ["tafel"])
        staff, editor = Person(fediverse, city), Person(fediverse, city)
        try:
            await editor.login("redaktion@tafel.example")
            status, html = await editor.get(page)
            assert status == 200 and "Billige Uhren" in html and link not in html
            await staff.login("anlauf@stadt-a.example")
            status, html = await staff.get(page)
            assert status == 200 and link in html
            status, html = await staff.post("/verwaltung/meldungen/senden", {
                "object": note_id, "comment": "Spam unter unserem Angebot",
                "form": "einzeln"}, "/verwaltung/meldungen/senden")
            assert status == 200 and "unterwegs" in html
        finally:
            await staff.session.close()
            await editor.session.close()
        status, html = await get_text(fediverse, f"http://city-a.test{page}",
                                      Accept="text/html")
        assert "Billige Uhren" in html and "Kommentar melden" not in html  # anonymous
        masto.inbox.clear()
        await mastodon_drain(city)
        (got,) = [r for r in masto.inbox if json.loads(r.body)["type"] == "Flag"]
        assert got.verified and got.owner == city.app[URLS].instance_actor
        assert json.loads(got.body)["object"] == [masto.actor_id("alice"), note_id]
    finally:
        await masto.close()
