"""Helpers for the web UI tests: a settable clock, accounts, logging in with the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mitwirken.models.store import Store
from mitwirken.server.usecases.accounts import Accounts

PASSWORD = "Ein sicheres Passwort"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def add_account(settings, email: str, role: str, orgs: list[str] | None = None,
                password: str | None = PASSWORD):
    store = Store.open(settings.db_path)
    try:
        return Accounts(store, lambda: datetime.now(UTC)).add(email, role, orgs or [], password)
    finally:
        store.close()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def login(client, email: str, password: str = PASSWORD, expect: int = 303):
    page = await client.get("/anmelden", headers={"Accept": "text/html"})
    token = csrf_of(await page.text())
    resp = await client.post("/anmelden", data={"email": email, "password": password,
                                                "csrf": token}, allow_redirects=False)
    assert resp.status == expect, await resp.text()
    return resp


async def page_csrf(client, path: str) -> str:
    resp = await client.get(path, headers={"Accept": "text/html"})
    assert resp.status == 200, await resp.text()
    return csrf_of(await resp.text())
