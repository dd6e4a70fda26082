"""CLI: the people who log in to the web UI: `user add`, `user list`, `user remove`, `user
reset`. Without `--password-stdin`, `user add` (and always `user reset`) prints a one-time
link to set the password, valid for seven days."""

from __future__ import annotations

import argparse
import sys

from mitwirken.models.accounts import ROLES, AccountError
from mitwirken.models.store import utcnow
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store, who
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.passwords import WeakPassword


def _accounts(args: argparse.Namespace) -> tuple[Accounts, str]:
    settings = open_settings(args)
    return Accounts(open_store(settings), utcnow), settings.base_url


def cmd_user_add(args: argparse.Namespace) -> int:
    accounts, base = _accounts(args)
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        new = accounts.add(args.email, args.role, args.org or [], password, by=who())
    except (AccountError, WeakPassword) as exc:
        raise CliError(str(exc)) from exc
    print(f"Konto angelegt: {new.account.email} ({new.account.role})")
    if new.link:
        print(f"Link zum Setzen des Passworts (7 Tage gültig, einmalig): {base}{new.link}")
    return 0


def user_add_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--org", action="append", metavar="USERNAME",
                   help="an organisation the editor edits (repeatable)")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")


def cmd_user_list(args: argparse.Namespace) -> int:
    accounts, _ = _accounts(args)
    for account in accounts.list():
        state = "Passwort gesetzt" if account.password_hash else "Passwort offen"
        print(f"{account.email}\t{account.role}\t{','.join(account.orgs) or '-'}\t{state}")
    return 0


def email_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--email", required=True)


def cmd_user_remove(args: argparse.Namespace) -> int:
    accounts, _ = _accounts(args)
    try:
        accounts.remove(args.email, by=who())
    except AccountError as exc:
        raise CliError(str(exc)) from exc
    print(f"Konto entfernt: {args.email.strip().lower()}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    accounts, base = _accounts(args)
    try:
        link = accounts.reset(args.email, by=who())
    except AccountError as exc:
        raise CliError(str(exc)) from exc
    print("Passwort zurückgesetzt, alle Sitzungen beendet.")
    print(f"Link zum Setzen des Passworts (7 Tage gültig, einmalig): {base}{link}")
    return 0
