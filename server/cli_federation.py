"""CLI: follow and unfollow remote actors, list followers, inspect and retry deliveries.

These commands write to the database only; the running `serve` process delivers what they
queue (its delivery worker polls the queue every second)."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from mitwirken.federation.fetch import Fetcher, FetchError, Signer
from mitwirken.federation.remote import RemoteActor, RemoteActors
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import deliveries, follows
from mitwirken.models.store import Store, utcnow
from mitwirken.server.config import Settings
from mitwirken.server.usecases import follows as social


def _cli():
    from mitwirken.server import cli

    return cli


@asynccontextmanager
async def remote_actors(settings: Settings, store: Store) -> AsyncIterator[RemoteActors]:
    """Signed GETs (as the instance actor) from this out-of-process command."""
    urls = Urls(settings.base_url)
    instance = actor_repo.instance_actor(store)
    async with aiohttp.ClientSession() as session:
        fetcher = Fetcher(session, Signer(urls.instance_key_id, instance.private_key_pem),
                          allow_private=settings.allow_private_network,
                          timeout=settings.fetch_timeout_seconds, clock=utcnow,
                          host_blocked=lambda host: social.domain_blocked(store, host))
        yield RemoteActors(store, fetcher, utcnow)


async def resolve_remote(settings: Settings, store: Store, target: str) -> RemoteActor:
    async with remote_actors(settings, store) as actors:
        return await social.lookup(actors.fetcher, actors, target)


def _local(store: Store, settings: Settings, username: str | None) -> str:
    username = username or settings.city_username
    actor = actor_repo.get_actor(store, username)
    if actor is None or actor.kind == "instance":
        raise _cli().CliError(f"Kein lokales Konto '{username}'.")
    return username


def _as_local(args: argparse.Namespace) -> tuple[Settings, Store, str]:
    """Settings, store and the local username (`--as`, default: the city) of a command."""
    cli = _cli()
    settings = cli.open_settings(args)
    store = cli.open_store(settings)
    return settings, store, _local(store, settings, args.as_)


def cmd_follow(args: argparse.Namespace) -> int:
    cli = _cli()
    settings, store, username = _as_local(args)
    try:
        remote = asyncio.run(resolve_remote(settings, store, args.target))
    except FetchError as exc:
        raise cli.CliError(f"{args.target} nicht gefunden: {exc.reason}") from exc
    social.follow(store, Urls(settings.base_url), username, remote, utcnow())
    print(f"Folgeanfrage von @{username} an {remote.id} ist unterwegs.")
    return 0


def cmd_unfollow(args: argparse.Namespace) -> int:
    cli = _cli()
    settings, store, username = _as_local(args)
    actor_id = social.find_following(store, username, args.target)
    if actor_id is None:
        raise cli.CliError(f"@{username} folgt {args.target} nicht.")
    social.unfollow(store, Urls(settings.base_url), username, actor_id, utcnow())
    print(f"@{username} folgt {actor_id} nicht mehr.")
    return 0


def cmd_followers(args: argparse.Namespace) -> int:
    _, store, username = _as_local(args)
    for row in follows.list_followers(store, username):
        suffix = "" if row["state"] == "accepted" else f"\t({row['state']})"
        print(row["actor"] + suffix)
    return 0


def cmd_following(args: argparse.Namespace) -> int:
    _, store, username = _as_local(args)
    for row in follows.list_following(store, username):
        print(f"{row['actor']}\t{row['state']}")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    cli = _cli()
    store = cli.open_store(cli.open_settings(args))
    summary = deliveries.delivery_summary(store)
    rows = deliveries.list_deliveries(store, args.state, args.limit)
    if args.json:
        print(json.dumps({"summary": summary, "deliveries": rows}, indent=2))
        return 0
    print(f"pending={summary['pending']} done={summary['done']} failed={summary['failed']}")
    print("unavailable domains: " + (", ".join(summary["unavailable_domains"]) or "-"))
    for r in rows:
        print(f"{r['id']}\t{r['state']}\t{r['attempts']}\t{r['last_status'] or '-'}\t"
              f"{r['inbox']}\t{r['next_attempt_at']}")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    cli = _cli()
    store = cli.open_store(cli.open_settings(args))
    if not deliveries.requeue_delivery(store, args.id, utcnow()):
        raise cli.CliError(f"Keine offene oder fehlgeschlagene Zustellung mit id {args.id}.")
    print(f"Zustellung {args.id} wird erneut versucht.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    add_data = _cli().add_data
    for name, func, helptext in (("follow", cmd_follow, "follow a remote actor"),
                                 ("unfollow", cmd_unfollow, "stop following a remote actor")):
        p = sub.add_parser(name, help=helptext)
        add_data(p)
        p.add_argument("target", help="@user@host or actor URL")
        p.add_argument("--as", dest="as_", help="local username (default: the city)")
        p.set_defaults(func=func)
    for name, func, helptext in (("followers", cmd_followers, "list followers"),
                                 ("following", cmd_following, "list followed actors")):
        p = sub.add_parser(name, help=helptext)
        add_data(p)
        p.add_argument("--as", dest="as_", help="local username (default: the city)")
        p.set_defaults(func=func)
    q = sub.add_parser("queue", help="delivery queue").add_subparsers(dest="queue_command",
                                                                      required=True)
    p = q.add_parser("show", help="counts, unavailable domains and recent deliveries")
    add_data(p)
    p.add_argument("--state", choices=["pending", "done", "failed"])
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_queue)
    p = q.add_parser("retry", help="retry one delivery now")
    add_data(p)
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_retry)
    register_network(sub)
    register_relay(sub)


# --- the knowledge network ----------------------------------------------------------------

def cmd_share(args: argparse.Namespace) -> int:
    """Boost a remote object (e.g. another city's practice) to our followers."""
    from mitwirken.server.usecases.publishing import ContentService, NotFound

    cli = _cli()
    settings, store, username = _as_local(args)
    service = ContentService(store, Urls(settings.base_url), utcnow)
    try:
        activity_id = service.share(username, args.object)
    except NotFound as exc:
        raise cli.CliError(f"{args.object} ist hier nicht bekannt (nur Beiträge aus dem "
                           "Netzwerk können geteilt werden).") from exc
    print(f"Geteilt: {activity_id}")
    return 0


def cmd_block(args: argparse.Namespace) -> int:
    cli = _cli()
    store = cli.open_store(cli.open_settings(args))
    result = social.block_domain(store, args.domain, args.reason or "", utcnow())
    print(f"{args.domain} blockiert: {result['followers']} Folgende entfernt, "
          f"{result['following']} Abos beendet, {result['deliveries']} Zustellungen "
          f"abgebrochen, {result['content']} Inhalte entfernt.")
    return 0


def cmd_unblock(args: argparse.Namespace) -> int:
    cli = _cli()
    store = cli.open_store(cli.open_settings(args))
    if not social.unblock_domain(store, args.domain):
        raise cli.CliError(f"{args.domain} war nicht blockiert.")
    print(f"{args.domain} ist nicht mehr blockiert.")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    """Accept or reject a pending follow request (cities that approve followers manually)."""
    cli = _cli()
    settings, store, username = _as_local(args)
    ok = social.decide_follow_request(store, Urls(settings.base_url), username, args.actor,
                                      accept=args.command == "approve", now=utcnow())
    if not ok:
        raise cli.CliError(f"Keine offene Folgeanfrage von {args.actor} an @{username}.")
    print(("Angenommen: " if args.command == "approve" else "Abgelehnt: ") + args.actor)
    return 0


def register_network(sub: argparse._SubParsersAction) -> None:
    add_data = _cli().add_data
    p = sub.add_parser("share", help="boost a remote object to our followers")
    add_data(p)
    p.add_argument("object", help="IRI of a remote opportunity or practice post")
    p.add_argument("--as", dest="as_", help="local username (default: the city)")
    p.set_defaults(func=cmd_share)
    p = sub.add_parser("block", help="block a domain (drops followers, content, deliveries)")
    add_data(p)
    p.add_argument("domain")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_block)
    p = sub.add_parser("unblock", help="lift a domain block")
    add_data(p)
    p.add_argument("domain")
    p.set_defaults(func=cmd_unblock)
    for name in ("approve", "reject"):
        p = sub.add_parser(name, help=f"{name} a pending follow request")
        add_data(p)
        p.add_argument("actor", help="the follower's actor URL")
        p.add_argument("--as", dest="as_", help="local username (default: the city)")
        p.set_defaults(func=cmd_approve)


