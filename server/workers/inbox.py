"""The inbox worker: takes received activities from `inbox_items` (with a lease) and hands
each to the protocol layer (`federation.inbox.process`), then records the verdict."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

from mitwirken.federation.fetch import FetchError
from mitwirken.federation.inbox import InboxContext, Reject, process
from mitwirken.models import inbox_items
from mitwirken.models.states import IllegalTransition
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.worker")


class InboxWorker(Worker):
    def __init__(self, ctx: InboxContext, batch: int = 50,
                 lease: timedelta = inbox_items.INBOX_LEASE) -> None:
        super().__init__()
        self.ctx = ctx
        self.batch = batch
        self.lease = lease
        self.on_processed: Callable[[], None] = lambda: None

    async def tick(self) -> int:
        items = inbox_items.claim_inbox_items(self.ctx.store, self.batch, self.ctx.clock(),
                                              self.lease)
        for item in items:
            try:
                await self._one(item)
            except IllegalTransition as exc:  # decided meanwhile (our lease had run out)
                log.warning("activity_moved_meanwhile id=%s actor=%s reason=%s",
                            item["activity_id"], item["actor"], exc)
        if items:
            self.on_processed()
        return len(items)

    async def _one(self, item: dict) -> None:
        store = self.ctx.store
        activity = json.loads(item["body"])
        # The handler's outcome first; only the item's own state change below may raise
        # IllegalTransition to tick() (the item was decided meanwhile). Anything a handler
        # raises, IllegalTransition included, makes the item failed.
        error: str | None = None
        try:
            state = await process(self.ctx, activity)
        except Reject as exc:
            log.warning("activity_rejected id=%s actor=%s reason=%s", item["activity_id"],
                        item["actor"], exc)
            state, error = "rejected", str(exc)
        except FetchError as exc:
            log.info("activity_retry id=%s actor=%s reason=%s", item["activity_id"],
                     item["actor"], exc.reason)
            inbox_items.retry_inbox_item(store, item["id"], exc.reason, self.ctx.clock())
            return
        except Exception as exc:
            log.exception("activity_failed id=%s actor=%s", item["activity_id"],
                          item["actor"])
            state, error = "failed", f"{type(exc).__name__}: {exc}"
        inbox_items.finish_inbox_item(store, item["id"], state, self.ctx.clock(), error)
