"""Durable signed delivery against loopback inboxes with scripted answers (security.md F-04,
F-06–F-08; interop.md §5). The instance runs on a fake clock and the delivery worker is ticked
by hand, so retries days apart take milliseconds and nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from mitwirken.federation import activities, delivery
from mitwirken.federation.outbox import publish
from mitwirken.models import follows
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from tests.fakes.mastodon import PUBLIC, FakeMastodon
from tests.fakes.sink import Sink

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        assert when >= self.now
        self.now = when


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sink(fediverse):
    s = Sink(resolver=fediverse.resolver)
    fediverse.resolver.ports["sink.test"] = await s.start()
    yield s
    await s.close()


@pytest.fixture
async def city(fediverse, clock):
    return await fediverse.add("city-a", clock=clock)


def add_follower(inst, n: int, inbox: str, shared: str | None = None, host: str = "sink.test"):
    follows.add_follower(inst.app[STORE], username="city_a", actor=f"http://{host}/users/u{n}",
                         follow_id=f"http://{host}/follows/{n}", state="accepted", inbox=inbox,
                         shared_inbox=shared, now=START)


def post_note(inst, clock: Clock, n: int = 1) -> tuple[dict, int]:
    urls = inst.app[URLS]
    note = {"id": urls.opportunity(f"n{n}"), "type": "Note", "content": "<p>Hallo</p>",
            "attributedTo": urls.actor("city_a"), "to": [PUBLIC]}
    act = activities.create(urls, "city_a", note, clock())
    return act, publish(inst.app[STORE], "city_a", act, clock())


def row(inst) -> dict:
    return inst.app[STORE].one("SELECT * FROM deliveries ORDER BY id DESC LIMIT 1")


async def tick(inst) -> int:
    return await inst.app[SERVICES].workers.delivery.tick()


async def test_500_then_200_is_delivered_once_after_a_retry_freshly_signed(city, sink, clock):
    add_follower(city, 1, "http://sink.test/users/u1/inbox")
    sink.script.push(500, 200)
    act, queued = post_note(city, clock)
    assert queued == 1

    assert await tick(city) == 1
    r = row(city)
    assert (r["state"], r["attempts"], r["last_status"]) == ("pending", 1, 500)
    wait = parse(r["next_attempt_at"]) - clock()
    assert timedelta(seconds=16) <= wait <= timedelta(seconds=37)  # 1⁴ + 15 s + jitter
    assert await tick(city) == 0  # not due yet: nothing is sent early

    clock.set(parse(r["next_attempt_at"]))
    assert await tick(city) == 1
    r = row(city)
    assert (r["state"], r["attempts"], r["last_status"]) == ("done", 2, 200)

    assert [x.status for x in sink.received] == [500, 200]
    assert len(sink.accepted) == 1 and sink.accepted[0].activity_id == act["id"]
    first, second = sink.received
    assert first.verified and second.verified, (first.reason, second.reason)
    assert first.body == second.body
    # re-signed for the retry: a new Date (Mastodon rejects Dates older than ~1 h)
    assert first.date != second.date
    assert second.date == format_datetime(clock(), usegmt=True)
    assert first.headers["signature"] != second.headers["signature"]
    assert await tick(city) == 0


@pytest.mark.parametrize("status", [400, 403, 404, 410, 413, 422, 501])
async def test_permanent_failure_is_sent_once_and_never_again(city, sink, clock, status):
    add_follower(city, 1, "http://sink.test/users/u1/inbox")
    sink.script.push(status)
    post_note(city, clock)
    assert await tick(city) == 1
    r = row(city)
    assert (r["state"], r["attempts"], r["last_status"]) == ("failed", 1, status)
    clock.advance(days=3)
    assert await tick(city) == 0
    assert len(sink.received) == 1
    # the peer answered, so it is alive: no failure day recorded
    health = city.app[STORE].one("SELECT * FROM domain_health WHERE domain = 'sink.test'")
    assert health["failure_days"] == "[]" and health["unavailable"] == 0


@pytest.mark.parametrize("status", [401, 408, 429, 500, 502, 503])
async def test_retryable_statuses_are_retried(city, sink, clock, status):
    add_follower(city, 1, "http://sink.test/users/u1/inbox")
    sink.script.push(status)
    post_note(city, clock)
    assert await tick(city) == 1
    r = row(city)
    assert (r["state"], r["attempts"], r["last_status"]) == ("pending", 1, status)
    clock.set(parse(r["next_attempt_at"]))
    assert await tick(city) == 1
    assert row(city)["state"] == "done"
    assert [x.status for x in sink.received] == [status, 202]


async def test_network_error_is_retried(city, clock):
    add_follower(city, 1, "http://dead.test/users/u1/inbox", host="dead.test")
    post_note(city, clock)
    assert await tick(city) == 1
    r = row(city)
    assert (r["state"], r["attempts"], r["last_status"]) == ("pending", 1, None)
    assert "FakeResolver" in r["last_error"] or "Connect" in r["last_error"]
    assert parse(r["next_attempt_at"]) > clock()


@pytest.mark.parametrize("header", ["120", "http-date"])
async def test_429_retry_after_is_honoured(city, sink, clock, header):
    add_follower(city, 1, "http://sink.test/users/u1/inbox")
    value = header if header != "http-date" else format_datetime(
        clock() + timedelta(seconds=120), usegmt=True)
    sink.script.push((429, {"Retry-After": value}))
    post_note(city, clock)
    t0 = clock()
    assert await tick(city) == 1
    r = row(city)
    assert r["last_status"] == 429
    assert parse(r["next_attempt_at"]) >= t0 + timedelta(seconds=120)
    clock.advance(seconds=119)
    assert await tick(city) == 0
    clock.set(parse(r["next_attempt_at"]))
    assert await tick(city) == 1
    assert row(city)["state"] == "done"
    assert len(sink.received) == 2


async def test_gives_up_after_16_attempts(city, sink, clock):
    add_follower(city, 1, "http://sink.test/users/u1/inbox")
    sink.script.default = 500
    post_note(city, clock)
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        assert await tick(city) == 1, attempt
        r = row(city)
        assert r["attempts"] == attempt
        if attempt < delivery.MAX_ATTEMPTS:
            assert r["state"] == "pending"
            clock.set(parse(r["next_attempt_at"]))
    assert (r["state"], r["attempts"], r["last_status"]) == ("failed", 16, 500)
    assert len(sink.received) == 16
    assert len({x.date for x in sink.received}) == 16  # every attempt freshly signed
    assert all(x.verified for x in sink.received)
    spent = clock() - START
    assert timedelta(days=1.5) <= spent <= timedelta(days=4), spent
    clock.advance(days=5)
    assert await tick(city) == 0
    assert len(sink.received) == 16


async def test_domain_failing_on_7_days_is_skipped_until_it_sends_us_something(
        fediverse, city, clock):
    masto = await FakeMastodon(fediverse.resolver, clock=clock).start()
    try:
        alice = masto.actor_id("alice")
        follows.add_follower(city.app[STORE], username="city_a", actor=alice,
                             follow_id=f"{masto.base}/f1", state="accepted",
                             inbox=f"{alice}/inbox", shared_inbox=None, now=START)
        masto.script.default = 500
        post_note(city, clock, 1)
        store = city.app[STORE]

        def health() -> dict:
            return store.one("SELECT * FROM domain_health WHERE domain = 'mastodon.test'")

        for day in range(7):
            assert health() is None or health()["unavailable"] == 0, day
            assert await tick(city) == 1, day
            clock.advance(days=1)
        assert health()["unavailable"] == 1
        assert len(masto.inbox) == 7

        # unavailable: due rows — old and new — are skipped, nothing is sent
        assert post_note(city, clock, 2)[1] == 1
        clock.advance(days=1)
        assert await tick(city) == 0
        assert len(masto.inbox) == 7

        # the domain sends us a signed activity: it is alive again
        masto.script.default = 202
        like = {"id": f"{alice}#likes/1", "type": "Like", "actor": alice,
                "object": city.app[URLS].opportunity("n1")}
        status, _ = await masto.post("alice", "http://city-a.test/inbox", like)
        assert status == 202
        assert health()["unavailable"] == 0 and health()["failure_days"] == "[]"
        assert await tick(city) == 2
        assert store.scalar("SELECT count(*) FROM deliveries WHERE state = 'done'") == 2
        assert len(masto.inbox) == 9
    finally:
        await masto.close()


async def test_shared_inbox_gets_one_delivery_for_three_followers(city, sink, clock):
    for n in (1, 2, 3):
        add_follower(city, n, f"http://sink.test/users/u{n}/inbox", "http://sink.test/inbox")
    act, queued = post_note(city, clock)
    assert queued == 1
    assert await tick(city) == 1
    assert [(x.path, x.activity_id, x.verified) for x in sink.received] == [
        ("/inbox", act["id"], True)]


async def test_one_delivery_per_distinct_inbox(city, sink, clock):
    inboxes = [f"http://sink.test/users/u{n}/inbox" for n in range(20)]
    for n, inbox in enumerate(inboxes):
        add_follower(city, n, inbox)
    act, queued = post_note(city, clock)
    assert queued == 20
    while await tick(city):
        pass
    assert sink.distinct() == {(i, act["id"]) for i in inboxes}
    assert len(sink.received) == 20 and all(x.verified for x in sink.received)


async def test_the_sinks_verifier_is_not_a_rubber_stamp(city, sink, clock):
    """Guard for the harness: a tampered body or a foreign key is recorded as unverified."""
    from aiohttp import ClientSession

    from mitwirken.federation.signatures import sign_headers
    from mitwirken.models import actors as actor_repo

    key = actor_repo.get_actor(city.app[STORE], "city_a").private_key_pem
    key_id = city.app[URLS].key_id("city_a")
    url = f"http://127.0.0.1:{sink.port}/users/u1/inbox"
    body = b'{"id": "http://city-a.test/activities/1", "type": "Like"}'
    async with ClientSession() as session:
        for data, pem in ((body, key), (body + b" ", key),
                          (body, FakeMastodon(None).users["alice"].private_pem)):
            headers = sign_headers("POST", url, key_id=key_id, private_key_pem=pem, body=body)
            async with session.post(url, data=data, headers=headers):
                pass
    assert [(r.verified, r.reason) for r in sink.received] == [
        (True, "checked"), (False, "digest mismatch"), (False, "checked")]


async def test_a_fan_out_records_a_domains_health_once_per_tick(city, sink, clock):
    """Twenty deliveries to one domain: one health write, not twenty (issue 18); the domain's
    last success is still recorded."""
    for n in range(20):
        add_follower(city, n, f"http://sink.test/users/u{n}/inbox")
    post_note(city, clock)
    store = city.app[STORE]
    writes: list[str] = []
    store.db.conn.set_trace_callback(
        lambda sql: writes.append(sql) if "INTO domain_health" in sql else None)
    try:
        assert await tick(city) == 20
    finally:
        store.db.conn.set_trace_callback(None)
    assert len(writes) == 1
    health = store.one("SELECT * FROM domain_health WHERE domain = 'sink.test'")
    assert parse(health["last_success_at"]) == clock()
