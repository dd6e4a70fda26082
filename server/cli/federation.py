"""CLI: the instance's place in the fediverse: `follow`, `unfollow`, `followers`,
`following`, `approve`/`reject` (pending follow requests), `share` (boost a remote object) and
`relay add`/`relay list`.

These commands write to the database only; the running `serve` process delivers what they
queue (its delivery worker polls the queue every second). `follow` and `relay add` look the
remote actor up first, through the services of `_common.network_services`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from mitwirken.federation.fetch import FetchError
from mitwirken.federation.remote import RemoteActor
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import backfills, follows
from mitwirken.models.backfills import Backfill
from mitwirken.models.store import Store, utcnow
from mitwirken.models.web_names import WebNameError
from mitwirken.server.cli._common import (
    CliError,
    add_data,
    network_services,
    open_settings,
    open_store,
    who,
)
from mitwirken.server.config import Settings
from mitwirken.server.dependencies import content_service
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases import operations
from mitwirken.server.usecases.publishing import NotFound


async def resolve_remote(args: argparse.Namespace, settings: Settings, store: Store,
                         target: str) -> RemoteActor:
    async with network_services(args, settings, store) as services:
        return await social.lookup(services.fetcher, services.remote_actors, target)


def _local(store: Store, settings: Settings, username: str | None) -> str:
    username = username or settings.city_username
    actor = actor_repo.get_actor(store, username)
    if actor is None or actor.kind == "instance":
        raise CliError(f"Kein lokales Konto '{username}'.")
    return username


def _as_local(args: argparse.Namespace) -> tuple[Settings, Store, str]:
    """Settings, store and the local username (`--as`, default: the city) of a command."""
    settings = open_settings(args)
    store = open_store(settings)
    return settings, store, _local(store, settings, args.as_)


def add_as(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_", help="local username (default: the city)")


# --- follows ------------------------------------------------------------------------------

def cmd_follow(args: argparse.Namespace) -> int:
    settings, store, username = _as_local(args)
    try:
        remote = asyncio.run(resolve_remote(args, settings, store, args.target))
    except WebNameError as exc:
        raise CliError(f"{args.target}: {exc} Nichts wurde verändert.") from exc
    except FetchError as exc:
        raise CliError(f"{args.target} nicht gefunden: {exc.reason}") from exc
    social.follow(store, Urls(settings.base_url), username, remote, utcnow(), by=who())
    print(f"Folgeanfrage von @{username} an {remote.id} ist unterwegs.")
    return 0


def cmd_unfollow(args: argparse.Namespace) -> int:
    settings, store, username = _as_local(args)
    actor_id = social.find_following(store, username, args.target)
    if actor_id is None:
        raise CliError(f"@{username} folgt {args.target} nicht.")
    social.unfollow(store, Urls(settings.base_url), username, actor_id, utcnow(), by=who())
    print(f"@{username} folgt {actor_id} nicht mehr.")
    return 0


def target_arguments(p: argparse.ArgumentParser) -> None:
    """`follow` and `unfollow`."""
    add_data(p)
    p.add_argument("target", help="@user@host or actor URL")
    add_as(p)


def cmd_followers(args: argparse.Namespace) -> int:
    _, store, username = _as_local(args)
    for row in follows.list_followers(store, username):
        suffix = "" if row["state"] == "accepted" else f"\t({row['state']})"
        print(row["actor"] + suffix)
    return 0


def cmd_remove_follower(args: argparse.Namespace) -> int:
    """Remove a follower (it gets a Reject and no further deliveries)."""
    settings, store, username = _as_local(args)
    if not social.remove_follower(store, Urls(settings.base_url), username, args.actor,
                                  utcnow(), by=who(), reason=args.reason or ""):
        raise CliError(f"{args.actor} folgt @{username} nicht.")
    print(f"Entfernt: {args.actor} folgt @{username} nicht mehr.")
    return 0


def remove_follower_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("actor", help="the follower's actor URL")
    add_as(p)
    p.add_argument("--reason")


def cmd_instances(args: argparse.Namespace) -> int:
    """Known instances; `--refresh` reads their NodeInfo first (the network is reached)."""
    settings = open_settings(args)
    store = open_store(settings)
    if args.refresh:
        async def refresh() -> int:
            async with network_services(args, settings, store) as services:
                return await operations.refresh_instances(store, services.fetcher, utcnow())
        answered = asyncio.run(refresh())
        print(f"NodeInfo von {answered} Instanzen gelesen.", file=sys.stderr)
    rows = operations.known_instances(store)
    if args.json:
        print(json.dumps({"items": rows}, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        software = f"{r['software']} {r['version'] or ''}".strip() if r["software"] else "-"
        print(f"{r['domain']}\t{software}\t{r['followers']} Folgende\t"
              f"zugestellt {r['last_success_at'] or '-'}\tzuletzt empfangen "
              f"{r['last_activity_at'] or '-'}" + ("\tnicht erreichbar" if r["unavailable"]
                                                  else ""))
    return 0


def instances_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--refresh", action="store_true", help="read their NodeInfo first")
    p.add_argument("--json", action="store_true")


BACKFILL_WORDS = {"running": "läuft", "done": "fertig", "stopped": "gestoppt",
                  "failed": "fehlgeschlagen"}


def backfill_progress(row: Backfill) -> str:
    """What `following` shows of a backfill, e.g. `Vergangenes: 120 übernommen (läuft)`."""
    text = f"Vergangenes: {row['stored']} übernommen ({BACKFILL_WORDS[row['state']]}"
    if row["state"] == "failed" and row["error"]:
        text += f": {row['error']}"
    return text + ")"


def cmd_following(args: argparse.Namespace) -> int:
    _, store, username = _as_local(args)
    progress = backfills.for_user(store, username)
    for row in follows.list_following(store, username):
        line = f"{row['actor']}\t{row['state']}"
        if row["actor"] in progress:
            line += "\t" + backfill_progress(progress[row["actor"]])
        print(line)
    return 0


def list_arguments(p: argparse.ArgumentParser) -> None:
    """`followers` and `following`."""
    add_data(p)
    add_as(p)


def cmd_approve(args: argparse.Namespace) -> int:
    """Accept or reject a pending follow request (cities that approve followers manually)."""
    settings, store, username = _as_local(args)
    ok = social.decide_follow_request(store, Urls(settings.base_url), username, args.actor,
                                      accept=args.command == "approve", now=utcnow(),
                                      by=who())
    if not ok:
        raise CliError(f"Keine offene Folgeanfrage von {args.actor} an @{username}.")
    print(("Angenommen: " if args.command == "approve" else "Abgelehnt: ") + args.actor)
    return 0


def cmd_approval(args: argparse.Namespace) -> int:
    """`approval on|off`: whether new followers wait for approval (manuallyApprovesFollowers)."""
    settings, store, username = _as_local(args)
    changed = social.set_manual_approval(store, Urls(settings.base_url), username,
                                         args.state == "on", utcnow(), by=who(),
                                         reason=args.reason or "")
    state = "warten auf Zustimmung" if args.state == "on" else "werden ohne Rückfrage angenommen"
    print(f"Neue Folgende von @{username} {state}" + ("." if changed else " (war schon so)."))
    return 0


def approval_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("state", choices=("on", "off"))
    add_as(p)
    p.add_argument("--reason")


def decision_arguments(p: argparse.ArgumentParser) -> None:
    """`approve` and `reject`."""
    add_data(p)
    p.add_argument("actor", help="the follower's actor URL")
    add_as(p)


# --- the knowledge network ----------------------------------------------------------------

def cmd_share(args: argparse.Namespace) -> int:
    """Boost a remote object (e.g. another city's practice) to our followers."""
    settings, store, username = _as_local(args)
    service = content_service(settings, store)
    try:
        activity_id = service.share(username, args.object)
    except NotFound as exc:
        raise CliError(f"{args.object} ist hier nicht bekannt (nur Beiträge aus dem "
                       "Netzwerk können geteilt werden).") from exc
    print(f"Geteilt: {activity_id}")
    return 0


def share_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("object", help="IRI of a remote opportunity or practice post")
    add_as(p)


# --- relays -------------------------------------------------------------------------------

def cmd_relay_add(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    urls = Urls(settings.base_url)

    async def run() -> str:
        async with network_services(args, settings, store) as services:
            return await social.subscribe_relay(store, urls, services.remote_actors,
                                                args.relay, utcnow(), litepub=not args.mastodon,
                                                by=who())

    try:
        follow_id = asyncio.run(run())
    except WebNameError as exc:
        raise CliError(f"Relay {args.relay}: {exc} Nichts wurde verändert.") from exc
    except FetchError as exc:
        raise CliError(f"Relay {args.relay} nicht erreichbar: {exc.reason}") from exc
    print(f"Relay-Abo angefragt ({follow_id}).")
    return 0


def relay_add_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("relay", help="relay actor URL, e.g. https://relay.example/actor")
    p.add_argument("--mastodon", action="store_true",
                   help="Mastodon-style relay (Follow of Public) instead of LitePub")


def cmd_relay_list(args: argparse.Namespace) -> int:
    store = open_store(open_settings(args))
    for row in follows.list_following(store, "instance"):
        print(f"{row['actor']}\t{row['state']}")
    return 0
