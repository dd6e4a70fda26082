"""Schemathesis runs the OpenAPI description (server/web/openapi_spec.py) against a live
instance on a loopback port (issue 17 §2): for every operation, a bounded number of generated
requests (derandomized, so every run sends the same ones), valid and invalid; no answer is a
5xx, and status code, content type and body of every answer match the document."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mitwirken.models import actors as actor_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.config import load_settings
from mitwirken.server.usecases.instance import init_instance, make_actor
from mitwirken.server.web.openapi_spec import build_openapi
from tests.fediverse import free_port

schema = schemathesis.openapi.from_dict(build_openapi("http://127.0.0.1"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


class LiveServer:
    """One instance served from a thread with its own event loop (schemathesis is sync)."""

    def __init__(self, data) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        init_instance(data, self.base, "Engagierte Stadt Musterstadt", "musterstadt")
        self.settings = load_settings(data, env={})
        store = Store.open(self.settings.db_path)
        actor_repo.create_actor(store, make_actor("tafel", "org", "Tafel Musterstadt e.V.",
                                                  sector="civil-society"))
        self.token = actor_repo.create_token(store, "tafel")
        store.close()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(create_app(self.settings, start_workers=False), access_log=None)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def __enter__(self) -> LiveServer:
        self.thread.start()
        assert self.ready.wait(10), "the live instance did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("schemathesis") / "data") as server:
        yield server


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_5xx(case, live):
    case.call_and_validate(base_url=live.base, checks=CHECKS,
                           headers={"Authorization": f"Bearer {live.token}"}, timeout=10)
