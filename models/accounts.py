"""People who log in to the web UI: accounts with a role, the organisations an editor edits,
and one-time set-password links. Owner of `accounts`, `account_orgs` and `password_links`.

Passwords arrive here already hashed (argon2id, `server/usecases/accounts.py`); link tokens as
their SHA-256 (`models.ids.hash_token`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from mitwirken.models.store import Store, iso
from mitwirken.models.text_marks import N_

Role = Literal["admin", "staff", "editor"]
ROLES: tuple[Role, ...] = ("admin", "staff", "editor")


class AccountError(Exception):
    """An account cannot be created or found; the message is German, for the admin.
    `template` is the same message as a marked text (`N_`) with `%(name)s` fields filled by
    `values`, so a page in another language can translate it."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: Role
    orgs: tuple[str, ...]
    password_hash: str | None
    created_at: str

    @property
    def sees_all(self) -> bool:
        """Staff (the Anlaufstelle) and admins manage every organisation."""
        return self.role in ("admin", "staff")

    def may_edit(self, username: str) -> bool:
        return self.sees_all or username in self.orgs


def _orgs(store: Store, account_id: int) -> tuple[str, ...]:
    rows = store.all("SELECT username FROM account_orgs WHERE account_id = ? ORDER BY username",
                     [account_id])
    return tuple(r["username"] for r in rows)


def _account(store: Store, row: dict[str, object] | None) -> Account | None:
    if row is None:
        return None
    account_id = cast(int, row["id"])
    return Account(id=account_id, email=cast(str, row["email"]), role=cast(Role, row["role"]),
                   orgs=_orgs(store, account_id),
                   password_hash=cast("str | None", row["password_hash"]),
                   created_at=cast(str, row["created_at"]))


def create(store: Store, email: str, role: Role, orgs: list[str], password_hash: str | None,
           now: datetime) -> Account:
    with store.tx():
        if by_email(store, email) is not None:
            raise AccountError(N_("Es gibt bereits ein Konto mit der E-Mail-Adresse %(email)s."),
                               email=email)
        cur = store.execute(
            "INSERT INTO accounts (email, role, password_hash, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)", [email, role, password_hash, iso(now), iso(now)])
        account_id = int(cur.lastrowid or 0)
        for username in dict.fromkeys(orgs):
            store.execute("INSERT INTO account_orgs (account_id, username) VALUES (?, ?)",
                          [account_id, username])
    account = get(store, account_id)
    assert account is not None
    return account


def get(store: Store, account_id: int) -> Account | None:
    return _account(store, store.one("SELECT * FROM accounts WHERE id = ?", [account_id]))


def by_email(store: Store, email: str) -> Account | None:
    return _account(store, store.one("SELECT * FROM accounts WHERE email = ?", [email]))


def list_all(store: Store) -> list[Account]:
    rows = store.all("SELECT * FROM accounts ORDER BY email")
    return [a for a in (_account(store, r) for r in rows) if a is not None]


def remove(store: Store, account_id: int) -> None:
    """The account with its organisations, links and sessions (foreign keys cascade)."""
    with store.tx():
        store.execute("DELETE FROM accounts WHERE id = ?", [account_id])


def assign_org(store: Store, account_id: int, username: str) -> bool:
    """The account edits `username` too; False when it already did."""
    with store.tx():
        cur = store.execute("INSERT OR IGNORE INTO account_orgs (account_id, username) "
                            "VALUES (?, ?)", [account_id, username])
    return bool(cur.rowcount)


def unassign_org(store: Store, account_id: int, username: str) -> bool:
    """The account no longer edits `username`; False when it did not."""
    with store.tx():
        cur = store.execute("DELETE FROM account_orgs WHERE account_id = ? AND username = ?",
                            [account_id, username])
    return bool(cur.rowcount)


def set_password_hash(store: Store, account_id: int, password_hash: str, now: datetime) -> None:
    with store.tx():
        store.execute("UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
                      [password_hash, iso(now), account_id])


def clear_password(store: Store, account_id: int, now: datetime) -> None:
    """`user reset`: the old password stops working at once."""
    with store.tx():
        store.execute("UPDATE accounts SET password_hash = NULL, updated_at = ? WHERE id = ?",
                      [iso(now), account_id])


def add_link(store: Store, account_id: int, token_hash: str, expires_at: datetime) -> None:
    """A new set-password link replaces the account's earlier ones."""
    with store.tx():
        store.execute("DELETE FROM password_links WHERE account_id = ?", [account_id])
        store.execute("INSERT INTO password_links (token_hash, account_id, expires_at) "
                      "VALUES (?, ?, ?)", [token_hash, account_id, iso(expires_at)])


def link_account(store: Store, token_hash: str, now: datetime) -> Account | None:
    """The account of a valid (unexpired) link, without using it up."""
    row = store.one("SELECT account_id FROM password_links WHERE token_hash = ? AND "
                    "expires_at > ?", [token_hash, iso(now)])
    return get(store, int(row["account_id"])) if row else None


def use_link(store: Store, token_hash: str) -> None:
    with store.tx():
        store.execute("DELETE FROM password_links WHERE token_hash = ?", [token_hash])
