"""The worker loop shared by every background worker.

Each worker has `tick()`, one pass over its work (tests call it directly, one at a time), and
`run()`, which the serve process loops: a queue worker ticks again at once while it finds
work, and otherwise sleeps until `wake()` (new work was committed) or its poll interval."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger("mitwirken.worker")


class Worker:
    poll_seconds = 1.0
    # Queue workers tick again at once while they find work; periodic ones wait every time.
    repeat_while_busy = True

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def tick(self) -> int:
        raise NotImplementedError

    async def run(self) -> None:
        while True:
            try:
                done = await self.tick()
            except Exception:
                log.exception("worker_tick_failed worker=%s", type(self).__name__)
                done = 0
            if done and self.repeat_while_busy:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
