"""Login to the web UI over real HTTP: the form, sessions and their cookies, CSRF, logout
(here and everywhere), throttling, expiry, set-password links, and that a logged-in header
never reaches a kept anonymous page."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.config import load_settings
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.instance import init_instance
from tests.web_helpers import PASSWORD, Clock, add_account, csrf_of, login, page_csrf

HTML = {"Accept": "text/html"}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def web(aiohttp_client, settings, clock):
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    return await aiohttp_client(create_app(settings, start_workers=False, clock=clock))


async def test_login_page_in_german_with_labels_and_csrf(web):
    resp = await web.get("/anmelden", headers=HTML)
    html = await resp.text()
    assert resp.status == 200
    assert '<label for="email">E-Mail</label>' in html
    assert '<label for="password">Passwort</label>' in html
    assert '<button type="submit">Anmelden</button>' in html
    token = csrf_of(html)
    cookie = resp.cookies["mw_csrf"]
    assert cookie.value == token and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert resp.headers["Cache-Control"] == "no-store"


async def test_wrong_password_is_refused_in_german_and_logged(web, caplog):
    caplog.set_level(logging.INFO, "mitwirken")
    resp = await login(web, "anna@tafel.example", "falsches Passwort!", expect=401)
    html = await resp.text()
    assert "E-Mail-Adresse oder Passwort ist falsch." in html
    assert 'value="anna@tafel.example"' in html  # the input is kept
    assert "mw_session" not in resp.cookies
    assert any(r.getMessage().startswith("login_failed ") for r in caplog.records)
    resp = await login(web, "niemand@tafel.example", PASSWORD, expect=401)
    assert "E-Mail-Adresse oder Passwort ist falsch." in await resp.text()  # same words


async def test_login_sets_a_server_side_session(web, settings, caplog):
    caplog.set_level(logging.INFO, "mitwirken")
    resp = await login(web, "Anna@Tafel.example")
    assert resp.headers["Location"] == "/verwaltung"
    cookie = resp.cookies["mw_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # http instance
    store = Store.open(settings.db_path)
    stored = store.one("SELECT id_hash FROM sessions")
    assert stored and stored["id_hash"] != cookie.value and cookie.value not in stored["id_hash"]
    assert any(r.getMessage().startswith("login account=") for r in caplog.records)
    page = await web.get("/about", headers=HTML)
    html = await page.text()
    assert ">Abmelden</button>" in html and 'href="/anmelden"' not in html


async def test_https_instance_uses_secure_host_cookies(aiohttp_client, tmp_path):
    data = tmp_path / "https"
    init_instance(data, "https://engagiert.example", "Engagierte Stadt X", "stadt")
    settings = load_settings(data, env={})
    add_account(settings, "chef@stadt.example", "admin")
    client = await aiohttp_client(create_app(settings, start_workers=False))
    page = await client.get("/anmelden", headers=HTML)
    assert page.cookies["__Host-mw_csrf"]["secure"]
    token = csrf_of(await page.text())
    # The test client speaks plain http, so the browser-side jar would not send a Secure
    # cookie back: pass it by hand, as a browser on https would.
    resp = await client.post("/anmelden", data={"email": "chef@stadt.example",
                                                "password": PASSWORD, "csrf": token},
                             headers={"Cookie": f"__Host-mw_csrf={token}"},
                             allow_redirects=False)
    assert resp.status == 303
    cookie = resp.cookies["__Host-mw_session"]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert "Domain" not in resp.headers["Set-Cookie"]


async def test_forms_without_csrf_token_are_refused_with_403(web, settings):
    resp = await web.post("/anmelden", data={"email": "anna@tafel.example",
                                             "password": PASSWORD}, allow_redirects=False)
    assert resp.status == 403 and resp.content_type == "text/html"
    assert "Sicherheitsprüfung fehlgeschlagen" in await resp.text()
    resp = await web.post("/anmelden", data={"email": "anna@tafel.example",
                                             "password": PASSWORD, "csrf": "x" * 43},
                          allow_redirects=False)
    assert resp.status == 403
    store = Store.open(settings.db_path)
    assert store.scalar("SELECT count(*) FROM sessions") == 0
    await login(web, "anna@tafel.example")
    resp = await web.post("/abmelden", data={}, allow_redirects=False)
    assert resp.status == 403
    assert store.scalar("SELECT count(*) FROM sessions") == 1  # still logged in


async def test_logout_ends_the_session(web, caplog):
    caplog.set_level(logging.INFO, "mitwirken")
    await login(web, "anna@tafel.example")
    old = web.session.cookie_jar.filter_cookies(web.make_url("/"))["mw_session"].value
    token = await page_csrf(web, "/about")
    resp = await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/anmelden?hinweis=abgemeldet"
    assert any(r.getMessage().startswith("logout account=") for r in caplog.records)
    page = await web.get("/about", headers={**HTML, "Cookie": f"mw_session={old}"})
    assert 'href="/anmelden"' in await page.text()  # the old cookie is worth nothing
    notice = await web.get("/anmelden?hinweis=abgemeldet", headers=HTML)
    assert "Sie sind abgemeldet." in await notice.text()


async def test_logout_everywhere_ends_every_session(web):
    await login(web, "anna@tafel.example")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
        page = await phone.get(web.make_url("/anmelden"), headers=HTML)
        resp = await phone.post(web.make_url("/anmelden"), data={
            "email": "anna@tafel.example", "password": PASSWORD,
            "csrf": csrf_of(await page.text())}, allow_redirects=False)
        assert resp.status == 303
        token = await page_csrf(web, "/about")
        resp = await web.post("/abmelden/ueberall", data={"csrf": token},
                              allow_redirects=False)
        assert resp.status == 303
        page = await phone.get(web.make_url("/about"), headers=HTML)
        html = await page.text()
        assert 'href="/anmelden"' in html and ">Abmelden</button>" not in html


async def test_five_failures_throttle_the_account_then_it_recovers(web, clock):
    for _ in range(5):
        await login(web, "anna@tafel.example", "falsch falsch", expect=401)
    resp = await login(web, "anna@tafel.example", PASSWORD, expect=429)
    html = await resp.text()
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in html and "15 Minuten" in html
    assert int(resp.headers["Retry-After"]) == 15 * 60
    clock.advance(minutes=10)
    resp = await login(web, "anna@tafel.example", PASSWORD, expect=429)
    assert "5 Minuten" in await resp.text()
    clock.advance(minutes=5)
    await login(web, "anna@tafel.example", PASSWORD)


async def test_five_failures_from_one_address_throttle_it(web):
    for n in range(5):
        await login(web, f"rate{n}@tafel.example", "falsch falsch", expect=401)
    resp = await login(web, "anna@tafel.example", PASSWORD, expect=429)
    assert "Retry-After" in resp.headers


async def test_sessions_expire_after_session_hours(web, clock):
    await login(web, "anna@tafel.example")
    clock.advance(hours=11, minutes=59)
    assert ">Abmelden</button>" in await (await web.get("/about", headers=HTML)).text()
    clock.advance(minutes=2)
    assert 'href="/anmelden"' in await (await web.get("/about", headers=HTML)).text()


async def test_set_password_link(aiohttp_client, settings):
    new = add_account(settings, "neu@tafel.example", "editor", ["tafel"], password=None)
    assert new.link
    client = await aiohttp_client(create_app(settings, start_workers=False))
    page = await client.get(new.link, headers=HTML)
    html = await page.text()
    assert page.status == 200 and "neu@tafel.example" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    token = csrf_of(html)
    resp = await client.post(new.link, data={"csrf": token, "password": "kurz",
                                             "password2": "kurz"})
    assert resp.status == 422 and "mindestens 10 Zeichen" in await resp.text()
    resp = await client.post(new.link, data={"csrf": token, "password": PASSWORD,
                                             "password2": PASSWORD + "x"})
    assert resp.status == 422 and "stimmen nicht überein" in await resp.text()
    resp = await client.post(new.link, data={"password": PASSWORD, "password2": PASSWORD},
                             allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(new.link, data={"csrf": token, "password": PASSWORD,
                                             "password2": PASSWORD}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/anmelden?hinweis=passwort"
    again = await client.get(new.link, headers=HTML)
    assert again.status == 404 and "abgelaufen oder wurde schon benutzt" in await again.text()
    await login(client, "neu@tafel.example")


async def test_no_logged_in_header_in_a_kept_anonymous_page(web):
    """Pages are kept for anonymous requests (no Cookie); a logged-in request is never served
    from, nor stored into, that copy — in either order."""
    assert 'href="/anmelden"' in await anonymous_get(web, "/angebote")  # kept now
    await login(web, "anna@tafel.example")
    for path in ("/angebote", "/praxis"):  # /praxis: the logged-in one comes first
        mine = await web.get(path, headers=HTML)
        assert ">Abmelden</button>" in await mine.text()
        assert "Set-Cookie" not in mine.headers
        assert mine.headers["Cache-Control"] == "private, no-store"
        assert "Cookie" in mine.headers["Vary"]
        html = await anonymous_get(web, path)
        assert ">Abmelden</button>" not in html and 'href="/anmelden"' in html
        assert 'name="csrf"' not in html


async def anonymous_get(client, path: str) -> str:
    """A request without any cookie (the test client's jar holds the session)."""
    async with aiohttp.ClientSession() as bare, bare.get(client.make_url(path),
                                                         headers=HTML) as resp:
        assert resp.status == 200
        assert "Set-Cookie" not in resp.headers
        # shared caches key on the cookie (and on the language)
        assert resp.headers["Vary"] == "Accept, Accept-Language, Cookie"
        return await resp.text()


async def test_a_password_reset_ends_the_sessions(web, settings):
    await login(web, "anna@tafel.example")
    store = Store.open(settings.db_path)
    link = Accounts(store, Clock()).reset("anna@tafel.example")
    html = await (await web.get("/about", headers=HTML)).text()
    assert 'href="/anmelden"' in html  # logged out at once
    await login(web, "anna@tafel.example", expect=401)  # the old password is gone
    token = csrf_of(await (await web.get(link, headers=HTML)).text())
    resp = await web.post(link, data={"csrf": token, "password": "Ganz neues Passwort",
                                      "password2": "Ganz neues Passwort"},
                          allow_redirects=False)
    assert resp.status == 303
    await login(web, "anna@tafel.example", "Ganz neues Passwort")
