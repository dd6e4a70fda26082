"""German by default, English as the second language (issue 14): the `lang` cookie set by the
switch in every header (`/sprache`), else `Accept-Language`, else German — over real HTTP; the
switch never redirects off-site; kept pages never cross languages."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from mitwirken.server.app_keys import REPRESENTATIONS

HTML = {"Accept": "text/html"}
EN = {**HTML, "Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}
DOC = Path(__file__).resolve().parents[2] / "docs" / "WEB.md"
DE = {**HTML, "Accept-Language": "de-DE,de;q=0.9"}


async def bare_get(client, path: str, headers: dict) -> aiohttp.ClientResponse:
    """A request with exactly these headers (the test client's jar may hold cookies)."""
    async with aiohttp.ClientSession() as bare, bare.get(client.make_url(path),
                                                         headers=headers) as resp:
        await resp.read()
        return resp


async def text_of(client, path: str, headers: dict) -> tuple[aiohttp.ClientResponse, str]:
    async with aiohttp.ClientSession() as bare, bare.get(client.make_url(path),
                                                         headers=headers) as resp:
        return resp, await resp.text()


async def test_german_is_the_default(client):
    resp, html = await text_of(client, "/angebote", HTML)
    assert resp.status == 200
    assert '<html lang="de">' in html
    assert '<a href="/angebote">Engagement-Angebote</a>' in html
    assert '<a href="/anmelden">Anmelden</a>' in html
    assert 'href="/sprache?lang=en&amp;weiter=/angebote" hreflang="en" lang="en"' in html
    assert ">English</a>" in html
    assert resp.headers["Content-Language"] == "de"
    assert resp.headers["Vary"] == "Accept, Accept-Language, Cookie"


@pytest.mark.parametrize("accept", ["fr-FR, fr;q=0.9", "en;q=0, de;q=0.1", "", "*"])
async def test_languages_we_do_not_speak_get_german(client, accept):
    _resp, html = await text_of(client, "/", {**HTML, "Accept-Language": accept})
    assert '<html lang="de">' in html and "Engagement-Angebote" in html


@pytest.mark.parametrize("accept", ["en", "en-US", "fr, en-GB;q=0.8, de;q=0.5", "EN-us"])
async def test_accept_language_english(client, accept):
    resp, html = await text_of(client, "/angebote", {**HTML, "Accept-Language": accept})
    assert '<html lang="en">' in html
    assert '<a href="/angebote">Volunteer opportunities</a>' in html
    assert '<a href="/anmelden">Log in</a>' in html and ">Anmelden<" not in html
    assert 'href="/sprache?lang=de&amp;weiter=/angebote" hreflang="de" lang="de"' in html
    assert ">Deutsch</a>" in html
    assert resp.headers["Content-Language"] == "en"


async def test_the_switch_sets_the_cookie_and_goes_back(client, caplog):
    caplog.set_level(logging.INFO, logger="mitwirken.web")
    resp = await client.get("/sprache?lang=en&weiter=/angebote%3Fseite%3D2",
                            allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"] == "/angebote?seite=2"
    cookie = resp.cookies["lang"]
    assert cookie.value == "en" and cookie["path"] == "/"
    assert cookie["samesite"] == "Lax" and cookie["httponly"] and int(cookie["max-age"]) > 0
    assert "language_set lang=en" in caplog.text
    # the cookie (in the client's jar) beats a German Accept-Language
    page = await client.get("/praxis", headers=DE)
    html = await page.text()
    assert '<html lang="en">' in html and ">Good practice</a>" in html
    back = await client.get("/sprache?lang=de&weiter=/praxis", allow_redirects=False)
    assert back.headers["Location"] == "/praxis" and back.cookies["lang"].value == "de"
    html = await (await client.get("/praxis", headers=EN)).text()
    assert '<html lang="de">' in html and ">Praxisbeispiele</a>" in html


async def test_the_switch_without_a_page_goes_home(client):
    resp = await client.get("/sprache?lang=en", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    assert resp.cookies["lang"].value == "en"


@pytest.mark.parametrize("hostile", [
    "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/\r\nSet-Cookie:x=1", "\\\\evil.example", "/ /evil.example",
    "http:/evil.example"])
async def test_the_switch_refuses_to_leave_the_site(client, caplog, hostile):
    caplog.set_level(logging.INFO, logger="mitwirken.web")
    resp = await client.get("/sprache", params={"lang": "en", "weiter": hostile},
                            allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"] == "/"
    assert resp.cookies["lang"].value == "en"
    assert "language_next_refused" in caplog.text


@pytest.mark.parametrize("query", ["", "?lang=fr&weiter=/", "?lang=EN", "?weiter=/angebote"])
async def test_an_unknown_language_is_a_clear_400(client, caplog, query):
    caplog.set_level(logging.INFO, logger="mitwirken.web")
    resp = await client.get(f"/sprache{query}", headers=HTML, allow_redirects=False)
    assert resp.status == 400
    html = await resp.text()
    assert "Diese Sprache gibt es hier nicht" in html and '<html lang="de">' in html
    assert "lang" not in resp.cookies
    assert "language_refused" in caplog.text
    english = await bare_get(client, f"/sprache{query}", EN)
    assert english.status == 400


@pytest.mark.parametrize("path", ["/", "/angebote", "/praxis", "/suche?q=lesen"])
async def test_kept_pages_never_cross_languages(client, path):
    """The representation cache keys on the language: whoever asks first, each visitor gets
    their own language — by header and by the language cookie alone (also kept)."""
    order = [("en", EN), ("de", DE), ("de", HTML), ("en", {**DE, "Cookie": "lang=en"}),
             ("de", {**EN, "Cookie": "lang=de"}), ("en", EN), ("de", HTML)]
    for lang, headers in order + order[::-1]:
        _resp, html = await text_of(client, path, headers)
        assert f'<html lang="{lang}">' in html, (path, headers)
    kept_keys = list(client.app[REPRESENTATIONS]._kept)
    assert any(key[1] == "en" for key in kept_keys if isinstance(key, tuple))


async def test_the_example_of_docs_web_md_is_true(client):
    text = DOC.read_text("utf-8")  # noqa: ASYNC240 — a small local file
    block = text.split("## Languages")[1].split("```text\n")[1].split("```")[0]
    request, answer = block.split("\n\n", 1)
    method, target = request.split()
    resp = await client.request(method, target, allow_redirects=False)
    status, *headers = answer.strip().splitlines()
    assert f"{resp.status} {resp.reason}" == status
    for line in headers:
        name, value = line.split(": ", 1)
        assert resp.headers[name] == value


@pytest.mark.parametrize("accept", ["en;q=abc, de", ";;,", "en-;q=1", "x" * 300,
                                    "de;q=0.5, en;q=0.9"])
async def test_odd_accept_language_headers_never_fail(client, accept):
    resp, html = await text_of(client, "/", {**HTML, "Accept-Language": accept})
    assert resp.status == 200 and '<html lang="' in html
    if accept.startswith("de;q=0.5"):
        assert '<html lang="en">' in html  # the higher q wins


async def test_a_page_with_any_other_cookie_is_never_kept(client):
    """Only the language cookie alone may share kept pages; with a session (even an unknown
    one) beside it the page is built for that request and not stored."""
    kept = client.app[REPRESENTATIONS]
    before = len(kept)
    for cookie in ("lang=en; mw_session=unknown", "mw_csrf=" + "x" * 30, "lang=en; a=b"):
        resp, html = await text_of(client, "/praxis", {**HTML, "Cookie": cookie})
        assert resp.status == 200 and "ETag" not in resp.headers
        assert ('<html lang="en">' in html) == cookie.startswith("lang=en")
    assert len(kept) == before
    resp, _html = await text_of(client, "/praxis", {**HTML, "Cookie": "lang=en"})
    assert "ETag" in resp.headers and len(kept) == before + 1


@pytest.mark.parametrize("cookie", ["lang=fr", "lang=", 'lang="en', "lang=EN"])
async def test_a_foreign_or_broken_language_cookie_falls_back(client, cookie):
    """Only `de` and `en` count; anything else in the cookie is ignored (then the header)."""
    for accept, lang in (("en", "en"), ("de", "de"), ("", "de")):
        _resp, html = await text_of(client, "/", {**HTML, "Cookie": cookie,
                                                   "Accept-Language": accept})
        assert f'<html lang="{lang}">' in html, (cookie, accept)
