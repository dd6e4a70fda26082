"""Write-ahead-log checkpoints away from the event loop.

By default SQLite copies the log into the database file inside whichever commit crosses 1000
pages — on the serving connection, so the event loop stood still for that commit (about half a
second on a 1.3 GB database, `bench/lifecycle.py`). While this worker runs, the serving
connection never checkpoints; the worker does it in a thread through a connection of its own
(SQLite releases the GIL while it copies) whenever the log has grown past `threshold_bytes`,
or every `every_seconds` when it holds anything at all."""

from __future__ import annotations

import asyncio
import logging
import time

from mitwirken.models import database_file
from mitwirken.models.store import Store
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.checkpoint")

SQLITE_DEFAULT_PAGES = 1000


class CheckpointWorker(Worker):
    poll_seconds = 1.0
    repeat_while_busy = False

    def __init__(self, store: Store, threshold_bytes: int = 4 << 20,
                 every_seconds: float = 60.0) -> None:
        super().__init__()
        self.store = store
        self.threshold_bytes = threshold_bytes
        self.every_seconds = every_seconds
        self._last = time.monotonic()

    async def run(self) -> None:
        if self.store.path is None:
            return  # an in-memory database has no log
        self.store.set_autocheckpoint(0)
        try:
            await super().run()
        finally:
            self.store.set_autocheckpoint(SQLITE_DEFAULT_PAGES)

    async def tick(self) -> int:
        path = self.store.path
        if path is None:
            return 0
        size = database_file.wal_bytes(path)
        overdue = time.monotonic() - self._last >= self.every_seconds
        if size < self.threshold_bytes and not (overdue and size):
            return 0
        self._last = time.monotonic()
        frames, copied = await asyncio.to_thread(database_file.checkpoint, path)
        log.debug("wal_checkpoint bytes=%d frames=%d copied=%d", size, frames, copied)
        return 1
