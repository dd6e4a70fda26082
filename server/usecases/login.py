"""Logging in and out of the web UI: password check with throttling, server-side sessions
(only the SHA-256 of the random session id is stored), logout and "log out everywhere".

Throttling: after `MAX_FAILURES` failed logins within `WINDOW` for one e-mail address, or
from one client address, further attempts are refused until the oldest of those failures
leaves the window — without even checking the password."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mitwirken.models import accounts as account_repo
from mitwirken.models import sessions as session_repo
from mitwirken.models.accounts import Account
from mitwirken.models.ids import hash_token
from mitwirken.models.store import Store
from mitwirken.server.usecases import passwords
from mitwirken.server.usecases.accounts import normalise_email

log = logging.getLogger("mitwirken.login")

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    id_hash: str


@dataclass(frozen=True)
class LoggedIn:
    session: Session
    cookie_value: str  # the session id, given to the browser once


@dataclass(frozen=True)
class WrongCredentials:
    pass


@dataclass(frozen=True)
class Throttled:
    wait_seconds: int


LoginOutcome = LoggedIn | WrongCredentials | Throttled


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Login:
    def __init__(self, store: Store, clock: Callable[[], datetime], session_hours: int) -> None:
        self.store = store
        self.clock = clock
        self.lifetime = timedelta(hours=session_hours)

    async def login(self, email: str, password: str, address: str) -> LoginOutcome:
        """argon2 takes tens of milliseconds of CPU on purpose: it runs in a thread, so the
        event loop (inbox, deliveries, pages) is not held meanwhile."""
        email = normalise_email(email)[:254]
        now = self.clock()
        wait = self._wait(email, address, now)
        if wait:
            log.warning("login_throttled email_hash=%s remote=%s wait_s=%d",
                        hash_token(email)[:12], address, wait)
            return Throttled(wait)
        account = account_repo.by_email(self.store, email)
        verified = await asyncio.to_thread(passwords.verify,
                                           account.password_hash if account else None, password)
        if account is None or not verified:
            session_repo.record_failure(self.store, email, address, now)
            log.warning("login_failed email_hash=%s remote=%s known=%s",
                        hash_token(email)[:12], address, account is not None)
            return WrongCredentials()
        session_id, csrf = new_secret(), new_secret()
        id_hash = hash_token(session_id)
        with self.store.tx():
            session_repo.clear_failures(self.store, email)
            session_repo.create(self.store, id_hash, account.id, csrf, now, now + self.lifetime)
        log.info("login account=%d role=%s remote=%s", account.id, account.role, address)
        return LoggedIn(Session(account, csrf, id_hash), session_id)

    def _wait(self, email: str, address: str, now: datetime) -> int:
        since = now - WINDOW
        waits = []
        for times in (session_repo.failures_since(self.store, email=email, since=since),
                      session_repo.failures_since(self.store, address=address, since=since)):
            if len(times) >= MAX_FAILURES:
                oldest = datetime.fromisoformat(times[-MAX_FAILURES].replace("Z", "+00:00"))
                waits.append(math.ceil((oldest + WINDOW - now).total_seconds()))
        return max(waits, default=0)

    def session(self, cookie_value: str) -> Session | None:
        if not cookie_value or len(cookie_value) > 200:
            return None
        id_hash = hash_token(cookie_value)
        row = session_repo.find(self.store, id_hash, self.clock())
        if row is None:
            return None
        account = account_repo.get(self.store, row.account_id)
        return Session(account, row.csrf, id_hash) if account else None

    def logout(self, session: Session) -> None:
        session_repo.delete(self.store, session.id_hash)
        log.info("logout account=%d", session.account.id)

    def logout_everywhere(self, session: Session) -> int:
        ended = session_repo.delete_for_account(self.store, session.account.id)
        log.info("logout_everywhere account=%d sessions=%d", session.account.id, ended)
        return ended
