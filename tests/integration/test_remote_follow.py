"""The "Folgen" form over real HTTP: a visitor's handle is resolved with WebFinger on their
server (the tests' fake Mastodon, or a hand-made server), and they are sent to its follow page
— never anywhere else."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import web

from tests.fakes.mastodon import FakeMastodon

HTML = {"Accept": "text/html"}


async def _post(inst, handle: str, konto: str = "tafel") -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session:
        resp = await session.post(f"{inst.local}/folgen", data={"handle": handle,
                                                                "konto": konto},
                                  headers=HTML, allow_redirects=False)
        await resp.read()
        return resp


async def _city(fediverse):
    inst = await fediverse.add("city-a")
    from mitwirken.models import actors as actor_repo
    from mitwirken.server.app_keys import STORE
    from mitwirken.server.usecases.instance import make_actor
    actor_repo.create_actor(inst.app[STORE], make_actor("tafel", "org", "Tafel e.V.",
                                                        sector="civil-society"))
    return inst


async def _jrd_server(fediverse, domain: str, links: list[dict]) -> web.AppRunner:
    """A server whose WebFinger answers `links` for any user."""
    async def webfinger(request: web.Request) -> web.Response:
        user = request.query["resource"].removeprefix("acct:")
        return web.json_response({"subject": f"acct:{user}", "links": links},
                                 content_type="application/jrd+json")
    app = web.Application()
    app.router.add_get("/.well-known/webfinger", webfinger)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fediverse.resolver.ports[domain] = site._server.sockets[0].getsockname()[1]
    return runner


async def test_mastodon_visitor_is_sent_to_their_servers_follow_page(fediverse):
    inst = await _city(fediverse)
    masto = await FakeMastodon(fediverse.resolver).start()
    try:
        resp = await _post(inst, "@alice@mastodon.test")
        assert resp.status == 303
        target = urlsplit(resp.headers["Location"])
        assert (target.netloc, target.path) == ("mastodon.test", "/authorize_interaction")
        assert parse_qs(target.query)["uri"] == ["tafel@city-a.test"]
        assert ("GET", "/.well-known/webfinger?resource=acct:alice@mastodon.test") \
            in masto.requests
    finally:
        await masto.close()


async def test_fep_3b86_follow_intent_is_preferred(fediverse):
    inst = await _city(fediverse)
    runner = await _jrd_server(fediverse, "intent.test", [
        {"rel": "http://ostatus.org/schema/1.0/subscribe",
         "template": "http://intent.test/authorize_interaction?uri={uri}"},
        {"rel": "https://w3id.org/fep/3b86/Follow",
         "template": "http://intent.test/follow?object={object}"}])
    try:
        resp = await _post(inst, "bea@intent.test")
        assert resp.status == 303
        assert resp.headers["Location"] == \
            "http://intent.test/follow?object=http://city-a.test/actors/tafel"
    finally:
        await runner.cleanup()


async def test_a_template_pointing_elsewhere_is_refused(fediverse):
    inst = await _city(fediverse)
    runner = await _jrd_server(fediverse, "evil.test", [
        {"rel": "http://ostatus.org/schema/1.0/subscribe",
         "template": "http://phishing.example/login?uri={uri}"}])
    try:
        resp = await _post(inst, "@x@evil.test")
        assert resp.status == 400 and "Location" not in resp.headers
        page = await _page(inst, "/folgen?konto=tafel")
        assert "Ihre Adresse im Fediverse" in page
    finally:
        await runner.cleanup()


async def _page(inst, path: str) -> str:
    async with aiohttp.ClientSession() as session, \
            session.get(f"{inst.local}{path}", headers=HTML) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_unknown_or_malformed_handles_get_a_german_message(fediverse):
    inst = await _city(fediverse)
    async with aiohttp.ClientSession() as session:
        for handle, message in (("alice", "so ein: @name@beispiel.social"),
                                ("@nobody@nowhere.test", "konnten wir nicht finden")):
            async with session.post(f"{inst.local}/folgen", headers=HTML,
                                    data={"handle": handle, "konto": "tafel"},
                                    allow_redirects=False) as resp:
                assert resp.status == 400
                html = await resp.text()
                assert message in html and 'aria-invalid="true"' in html
                assert f'value="{handle}"' in html  # the input is kept


async def test_the_form_is_on_profile_pages_and_rate_limited(fediverse):
    inst = await _city(fediverse)
    profile = await _page(inst, "/@tafel")
    assert 'action="/folgen"' in profile and 'name="konto" value="tafel"' in profile
    statuses = [(await _post(inst, "@nobody@nowhere.test")).status for _ in range(10)]
    assert statuses == [400] * 10
    async with aiohttp.ClientSession() as session, session.post(
            f"{inst.local}/folgen", headers=HTML, data={"handle": "@a@b.test"}) as resp:
        assert resp.status == 429 and "Zu viele Versuche" in await resp.text()


async def test_a_follow_post_from_another_site_is_refused(fediverse):
    """The instance is reached on 127.0.0.1 but its public origin is http://city-a.test (as
    behind a reverse proxy): that public origin is ours, anything else is refused."""
    inst = await _city(fediverse)
    masto = await FakeMastodon(fediverse.resolver).start()
    try:
        async with aiohttp.ClientSession() as session:
            for headers in ({"Origin": "http://evil.test"}, {"Origin": inst.local},
                            {"Sec-Fetch-Site": "cross-site"},
                            {"Sec-Fetch-Site": "same-site", "Origin": "http://city-a.test"}):
                async with session.post(f"{inst.local}/folgen", headers={**HTML, **headers},
                                        data={"handle": "@alice@mastodon.test"},
                                        allow_redirects=False) as resp:
                    assert resp.status == 403, headers
                    assert "nur auf unserer eigenen Seite" in await resp.text()
            assert not [r for r in masto.requests if "webfinger" in r[1]]
            for headers in ({"Origin": "http://city-a.test", "Sec-Fetch-Site": "same-origin"},
                            {"Sec-Fetch-Site": "none"}):
                async with session.post(f"{inst.local}/folgen", headers={**HTML, **headers},
                                        data={"handle": "@alice@mastodon.test"},
                                        allow_redirects=False) as resp:
                    assert resp.status == 303, headers
    finally:
        await masto.close()
