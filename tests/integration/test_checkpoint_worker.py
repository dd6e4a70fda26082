"""While the checkpoint worker runs, the serving connection never checkpoints inside a commit;
the worker copies the write-ahead log into the file from a thread, and hands the job back to
SQLite when it stops."""

from __future__ import annotations

import asyncio
import contextlib

from mitwirken.models import database_file
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.workers.checkpoint import CheckpointWorker


def autocheckpoint(store) -> int:
    return int(store.scalar("PRAGMA wal_autocheckpoint"))


def write_pages(store, n: int) -> None:
    store.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
    for _ in range(n):
        store.execute("INSERT INTO filler VALUES (randomblob(8000))")


async def test_the_worker_owns_checkpoints_while_it_runs(fediverse):
    a = await fediverse.add("city-a")
    store = a.app[STORE]
    worker = CheckpointWorker(store, threshold_bytes=64 << 10)
    assert autocheckpoint(store) == 1000
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.05)
    try:
        assert autocheckpoint(store) == 0
        file_before = store.path.stat().st_size
        write_pages(store, 1500)  # ~4 000 pages: SQLite alone would have copied them back
        assert database_file.wal_bytes(store.path) > 3000 * 4096
        assert store.path.stat().st_size == file_before  # no commit checkpointed
        assert await worker.tick() == 1
        assert store.path.stat().st_size > file_before + 3000 * 4096  # the worker did
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert autocheckpoint(store) == 1000


async def test_a_small_log_waits_for_the_threshold_or_the_interval(fediverse):
    a = await fediverse.add("city-a")
    store = a.app[STORE]
    worker = CheckpointWorker(store, threshold_bytes=1 << 30, every_seconds=3600)
    write_pages(store, 3)
    assert await worker.tick() == 0
    worker.every_seconds = 0
    assert await worker.tick() == 1


async def test_the_served_app_runs_one(fediverse):
    a = await fediverse.add("city-a")
    assert isinstance(a.app[SERVICES].workers.checkpoint, CheckpointWorker)
