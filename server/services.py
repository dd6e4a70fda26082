"""Long-lived services of one app: fetcher, remote-actor cache, inbox context, workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from federation.fetch import Fetcher, Signer
from federation.inbox import InboxContext
from federation.remote import RemoteActors
from models import actors as actor_repo
from server.state import CLOCK, HTTP, SERVICES, SETTINGS, STORE, URLS
from server.workers import DeliveryWorker, InboxWorker, actor_key_lookup


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, store, urls, clock = app[SETTINGS], app[STORE], app[URLS], app[CLOCK]
    services = app[SERVICES]
    instance = actor_repo.instance_actor(store)
    fetcher = Fetcher(app[HTTP], Signer(urls.instance_key_id, instance.private_key_pem),
                      allow_private=settings.allow_private_network,
                      timeout=settings.fetch_timeout_seconds, clock=clock)
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
                              timeout=settings.fetch_timeout_seconds)
    inbox = InboxWorker(ctx)
    inbox.on_processed = delivery.wake  # Accepts etc. were queued
    services.update(fetcher=fetcher, actors=actors, inbox_ctx=ctx, inbox_worker=inbox,
                    delivery_worker=delivery)
    tasks = []
    if services.get("start_workers"):
        tasks = [asyncio.create_task(w.run()) for w in (inbox, delivery)]
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