def cmd_relay_add(args: argparse.Namespace) -> int:
    cli = _cli()
    settings = cli.open_settings(args)
    store = cli.open_store(settings)
    urls = Urls(settings.base_url)

    async def run() -> str:
        async with remote_actors(settings, store) as actors:
            return await social.subscribe_relay(store, urls, actors, args.relay, utcnow(),
                                                litepub=not args.mastodon)

    try:
        follow_id = asyncio.run(run())
    except FetchError as exc:
        raise cli.CliError(f"Relay {args.relay} nicht erreichbar: {exc.reason}") from exc
    print(f"Relay-Abo angefragt ({follow_id}).")
    return 0


def cmd_relay_list(args: argparse.Namespace) -> int:
    cli = _cli()
    store = cli.open_store(cli.open_settings(args))
    for row in follows.list_following(store, "instance"):
        print(f"{row['actor']}\t{row['state']}")
    return 0


def register_relay(sub: argparse._SubParsersAction) -> None:
    add_data = _cli().add_data
    relay = sub.add_parser("relay", help="relay subscriptions of the instance actor"
                           ).add_subparsers(dest="relay_command", required=True)
    p = relay.add_parser("add", help="subscribe to a relay (its actor URL)")
    add_data(p)
    p.add_argument("relay", help="relay actor URL, e.g. https://relay.example/actor")
    p.add_argument("--mastodon", action="store_true",
                   help="Mastodon-style relay (Follow of Public) instead of LitePub")
    p.set_defaults(func=cmd_relay_add)
    p = relay.add_parser("list", help="list relay subscriptions")
    add_data(p)
    p.set_defaults(func=cmd_relay_list)
