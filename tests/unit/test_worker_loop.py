"""The worker loop: queue workers keep ticking while they find work; periodic workers (the
lifecycle upkeep) run one pass per poll even when their pass changed something."""

from __future__ import annotations

import asyncio
import contextlib

from mitwirken.server.workers.base import Worker
from mitwirken.server.workers.maintenance import MaintenanceWorker


class Busy(Worker):
    poll_seconds = 0.05

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    async def tick(self) -> int:
        self.ticks += 1
        await asyncio.sleep(0)
        return 1  # always "found work"


async def ticks_in(worker: Busy, seconds: float) -> int:
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return worker.ticks


async def test_queue_worker_repeats_while_busy_periodic_worker_does_not():
    assert await ticks_in(Busy(), 0.2) > 50
    periodic = Busy()
    periodic.repeat_while_busy = False
    assert await ticks_in(periodic, 0.2) <= 6  # one pass per 50 ms poll
    assert MaintenanceWorker.repeat_while_busy is False
