"""Headers on every answer (issue 17 §6): `Referrer-Policy` and `X-Content-Type-Options:
nosniff` everywhere — pages, JSON, ActivityStreams, static files, and aiohttp's own error
answers (router 404/405, 413) —, `Cache-Control: no-store` on everything that depends on a
token; and NodeInfo counts that agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import actors as actor_repo
from mitwirken.models.store import utcnow
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from mitwirken.server.web.openapi_spec import operations
from mitwirken.server.web.routes import ROUTES

OPP = {"title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
       "contact": {"email": "info@example.org"}}
ACCEPTS = ("text/html", "application/activity+json", "application/json", "*/*")


def _assert_hardened(resp, what) -> None:
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", what
    assert resp.headers.get("Referrer-Policy") == "same-origin", what


def _filled(path: str, opp_id: str) -> str:
    return (path.replace("{username}", "tafel").replace("{version}", "2.1")
            .replace("{kind:opportunities|practices}", "opportunities")
            .replace("{id}", opp_id).replace("{name}", "ehrenamt"))


@pytest.fixture
async def published(client):
    store = client.app[STORE]
    token = actor_repo.create_token(store, "tafel")
    resp = await client.post("/api/v1/opportunities", json=OPP,
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201
    return token, (await resp.json())["id"]


async def test_every_route_and_every_error_answer_is_hardened(client, published):
    token, opp_id = published
    activity = client.app[STORE].scalar("SELECT id FROM outbox LIMIT 1")
    checked = 0
    for route in ROUTES:
        path = _filled(route.path, opp_id).replace(
            "/activities/{id}", activity.split(client.app[URLS].base, 1)[1])
        if path.startswith("/.well-known/webfinger"):
            path += "?resource=acct:tafel@musterstadt.test"
        for accept in ACCEPTS:
            resp = await client.request(route.method, path, headers={"Accept": accept},
                                        allow_redirects=False)
            await resp.read()
            assert resp.status < 500, (route.method, path)
            _assert_hardened(resp, (route.method, path, accept, resp.status))
            checked += 1
    assert checked == 4 * len(ROUTES)
    aiohttp_answers = [
        ("GET", "/gibt-es-nicht", {}, None, 404),               # the router's 404
        ("GET", "/static/gibt-es-nicht.css", {}, None, 404),    # static files' 404
        ("DELETE", "/about", {}, None, 405),                    # the router's 405
        ("PUT", "/inbox", {"Accept": "text/html"}, None, 405),
        ("POST", "/inbox", {"Content-Type": "application/activity+json"},
         b"x" * (client.app[SERVICES].settings.max_body_bytes + 10), 413),
        ("GET", "/static/style.css", {}, None, 200),
    ]
    for method, path, headers, body, status in aiohttp_answers:
        resp = await client.request(method, path, headers=headers, data=body)
        await resp.read()
        assert resp.status == status, (method, path)
        _assert_hardened(resp, (method, path))


async def test_answers_that_depend_on_a_token_are_never_stored(client, published):
    token, opp_id = published
    checked = 0
    for path, methods in operations().items():
        url = path.replace("{id}", opp_id).replace("{domain}", "spam.example")
        for method, op in methods.items():
            if op.get("security") == []:
                continue
            for headers in ({}, {"Authorization": f"Bearer {token}"},
                            {"Authorization": "Bearer mw_unknown"}):
                resp = await client.request(method.upper(), url, headers=headers,
                                            json=OPP if method in ("post", "patch") else None)
                await resp.read()
                assert resp.headers.get("Cache-Control") == "no-store", (method, url, headers)
                _assert_hardened(resp, (method, url))
                checked += 1
    assert checked >= 30
    # a token sent to a public page makes that answer private too; a public page is cacheable
    resp = await client.get("/angebote", headers={"Authorization": f"Bearer {token}"})
    assert resp.headers.get("Cache-Control") == "no-store"
    resp = await client.get("/angebote")
    assert "no-store" not in resp.headers.get("Cache-Control", "")


async def test_nodeinfo_counts_agree(client, published):
    store, urls = client.app[STORE], client.app[URLS]
    now = utcnow()
    # the instance actor publishes too (relay announces, relay follows): not a NodeInfo user
    publish(store, "instance", activities.relay_announce(urls, urls.opportunity("x"), now), now)
    publish(store, "musterstadt", activities.follow(urls, urls.actor("musterstadt"),
                                                    "https://elsewhere.example/actor"), now,
            to_followers=False, public=False)
    resp = await client.get("/nodeinfo/2.1")
    usage = (await resp.json())["usage"]
    users = usage["users"]
    assert users["total"] == 2  # the city and tafel
    assert 0 <= users["activeMonth"] <= users["activeHalfyear"] <= users["total"]
    assert users["activeMonth"] == 2
    assert usage["localPosts"] == 1


GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md").read_text("utf-8")


async def test_the_documented_headers_are_what_the_api_sends(client):
    block = GUIDE.split("$ curl -sI https://engagiert.musterstadt.de/api/v1/opportunities", 1)[1]
    documented = block.split("```", 1)[0].strip().splitlines()[1:]
    assert len(documented) == 3
    resp = await client.head("/api/v1/opportunities")
    assert resp.status == 401
    for line in documented:
        name, _, value = line.partition(": ")
        assert resp.headers.get(name) == value, line
