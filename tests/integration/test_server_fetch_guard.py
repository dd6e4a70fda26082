"""The server's own outgoing requests — fetching a remote actor, delivering an activity — are
refused before anything connects when a public-looking name resolves to a loopback address
(the same guard as the CLI's, `test_cli_fetch_guard.py`)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from mitwirken.federation.fetch import FetchError
from mitwirken.models import deliveries
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import SERVICES
from mitwirken.server.config import load_settings
from mitwirken.server.usecases.instance import init_instance
from tests.fediverse import FakeResolver, connections


async def test_server_fetches_and_deliveries_refuse_a_name_resolving_inwards(
        tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("MITWIRKEN_")]:
        monkeypatch.delenv(name)
    data = tmp_path / "d"
    init_instance(data, "https://engagiert.musterstadt.de", "Engagierte Stadt Musterstadt",
                  "musterstadt", fetch_timeout_seconds=1.0)
    settings = load_settings(data)
    assert settings.allow_private_network is False
    resolver = FakeResolver()
    resolver.ports["evil.example"] = listener.getsockname()[1]
    app = create_app(settings, resolver=resolver, start_workers=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        services = app[SERVICES]
        with pytest.raises(FetchError):
            await services.remote_actors.get("https://evil.example/users/bob", refresh=True)
        deliveries.enqueue_deliveries(services.store, "https://engagiert.musterstadt.de/a/1",
                                      "musterstadt", "{}", ["https://evil.example/inbox"],
                                      services.clock())
        assert await services.workers.delivery.tick() == 1
        row = services.store.one("SELECT state, attempts, last_error FROM deliveries")
        assert row["state"] == "pending" and row["attempts"] == 1  # retried later, not sent
        assert "ClientConnector" in row["last_error"]
    finally:
        await server.close()
    assert connections(listener) == 0
