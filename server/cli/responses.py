"""CLI: volunteers' responses. `responses overdue` lists the open responses whose promised
reply time has run out (ids, organisations and dates only; who wrote what stays in the API)."""

from __future__ import annotations

import argparse
import json

from mitwirken.models.store import utcnow
from mitwirken.server.cli._common import add_data, open_settings, open_store
from mitwirken.server.usecases import responses


def cmd_overdue(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    rows = responses.overdue(store, utcnow())
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
