"""Login sessions of the web UI and the failed logins that throttle guessing. Owner of
`sessions` and `login_failures`.

A session row holds the SHA-256 of the random session id (the cookie's value), never the id
itself, beside the session's CSRF token and its expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mitwirken.models.store import Store, iso

FAILURES_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class SessionRow:
    account_id: int
    csrf: str
    expires_at: str


def create(store: Store, id_hash: str, account_id: int, csrf: str, now: datetime,
           expires_at: datetime) -> None:
    with store.tx():
        store.execute("DELETE FROM sessions WHERE expires_at <= ?", [iso(now)])
        store.execute("INSERT INTO sessions (id_hash, account_id, csrf, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      [id_hash, account_id, csrf, iso(now), iso(expires_at)])


def find(store: Store, id_hash: str, now: datetime) -> SessionRow | None:
    row = store.one("SELECT account_id, csrf, expires_at FROM sessions WHERE id_hash = ? AND "
                    "expires_at > ?", [id_hash, iso(now)])
    if row is None:
        return None
    return SessionRow(int(row["account_id"]), str(row["csrf"]), str(row["expires_at"]))


def delete(store: Store, id_hash: str) -> None:
    with store.tx():
        store.execute("DELETE FROM sessions WHERE id_hash = ?", [id_hash])


def delete_for_account(store: Store, account_id: int) -> int:
    """Log out everywhere: every session of the account; returns how many there were."""
    with store.tx():
        cur = store.execute("DELETE FROM sessions WHERE account_id = ?", [account_id])
    return int(cur.rowcount)


def count_for_account(store: Store, account_id: int, now: datetime) -> int:
    return int(store.scalar("SELECT count(*) FROM sessions WHERE account_id = ? AND "
                            "expires_at > ?", [account_id, iso(now)]) or 0)


def record_failure(store: Store, email: str, address: str, now: datetime) -> None:
    with store.tx():
        store.execute("DELETE FROM login_failures WHERE at < ?", [iso(now - FAILURES_KEPT)])
        store.execute("INSERT INTO login_failures (email, address, at) VALUES (?, ?, ?)",
                      [email, address, iso(now)])


def failures_since(store: Store, *, email: str | None = None, address: str | None = None,
                   since: datetime) -> list[str]:
    """Times (ISO, oldest first) of the failed logins for an e-mail or an address."""
    column, value = ("email", email) if email is not None else ("address", address)
    rows = store.all(f"SELECT at FROM login_failures WHERE {column} = ? AND at >= ? "
                     "ORDER BY at", [value, iso(since)])
    return [str(r["at"]) for r in rows]


def clear_failures(store: Store, email: str) -> None:
    """A successful login forgives the account's earlier mistakes (not the address's)."""
    with store.tx():
        store.execute("DELETE FROM login_failures WHERE email = ?", [email])
