"""The long-lived dependencies of one instance, typed and built in one place.

`open_services` is the only builder: the application factory uses it (through its cleanup
context) and so does every CLI command that reaches the network, so the server and the CLI
share one HTTP client factory, one fetcher and one signer. Building starts nothing; the
background workers run only inside `workers_running`, which the app enters when asked to
(`create_app(start_workers=True)`, i.e. `mitwirken serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from aiohttp.abc import AbstractResolver

from mitwirken.federation.fetch import Fetcher, Signer
from mitwirken.federation.group_commit import GroupCommit
from mitwirken.federation.inbox import InboxContext, InboxDeps
from mitwirken.federation.remote import RemoteActors
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models.domain_policy import PolicyCache
from mitwirken.models.store import Store, utcnow
from mitwirken.server.config import Settings
from mitwirken.server.http_client import client_session
from mitwirken.server.inbox_table import inbox_router
from mitwirken.server.mail_client import smtp_config
from mitwirken.server.usecases import backfill
from mitwirken.server.usecases.moderation import delivery_decision
from mitwirken.server.usecases.network_ingest import Network
from mitwirken.server.usecases.publishing import ContentService
from mitwirken.server.workers.backfill import BackfillWorker
from mitwirken.server.workers.checkpoint import CheckpointWorker
from mitwirken.server.workers.delivery import DeliveryWorker, actor_key_lookup
from mitwirken.server.workers.inbox import InboxWorker
from mitwirken.server.workers.loop_watch import LoopWatch
from mitwirken.server.workers.mail import MailWorker
from mitwirken.server.workers.maintenance import MaintenanceWorker


@dataclass(frozen=True)
class Workers:
    """The background workers; tests advance them with `tick()`, `serve` runs them."""

    inbox: InboxWorker
    delivery: DeliveryWorker
    mail: MailWorker
    maintenance: MaintenanceWorker
    backfill: BackfillWorker
    checkpoint: CheckpointWorker


@dataclass(frozen=True)
class Services:
    """Everything a route, a CLI command or a test needs beyond the request itself."""

    settings: Settings
    store: Store
    urls: Urls
    clock: Callable[[], datetime]
    http: aiohttp.ClientSession
    signer: Signer  # the instance actor signs every fetch
    fetcher: Fetcher
    remote_actors: RemoteActors
    inbox_context: InboxContext
    inbox_commit: GroupCommit
    inbox_deps: InboxDeps  # what every inbox POST is checked with, built once
    policy: PolicyCache  # the domain rules, kept while unchanged (inbox, fetches, deliveries)
    content: ContentService
    network: Network
    workers: Workers


def content_service(settings: Settings, store: Store, clock: Callable[[], datetime] = utcnow,
                    wake: Callable[[], None] = lambda: None) -> ContentService:
    """The publishing use cases over one store. Commands that only write the database (`import`,
    `share`) use it alone; `build_services` wakes the delivery worker with `wake`."""
    return ContentService(store, Urls(settings.base_url), clock, wake=wake)


def build_services(settings: Settings, store: Store, http: aiohttp.ClientSession,
                   clock: Callable[[], datetime] = utcnow) -> Services:
    """Wire the services over an open session (`open_services` owns the session)."""
    urls = Urls(settings.base_url)
    policy = PolicyCache(store)
    instance = actor_repo.instance_actor(store)
    signer = Signer(urls.instance_key_id, instance.private_key_pem)
    fetcher = Fetcher(http, signer,
                      allow_private=settings.allow_private_network,
                      timeout=settings.fetch_timeout_seconds, clock=clock,
                      host_blocked=policy.is_refused)
    actors = RemoteActors(store, fetcher, clock)

    def manual_approval(username: str) -> bool:
        actor = actor_repo.get_actor(store, username)
        if actor is None:
            return True
        return actor.manually_approves or (
            actor.kind == "city" and settings.approve_followers_manually)

    ctx = InboxContext(store, urls, actors, clock, manual_approval)
    delivery = DeliveryWorker(store, http, actor_key_lookup(store, urls), clock,
                              concurrency=settings.delivery_workers,
                              per_domain=settings.delivery_concurrency_per_domain,
                              timeout=settings.fetch_timeout_seconds,
                              lease=timedelta(seconds=settings.delivery_lease_seconds),
                              decide=lambda domain: delivery_decision(policy, domain))
    inbox = InboxWorker(ctx)
    content = content_service(settings, store, clock, wake=delivery.wake)
    maintenance = MaintenanceWorker(content, settings.auto_pause_days,
                                    settings.response_retention_days)
    network = Network(store, urls, actors, fetcher, clock)
    ctx.router = inbox_router(network)
    limits = backfill.Limits(
        max_objects=settings.backfill_max_objects, months=settings.backfill_months,
        page_interval=timedelta(seconds=settings.backfill_page_interval_seconds))
    backfiller = BackfillWorker(store, backfill.Backfiller(store, network, ctx, fetcher, actors,
                                                           clock, limits), clock)

    def processed() -> None:
        delivery.wake()  # Accepts etc. were queued
        backfiller.wake()  # an Accept of our Follow starts a backfill

    inbox.on_processed = processed
    commit = GroupCommit(store, on_commit=inbox.wake)
    inbox_deps = InboxDeps(
        store=store, actors=actors, our_hosts=frozenset({urls.domain}),
        scheme="https" if settings.base_url.startswith("https:") else "http",
        max_body_bytes=settings.max_body_bytes, clock=clock, commit=commit, policy=policy)
    return Services(settings=settings, store=store, urls=urls, clock=clock, http=http,
                    signer=signer, fetcher=fetcher, remote_actors=actors, inbox_context=ctx,
                    inbox_commit=commit, inbox_deps=inbox_deps, policy=policy,
                    content=content,
                    network=network,
                    workers=Workers(inbox=inbox, delivery=delivery,
                                    mail=MailWorker(store, urls, clock, smtp_config(settings)),
                                    maintenance=maintenance,
                                    backfill=backfiller,
                                    checkpoint=CheckpointWorker(store)))


@asynccontextmanager
async def open_services(settings: Settings, store: Store, *,
                        resolver: AbstractResolver | None = None,
                        clock: Callable[[], datetime] = utcnow) -> AsyncIterator[Services]:
    """The services of one process, with the one HTTP session (closed on exit). `resolver`
    and `clock` are seams for tests; a test resolver is wrapped by the private-address guard
    too (see `http_client`)."""
    async with client_session(allow_private_network=settings.allow_private_network,
                              resolver=resolver) as http:
        yield build_services(settings, store, http, clock)


@asynccontextmanager
async def workers_running(workers: Workers) -> AsyncIterator[None]:
    """Run the inbox, delivery, mail, maintenance, backfill and checkpoint loops, and the
    event-loop watch, until the block ends."""
    tasks = [asyncio.create_task(w.run())
             for w in (workers.inbox, workers.delivery, workers.mail, workers.maintenance,
                       workers.backfill,
                       workers.checkpoint, LoopWatch())]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
