"""Lifecycle upkeep: pause stale ongoing opportunities, close past dated ones, prune queues.

Stale listings are the second most common complaint about volunteering portals (domain.md §0):
an ongoing opportunity nobody confirmed for `auto_pause_days` is paused and its followers get
the Update; a dated one closes after its end.

The pass stays bounded however large the database grows: SQL selects only the rows that are
due (indexed date columns, migration m010), in batches of `BATCH` ids; each candidate is loaded
alone and checked again with the model's own rule before it changes, and the loop yields to
the event loop after every change and every batch, so serving requests never waits for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from mitwirken.models import content_store, deliveries, inbox_items
from mitwirken.models.content import Opportunity, is_expired, needs_auto_pause
from mitwirken.models.store import Store
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.usecases import response_promise
from mitwirken.server.usecases.publishing import ContentService
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.maintenance")

BATCH = 200
PRUNE_BATCH = 1000


class MaintenanceWorker(Worker):
    poll_seconds = 3600.0
    repeat_while_busy = False  # one pass an hour; changes are rare

    def __init__(self, content: ContentService, auto_pause_days: int,
                 response_retention_days: int = 180) -> None:
        super().__init__()
        self.content = content
        self.auto_pause_days = auto_pause_days
        self.response_retention_days = response_retention_days

    async def tick(self) -> int:
        now = self.content.clock()
        store = self.content.store
        cutoff = now - timedelta(days=self.auto_pause_days)
        closed = await self._each_due(
            lambda after: content_store.due_to_close(store, now, after, BATCH),
            lambda opp: is_expired(opp, now), OpportunityStatus.CLOSED, "reason=ended")
        paused = await self._each_due(
            lambda after: content_store.due_for_pause(store, cutoff, now, after, BATCH),
            lambda opp: needs_auto_pause(opp, now, self.auto_pause_days),
            OpportunityStatus.PAUSED, f"reason=not_confirmed days={self.auto_pause_days}")
        pruned = await _prune(store, now)
        erased = 0
        while (n := response_promise.erase_expired(store, now, self.response_retention_days,
                                            BATCH)) > 0:
            erased += n
            await asyncio.sleep(0)
            if n < BATCH:
                break
        log.info("maintenance_pass closed=%d paused=%d pruned=%d erased=%d", closed, paused,
                 pruned, erased)
        return closed + paused + erased

    async def _each_due(self, batch: Callable[[str], list[str]],
                        due: Callable[[Opportunity], bool], status: OpportunityStatus,
                        reason: str) -> int:
        changed, after = 0, ""
        while ids := batch(after):
            for object_id in ids:
                opp = content_store.get(self.content.store, "opportunities", object_id)
                if isinstance(opp, Opportunity) and due(opp):
                    self.content.set_status(object_id, status)
                    log.info("opportunity_%s id=%s %s", status.value, object_id, reason)
                    changed += 1
                    await asyncio.sleep(0)
            after = ids[-1]
            await asyncio.sleep(0)
        return changed


async def _prune(store: Store, now: datetime) -> int:
    """Finished queue rows past their keep time go, a short transaction at a time."""
    total = 0
    for prune in (inbox_items.prune, deliveries.prune):
        while (n := prune(store, now, limit=PRUNE_BATCH)) > 0:
            total += n
            await asyncio.sleep(0)
            if n < PRUNE_BATCH:
                break
    return total
