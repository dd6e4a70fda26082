"""`/verwaltung/meldungen` over real HTTP: a `Flag` shaped as Mastodon sends it (from its
instance actor, signed, `object` = the reported actor and opportunity, `content` = the
comment) arrives in the inbox, appears in the admin's web queue, and is resolved from the
report's page — through `usecases.reports.resolve`, as the admin API does it: the content is
gone (410), the audit log names `web:<e-mail>` and the reason. Roles, CSRF and bad input are
refused with a German page and change nothing."""

from __future__ import annotations

import aiohttp
import pytest

from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import moderation, reports
from tests.fakes.mastodon import FakeMastodon
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import add_org, publish_opportunity
from tests.integration.test_reports import flag
from tests.web_helpers import add_account, login, page_csrf

HTML = {"Accept": "text/html"}


@pytest.fixture
async def mastodon(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


def browser(fediverse) -> aiohttp.ClientSession:
    """A client with a cookie jar that reaches city-a by its `.test` name."""
    return aiohttp.ClientSession(base_url="http://city-a.test", connector=aiohttp.TCPConnector(
        resolver=fediverse.resolver))


async def test_a_mastodon_report_is_resolved_from_the_web_page(fediverse, mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    opp = publish_opportunity(city, "tafel", title="Angebot mit Werbung")
    urls = city.app[URLS]
    tafel, opp_url = urls.actor("tafel"), urls.opportunity(opp.id)
    add_account(city.settings, "chef@stadt.example", "admin")
    add_account(city.settings, "staff@stadt.example", "staff")

    # Mastodon's instance actor reports tafel and its opportunity; an older one is dismissed
    first = flag(mastodon, [tafel], "Schon erledigt")
    report = flag(mastodon, [tafel, opp_url], "Spam-Angebot, bitte prüfen")
    for activity in (first, report):
        assert (await mastodon.post("actor", "http://city-a.test/inbox", activity))[0] == 202
    await drain(city)
    store = city.app[STORE]
    old_id, new_id = sorted(r["id"] for r in reports.list_reports(store, "open"))
    reports.resolve(store, city.app[SERVICES].content, old_id, "dismiss", "alt",
                    city.app[CLOCK](), by="cli:test")

    async with browser(fediverse) as web:
        # Staff may not see the queue
        await login(web, "staff@stadt.example")
        resp = await web.get("/verwaltung/meldungen", headers=HTML)
        assert resp.status == 403 and "nur für die Administration" in await resp.text()
        resp = await web.get(f"/verwaltung/meldungen/{new_id}", headers=HTML)
        assert resp.status == 403
        token = await page_csrf(web, "/verwaltung")
        resp = await web.post(f"/verwaltung/meldungen/{new_id}/erledigen",
                              data={"csrf": token, "action": "dismiss"})
        assert resp.status == 403
        await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)

        await login(web, "chef@stadt.example")
        # The queue lists the open report first, with its origin and comment
        html = await (await web.get("/verwaltung/meldungen", headers=HTML)).text()
        assert html.index(f"Meldung {new_id} von mastodon.test") < html.index(
            f"Meldung {old_id} von mastodon.test")
        assert "„Spam-Angebot, bitte prüfen“" in html
        # The report's page: comment, reporter, the reported actor and opportunity, actions
        html = await (await web.get(f"/verwaltung/meldungen/{new_id}", headers=HTML)).text()
        assert "Spam-Angebot, bitte prüfen" in html
        assert mastodon.actor_id("actor") in html
        assert f'Konto: <a href="{tafel}">' in html
        assert f'Angebot: <a href="{opp_url}">' in html
        for value in ("dismiss", "hide", "remove", "block_actor", "block_domain"):
            assert f'name="action" value="{value}"' in html
        token = await page_csrf(web, f"/verwaltung/meldungen/{new_id}")
        path = f"/verwaltung/meldungen/{new_id}/erledigen"

        # Refused: no CSRF, an unknown action, an over-long reason, an action the use case
        # cannot take for our own content, an unknown report — nothing changes
        resp = await web.post(path, data={"action": "remove"})
        assert resp.status == 403
        resp = await web.post(path, data={"csrf": token, "action": "weg"})
        assert resp.status == 422 and "eine der Maßnahmen" in await resp.text()
        resp = await web.post(path, data={"csrf": token, "action": "remove",
                                          "reason": "x" * 1001})
        assert resp.status == 422 and "höchstens 1000 Zeichen" in await resp.text()
        resp = await web.post(path, data={"csrf": token, "action": "block_domain",
                                          "reason": "Spam"})
        text = await resp.text()
        assert resp.status == 422 and "möglich sind »dismiss«, »hide« und »remove«" in text
        assert 'value="Spam"' in text  # the reason is kept
        assert (await web.get("/verwaltung/meldungen/999", headers=HTML)).status == 404
        assert (await web.get("/verwaltung/meldungen/abc", headers=HTML)).status == 404
        assert reports.get_report(store, new_id)["state"] == "open"
        assert moderation.domain_rules(store) == []

        # When the admin removes the reported content from the page
        resp = await web.post(path, data={"csrf": token, "action": "remove",
                                          "reason": "Werbung ohne Bezug"},
                              allow_redirects=False)
        assert resp.status == 303
        assert resp.headers["Location"] == f"/verwaltung/meldungen/{new_id}?hinweis=erledigt"
        html = await (await web.get(resp.headers["Location"], headers=HTML)).text()
        assert "Die Meldung ist erledigt." in html
        assert "Entfernen (löschen) – Werbung ohne Bezug" in html
        assert "von web:chef@stadt.example" in html
        # Then the opportunity is gone for everyone (410)
        resp = await web.get(opp_url, headers={"Accept": "application/activity+json"})
        assert resp.status == 410
        # A second resolve changes nothing
        resp = await web.post(path, data={"csrf": token, "action": "dismiss"})
        assert resp.status == 409 and "schon erledigt" in await resp.text()

    resolved = reports.get_report(store, new_id)
    assert (resolved["state"], resolved["action"], resolved["resolution"],
            resolved["resolved_by"]) == ("resolved", "remove", "Werbung ohne Bezug",
                                         "web:chef@stadt.example")
    entry = [e for e in moderation.audit_entries(store) if e["target"] == str(new_id)]
    assert [(e["actor"], e["action"], e["reason"], e["details"]) for e in entry] == [
        ("web:chef@stadt.example", "report.resolve", "Werbung ohne Bezug",
         {"action": "remove", "removed": [opp_url], "hidden": []})]
