"""Web accounts: adding, listing, removing people and resetting their password (the `user`
commands and the demo city), and setting a password through a one-time link."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mitwirken.models import accounts as account_repo
from mitwirken.models import actors as actor_repo
from mitwirken.models import audit, mails
from mitwirken.models import sessions as session_repo
from mitwirken.models.accounts import ROLES, Account, AccountError, Role
from mitwirken.models.ids import hash_token, new_token
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.server.usecases import passwords

log = logging.getLogger("mitwirken.accounts")

LINK_DAYS = 7
EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}$")
__all__ = ["ROLES", "Account", "AccountError", "AccountForbidden", "Accounts", "NewAccount",
           "OwnAccount"]

ADMIN_ONLY = "Konten der Administration legt nur die Administration an, ändert oder entfernt sie."
MANAGERS_ONLY = "Konten verwalten nur die Anlaufstelle und die Administration."


class AccountForbidden(AccountError):
    """The person acting may not do this to that account (German message)."""


class OwnAccount(AccountError):
    """Nobody removes their own account (German message)."""


def check_may_manage(by: Account | None, role: str) -> None:
    """Who may add, reset or remove an account of `role`: the command line (`by` None) and
    admins anything, staff the staff and editor accounts, editors nothing."""
    if by is None or by.role == "admin":
        return
    if by.role != "staff" or role == "admin":
        log.warning("account_change_refused by=%d by_role=%s role=%s", by.id, by.role, role)
        raise AccountForbidden(MANAGERS_ONLY if by.role != "staff" else ADMIN_ONLY)


@dataclass(frozen=True)
class NewAccount:
    account: Account
    link: str | None  # the path /passwort/{token} when no password was given


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Accounts:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def add(self, email: str, role: str, orgs: list[str], password: str | None = None, *,
            by: str | None = None, acting: Account | None = None) -> NewAccount:
        """A new account. `by` is who acts, for the audit log (`cli:<user>`, `web:<e-mail>`;
        the CLI and the web UI always name it); set-up code (the demo city, `init`) passes
        none and writes no entry. `acting` is the person acting in the web UI, whose rights
        are checked (None: the command line, which may do everything)."""
        check_may_manage(acting, role)
        email = normalise_email(email)
        if len(email) > 254 or not EMAIL.match(email):
            raise AccountError(N_("Keine gültige E-Mail-Adresse: %(email)s"), email=email)
        if role not in ROLES:
            raise AccountError(N_("Unbekannte Rolle %(role)r: admin, staff oder editor."),
                               role=role)
        if role == "editor" and not orgs:
            raise AccountError(N_("Ein Konto mit der Rolle editor braucht mindestens eine "
                               "Organisation (--org)."))
        for username in orgs:
            if actor_repo.kind_of(self.store, username) not in ("org", "city"):
                raise AccountError(N_("Keine Organisation mit dem Benutzernamen %(username)r."),
                                   username=username)
        hashed = passwords.hash_password(password) if password is not None else None
        with self.store.tx():
            account = account_repo.create(self.store, email, role_of(role),
                                          orgs if role == "editor" else [], hashed, self.clock())
            link = None if hashed else self.new_link(account)
            if by is not None:
                audit.record(self.store, actor=by, action="account.add", target=email,
                             details={"role": role, "orgs": list(account.orgs)},
                             now=self.clock())
        log.info("account_added id=%d role=%s orgs=%s by=%s", account.id, role,
                 ",".join(account.orgs) or "-", by)
        return NewAccount(account, link)

    def get(self, email: str) -> Account:
        account = account_repo.by_email(self.store, normalise_email(email))
        if account is None:
            raise AccountError(N_("Kein Konto mit der E-Mail-Adresse %(email)s."),
                               email=normalise_email(email))
        return account

    def list(self) -> list[Account]:
        return account_repo.list_all(self.store)

    def remove(self, email: str, *, by: str = "system", acting: Account | None = None) -> None:
        account = self.get(email)
        check_may_manage(acting, account.role)
        if acting is not None and acting.id == account.id:
            raise OwnAccount(N_("Das eigene Konto kann man hier nicht entfernen."))
        with self.store.tx():
            account_repo.remove(self.store, account.id)
            audit.record(self.store, actor=by, action="account.remove", target=account.email,
                         details={"role": account.role}, now=self.clock())
        log.info("account_removed id=%d by=%s", account.id, by)

    def reset(self, email: str, *, by: str = "system", acting: Account | None = None) -> str:
        """The old password and every session end; a new one-time link is returned."""
        account = self.get(email)
        check_may_manage(acting, account.role)
        with self.store.tx():
            account_repo.clear_password(self.store, account.id, self.clock())
            session_repo.delete_for_account(self.store, account.id)
            link = self.new_link(account)
            audit.record(self.store, actor=by, action="account.reset", target=account.email,
                         now=self.clock())
        log.info("account_reset id=%d by=%s", account.id, by)
        return link

    def new_link(self, account: Account) -> str:
        token = new_token()
        account_repo.add_link(self.store, account.id, hash_token(token),
                              self.clock() + timedelta(days=LINK_DAYS))
        return f"/passwort/{token}"

    def request_reset(self, email: str, base_url: str) -> bool:
        """"Passwort vergessen": mail a one-time link to the account's address, at most one
        an hour (the mail queue's key); the old password keeps working until the link is used.
        False when no account has this address — the page says the same either way."""
        try:
            account = self.get(email)
        except AccountError:
            log.info("password_reset_requested account=none")
            return False
        now = self.clock()
        key = f"password-reset:{account.id}:{now:%Y-%m-%dT%H}"
        with self.store.tx():
            if mails.queued(self.store, key):  # one mail an hour; its link stays valid
                log.info("password_reset_requested account=%d mailed=False", account.id)
                return True
            link = self.new_link(account)
            mails.enqueue(self.store, to=account.email, now=now, key=key,
                          subject="Ihr Link für ein neues Passwort",
                          body=RESET_MAIL.format(link=base_url + link, days=LINK_DAYS))
        log.info("password_reset_requested account=%d mailed=True", account.id)
        return True

    def link_account(self, token: str) -> Account | None:
        return account_repo.link_account(self.store, hash_token(token), self.clock())

    def set_password_by_link(self, token: str, password: str) -> Account:
        """Raises `passwords.WeakPassword` (German) or `AccountError` for a spent link."""
        account = self.link_account(token)
        if account is None:
            raise AccountError(N_("Dieser Link ist abgelaufen oder wurde schon benutzt."))
        hashed = passwords.hash_password(password)
        with self.store.tx():
            account_repo.set_password_hash(self.store, account.id, hashed, self.clock())
            account_repo.use_link(self.store, hash_token(token))
            session_repo.delete_for_account(self.store, account.id)  # a new password, anew
        log.info("password_set id=%d", account.id)
        return account


RESET_MAIL = """Guten Tag,

für Ihr Konto wurde ein neues Passwort angefordert. Über diesen Link setzen Sie es
(er gilt {days} Tage und nur einmal):

{link}

Haben Sie das nicht angefordert, können Sie diese E-Mail ignorieren: Ihr bisheriges
Passwort gilt weiter.
"""


def role_of(value: str) -> Role:
    for role in ROLES:
        if role == value:
            return role
    raise AccountError(N_("Unbekannte Rolle %(role)r: admin, staff oder editor."), role=value)
