"""The admin JSON API over real HTTP: only the city's token may use it, bad input is refused
with a clear 4xx and changes nothing, and its actions drive federation between two real
instances (held deliveries listed, retried, released by allowing the domain)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from importlib.metadata import version

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.models import deliveries
from mitwirken.server.app_keys import CLOCK, STORE
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from tests.fediverse import drain
from tests.integration.test_network import add_org, follow, found, http, publish_practice

ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/federation", None),
    ("POST", "/api/v1/admin/federation", {"mode": "allowlist"}),
    ("GET", "/api/v1/admin/domains", None),
    ("POST", "/api/v1/admin/domains", {"domain": "spam.example", "policy": "block"}),
    ("GET", "/api/v1/admin/domains/spam.example", None),
    ("DELETE", "/api/v1/admin/domains/spam.example", None),
    ("GET", "/api/v1/admin/audit", None),
    ("GET", "/api/v1/admin/deliveries", None),
    ("POST", "/api/v1/admin/deliveries/1/retry", None),
    ("GET", "/api/v1/admin/inbox", None),
]


@pytest.fixture
async def pair(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    add_org(a, "tafel")
    await follow(b, a)
    store = a.app[STORE]
    tokens = {"city": actor_repo.create_token(store, "city_a"),
              "org": actor_repo.create_token(store, "tafel")}
    return a, b, tokens


async def call(fediverse, method: str, path: str, token: str | None = None, json=None,
               headers: dict[str, str] | None = None, **kw) -> tuple[int, object]:
    headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
    async with http(fediverse) as session, session.request(
            method, f"http://city-a.test{path}", json=json, headers=headers, **kw) as resp:
        body = await resp.json(content_type=None) if resp.status != 204 else None
        return resp.status, body


@pytest.mark.parametrize("method, path, body", ADMIN_ROUTES)
async def test_only_the_city_token_may_use_the_admin_api(pair, fediverse, method, path, body):
    a, _, tokens = pair
    status, answer = await call(fediverse, method, path, tokens["org"], json=body)
    assert status == 403
    assert answer == {"error": "forbidden", "detail": "Nur für die Anlaufstelle (Administration)."}
    status, answer = await call(fediverse, method, path, None, json=body)
    assert status == 401 and answer["error"] == "unauthorized"
    assert moderation.domain_rules(a.app[STORE]) == []
    assert moderation.federation_mode(a.app[STORE]).value == "open"
    assert moderation.audit_entries(a.app[STORE]) == []


@pytest.mark.parametrize("method, path, body, status, field", [
    ("POST", "/api/v1/admin/domains", {"domain": "https://spam.example/", "policy": "block"},
     422, "domain"),
    ("POST", "/api/v1/admin/domains", {"policy": "block"}, 422, "domain"),
    ("POST", "/api/v1/admin/domains", {"domain": "spam.example", "policy": "block",
                                       "reject_media": "ja"}, 422, "reject_media"),
    ("POST", "/api/v1/admin/domains", {"domain": "spam.example", "policy": "block",
                                       "severity": "suspend"}, 422, "severity"),
    ("POST", "/api/v1/admin/domains", {"domain": "spam.example", "policy": "block",
                                       "reason": "x" * 1001}, 422, "reason"),
    ("POST", "/api/v1/admin/domains", ["spam.example"], 400, None),
    ("POST", "/api/v1/admin/federation", {"mode": "ALLOWLIST"}, 422, "mode"),
    ("GET", "/api/v1/admin/deliveries?state=lost", None, 400, None),
    ("GET", "/api/v1/admin/deliveries?domain=not%20a%20domain", None, 400, None),
    ("GET", "/api/v1/admin/domains?policy=ban", None, 400, None),
    ("GET", "/api/v1/admin/audit?since=gestern", None, 400, None),
    ("GET", "/api/v1/admin/audit?limit=viele", None, 400, None),
    ("GET", "/api/v1/admin/domains/not%20a%20domain", None, 400, None),
    ("POST", "/api/v1/admin/deliveries/abc/retry", None, 404, None),
])
async def test_bad_input_is_refused_and_changes_nothing(pair, fediverse, method, path, body,
                                                        status, field):
    a, _, tokens = pair
    got, answer = await call(fediverse, method, path, tokens["city"], json=body)
    assert got == status, answer
    assert isinstance(answer, dict) and answer["error"] and "detail" in answer
    if field is not None:
        assert answer["error"] == "validation_failed"
        assert [p["field"] for p in answer["detail"]] == [field]
        assert answer["detail"][0]["message"]  # German, for the admin
    assert moderation.domain_rules(a.app[STORE]) == []
    assert moderation.federation_mode(a.app[STORE]).value == "open"
    assert moderation.audit_entries(a.app[STORE]) == []


async def test_a_body_that_is_not_json_is_refused(pair, fediverse):
    _, _, tokens = pair
    status, answer = await call(fediverse, "POST", "/api/v1/admin/domains", tokens["city"],
                                data=b"domain=spam.example")
    assert status == 415 and answer["error"] == "unsupported_media_type"
    status, answer = await call(fediverse, "POST", "/api/v1/admin/federation", tokens["city"],
                                data=b'{"mode": ', headers={"Content-Type": "application/json"})
    assert (status, answer["error"]) == (400, "malformed_json")


async def test_held_deliveries_are_listed_retried_and_released(pair, fediverse):
    a, b, tokens = pair
    city = tokens["city"]
    status, answer = await call(fediverse, "POST", "/api/v1/admin/federation", city,
                                json={"mode": "allowlist", "reason": "Test"})
    assert status == 200 and answer["mode"] == "allowlist"
    publish_practice(a, "city_a", title="Lesepaten für die Grundschule")
    await drain(a, b)

    # The delivery to B is held, and listed by state and domain
    status, answer = await call(fediverse, "GET",
                                "/api/v1/admin/deliveries?state=held&domain=city-b.test", city)
    assert status == 200 and answer["summary"]["held"] == 1
    (held,) = answer["items"]
    assert held["domain"] == "city-b.test" and held["state"] == "held"
    status, answer = await call(fediverse, "GET", "/api/v1/admin/deliveries?domain=other.test",
                                city)
    assert answer["items"] == []

    # A retry queues it again, but the policy still holds it
    status, answer = await call(fediverse, "POST",
                                f"/api/v1/admin/deliveries/{held['id']}/retry", city)
    assert status == 200 and answer["state"] == "pending" and answer["id"] == held["id"]
    await drain(a, b)
    assert found(b, "Lesepaten") == {}
    status, answer = await call(fediverse, "GET", "/api/v1/admin/federation", city)
    assert answer == {"mode": "allowlist", "rules": {"block": 0, "limit": 0, "allow": 0},
                      "held_deliveries": 1}

    # Allowing B releases it
    status, answer = await call(fediverse, "POST", "/api/v1/admin/domains", city,
                                json={"domain": "city-b.test", "policy": "allow",
                                      "reason": "Partnerstadt"})
    assert status == 200 and answer["policy"] == "allow"
    await drain(a, b)
    assert list(found(b, "Lesepaten").values()) == ["city-a.test"]
    status, answer = await call(fediverse, "GET",
                                "/api/v1/admin/deliveries?state=done&domain=city-b.test", city)
    assert held["id"] in [d["id"] for d in answer["items"]]
    # A done delivery cannot be retried
    status, answer = await call(fediverse, "POST",
                                f"/api/v1/admin/deliveries/{held['id']}/retry", city)
    assert status == 404

    # And the audit log names the token behind each action
    status, answer = await call(fediverse, "GET", "/api/v1/admin/audit?since=2000-01-01", city)
    assert [(e["actor"], e["action"], e["target"]) for e in answer["items"]] == [
        ("token:city_a", "federation.mode", "allowlist"),
        ("token:city_a", "delivery.retry", str(held["id"])),
        ("token:city_a", "domain.allow", "city-b.test")]
    assert answer["items"][2]["details"] == {"released": 1}


async def test_the_public_block_list_is_off_by_default_and_mastodon_shaped(fediverse):
    await fediverse.add("city-a")
    b = await fediverse.add("city-b", publish_domain_blocks=True)
    store = b.app[STORE]
    now = b.app[CLOCK]()
    moderation.block_domain(store, "spam.example", "Spam", now)
    moderation.block_domain(store, "hetze.example", "Hassrede", now,
                            flags={"obfuscate": True})
    moderation.limit_domain(store, "laut.example", "Werbung", now)
    moderation.allow_domain(store, "partner.example", "Partnerstadt", now)
    async with http(fediverse) as session:
        async with session.get("http://city-a.test/api/v1/instance/domain_blocks") as resp:
            assert resp.status == 404
        async with session.get("http://city-b.test/api/v1/instance/domain_blocks") as resp:
            assert resp.status == 200
            listed = await resp.json()
    assert listed == [
        {"domain": "het**.****ple", "digest": hashlib.sha256(b"hetze.example").hexdigest(),
         "severity": "suspend", "comment": "Hassrede"},
        {"domain": "laut.example", "digest": hashlib.sha256(b"laut.example").hexdigest(),
         "severity": "silence", "comment": "Werbung"},
        {"domain": "spam.example", "digest": hashlib.sha256(b"spam.example").hexdigest(),
         "severity": "suspend", "comment": "Spam"}]


async def test_known_instances_with_software_followers_and_health(pair, fediverse, capsys):
    a, b, tokens = pair  # B's city follows A's city
    await follow(a, b)
    publish_practice(a, "city_a", title="Etwas für B")
    await drain(a, b)
    deliveries.record_domain_failure(a.app[STORE], "dead.test", a.app[CLOCK]())

    # When A's admin reads the instances' NodeInfo
    assert await asyncio.to_thread(
        main, ["instances", "--refresh", "--json", "--data", str(a.settings.data_dir)],
        resolver=fediverse.resolver) == 0
    out, err = capsys.readouterr()
    assert "NodeInfo von 1 Instanzen gelesen" in err
    by_domain = {r["domain"]: r for r in json.loads(out)["items"]}
    # Then B shows its software, its follower here, its delivery health and last activity
    row_b = by_domain["city-b.test"]
    assert (row_b["software"], row_b["version"]) == ("mitwirken", version("mitwirken"))
    assert row_b["followers"] == 1 and row_b["unavailable"] is False
    assert row_b["last_success_at"] and row_b["last_activity_at"]
    assert row_b["nodeinfo_error"] is None
    # And a dead peer shows why its NodeInfo is missing
    dead = by_domain["dead.test"]
    assert dead["software"] is None and dead["nodeinfo_error"]
    assert dead["last_failure_at"] and dead["followers"] == 0

    status, body = await call(fediverse, "GET", "/api/v1/admin/instances", tokens["city"])
    assert status == 200 and {r["domain"]: r for r in body["items"]} == by_domain
