"""The `mitwirken` command line. Subcommands live in small modules that register themselves."""

from __future__ import annotations

import argparse
import logging
import ssl
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from mitwirken.models import actors as actor_repo
from mitwirken.models.actors import SECTORS, ActorError
from mitwirken.models.store import DatabaseTooNew, Store
from mitwirken.server.config import CONFIG_NAME, ConfigError, Settings, load_settings
from mitwirken.server.usecases.instance import AlreadyInitialised, init_instance, make_actor

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """Printed to stderr as the reason; exit status 1."""


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


# --- init ---------------------------------------------------------------------------------

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


# --- serve --------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    settings = open_settings(args, host=args.host, port=args.port,
                             tls_cert=args.tls_cert, tls_key=args.tls_key)
    setup_logging(settings.log_level)
    from mitwirken.server.app import create_app

    ssl_context = None
    if settings.tls_cert or settings.tls_key:
        if not (settings.tls_cert and settings.tls_key):
            raise CliError("--tls-cert und --tls-key gehören zusammen.")
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    app = create_app(settings)
    web.run_app(app, host=settings.host, port=settings.port, ssl_context=ssl_context,
                access_log_format='%a "%r" %s %b %Tfs', print=None)
    return 0


# --- org ----------------------------------------------------------------------------------

def cmd_org_add(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    extra = {k: getattr(args, k) for k in ("summary", "website", "phone", "email",
                                            "office_hours", "address") if getattr(args, k)}
    try:
        actor = make_actor(args.username, "org", args.name, sector=args.sector, **extra)
        actor_repo.create_actor(store, actor)
    except (ActorError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    print(f"Organisation angelegt: @{actor.username}@{settings.domain}")
    return 0


def cmd_org_list(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    for actor in actor_repo.list_actors(store, "org"):
        print(f"{actor.username}\t{actor.sector or '-'}\t{actor.name}")
    return 0


# --- token --------------------------------------------------------------------------------

def cmd_token_create(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    try:
        print(actor_repo.create_token(store, args.org, args.label or ""))
    except ActorError as exc:
        raise CliError(str(exc)) from exc
    return 0


# --- demo ---------------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace) -> int:
    from mitwirken.server.usecases.demo_city import seed_demo

    settings = open_settings(args)
    store = open_store(settings)
    print(seed_demo(store, settings))
    return 0


# --- wiring -------------------------------------------------------------------------------

def add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="data folder (database, keys, settings)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mitwirken", description="Mitwirken: ActivityPub für "
                                     "Engagement-Angebote und Praxisbeispiele.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create database, keys, city and instance actor")
    add_data(p)
    p.add_argument("--url", required=True, help="public URL, e.g. https://engagiert.example.de")
    p.add_argument("--name", required=True, help="display name of the city instance")
    p.add_argument("--city-username", required=True, help="username of the city actor")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="run the web server and workers")
    add_data(p)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--tls-cert", type=Path)
    p.add_argument("--tls-key", type=Path)
    p.set_defaults(func=cmd_serve)

    org = sub.add_parser("org", help="manage organisations").add_subparsers(
        dest="org_command", required=True)
    p = org.add_parser("add", help="add an organisation actor")
    add_data(p)
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--sector", required=True, choices=SECTORS)
    for opt in ("summary", "website", "phone", "email", "office-hours", "address"):
        p.add_argument(f"--{opt}")
    p.set_defaults(func=cmd_org_add)
    p = org.add_parser("list", help="list organisations")
    add_data(p)
    p.set_defaults(func=cmd_org_list)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True)
    p = token.add_parser("create", help="create a bearer token; prints it alone on stdout")
    add_data(p)
    p.add_argument("--org", required=True, help="username of the organisation or city")
    p.add_argument("--label")
    p.set_defaults(func=cmd_token_create)

    p = sub.add_parser("demo", help="seed the demo city Musterstadt")
    add_data(p)
    p.set_defaults(func=cmd_demo)

    for module in _extension_modules():
        module.register(sub)
    return parser


def _extension_modules() -> list:
    """Further command groups, each a module with `register(subparsers)`."""
    import importlib

    modules = []
    for name in ("mitwirken.server.cli_federation", "mitwirken.server.cli_content",
                 "mitwirken.server.cli_ops"):
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, ConfigError, DatabaseTooNew) as exc:
        print(f"mitwirken: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
