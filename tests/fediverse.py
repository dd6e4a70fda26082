"""Several real Mitwirken instances on loopback ports, under names like http://city-a.test.

A shared resolver maps each fake host name to 127.0.0.1 and the instance's real port, so
identity URLs carry no port and the Host header is what a real peer would send."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from mitwirken.server.app import create_app
from mitwirken.server.config import Settings, load_settings
from mitwirken.server.usecases.instance import init_instance


async def drain(*instances: Instance, rounds: int = 8) -> None:
    """Tick every inbox and delivery worker of every instance until nothing moves (tests never
    sleep for federation)."""
    from mitwirken.server.app_keys import SERVICES

    for _ in range(rounds):
        moved = 0
        for inst in instances:
            svc = inst.app[SERVICES]
            moved += await svc.workers.delivery.tick()
            moved += await svc.workers.inbox.tick()
        if not moved:
            return
    raise AssertionError(f"workers still busy after {rounds} rounds")


class FakeResolver(AbstractResolver):
    """Resolves `*.test` names to loopback ports; everything else fails like a dead DNS."""

    def __init__(self) -> None:
        self.ports: dict[str, int] = {}

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET
                      ) -> list[ResolveResult]:
        if host not in self.ports:
            raise OSError(f"FakeResolver: unknown host {host}")
        return [{"hostname": host, "host": "127.0.0.1", "port": self.ports[host],
                 "family": socket.AF_INET, "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Instance:
    name: str
    settings: Settings
    app: web.Application
    server: TestServer

    @property
    def base(self) -> str:
        return self.settings.base_url

    @property
    def local(self) -> str:
        """The loopback address for requests made by the test itself."""
        return f"http://127.0.0.1:{self.server.port}"


@dataclass
class Fediverse:
    root: Path
    resolver: FakeResolver = field(default_factory=FakeResolver)
    instances: list[Instance] = field(default_factory=list)

    async def add(self, name: str, city: str | None = None, start_workers: bool = False,
                  clock: Callable[[], datetime] | None = None, **settings: Any) -> Instance:
        host = f"{name}.test"
        port = free_port()
        data = self.root / name
        init_instance(data, f"http://{host}", f"Engagierte Stadt {name}", city or name.replace(
            "-", "_"), allow_private_network=True, **settings)
        cfg = load_settings(data, env={})
        app = create_app(cfg, resolver=self.resolver, start_workers=start_workers,
                         **({"clock": clock} if clock else {}))
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        self.resolver.ports[host] = port
        inst = Instance(name, cfg, app, server)
        self.instances.append(inst)
        return inst

    async def close(self) -> None:
        for inst in self.instances:
            await inst.server.close()


def connections(sock: socket.socket) -> int:
    """How many connections a non-blocking listening socket (the `listener` fixture) took
    since the last call; each is closed unanswered."""
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1
