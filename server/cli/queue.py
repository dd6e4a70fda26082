"""CLI: the delivery queue, `queue show` (counts, unavailable domains, recent deliveries) and
`queue retry` (one delivery now). Both write or read the database only; the running `serve`
process delivers (its delivery worker polls the queue every second)."""

from __future__ import annotations

import argparse
import json

from mitwirken.models.store import utcnow
from mitwirken.models.web_names import WebNameError
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store, who
from mitwirken.server.usecases import moderation, operations


def cmd_queue(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    queue = operations.delivery_queue(store, args.state, args.limit)
    summary, rows = queue["summary"], queue["deliveries"]
    if args.json:
        print(json.dumps(queue, indent=2))
        return 0
    print(f"pending={summary['pending']} held={summary['held']} done={summary['done']} "
          f"failed={summary['failed']}")
    print("unavailable domains: " + (", ".join(summary["unavailable_domains"]) or "-"))
    for r in rows:
        print(f"{r['id']}\t{r['state']}\t{r['attempts']}\t{r['last_status'] or '-'}\t"
              f"{r['inbox']}\t{r['next_attempt_at']}")
    return 0


def show_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--state", choices=["pending", "held", "done", "failed"])
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")


def cmd_retry(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    if not operations.retry_delivery(store, args.id, utcnow(), by=who()):
        raise CliError(f"Keine offene oder fehlgeschlagene Zustellung mit id {args.id}.")
    print(f"Zustellung {args.id} wird erneut versucht.")
    return 0


def retry_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("id", type=int)


def cmd_health(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    print(json.dumps(operations.delivery_health(store, utcnow()), ensure_ascii=False,
                     indent=2))
    return 0


def cmd_retry_domain(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    try:
        domain = moderation.normalised_domain(args.domain)
    except WebNameError as exc:
        raise CliError(f"{exc} Nichts wurde verändert.") from exc
    n = operations.retry_domain(store, domain, utcnow(), by=who())
    print(f"{n} Zustellungen an {domain} werden erneut versucht.")
    return 0


def retry_domain_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain")
