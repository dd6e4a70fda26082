"""The delivery worker: takes due rows from `deliveries` (with a lease), signs and sends them
with bounded concurrency overall and per domain, and records the outcome (done, final failure,
or a retry with backoff) and the health of the receiving domain. Before sending it asks the
federation policy (`decide`): a row to a domain the allow-list does not name is held, not
sent; one to a blocked domain is given up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

import aiohttp

from mitwirken.federation import delivery
from mitwirken.models import actors as actor_repo
from mitwirken.models import deliveries
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.worker")


class DeliveryWorker(Worker):
    """Sends queued deliveries with bounded concurrency overall and per domain."""

    lease = timedelta(minutes=5)

    def __init__(self, store: Store, session: aiohttp.ClientSession, urls_actor_key: Callable,
                 clock: Callable[[], datetime], *, concurrency: int, per_domain: int,
                 timeout: float, lease: timedelta | None = None,
                 decide: Callable[[str], str] = lambda domain: "send") -> None:
        super().__init__()
        if lease is not None:
            self.lease = lease
        self.store = store
        self.session = session
        self.key_for = urls_actor_key
        self.clock = clock
        self.concurrency = concurrency
        self.per_domain = per_domain
        self.timeout = timeout
        self._healthy: set[str] = set()
        self.decide = decide  # domain → "send" | "hold" | "cancel" (usecases.moderation)

    async def tick(self) -> int:
        now = self.clock()
        rows = deliveries.claim_deliveries(self.store, now, self.concurrency * 8, self.lease)
        if not rows:
            return 0
        rows = self._screen(rows)
        self._healthy = set()  # domains whose success this tick already recorded
        overall = asyncio.Semaphore(self.concurrency)
        domains: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.per_domain))

        async def one(row: dict) -> None:
            async with overall, domains[row["domain"]]:
                try:
                    await self._deliver(row)
                except Exception as exc:  # e.g. the sending actor was deleted meanwhile
                    log.exception("delivery_crashed id=%s inbox=%s", row["id"], row["inbox"])
                    with contextlib.suppress(IllegalTransition):  # it had finished already
                        deliveries.fail_delivery(self.store, row["id"], None,
                                                 f"{type(exc).__name__}: {exc}", self.clock())

        await asyncio.gather(*(one(r) for r in rows))
        return len(rows)

    def _screen(self, rows: list) -> list:
        """The rows the policy lets us send now; the others are held or given up."""
        decisions: dict[str, str] = {}
        out = []
        for row in rows:
            domain = row["domain"]
            decision = decisions.setdefault(domain, self.decide(domain))
            if decision == "send":
                out.append(row)
            elif decision == "hold":
                deliveries.hold_delivery(self.store, row["id"], "domain not on the allow-list")
                log.info("delivery_held id=%s inbox=%s domain=%s", row["id"], row["inbox"],
                         domain)
            else:
                with contextlib.suppress(IllegalTransition):
                    deliveries.fail_delivery(self.store, row["id"], None, "domain blocked",
                                             self.clock())
                log.info("delivery_cancelled id=%s inbox=%s domain=%s reason=blocked",
                         row["id"], row["inbox"], domain)
        return out

    async def _deliver(self, row: dict) -> None:
        key_id, pem = self.key_for(row["username"])
        result = await delivery.send(self.session, row["inbox"], row["body"].encode("utf-8"),
                                     key_id=key_id, private_key_pem=pem, now=self.clock(),
                                     timeout_seconds=self.timeout)
        now = self.clock()
        outcome = delivery.classify(result.status)
        store, domain = self.store, row["domain"]
        try:
            if outcome == "done":
                deliveries.finish_delivery(store, row["id"], result.status, now)
            elif outcome == "final" or row["attempts"] + 1 >= delivery.MAX_ATTEMPTS:
                error = result.error or ("" if outcome == "final" else "gave up")
                deliveries.fail_delivery(store, row["id"], result.status, error, now)
            else:
                wait = delivery.backoff(row["attempts"] + 1)
                asked = delivery.retry_after(result.retry_after, now)
                if asked is not None:
                    wait = max(wait, asked)
                deliveries.retry_delivery(store, row["id"], result.status, result.error or "",
                                          now + wait)
        except IllegalTransition as exc:  # e.g. cancelled by a domain block in flight
            log.warning("delivery_moved_meanwhile id=%s inbox=%s reason=%s", row["id"],
                        row["inbox"], exc)
        # What the peer answered counts for its health whatever became of the row.
        # (One write per domain and tick: a fan-out sends many rows to each domain.)
        if outcome in ("done", "final"):
            if domain not in self._healthy:
                deliveries.record_domain_success(store, domain, now)  # the peer is alive
                self._healthy.add(domain)
        else:
            self._healthy.discard(domain)  # a later success of this tick must be recorded
            if deliveries.record_domain_failure(store, domain, now) and \
                    row["attempts"] + 1 < delivery.MAX_ATTEMPTS:
                log.warning("domain_unavailable domain=%s", domain)
        log.info("delivery outcome=%s status=%s inbox=%s domain=%s activity=%s attempt=%d",
                 outcome, result.status, row["inbox"], domain, row["activity_id"],
                 row["attempts"] + 1)


def actor_key_lookup(store: Store, urls) -> Callable[[str], tuple[str, str]]:
    """username → (key id, private key PEM), cached per process."""
    cache: dict[str, tuple[str, str]] = {}

    def lookup(username: str) -> tuple[str, str]:
        if username not in cache:
            actor = actor_repo.get_actor(store, username)
            if actor is None:
                raise LookupError(username)
            key_id = urls.instance_key_id if actor.kind == "instance" else urls.key_id(username)
            cache[username] = (key_id, actor.private_key_pem)
        return cache[username]

    return lookup
