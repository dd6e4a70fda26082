"""CLI: the instance itself: `init` (database, keys, city and instance actor), `serve` (web
server and workers) and `demo` (seed the demo city Musterstadt)."""

from __future__ import annotations

import argparse
import logging
import ssl
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from mitwirken.models.actors import ActorError
from mitwirken.server.app import create_app, runner_options
from mitwirken.server.cli._common import (
    CliError,
    add_data,
    open_settings,
    open_store,
    setup_logging,
)
from mitwirken.server.data_lock import DataFolderLocked, data_folder_lock
from mitwirken.server.usecases import operations
from mitwirken.server.usecases.demo_city import seed_demo
from mitwirken.server.usecases.instance import AlreadyInitialised, init_instance

log = logging.getLogger("mitwirken")


def cmd_init(args: argparse.Namespace) -> int:
    try:
        settings = init_instance(Path(args.data), args.url, args.name, args.city_username)
    except AlreadyInitialised as exc:
        raise CliError(str(exc)) from exc
    except (ValidationError, ActorError) as exc:
        raise CliError(f"Ungültige Angabe / invalid value: {exc}") from exc
    print(f"Eingerichtet: {settings.base_url} – Stadt-Konto "
          f"@{args.city_username}@{settings.domain} in {args.data}")
    return 0


def init_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--url", required=True, help="public URL, e.g. https://engagiert.example.de")
    p.add_argument("--name", required=True, help="display name of the city instance")
    p.add_argument("--city-username", required=True, help="username of the city actor")


def cmd_serve(args: argparse.Namespace) -> int:
    settings = open_settings(args, host=args.host, port=args.port,
                             tls_cert=args.tls_cert, tls_key=args.tls_key)
    setup_logging(settings.log_level)
    ssl_context = None
    if settings.tls_cert or settings.tls_key:
        if not (settings.tls_cert and settings.tls_key):
            raise CliError("--tls-cert und --tls-key gehören zusammen.")
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    try:
        with data_folder_lock(settings.data_dir):
            store = open_store(settings)
            deliveries, inbox = operations.reclaim_leases(store)
            log.info("leases_reclaimed deliveries=%d inbox=%d", deliveries, inbox)
            app = create_app(settings, store=store)
            scheme = "https" if ssl_context else "http"
            listening = (f"Mitwirken hört auf {scheme}://{settings.host}:{settings.port} "
                         f"(öffentliche Adresse {settings.base_url}) – Beenden mit Strg+C")
            web.run_app(app, host=settings.host, port=settings.port, ssl_context=ssl_context,
                        print=lambda _: print(listening, flush=True),
                        **runner_options(settings))
    except DataFolderLocked as locked:
        raise CliError(f"Auf dem Datenordner {settings.data_dir} läuft schon ein Server "
                       f"(Prozess {locked.holder}); ein Datenordner hat nur einen.") from None
    return 0


def serve_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--tls-cert", type=Path)
    p.add_argument("--tls-key", type=Path)


def cmd_demo(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    print(seed_demo(store, settings))
    return 0
