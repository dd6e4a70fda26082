"""The event-loop watch logs a stall when the loop was blocked, and nothing otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from mitwirken.server.workers.loop_watch import LoopWatch


async def watched(blocking_seconds: float, caplog) -> LoopWatch:
    watch = LoopWatch(threshold=0.1, interval=0.01)
    task = asyncio.create_task(watch.run())
    with caplog.at_level(logging.WARNING, logger="mitwirken.loop"):
        await asyncio.sleep(0.05)
        time.sleep(blocking_seconds)  # noqa: ASYNC251 - a synchronous stretch holding the loop
        await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return watch


async def test_a_blocked_loop_is_logged_with_its_length(caplog):
    watch = await watched(0.25, caplog)
    stalls = [r.getMessage() for r in caplog.records if "event_loop_stall" in r.getMessage()]
    assert len(stalls) == 1
    assert 200 <= int(stalls[0].split("ms=")[1].split()[0]) < 1000
    assert watch.worst >= 0.2


async def test_a_short_pause_is_not_a_stall(caplog):
    watch = await watched(0.02, caplog)
    assert not [r for r in caplog.records if "event_loop_stall" in r.getMessage()]
    assert watch.worst == 0.0
