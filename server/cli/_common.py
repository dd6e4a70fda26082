"""What every command module of the CLI shares: the error a command raises to stop with a
reason, opening the data folder's settings and database, logging, the `--data` option, and
the services of commands that reach the network (built by the same `open_services` as the
server's, so they fetch through the same private-address guard)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from mitwirken.models.store import Store
from mitwirken.server.config import CONFIG_NAME, Settings, load_settings
from mitwirken.server.dependencies import Services, open_services

Handler = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]


class CliError(Exception):
    """Printed to stderr as the reason; exit status 1."""


def who() -> str:
    """Who acts, for the audit log, when a command is run from a shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def open_settings(args: argparse.Namespace, **overrides: object) -> Settings:
    data = Path(args.data)
    if not (data / CONFIG_NAME).exists():
        raise CliError(f"{data} ist nicht eingerichtet: zuerst `mitwirken init --data {data} …`.")
    return load_settings(data, **overrides)


def open_store(settings: Settings) -> Store:
    return Store.open(settings.db_path)


def add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="data folder (database, keys, settings)")


@asynccontextmanager
async def network_services(args: argparse.Namespace, settings: Settings,
                           store: Store) -> AsyncIterator[Services]:
    """Signed GETs (as the instance actor) from this out-of-process command; no workers run.
    `args.resolver` is set by `main` (None: the system DNS; tests map fake host names)."""
    async with open_services(settings, store, resolver=args.resolver) as services:
        yield services
