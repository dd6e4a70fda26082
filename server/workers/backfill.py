"""The backfill worker: one outbox page per due backfill and tick (`server/usecases/backfill`).

Pacing lives in the rows (`next_at`), not in sleeps: a tick takes only the rows whose next page
is due, so between two pages of one peer at least `backfill_page_interval_seconds` pass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mitwirken.models import backfills
from mitwirken.models.store import Store
from mitwirken.server.usecases.backfill import Backfiller
from mitwirken.server.workers.base import Worker


class BackfillWorker(Worker):
    def __init__(self, store: Store, backfiller: Backfiller, clock: Callable[[], datetime],
                 batch: int = 4) -> None:
        super().__init__()
        self.store = store
        self.backfiller = backfiller
        self.clock = clock
        self.batch = batch
        interval = backfiller.limits.page_interval.total_seconds()
        self.poll_seconds = min(1.0, max(0.05, interval))

    async def tick(self) -> int:
        """One page of each due backfill; returns how many pages were read."""
        rows = backfills.due(self.store, self.clock(), self.batch)
        for row in rows:
            await self.backfiller.step(row)
        return len(rows)
