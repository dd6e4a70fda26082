"""A watch on the event loop: one log line whenever the loop was blocked too long.

Everything of a serving process shares one event loop, so a synchronous stretch of work (a
large query, a long batch) delays every request. The watch sleeps `interval` seconds again and
again and measures how late it wakes; a lateness over `threshold` is logged as
`event_loop_stall ms=… max_ms=…`, the figure operators and `bench/lifecycle.py` read."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("mitwirken.loop")


class LoopWatch:
    def __init__(self, threshold: float = 0.1, interval: float = 0.05) -> None:
        self.threshold = threshold
        self.interval = interval
        self.worst = 0.0  # the longest stall seen, in seconds

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.interval)
            late = loop.time() - started - self.interval
            if late > self.threshold:
                self.worst = max(self.worst, late)
                log.warning("event_loop_stall ms=%d max_ms=%d", late * 1000, self.worst * 1000)
