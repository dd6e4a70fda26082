"""`/verwaltung/protokoll`: the audit log in the web UI (issue 15) — an admin's decision made
in the web UI appears with who (`web:<e-mail>`), what, when and why; `?seit=` starts at a day;
staff and editors get 403, a malformed date 400."""

from __future__ import annotations

from mitwirken.server.app import create_app
from tests.web_helpers import add_account, login, page_csrf

HTML = {"Accept": "text/html"}


async def test_admin_sees_who_did_what_and_why(aiohttp_client, settings):
    add_account(settings, "chef@stadt.example", "admin")
    add_account(settings, "staff@stadt.example", "staff")
    client = await aiohttp_client(create_app(settings, start_workers=False))
    await login(client, "chef@stadt.example")
    empty = await (await client.get("/verwaltung/protokoll", headers=HTML)).text()
    assert "Noch keine Einträge" in empty
    token = await page_csrf(client, "/verwaltung/foederation")
    resp = await client.post("/verwaltung/foederation/modus", data={
        "mode": "allowlist", "reason": "Nur Engagierte Städte <b>bitte</b>", "csrf": token},
        allow_redirects=False)
    assert resp.status == 303
    page = await (await client.get("/verwaltung/protokoll", headers=HTML)).text()
    assert "web:chef@stadt.example" in page and "Nur Engagierte Städte &lt;b&gt;" in page
    assert 'aria-current="page">Protokoll' in page
    later = await (await client.get("/verwaltung/protokoll?seit=2999-01-01", headers=HTML)).text()
    assert "Noch keine Einträge seit 2999-01-01" in later
    assert (await client.get("/verwaltung/protokoll?seit=gestern", headers=HTML)).status == 400
    dashboard = await (await client.get("/verwaltung", headers=HTML)).text()
    assert 'href="/verwaltung/protokoll"' in dashboard

    other = await aiohttp_client(create_app(settings, start_workers=False))
    await login(other, "staff@stadt.example")
    assert (await other.get("/verwaltung/protokoll", headers=HTML)).status == 403
