"""`/verwaltung/zustellung` over real HTTP: after a scripted run (a peer that fails, one that
is gone, one that recovers) the admin's page shows the queue per state, the outcomes of 24 h
and 7 days and the failing domains with their last HTTP status and error; "Jetzt erneut
versuchen" requeues one domain through `usecases.operations.retry_domain` (audited as
`web:<e-mail>`), and the next tick delivers it. Staff get 403, a form without CSRF 403, a bad
domain 422."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import follows
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from mitwirken.server.usecases import moderation
from tests.integration.test_metrics import Clock, sinks
from tests.web_helpers import add_account, login, page_csrf

__all__ = ["sinks"]  # the fixture, imported for this module's tests

HTML = {"Accept": "text/html"}
PAGE = "/verwaltung/zustellung"


def browser(fediverse) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url="http://city-a.test", connector=aiohttp.TCPConnector(
        resolver=fediverse.resolver))


def figure(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}">([^<]*)<', html)
    assert match, ident
    return match.group(1)


async def _scripted_run(fediverse, sinks):
    """city-a with an admin and a staff account, after two delivery passes: recovers.test
    done, fails.test waiting for its next try, gone.test given up."""
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    add_account(a.settings, "chef@stadt.example", "admin")
    add_account(a.settings, "staff@stadt.example", "staff")
    store, urls = a.app[STORE], a.app[URLS]
    for n, host in enumerate(sinks):
        follows.add_follower(store, username="city_a", actor=f"http://{host}/users/u{n}",
                             follow_id=f"http://{host}/follows/{n}", state="accepted",
                             inbox=f"http://{host}/users/u{n}/inbox", shared_inbox=None,
                             now=clock())
    note = {"id": urls.opportunity("n1"), "type": "Note", "content": "Hallo",
            "attributedTo": urls.actor("city_a")}
    assert publish(store, "city_a", activities.create(urls, "city_a", note, clock()),
                   clock()) == 3
    worker = a.app[SERVICES].workers.delivery
    assert await worker.tick() == 3
    clock.now += timedelta(hours=1)
    assert await worker.tick() == 2  # recovers.test takes it, fails.test fails again
    return store, worker


async def test_delivery_health_and_retry_from_the_web_page(fediverse, sinks):
    store, worker = await _scripted_run(fediverse, sinks)

    async with browser(fediverse) as web:
        await login(web, "staff@stadt.example")
        resp = await web.get(PAGE, headers=HTML)
        assert resp.status == 403 and "nur für die Administration" in await resp.text()
        token = await page_csrf(web, "/verwaltung")
        resp = await web.post(PAGE + "/erneut", data={"csrf": token, "domain": "gone.test"})
        assert resp.status == 403
        await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)
        resp = await web.get(PAGE, headers=HTML, allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"].startswith("/anmelden")

        await login(web, "chef@stadt.example")
        html = await (await web.get(PAGE, headers=HTML)).text()
        assert [figure(html, f"queue-{s}") for s in ("pending", "held", "done", "failed")] == [
            "1", "0", "1", "1"]
        assert [figure(html, i) for i in ("day-done", "day-failed", "week-done",
                                          "week-failed")] == ["1", "1", "1", "1"]
        assert "<h3>fails.test</h3>" in html and "<h3>gone.test</h3>" in html
        assert "<h3>recovers.test" not in html  # not among the failing domains
        assert "HTTP 503 – Service Unavailable" in html
        assert "HTTP 410 – Gone" in html
        assert html.count('action="/verwaltung/zustellung/erneut"') == 2  # one per domain

        token = await page_csrf(web, PAGE)
        resp = await web.post(PAGE + "/erneut", data={"domain": "gone.test"})
        assert resp.status == 403  # no CSRF token
        resp = await web.post(PAGE + "/erneut", data={"csrf": token, "domain": "kein domain"})
        assert resp.status == 422
        assert store.scalar("SELECT state FROM deliveries WHERE domain = 'gone.test'") == \
            "failed"
        assert moderation.audit_entries(store) == []

        # The peer is back; the admin retries it now
        sinks["gone.test"].script.default = 202
        resp = await web.post(PAGE + "/erneut", data={"csrf": token, "domain": "gone.test"})
        html = await resp.text()
        assert resp.status == 200
        assert "1 Zustellung(en) an gone.test werden jetzt erneut versucht." in html
    assert await worker.tick() == 1
    assert store.scalar("SELECT state FROM deliveries WHERE domain = 'gone.test'") == "done"
    assert [s.status for s in sinks["gone.test"].received] == [410, 202]
    (entry,) = moderation.audit_entries(store)
    assert (entry["actor"], entry["action"], entry["target"], entry["details"]) == (
        "web:chef@stadt.example", "delivery.retry_domain", "gone.test", {"requeued": 1})


def rows(html: str) -> dict[int, str]:
    """The list's rows: delivery id → the row's HTML."""
    return {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<li id="delivery-(\d+)">(.*?)</li>', html, re.S)}


def row_id(store, domain: str) -> int:
    return int(store.scalar("SELECT id FROM deliveries WHERE domain = ?", [domain]))


async def test_delivery_list_filters_and_retries_one_delivery(fediverse, sinks):
    store, worker = await _scripted_run(fediverse, sinks)
    gone, fails, done = (row_id(store, d) for d in ("gone.test", "fails.test",
                                                    "recovers.test"))
    one = f"{PAGE}/{gone}/erneut"
    async with browser(fediverse) as web:
        await login(web, "staff@stadt.example")
        assert (await web.get(PAGE + "?zustand=failed", headers=HTML)).status == 403
        token = await page_csrf(web, "/verwaltung")
        assert (await web.post(one, data={"csrf": token})).status == 403
        await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)

        await login(web, "chef@stadt.example")
        listed = rows(await (await web.get(PAGE, headers=HTML)).text())
        assert set(listed) == {gone, fails, done}
        assert "Jetzt erneut versuchen</button>" in listed[gone]  # given up
        assert "Jetzt erneut versuchen</button>" in listed[fails]  # waiting
        assert "<button" not in listed[done]
        assert "HTTP 410 – Gone" in listed[gone] and "aufgegeben" in listed[gone]

        html = await (await web.get(PAGE + "?zustand=failed", headers=HTML)).text()
        assert set(rows(html)) == {gone}
        assert '<option value="failed" selected>' in html
        assert set(rows(await (await web.get(PAGE + "?domain=FAILS.test",
                                              headers=HTML)).text())) == {fails}
        html = await (await web.get(PAGE + "?zustand=done&domain=gone.test",
                                    headers=HTML)).text()
        assert rows(html) == {} and "Keine Zustellungen, die zum Filter passen." in html

        resp = await web.get(PAGE + "?zustand=kaputt", headers=HTML)
        assert resp.status == 400 and "Unbekannter Zustand" in await resp.text()
        resp = await web.get(PAGE + "?domain=kein%20domain", headers=HTML)
        assert resp.status == 400 and 'role="alert"' in await resp.text()

        token = await page_csrf(web, PAGE)
        assert (await web.post(one, data={})).status == 403  # no CSRF token
        for unknown in (f"{PAGE}/999999/erneut", f"{PAGE}/abc/erneut", f"{PAGE}/{done}/erneut"):
            resp = await web.post(unknown, data={"csrf": token})
            assert resp.status == 404, unknown
            assert "Keine wartende oder aufgegebene Zustellung" in await resp.text()
        assert store.scalar("SELECT state FROM deliveries WHERE id = ?", [gone]) == "failed"
        assert moderation.audit_entries(store) == []

        sinks["gone.test"].script.default = 202
        resp = await web.post(one, data={"csrf": token, "zustand": "failed", "domain": ""})
        html = await resp.text()
        assert resp.status == 200
        assert f"Die Zustellung {gone} wird jetzt erneut versucht." in html
        assert '<option value="failed" selected>' in html  # the filter is kept
        assert gone not in rows(html)  # no longer given up
    assert store.scalar("SELECT state FROM deliveries WHERE id = ?", [gone]) == "pending"
    (entry,) = moderation.audit_entries(store)
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "web:chef@stadt.example", "delivery.retry", str(gone))
    assert await worker.tick() == 1
    assert store.scalar("SELECT state FROM deliveries WHERE id = ?", [gone]) == "done"
