"""The workers over the declared states, one `tick()` at a time: a crashed inbox worker's
items come back when their lease runs out, and a row that moved on meanwhile (decided by
another worker, cancelled by a domain block) is left as it is without stopping the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from mitwirken.federation.inbox import InboxContext, InboxRouter
from mitwirken.federation.keys import new_rsa_keypair
from mitwirken.federation.urls import Urls
from mitwirken.models import deliveries, inbox_items
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store
from mitwirken.server.workers.delivery import DeliveryWorker
from mitwirken.server.workers.inbox import InboxWorker

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
LEASE = inbox_items.INBOX_LEASE


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()


def inbox_worker(store: Store, clock: Clock, **handlers) -> InboxWorker:
    router = InboxRouter()
    for type_, handler in handlers.items():
        router.on(type_, handler)
    ctx = InboxContext(store, Urls("http://city.test"), None, clock,  # type: ignore[arg-type]
                       lambda username: False, router=router)
    return InboxWorker(ctx)


def record(store: Store, n: int, type_: str = "Wave") -> int:
    row_id = inbox_items.record_inbox_item(
        store, activity_id=f"https://m.example/a/{n}", origin="m.example",
        actor="https://m.example/users/alice", type_=type_, recipient=None,
        body=f'{{"type": "{type_}", "id": "https://m.example/a/{n}"}}', now=NOW)
    assert row_id is not None
    return row_id


def states(store: Store) -> list[str]:
    return [r["state"] for r in store.all("SELECT state FROM inbox_items ORDER BY id")]


async def test_items_of_a_crashed_inbox_worker_wait_for_their_lease(store):
    clock = Clock()
    record(store, 1)
    inbox_items.claim_inbox_items(store, 50, clock())  # a worker took it, then died
    worker = inbox_worker(store, clock)
    assert await worker.tick() == 0
    clock.now = NOW + LEASE - timedelta(seconds=1)
    assert await worker.tick() == 0
    clock.now = NOW + LEASE
    assert await worker.tick() == 1
    assert states(store) == ["ignored"]  # an unknown type: nothing to do
    assert await worker.tick() == 0


async def test_an_item_decided_meanwhile_does_not_stop_the_batch(store):
    clock = Clock()

    async def decided_elsewhere(ctx, activity) -> str:
        """Another worker finished this item after our lease ran out."""
        inbox_items.finish_inbox_item(ctx.store, first, "rejected", clock(), "elsewhere")
        return "processed"

    first, second = record(store, 1, "Slow"), record(store, 2)
    worker = inbox_worker(store, clock, Slow=decided_elsewhere)
    assert await worker.tick() == 2
    assert states(store) == ["rejected", "ignored"]
    assert store.scalar("SELECT error FROM inbox_items WHERE id = ?", [first]) == "elsewhere"
    assert store.scalar("SELECT locked_until FROM inbox_items WHERE id = ?", [second]) is None


@pytest.mark.parametrize("status", [202, 503])
async def test_a_delivery_cancelled_in_flight_stays_cancelled(store, aiohttp_server, status):
    """The domain is blocked while the POST is on its way: the row stays failed ('domain
    blocked'); neither a 202 (done) nor a 503 (retry) brings it back, and what the peer
    answered still counts for the domain's health."""
    clock = Clock()

    async def inbox(request: web.Request) -> web.Response:
        if request.path == "/blocked/inbox":
            deliveries.cancel_pending_for_domain(store, "127.0.0.1", clock(), "domain blocked")
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/{name}/inbox", inbox)
    server = await aiohttp_server(app)
    deliveries.enqueue_deliveries(store, "https://city.test/activities/1", "city", "{}",
                                  [str(server.make_url("/blocked/inbox"))], NOW)
    _, pem = new_rsa_keypair()
    async with aiohttp.ClientSession() as session:
        worker = DeliveryWorker(store, session, lambda username: ("k", pem), clock,
                                concurrency=2, per_domain=2, timeout=5)
        assert await worker.tick() == 1
    row = store.one("SELECT state, last_error, attempts FROM deliveries")
    assert row == {"state": "failed", "last_error": "domain blocked", "attempts": 0}
    health = store.one("SELECT failure_days, last_success_at FROM domain_health")
    if status == 202:
        assert health["failure_days"] == "[]" and health["last_success_at"]
    else:
        assert health["failure_days"] == f'["{NOW.date().isoformat()}"]'
        assert health["last_success_at"] is None


async def test_a_delivery_that_crashes_after_a_move_keeps_that_move(store):
    """The row was cancelled, then the worker crashed on it: the crash does not overwrite the
    cancellation (failed → failed is no transition) and the tick completes."""
    clock = Clock()
    deliveries.enqueue_deliveries(store, "https://city.test/activities/1", "city", "{}",
                                  ["https://gone.example/inbox", "https://ok.example/inbox"],
                                  NOW)

    def key_for(username: str) -> tuple[str, str]:
        deliveries.cancel_pending_for_domain(store, "gone.example", clock(), "domain blocked")
        raise LookupError(username)

    async with aiohttp.ClientSession() as session:
        worker = DeliveryWorker(store, session, key_for, clock, concurrency=1, per_domain=1,
                                timeout=5)
        assert await worker.tick() == 2
    rows = store.all("SELECT domain, state, last_error FROM deliveries ORDER BY id")
    assert rows == [{"domain": "gone.example", "state": "failed", "last_error": "domain blocked"},
                    {"domain": "ok.example", "state": "failed",
                     "last_error": "LookupError: city"}]


async def test_a_handler_raising_illegal_transition_fails_its_item(store):
    """Only the item's own state change may pass IllegalTransition up to tick(); raised by a
    handler (a bug elsewhere), it makes the item failed like any other error, not a row that
    comes back after every lease."""
    clock = Clock()

    async def broken(ctx, activity) -> str:
        raise IllegalTransition("deliveries", "done", "pending")

    item = record(store, 1, "Broken")
    worker = inbox_worker(store, clock, Broken=broken)
    assert await worker.tick() == 1
    assert states(store) == ["failed"]
    assert "IllegalTransition" in store.scalar("SELECT error FROM inbox_items WHERE id = ?",
                                               [item])
