"""`/verwaltung/personen`: an admin adds a person (a one-time link is shown, the person sets a
password with it and logs in), resets and removes accounts; staff do the same for staff and
editor accounts but not for admins; editors do not get in."""

from __future__ import annotations

import re

import pytest

from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.usecases import moderation
from tests.web_helpers import PASSWORD, add_account, csrf_of, login, page_csrf

HTML = {"Accept": "text/html"}


@pytest.fixture
async def web(aiohttp_client, settings):
    add_account(settings, "chef@stadt.example", "admin")
    add_account(settings, "staff@stadt.example", "staff")
    return await aiohttp_client(create_app(settings, start_workers=False))


async def test_admin_adds_a_person_who_then_logs_in(web, settings):
    await login(web, "chef@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert 'href="/verwaltung/personen"' in html
    token = await page_csrf(web, "/verwaltung/personen")
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "neu@tafel.example", "role": "editor", "org": "tafel"})
    html = await resp.text()
    assert resp.status == 201
    link = re.search(r"http://musterstadt\.test(/passwort/mw_[^<\s]+)", html)
    assert link
    assert "neu@tafel.example</strong> – Redaktion einer Organisation" in html
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "neu@tafel.example", "role": "staff"})
    assert resp.status == 422 and "bereits ein Konto" in await resp.text()
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "ohne@tafel.example", "role": "editor"})
    assert resp.status == 422 and "mindestens eine Organisation" in await resp.text()
    # only the account made is in the audit log, under the admin's name
    entries = moderation.audit_entries(Store.open(settings.db_path))
    assert [(e["actor"], e["action"], e["target"], e["details"]) for e in entries] == [
        ("web:chef@stadt.example", "account.add", "neu@tafel.example",
         {"role": "editor", "orgs": ["tafel"]})]

    resp = await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    page = await web.get(link.group(1), headers=HTML)
    resp = await web.post(link.group(1), data={"csrf": csrf_of(await page.text()),
                                               "password": PASSWORD, "password2": PASSWORD},
                          allow_redirects=False)
    assert resp.status == 303
    await login(web, "neu@tafel.example")


async def test_admin_resets_and_removes(web, settings):
    await login(web, "chef@stadt.example")
    token = await page_csrf(web, "/verwaltung/personen")
    resp = await web.post("/verwaltung/personen/zuruecksetzen", data={
        "csrf": token, "email": "staff@stadt.example"})
    assert resp.status == 200 and "/passwort/mw_" in await resp.text()
    store = Store.open(settings.db_path)
    assert store.scalar("SELECT password_hash FROM accounts WHERE email = "
                        "'staff@stadt.example'") is None
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "csrf": token, "email": "chef@stadt.example"}, allow_redirects=False)
    assert resp.status == 422  # not oneself
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "csrf": token, "email": "staff@stadt.example"}, allow_redirects=False)
    assert resp.status == 303
    assert store.scalar("SELECT count(*) FROM accounts") == 1
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "csrf": token, "email": "staff@stadt.example"}, allow_redirects=False)
    assert resp.status == 404
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "email": "chef@stadt.example"}, allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    # the reset and the removal are in the audit log under the admin's name
    assert [(e["actor"], e["action"], e["target"]) for e in moderation.audit_entries(store)
            if e["actor"].startswith("web:")] == [
        ("web:chef@stadt.example", "account.reset", "staff@stadt.example"),
        ("web:chef@stadt.example", "account.remove", "staff@stadt.example")]


async def _count(settings, role: str) -> int:
    store = Store.open(settings.db_path)
    try:
        return store.scalar("SELECT count(*) FROM accounts WHERE role = ?", (role,))
    finally:
        store.close()


async def test_staff_manage_staff_and_editors_but_not_admins(web, settings):
    add_account(settings, "redaktion@tafel.example", "editor", ["tafel"])
    add_account(settings, "kollegin@stadt.example", "staff")
    await login(web, "staff@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert 'href="/verwaltung/personen"' in html
    resp = await web.get("/verwaltung/personen", headers=HTML)
    html = await resp.text()
    assert resp.status == 200 and "chef@stadt.example" in html
    assert '<option value="admin"' not in html and '<option value="staff"' in html
    # no buttons on the admin's card, nor on one's own
    assert 'name="email" value="chef@stadt.example"' not in html
    assert 'name="email" value="staff@stadt.example"' not in html
    assert 'name="email" value="kollegin@stadt.example"' in html
    token = csrf_of(html)

    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "neu@tafel.example", "role": "editor", "org": "tafel"})
    assert resp.status == 201 and "/passwort/mw_" in await resp.text()
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "neue-staff@stadt.example", "role": "staff"})
    assert resp.status == 201
    resp = await web.post("/verwaltung/personen/zuruecksetzen", data={
        "csrf": token, "email": "redaktion@tafel.example"})
    assert resp.status == 200 and "/passwort/mw_" in await resp.text()
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "csrf": token, "email": "kollegin@stadt.example"}, allow_redirects=False)
    assert resp.status == 303
    assert await _count(settings, "staff") == 2 and await _count(settings, "editor") == 2

    # the admin account: not created, reset or removed by staff (German 403, nothing changed)
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "zweiter-chef@stadt.example", "role": "admin"})
    assert resp.status == 403 and "nur die Administration" in await resp.text()
    for action in ("zuruecksetzen", "entfernen"):
        resp = await web.post(f"/verwaltung/personen/{action}", data={
            "csrf": token, "email": "chef@stadt.example"}, allow_redirects=False)
        assert resp.status == 403 and "nur die Administration" in await resp.text()
    store = Store.open(settings.db_path)
    assert store.scalar("SELECT password_hash FROM accounts WHERE email = "
                        "'chef@stadt.example'") is not None
    assert await _count(settings, "admin") == 1
    resp = await web.post("/verwaltung/personen/entfernen", data={
        "csrf": token, "email": "staff@stadt.example"}, allow_redirects=False)
    assert resp.status == 422 and "eigene Konto" in await resp.text()
    assert await _count(settings, "staff") == 2


async def test_editors_do_not_manage_accounts(web, settings):
    add_account(settings, "redaktion@tafel.example", "editor", ["tafel"])
    await login(web, "redaktion@tafel.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert 'href="/verwaltung/personen"' not in html
    resp = await web.get("/verwaltung/personen", headers=HTML)
    assert resp.status == 403 and "Anlaufstelle und die Administration" in await resp.text()
    token = await page_csrf(web, "/verwaltung")
    resp = await web.post("/verwaltung/personen", data={
        "csrf": token, "email": "x@y.example", "role": "editor", "org": "tafel"})
    assert resp.status == 403
    assert await _count(settings, "editor") == 1
