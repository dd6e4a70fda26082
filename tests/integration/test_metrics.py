"""`/metrics` over real HTTP: off unless `metrics_token` is set, then only with that bearer
token, and its figures follow a scripted delivery run (a peer that fails, one that is gone,
one that recovers) — as does the admin API's delivery listing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from tests.fakes.sink import Sink
from tests.integration.test_network import http

TOKEN = "metrics-token-0123456789"
START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def sinks(fediverse):
    """Three peers: `fails.test` answers 503, `gone.test` 410, `recovers.test` 503 once."""
    made = {"fails.test": Sink(verify=False), "gone.test": Sink(verify=False),
            "recovers.test": Sink(verify=False)}
    made["fails.test"].script.default = 503
    made["gone.test"].script.default = 410
    made["recovers.test"].script.push(503)
    for host, sink in made.items():
        fediverse.resolver.ports[host] = await sink.start()
    yield made
    for sink in made.values():
        await sink.close()


async def get(fediverse, url: str, token: str | None = None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http(fediverse) as session, session.get(url, headers=headers, **kw) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) → value, parsed as Prometheus text."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_are_off_without_a_token_setting(fediverse):
    await fediverse.add("city-a")
    status, _, body = await get(fediverse, "http://city-a.test/metrics", TOKEN)
    assert status == 404 and "not_found" in body


async def test_metrics_need_the_token_and_follow_a_scripted_run(fediverse, sinks):
    clock = Clock()
    a = await fediverse.add("city-a", metrics_token=TOKEN, clock=clock)
    url = "http://city-a.test/metrics"
    for token in (None, "falsch", TOKEN[:-1]):
        status, _, body = await get(fediverse, url, token)
        assert status == 401 and "unauthorized" in body
    status, content_type, _ = await get(fediverse, url, TOKEN)
    assert status == 200 and content_type.startswith("text/plain")

    # A publishes to three followers: one fails, one is gone, one recovers
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
    # And a peer posts garbage to the inbox
    async with http(fediverse) as session, session.post(
            "http://city-a.test/inbox", data=b"{nope",
            headers={"Content-Type": "application/activity+json"}) as resp:
        assert resp.status == 400

    _, _, text = await get(fediverse, url, TOKEN)
    got = samples(text)
    assert got[("mitwirken_deliveries", (("state", "pending"),))] == 2  # fails, recovers
    assert got[("mitwirken_deliveries", (("state", "failed"),))] == 1  # gone (410 is final)
    assert got[("mitwirken_deliveries", (("state", "done"),))] == 0
    assert got[("mitwirken_deliveries", (("state", "held"),))] == 0
    assert got[("mitwirken_inbox_posts_total", (("verdict", "malformed_json"),))] == 1
    assert got[("mitwirken_domains_unavailable", ())] == 0
    assert got[("mitwirken_reports_open", ())] == 0
    assert got[("mitwirken_http_request_duration_seconds_count", (("family", "inbox"),))] == 1
    assert got[("mitwirken_http_request_duration_seconds_count", (("family", "metrics"),))] >= 4

    # When the retries are due, the recovering peer takes it
    clock.now += timedelta(hours=1)
    assert await worker.tick() == 2
    _, _, text = await get(fediverse, url, TOKEN)
    got = samples(text)
    assert got[("mitwirken_deliveries", (("state", "done"),))] == 1
    assert got[("mitwirken_deliveries", (("state", "pending"),))] == 1
    assert [r.status for r in sinks["recovers.test"].received] == [503, 202]

    # And the admin API shows the same, per domain, with the last status and error
    city = actor_repo.create_token(store, "city_a")
    status, _, body = await get(fediverse, "http://city-a.test/api/v1/admin/delivery-health",
                                city)
    assert status == 200
    health = json.loads(body)
    assert health["queue"] == {"pending": 1, "held": 0}
    assert health["last_24h"] == health["last_7d"] == {"done": 1, "failed": 1}
    assert health["failing_domains"] == [
        {"domain": "fails.test", "failed": 0, "retrying": 1, "last_status": 503,
         "last_error": "Service Unavailable", "unavailable": False},
        {"domain": "gone.test", "failed": 1, "retrying": 0, "last_status": 410,
         "last_error": "Gone", "unavailable": False}]
    assert health["unavailable_domains"] == []
    for domain, state, last in (("fails.test", "pending", 503), ("gone.test", "failed", 410),
                                ("recovers.test", "done", 202)):
        status, _, body = await get(fediverse, f"http://city-a.test/api/v1/admin/deliveries"
                                    f"?domain={domain}", city)
        (row,) = json.loads(body)["items"]
        assert (row["state"], row["last_status"]) == (state, last), domain


async def test_retry_now_per_domain(fediverse, sinks):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    store, urls = a.app[STORE], a.app[URLS]
    follows.add_follower(store, username="city_a", actor="http://gone.test/users/u",
                         follow_id="http://gone.test/follows/1", state="accepted",
                         inbox="http://gone.test/users/u/inbox", shared_inbox=None, now=clock())
    note = {"id": urls.opportunity("n1"), "type": "Note", "content": "Hallo",
            "attributedTo": urls.actor("city_a")}
    publish(store, "city_a", activities.create(urls, "city_a", note, clock()), clock())
    worker = a.app[SERVICES].workers.delivery
    await worker.tick()
    assert store.scalar("SELECT state FROM deliveries") == "failed"
    sinks["gone.test"].script.default = 202  # the peer is back
    city = actor_repo.create_token(store, "city_a")
    async with http(fediverse) as session, session.post(
            "http://city-a.test/api/v1/admin/deliveries/retry", json={"domain": "gone.test"},
            headers={"Authorization": f"Bearer {city}"}) as resp:
        assert resp.status == 200
        assert await resp.json() == {"domain": "gone.test", "requeued": 1}
    async with http(fediverse) as session, session.post(
            "http://city-a.test/api/v1/admin/deliveries/retry", json={"domain": "kein domain"},
            headers={"Authorization": f"Bearer {city}"}) as resp:
        assert resp.status == 422
    assert await worker.tick() == 1
    assert store.scalar("SELECT state FROM deliveries") == "done"
    assert [s.status for s in sinks["gone.test"].received] == [410, 202]
