"""The inbox worker: takes received activities from `inbox_items` and hands each to the
protocol layer (`federation.inbox.process`), then records the verdict."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from mitwirken.federation.fetch import FetchError
from mitwirken.federation.inbox import InboxContext, Reject, process
from mitwirken.models import queue
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.worker")


class InboxWorker(Worker):
    def __init__(self, ctx: InboxContext, batch: int = 50) -> None:
        super().__init__()
        self.ctx = ctx
        self.batch = batch
        self.on_processed: Callable[[], None] = lambda: None

    async def tick(self) -> int:
        store, items = self.ctx.store, queue.claim_inbox_items(self.ctx.store, self.batch,
                                                               self.ctx.clock())
        for item in items:
            activity = json.loads(item["body"])
            try:
                state = await process(self.ctx, activity)
                queue.finish_inbox_item(store, item["id"], state, self.ctx.clock())
            except Reject as exc:
                log.warning("activity_rejected id=%s actor=%s reason=%s", item["activity_id"],
                            item["actor"], exc)
                queue.finish_inbox_item(store, item["id"], "rejected", self.ctx.clock(),
                                        str(exc))
            except FetchError as exc:
                log.info("activity_retry id=%s actor=%s reason=%s", item["activity_id"],
                         item["actor"], exc.reason)
                queue.retry_inbox_item(store, item["id"], exc.reason, self.ctx.clock())
            except Exception as exc:
                log.exception("activity_failed id=%s actor=%s", item["activity_id"],
                              item["actor"])
                queue.finish_inbox_item(store, item["id"], "failed", self.ctx.clock(),
                                        f"{type(exc).__name__}: {exc}")
        if items:
            self.on_processed()
        return len(items)
