"""The typed dependencies: one builder for the app and the CLI, one session under the fetcher,
the delivery worker and the remote-actor cache, one signer; workers run only when asked."""

from __future__ import annotations

import asyncio

from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import SERVICES
from mitwirken.server.dependencies import Services, open_services, workers_running


def worker_tasks() -> set[asyncio.Task]:
    return {t for t in asyncio.all_tasks()
            if getattr(t.get_coro(), "__qualname__", "").endswith("Worker.run")}


async def test_open_services_wires_one_session_fetcher_and_signer(settings):
    store = Store.open(settings.db_path)
    async with open_services(settings, store) as services:
        assert isinstance(services, Services)
        assert services.fetcher.session is services.http
        assert services.workers.delivery.session is services.http
        assert services.remote_actors.fetcher is services.fetcher
        assert services.fetcher.signer is services.signer
        assert services.signer.key_id == services.urls.instance_key_id
        assert services.fetcher.allow_private is settings.allow_private_network is False
        assert services.content.store is services.store is store
        assert not services.http.closed
        assert worker_tasks() == set()  # building starts nothing
        async with workers_running(services.workers):
            running = worker_tasks()
            assert len(running) == 6  # inbox, delivery, mail, maintenance, backfill, checkpoint
        assert all(t.done() for t in running)
    assert services.http.closed
    store.close()


async def test_the_app_holds_typed_services_and_starts_workers_only_when_asked(
        aiohttp_client, settings):
    quiet = await aiohttp_client(create_app(settings, start_workers=False))
    assert isinstance(quiet.app[SERVICES], Services)
    assert worker_tasks() == set()
    await quiet.close()
    busy = await aiohttp_client(create_app(settings))
    running = worker_tasks()
    assert len(running) == 6
    await busy.close()
    assert all(t.done() for t in running)
