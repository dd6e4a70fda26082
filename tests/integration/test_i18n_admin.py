"""Login, the password pages and `/verwaltung` in English (issue 14): the switch's cookie
holds through the login, forms explain their fields and name their errors in English, the
validation messages of the models too — and the same screens stay German for German
browsers. Over real HTTP."""

from __future__ import annotations

import aiohttp
import pytest

from mitwirken.server.app import create_app
from tests.web_helpers import PASSWORD, add_account, csrf_of, login, page_csrf

HTML = {"Accept": "text/html"}
FORM = {"org": "tafel", "title": "", "kind": "regular", "description": "Vorlesen.",
        "remote": "no", "contact.email": "kaputt", "reply_time_days": "3"}


@pytest.fixture
async def web(aiohttp_client, settings):
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    add_account(settings, "admin@stadt.example", "admin")
    client = await aiohttp_client(create_app(settings, start_workers=False))
    resp = await client.get("/sprache?lang=en&weiter=/anmelden", allow_redirects=False)
    assert resp.status == 303 and resp.cookies["lang"].value == "en"
    return client


async def text(client, path: str, status: int = 200) -> str:
    resp = await client.get(path, headers=HTML)
    assert resp.status == status, (path, resp.status)
    return await resp.text()


async def test_login_in_english_and_a_wrong_password(web):
    html = await text(web, "/anmelden")
    assert '<html lang="en">' in html and "<h1>Log in</h1>" in html
    assert '<label for="email">E-mail</label>' in html
    assert '<label for="password">Password</label>' in html
    assert '<button type="submit">Log in</button>' in html
    resp = await web.post("/anmelden", data={"email": "anna@tafel.example",
                                             "password": "falsch falsch", "csrf": csrf_of(html)})
    assert resp.status == 401
    assert "E-mail address or password is wrong." in await resp.text()
    await login(web, "anna@tafel.example", PASSWORD)
    dashboard = await text(web, "/verwaltung")
    for phrase in ("<h1>Administration</h1>", "Logged in as anna@tafel.example", "(Editor)",
                   ">New opportunity</a>", ">New good-practice example</a>",
                   ">Log out everywhere</button>", ">Log out</button>"):
        assert phrase in dashboard, phrase
    assert "Neues Angebot" not in dashboard and "Abmelden" not in dashboard


async def test_the_opportunity_form_explains_and_refuses_in_english(web):
    await login(web, "anna@tafel.example", PASSWORD)
    html = await text(web, "/verwaltung/angebote/neu")
    for phrase in ('<label for="f-title">Title</label>', "Short and concrete: what is there",
                   "<legend>Causes</legend>", ">Preview</button>", ">Publish</button>",
                   "> Education</label>"):
        assert phrase in html, phrase
    token = await page_csrf(web, "/verwaltung/angebote/neu")
    resp = await web.post("/verwaltung/angebote/neu",
                          data={**FORM, "csrf": token, "action": "publish"}, headers=HTML)
    assert resp.status == 422
    html = await resp.text()
    assert "Please check the marked fields." in html
    assert 'id="error-contact-email">Please give a valid e-mail address, e.g. info@verein.de.' \
           in html
    assert 'id="error-title">The title must not be empty.' in html
    assert "Bitte" not in html.split("<main")[1]


async def test_the_same_form_stays_german_for_a_german_browser(settings, aiohttp_client):
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    client = await aiohttp_client(create_app(settings, start_workers=False))
    await login(client, "anna@tafel.example", PASSWORD)
    token = await page_csrf(client, "/verwaltung/angebote/neu")
    resp = await client.post("/verwaltung/angebote/neu", headers=HTML,
                             data={**FORM, "csrf": token, "action": "publish"})
    assert resp.status == 422
    html = await resp.text()
    assert '<html lang="de">' in html and "Bitte prüfen Sie die markierten Angaben." in html
    assert "Bitte eine gültige E-Mail-Adresse angeben, z. B. info@verein.de." in html


async def test_admin_screens_in_english(web):
    await login(web, "admin@stadt.example", PASSWORD)
    expected = {
        "/verwaltung/foederation": ("<h1>Federation</h1>", "Federation mode", ">Block</option>"),
        "/verwaltung/netzwerk": ("<h1>Network</h1>", "Follow another city", "Known servers"),
        "/verwaltung/meldungen": ("<h1>Reports</h1>", "Report content from the network"),
        "/verwaltung/zustellung": ("<h1>Delivery</h1>", "Queue", "Waiting"),
        "/verwaltung/protokoll": ("<h1>Audit log</h1>", "From date"),
        "/verwaltung/inhalte": ("<h1>Review content</h1>",),
        "/verwaltung/personen": ("<h1>People with access</h1>", "Add person"),
        "/verwaltung/organisationen": ("<h1>Organisations</h1>", "Edit profile"),
        "/verwaltung/schluessel": ("Keys for the API", "Create key"),
        "/verwaltung/antworten": ("Responses",),
    }
    for path, phrases in expected.items():
        html = await text(web, path)
        assert '<html lang="en">' in html, path
        for phrase in phrases:
            assert phrase in html, (path, phrase)
    resp = await web.post("/verwaltung/foederation/domains", headers=HTML, data={
        "csrf": await page_csrf(web, "/verwaltung/foederation"), "domain": "",
        "policy": "block", "reason": "x"})
    assert resp.status == 422
    assert "Please give a domain name" in await resp.text()


async def test_an_expired_form_and_a_missing_page_in_english(web):
    resp = await web.post("/anmelden", data={"email": "x", "password": "y"}, headers=HTML)
    assert resp.status == 403
    assert "The form has expired or did not come from this site" in await resp.text()
    async with aiohttp.ClientSession() as bare, bare.get(
            web.make_url("/verwaltung/angebote/gibtsnicht"),
            headers={**HTML, "Accept-Language": "en", "Cookie": "lang=en"}) as page:
        assert page.status in (303, 200)  # logged out: the login page, in English
        assert "<h1>Log in</h1>" in await page.text()


async def test_setting_a_password_in_english(web, settings):
    new = add_account(settings, "neu@tafel.example", "editor", ["tafel"], password=None)
    html = await text(web, new.link)
    assert "<h1>Set password</h1>" in html and "At least 10 characters." in html
    for password, message in (("kurz", "The password must be at least 10 characters long."),
                              ("passwort123", "This password is one of the most common")):
        resp = await web.post(new.link, headers=HTML, data={
            "csrf": csrf_of(html), "password": password, "password2": password})
        assert resp.status == 422, await resp.text()
        assert message in await resp.text()
    resp = await web.post(new.link, headers=HTML, data={
        "csrf": csrf_of(html), "password": "ein langer Satz", "password2": "anders"})
    assert "The two entries do not match." in await resp.text()


async def test_account_errors_with_values_in_english(web):
    await login(web, "admin@stadt.example", PASSWORD)
    token = await page_csrf(web, "/verwaltung/personen")
    resp = await web.post("/verwaltung/personen", headers=HTML, data={
        "csrf": token, "email": "anna@tafel.example", "role": "staff"})
    assert resp.status == 422
    assert "There is already an account with the e-mail address anna@tafel.example." \
        in await resp.text()
    resp = await web.post("/verwaltung/personen", headers=HTML, data={
        "csrf": token, "email": "kein-at", "role": "staff"})
    assert resp.status == 422 and "Not a valid e-mail address: kein-at" in await resp.text()
