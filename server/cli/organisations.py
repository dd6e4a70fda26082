"""CLI: the organisations of a city and their API tokens: `org add`, `org list` and
`token create` (the token is printed alone on stdout, so scripts can capture it)."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models.actors import SECTORS, ActorError
from mitwirken.models.german_errors import german_errors
from mitwirken.models.store import utcnow
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store, who
from mitwirken.server.usecases import api_tokens
from mitwirken.server.usecases.organisations import Organisations


def cmd_org_add(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    values = {k: getattr(args, k) for k in ("name", "sector", "summary", "website", "phone",
                                            "email", "office_hours", "address")}
    try:
        actor = Organisations(store, Urls(settings.base_url), utcnow).add(args.username, values,
                                                                   by=who())
    except ValidationError as exc:
        raise CliError("; ".join(f"--{e['field'].replace('_', '-')}: {e['message']}"
                                 for e in german_errors(exc))) from exc
    except (ActorError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    print(f"Organisation angelegt: @{actor.username}@{settings.domain}")
    return 0


def org_add_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--sector", required=True, choices=SECTORS)
    for opt in ("summary", "website", "phone", "email", "office-hours", "address"):
        p.add_argument(f"--{opt}")


def cmd_org_list(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    for actor in actor_repo.list_actors(store, "org"):
        print(f"{actor.username}\t{actor.sector or '-'}\t{actor.name}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    try:
        print(api_tokens.create_for(store, args.org, args.label or "", by=who()))
    except ActorError as exc:
        raise CliError(str(exc)) from exc
    return 0


def token_create_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--org", required=True, help="username of the organisation or city")
    p.add_argument("--label")
