"""Long-lived services of one app: fetcher, remote-actor cache, inbox context, workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from mitwirken.federation.fetch import Fetcher, Signer
from mitwirken.federation.group_commit import GroupCommit
from mitwirken.federation.inbox import InboxContext
from mitwirken.federation.remote import RemoteActors
from mitwirken.models import actors as actor_repo
from mitwirken.server.inbox_table import inbox_router
from mitwirken.server.state import CLOCK, HTTP, SERVICES, SETTINGS, STORE, URLS
from mitwirken.server.usecases.follows import domain_blocked
from mitwirken.server.usecases.network_ingest import Network
from mitwirken.server.usecases.publishing import ContentService
from mitwirken.server.workers.delivery import DeliveryWorker, actor_key_lookup
from mitwirken.server.workers.inbox import InboxWorker
from mitwirken.server.workers.maintenance import MaintenanceWorker


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, store, urls, clock = app[SETTINGS], app[STORE], app[URLS], app[CLOCK]
    services = app[SERVICES]
    instance = actor_repo.instance_actor(store)
    fetcher = Fetcher(app[HTTP], Signer(urls.instance_key_id, instance.private_key_pem),
                      allow_private=settings.allow_private_network,
                      timeout=settings.fetch_timeout_seconds, clock=clock,
                      host_blocked=lambda host: domain_blocked(store, host))
    actors = RemoteActors(store, fetcher, clock)

    def manual_approval(username: str) -> bool:
        actor = actor_repo.get_actor(store, username)
        if actor is None:
            return True
        return actor.manually_approves or (
            actor.kind == "city" and settings.approve_followers_manually)

    ctx = InboxContext(store, urls, actors, clock, manual_approval)
    delivery = DeliveryWorker(store, app[HTTP], actor_key_lookup(store, urls), clock,
                              concurrency=settings.delivery_workers,
                              per_domain=settings.delivery_concurrency_per_domain,
                              timeout=settings.fetch_timeout_seconds,
                              lease=timedelta(seconds=settings.delivery_lease_seconds))
    inbox = InboxWorker(ctx)
    inbox.on_processed = delivery.wake  # Accepts etc. were queued
    content = ContentService(store, urls, clock, wake=delivery.wake)
    maintenance = MaintenanceWorker(content, settings.auto_pause_days)
    network = Network(store, urls, actors, fetcher, clock)
    ctx.router = inbox_router(network)
    services.update(fetcher=fetcher, actors=actors, inbox_ctx=ctx, inbox_worker=inbox,
                    inbox_commit=GroupCommit(store, on_commit=inbox.wake),
                    delivery_worker=delivery, content=content, maintenance_worker=maintenance,
                    network=network)
    tasks = []
    if services.get("start_workers"):
        tasks = [asyncio.create_task(w.run()) for w in (inbox, delivery, maintenance)]
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
