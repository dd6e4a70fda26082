"""Lifecycle upkeep: pause stale ongoing opportunities, close past dated ones, prune queues.

Stale listings are the second most common complaint about volunteering portals (domain.md §0):
an ongoing opportunity nobody confirmed for `auto_pause_days` is paused and its followers get
the Update; a dated one closes after its end."""

from __future__ import annotations

import logging

from mitwirken.models import content_store, deliveries, inbox_items
from mitwirken.models.content import Opportunity, is_expired, needs_auto_pause
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.usecases.publishing import ContentService
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.maintenance")


class MaintenanceWorker(Worker):
    poll_seconds = 3600.0
    repeat_while_busy = False  # one pass an hour; changes are rare

    def __init__(self, content: ContentService, auto_pause_days: int) -> None:
        super().__init__()
        self.content = content
        self.auto_pause_days = auto_pause_days

    async def tick(self) -> int:
        now = self.content.clock()
        changed = 0
        store = self.content.store
        candidates = content_store.list_objects(store, "opportunities", statuses=("open",),
                                                limit=100_000)
        for opp in candidates:
            assert isinstance(opp, Opportunity)
            if is_expired(opp, now):
                self.content.set_status(opp.id, OpportunityStatus.CLOSED)
                log.info("opportunity_closed id=%s reason=ended", opp.id)
                changed += 1
            elif needs_auto_pause(opp, now, self.auto_pause_days):
                self.content.set_status(opp.id, OpportunityStatus.PAUSED)
                log.info("opportunity_paused id=%s reason=not_confirmed days=%d", opp.id,
                         self.auto_pause_days)
                changed += 1
        inbox_items.prune(store, now)
        deliveries.prune(store, now)
        return changed
