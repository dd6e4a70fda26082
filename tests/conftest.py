"""Shared fixtures: instances made the way `mitwirken init` makes them, served over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from mitwirken.server.app import create_app
from mitwirken.server.config import Settings, load_settings
from mitwirken.server.usecases.instance import init_instance, make_actor
from tests.fediverse import Fediverse


@pytest.fixture
def settings(tmp_path) -> Settings:
    """A fresh instance at http://musterstadt.test with one organisation, `tafel`."""
    data = tmp_path / "data"
    init_instance(data, "http://musterstadt.test", "Engagierte Stadt Musterstadt", "musterstadt")
    cfg = load_settings(data, env={})
    from mitwirken.models import actors as actor_repo
    from mitwirken.models.store import Store

    store = Store.open(cfg.db_path)
    actor_repo.create_actor(store, make_actor(
        "tafel", "org", "Tafel Musterstadt e.V.", sector="civil-society",
        website="https://tafel.example", phone="0123 456", office_hours="Di 10–12 Uhr"))
    store.close()
    return cfg


@pytest.fixture
async def client(aiohttp_client, settings):
    """An HTTP client for one instance (workers off: tests tick them)."""
    return await aiohttp_client(create_app(settings, start_workers=False))


@pytest.fixture
async def fediverse(tmp_path) -> AsyncIterator[Fediverse]:
    fed = Fediverse(tmp_path / "fediverse")
    yield fed
    await fed.close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that counts connections (none is ever answered)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock
