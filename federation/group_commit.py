"""Group commit for the inbox: the verified activities of one event-loop turn share one
SQLite transaction.

Every inbox request still answers 202 only after its row is committed (a `kill -9` after the
202 loses nothing), but a burst of N concurrent activities costs one commit instead of N. The
first request of a turn schedules the flush with `call_soon`, so a lone request waits for no
timer: the flush runs as soon as the handlers that are ready in this turn have added their rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from mitwirken.models import inbox_items
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.inbox")
Pending = tuple[inbox_items.InboxRow, "asyncio.Future[int | None]"]


class GroupCommit:
    """Collects `InboxRow`s and commits them together; `record` resolves to the new row id or
    None for a duplicate, or raises what the commit raised (the request then answers 500 and the
    sender retries). A failed group is retried row by row, so only the row that cannot be
    stored fails; nothing is ever half-written."""

    def __init__(self, store: Store, *, on_commit: Callable[[], None] | None = None,
                 max_batch: int = 500) -> None:
        self.store = store
        self.on_commit = on_commit
        self.max_batch = max_batch
        self._pending: list[Pending] = []
        self._scheduled = False
        self.commits = 0  # how many transactions, for benchmarks and tests
        self.rows = 0

    async def record(self, row: inbox_items.InboxRow) -> int | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        self._pending.append((row, future))
        if len(self._pending) >= self.max_batch:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_soon(self.flush)
        return await future

    def flush(self) -> None:
        """Commit everything pending now (also called by the scheduled callback)."""
        self._scheduled = False
        batch, self._pending = self._pending, []
        if not batch or (exc := self._commit(batch)) is None:
            return
        if len(batch) > 1:  # one bad row must not fail its neighbours: retry one by one
            log.warning("inbox_group_commit_failed rows=%d error=%r", len(batch), exc)
            for item in batch:
                if (one := self._commit([item])) is not None:
                    self._fail([item], one)
        else:
            self._fail(batch, exc)

    def _commit(self, batch: list[Pending]) -> Exception | None:
        """Commit and resolve the batch; on failure (rolled back) return the error."""
        try:
            ids = inbox_items.record_inbox_items(self.store, [row for row, _ in batch])
        except Exception as exc:
            return exc
        self.commits += 1
        self.rows += len(batch)
        for (_, future), row_id in zip(batch, ids, strict=True):
            if not future.done():  # a request whose client went away is cancelled
                future.set_result(row_id)
        if self.on_commit is not None:
            self.on_commit()
        return None

    def _fail(self, batch: list[Pending], exc: Exception) -> None:
        for row, future in batch:
            log.error("inbox_commit_failed id=%r actor=%r domain=%s error=%r",
                      row.activity_id[:200], row.actor[:200], row.origin, exc)
            if not future.done():  # a request whose client went away is cancelled
                future.set_exception(exc)
