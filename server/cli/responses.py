"""CLI: volunteers' responses and their privacy. `responses overdue` lists the open responses
whose promised reply time has run out (ids, organisations and dates only; who wrote what stays
in the API). `privacy export WHO` prints, as JSON, everything held about a person; `privacy
erase WHO` removes it and prints what went."""

from __future__ import annotations

import argparse
import json

from mitwirken.models.store import utcnow
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store, who
from mitwirken.server.usecases import privacy, response_promise


def cmd_overdue(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    rows = response_promise.overdue(store, utcnow())
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("Keine überfälligen Rückmeldungen.")
        return 0
    for r in rows:
        print(f"{r['id']}\t{r['organisation']}\t{r['visibility']}\tfällig {r['due_at']}\t"
              f"{r['working_days_over']} Werktage drüber\t{r['object'] or '-'}")
    return 0


def overdue_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--json", action="store_true", help="as JSON")


def cmd_privacy_export(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    print(json.dumps(privacy.export(store, args.who), indent=2, ensure_ascii=False))
    return 0


def cmd_privacy_erase(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    result = privacy.erase(store, args.who, utcnow(), by=who())
    if not result["found"]:
        raise CliError(f"Über {args.who} ist nichts gespeichert.")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def privacy_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("who", help="actor id (https://…), handle (@name@host) or e-mail address")
