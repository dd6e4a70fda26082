"""Password reset by e-mail (issue 14), over real HTTP and a local SMTP server: "Passwort
vergessen" mails a one-time link when SMTP is configured, says the same whether or not the
address has an account, sends at most one mail an hour per account, is rate-limited per
address, and the link sets a new password (the old one works until then)."""

from __future__ import annotations

import re

from mitwirken.server.app_keys import SERVICES
from tests.integration.test_reminders import app_for, smtp  # noqa: F401 (fixture)
from tests.web_helpers import PASSWORD, Clock, add_account, csrf_of, login

HTML = {"Accept": "text/html"}
NEW = "Ein ganz neues Passwort"


async def _ask(client, email: str) -> tuple[int, str]:
    page = await client.get("/passwort-vergessen", headers=HTML)
    token = csrf_of(await page.text())
    resp = await client.post("/passwort-vergessen", data={"email": email, "csrf": token},
                             headers=HTML)
    return resp.status, await resp.text()


async def test_reset_link_by_mail_sets_a_new_password(aiohttp_client, settings, smtp):  # noqa: F811
    inbox, port, _ = smtp
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    client = await aiohttp_client(app_for(settings, Clock(), smtp_host="127.0.0.1",
                                          smtp_port=port, smtp_starttls="false"))
    login_page = await (await client.get("/anmelden", headers=HTML)).text()
    assert 'href="/passwort-vergessen">Passwort vergessen?</a>' in login_page

    status, page = await _ask(client, "Anna@Tafel.example")
    assert status == 200 and "Wenn es ein Konto mit dieser Adresse gibt" in page
    status, unknown = await _ask(client, "niemand@tafel.example")
    assert status == 200 and "Wenn es ein Konto mit dieser Adresse gibt" in unknown
    await _ask(client, "anna@tafel.example")  # a second request within the hour: no mail
    await client.app[SERVICES].workers.mail.tick()
    assert [m["to"] for m in inbox.mails] == ["anna@tafel.example"]
    mail = inbox.mails[0]
    assert mail["subject"] == "Ihr Link für ein neues Passwort"
    link = re.search(r"http://musterstadt\.test(/passwort/\S+)", mail["body"])
    assert link, mail["body"]

    await login(client, "anna@tafel.example")  # the old password still works meanwhile
    form = await client.get(link.group(1), headers=HTML)
    assert form.status == 200
    resp = await client.post(link.group(1), data={
        "password": NEW, "password2": NEW, "csrf": csrf_of(await form.text())},
        allow_redirects=False)
    assert resp.status == 303, await resp.text()
    assert resp.headers["Location"] == "/anmelden?hinweis=passwort", await resp.text()
    await login(client, "anna@tafel.example", PASSWORD, expect=401)  # old one refused
    await login(client, "anna@tafel.example", NEW)
    assert (await client.get(link.group(1), headers=HTML)).status == 404  # used up


async def test_without_smtp_there_is_no_reset_page(client):
    page = await (await client.get("/anmelden", headers=HTML)).text()
    assert "passwort-vergessen" not in page and "Administration" in page
    resp = await client.get("/passwort-vergessen", headers=HTML)
    assert resp.status == 404 and "verschickt keine E-Mails" in await resp.text()


async def test_reset_needs_csrf_and_is_rate_limited(aiohttp_client, settings, smtp):  # noqa: F811
    _, port, _ = smtp
    client = await aiohttp_client(app_for(settings, Clock(), smtp_host="127.0.0.1",
                                          smtp_port=port, smtp_starttls="false"))
    resp = await client.post("/passwort-vergessen", data={"email": "a@b.example"},
                             headers=HTML)
    assert resp.status == 403
    statuses = [(await _ask(client, f"x{i}@tafel.example"))[0] for i in range(6)]
    assert statuses == [200] * 5 + [429]
