"""Stale listings: an ongoing opportunity not confirmed for `auto_pause_days` is paused and its
followers get the Update; a dated one closes after its end; confirming reopens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitwirken.models import content_store
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases.instance import make_actor
from tests.integration.test_follow_flow import drain


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


MINIMAL = {"title": "Lesepat:in gesucht", "description": "Markdown …", "kind": "regular",
           "contact": {"email": "info@example.org"}}


async def test_auto_pause_after_90_days_reaches_followers_and_confirm_reopens(fediverse):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    b = await fediverse.add("city-b", clock=clock)
    from mitwirken.models import actors as actor_repo

    actor_repo.create_actor(a.app[STORE], make_actor("tafel", "org", "Tafel",
                                                     sector="civil-society"))
    svc_b = b.app[SERVICES]
    remote = await social.lookup(svc_b.fetcher, svc_b.remote_actors, "@tafel@city-a.test")
    social.follow(b.app[STORE], b.app[URLS], "city_b", remote, clock())
    await drain(a, b)

    content = a.app[SERVICES].content
    maintenance = a.app[SERVICES].workers.maintenance
    opp = content.create("opportunities", "tafel", MINIMAL)
    await drain(a, b)

    clock.now += timedelta(days=90)
    assert await maintenance.tick() == 0  # exactly 90 days: still fresh
    clock.now += timedelta(days=1)
    assert await maintenance.tick() == 1
    assert content_store.get(a.app[STORE], "opportunities", opp.id).status.value == "paused"
    await drain(a, b)
    updates = b.app[STORE].all(
        "SELECT body FROM inbox_items WHERE type = 'Update' ORDER BY id")
    assert updates and '"status":"paused"' in updates[-1]["body"].replace(" ", "")

    confirmed = content.confirm(opp.id)
    assert confirmed.status.value == "open" and confirmed.last_confirmed == clock.now
    assert await maintenance.tick() == 0


async def test_dated_opportunity_closes_after_its_end(fediverse):
    clock = Clock()
    a = await fediverse.add("city-a", clock=clock)
    content = a.app[SERVICES].content
    start = clock.now + timedelta(days=3)
    opp = content.create("opportunities", "city_a", {
        **MINIMAL, "kind": "one-off", "start": start.isoformat(),
        "end": (start + timedelta(hours=4)).isoformat()})
    maintenance = a.app[SERVICES].workers.maintenance
    clock.now = start + timedelta(hours=3)
    assert await maintenance.tick() == 0
    clock.now = start + timedelta(hours=5)
    assert await maintenance.tick() == 1
    assert content_store.get(a.app[STORE], "opportunities", opp.id).status.value == "closed"
    kinds = [r["type"] for r in a.app[STORE].all(
        "SELECT type FROM outbox WHERE username = 'city_a' ORDER BY seq")]
    assert kinds == ["Create", "Update"]
