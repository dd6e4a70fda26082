"""CLI: domain blocks, `block` (drops the domain's followers, content and deliveries) and
`unblock`."""

from __future__ import annotations

import argparse

from mitwirken.models.store import utcnow
from mitwirken.models.web_names import WebNameError
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store
from mitwirken.server.usecases import moderation


def cmd_block(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    try:
        result = moderation.block_domain(store, args.domain, args.reason or "", utcnow())
    except WebNameError as exc:
        raise CliError(f"{exc} Nichts wurde verändert.") from exc
    print(f"{result['domain']} blockiert: {result['followers']} Folgende entfernt, "
          f"{result['following']} Abos beendet, {result['deliveries']} Zustellungen "
          f"abgebrochen, {result['content']} Inhalte entfernt.")
    return 0


def block_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain")
    p.add_argument("--reason")


def cmd_unblock(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    try:
        lifted = moderation.unblock_domain(store, args.domain)
    except WebNameError as exc:
        raise CliError(f"{exc} Nichts wurde verändert.") from exc
    if not lifted:
        raise CliError(f"{args.domain} war nicht blockiert.")
    print(f"{args.domain} ist nicht mehr blockiert.")
    return 0


def unblock_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain")
