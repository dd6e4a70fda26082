"""The mail worker: queues the reminders that are due (usecases.responses) and sends the
mail queue (models.mails) through SMTP. With no `smtp_host` the reminders are still queued
and the queue just waits; a failed send is tried again with a growing pause, and a crash
loses nothing (the rows are in the database, claimed with a lease)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from mitwirken.federation.urls import Urls
from mitwirken.models import mails
from mitwirken.models.store import Store
from mitwirken.server.mail_client import MailError, SmtpConfig, send_mail
from mitwirken.server.usecases import response_promise
from mitwirken.server.workers.base import Worker

log = logging.getLogger("mitwirken.mail")


class MailWorker(Worker):
    poll_seconds = 60.0

    def __init__(self, store: Store, urls: Urls, clock: Callable[[], datetime],
                 smtp: SmtpConfig | None) -> None:
        super().__init__()
        self.store, self.urls, self.clock, self.smtp = store, urls, clock, smtp

    async def tick(self) -> int:
        now = self.clock()
        queued = response_promise.queue_reminders(self.store, self.urls, now)
        if self.smtp is None:
            return queued
        sent = 0
        for mail in mails.claim(self.store, now):
            try:
                await send_mail(self.smtp, mail["to_addr"], mail["subject"], mail["body"])
            except MailError as exc:
                state = mails.failed_attempt(self.store, mail["id"], str(exc), self.clock())
                log.warning("mail_failed id=%d state=%s error=%s", mail["id"], state,
                            str(exc)[:200])
                continue
            mails.sent(self.store, mail["id"], self.clock())
            log.info("mail_sent id=%d key=%s", mail["id"], mail["key"])
            sent += 1
        return queued + sent
