"""Backfill: a city with N objects (default 2000) is followed; how fast does its past arrive?

Real instances on loopback ports under `*.test` names (a resolver maps them to 127.0.0.1), as
in the integration tests. The source cities run in a process of their own (spawned, with their
workers running, as a peer would), so the measured process holds only the follower. A source
publishes N opportunities before the follow (the demo city's texts, numbered); the follower
follows it by handle, the Follow and Accept are delivered, and then the follower's real
`BackfillWorker` is ticked until the backfill is done: every outbox page is a signed GET through
the guarded client, every
object goes through the live inbox handlers (checks, sanitising, storing, search index).
Pacing is off (`backfill_page_interval_seconds = 0`): the figure is what the machinery can do;
with the default 0.5 s between pages a backfill is held to 40 objects/s on purpose.

Two sources are measured, each with a fresh follower:
* `city`: the objects are the city's own — embedded in its outbox's `Create`s;
* `orgs`: the objects are its organisations', which the city passes on with `Announce`s by
  id, so each one is fetched from its origin (one more signed GET per object), as live.

Reference in the same run: `Network.ingest` of the same N documents (read from the source's
outbox pages) straight into a fresh store, no HTTP, one transaction each (the ceiling of the
storing part as a live delivery pays it).

    .venv/bin/python bench/backfill.py [-n 2000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import multiprocessing as mp
import os
import platform
import pstats
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp.abc import AbstractResolver  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from mitwirken.models import actors as actor_repo  # noqa: E402
from mitwirken.models import backfills  # noqa: E402
from mitwirken.models.store import utcnow  # noqa: E402
from mitwirken.server.app import create_app  # noqa: E402
from mitwirken.server.app_keys import SERVICES, STORE  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.usecases import follows as social  # noqa: E402
from mitwirken.server.usecases.demo_city import DEMO_ORGS, demo_opportunities  # noqa: E402
from mitwirken.server.usecases.instance import init_instance, make_actor  # noqa: E402


class LoopbackResolver(AbstractResolver):
    """`name.test` → 127.0.0.1 and the port that instance listens on."""

    def __init__(self) -> None:
        self.ports: dict[str, int] = {}

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET
                      ) -> list[dict]:
        return [{"hostname": host, "host": "127.0.0.1", "port": self.ports[host],
                 "family": socket.AF_INET, "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


class Instance:
    def __init__(self, root: Path, name: str, resolver: LoopbackResolver) -> None:
        self.name, self.root, self.resolver = name, root, resolver
        self.username = name.replace("-", "_")

    async def start(self, port: int = 0, workers: bool = False) -> Instance:
        data = self.root / self.name
        init_instance(data, f"http://{self.name}.test", f"Stadt {self.name}", self.username,
                      allow_private_network=True, backfill_page_interval_seconds=0,
                      log_level="WARNING")
        self.settings = load_settings(data, env={})
        self.app = create_app(self.settings, resolver=self.resolver, start_workers=workers)
        self.server = TestServer(self.app, host="127.0.0.1", port=port)
        await self.server.start_server()
        self.resolver.ports[f"{self.name}.test"] = self.server.port
        return self

    @property
    def services(self):
        return self.app[SERVICES]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SOURCES = (("city", False), ("orgs", True))
PROFILE = "--profile" in sys.argv


def publish(source: Instance, n: int, by_orgs: bool) -> None:
    store = source.app[STORE]
    for org in DEMO_ORGS:
        fields = {k: v for k, v in org.items() if k not in ("username", "name")}
        actor_repo.create_actor(store, make_actor(org["username"], "org", org["name"], **fields))
    texts = demo_opportunities(source.settings.base_url, utcnow())
    for i in range(n):
        org, data = texts[i % len(texts)]
        data = {k: v for k, v in data.items() if k != "original_id"}
        data["title"] = f"{data['title']} ({i})"
        source.services.content.create("opportunities", org if by_orgs else source.username, data)


def source_process(conn, root: str, n: int, ports: dict[str, int]) -> None:
    """The two source cities, each with N objects, serving (and delivering) until told."""
    logging.disable(logging.WARNING)

    async def main() -> None:
        resolver = LoopbackResolver()
        resolver.ports.update(ports)
        sources = []
        for label, by_orgs in SOURCES:
            source = await Instance(Path(root), f"quelle-{label}", resolver).start(
                ports[f"quelle-{label}.test"], workers=True)
            t0 = time.perf_counter()
            publish(source, n, by_orgs)
            print(f"{label:5}: {n} objects published in {time.perf_counter() - t0:.1f} s "
                  "(setup, not timed, in the source process)", flush=True)
            sources.append(source)
        conn.send("ready")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        for source in sources:
            await source.server.close()

    asyncio.run(main())


async def drain(inst: Instance, until: Callable[[], bool]) -> None:
    """Tick the follower's workers until `until()` (the source's run by themselves)."""
    for _ in range(2000):
        await inst.services.workers.delivery.tick()
        await inst.services.workers.inbox.tick()
        if until():
            return
        await asyncio.sleep(0.01)  # the source process is answering
    raise SystemExit("the follow was not accepted")


async def backfill(follower: Instance, source: str, n: int) -> tuple[float, list[dict]]:
    svc = follower.services
    store = follower.app[STORE]
    remote = await social.lookup(svc.fetcher, svc.remote_actors,
                                 f"@{source.replace('-', '_')}@{source}.test")
    social.follow(store, svc.urls, follower.username, remote, utcnow())
    await drain(follower, lambda: backfills.get(store, follower.username, remote.id)
                is not None)
    profile = cProfile.Profile() if PROFILE else None
    start = time.perf_counter()
    pages = 0
    if profile:
        profile.enable()
    while moved := await svc.workers.backfill.tick():
        pages += moved
    wall = time.perf_counter() - start
    if profile:
        profile.disable()
        stats = pstats.Stats(profile).sort_stats("tottime")
        stats.print_stats(15)
        stats.print_callees("ingest")
    row = backfills.get(store, follower.username, remote.id)
    assert row is not None
    count = store.scalar("SELECT count(*) FROM remote_objects")
    print(f"{source:12}: {row['stored']} stored ({count} rows), {pages} pages, state "
          f"{row['state']}, {wall:6.2f} s -> {row['stored'] / wall:6.0f} objects/s")
    if row["state"] != "done" or count != n:
        raise SystemExit(f"{source}: {count} of {n} objects arrived")
    docs = [json.loads(r["raw"]) for r in store.all("SELECT raw FROM remote_objects")]
    return row["stored"] / wall, docs


def ingest_ceiling(sink: Instance, docs: list[dict]) -> float:
    """The same objects through `Network.ingest` alone (no HTTP, no signatures)."""
    network = sink.services.network
    start = time.perf_counter()
    for obj in docs:
        network.ingest(obj, actor_id=obj["attributedTo"])
    return len(docs) / (time.perf_counter() - start)


def cpu_model() -> str:
    return next((line.split(":", 1)[1].strip() for line in
                 Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), platform.processor())


async def main(args: argparse.Namespace) -> None:
    logging.disable(logging.WARNING)
    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root, resolver = Path(tmp), LoopbackResolver()
        names = [f"quelle-{label}" for label, _ in SOURCES] + \
            [f"folgt-{label}" for label, _ in SOURCES] + ["nur-ingest"]
        resolver.ports.update({f"{name}.test": free_port() for name in names})
        parent, child = mp.get_context("spawn").Pipe()
        proc = mp.get_context("spawn").Process(
            target=source_process, args=(child, str(root / "quellen"), args.n,
                                         dict(resolver.ports)))
        proc.start()
        followers = {label: await Instance(root, f"folgt-{label}", resolver).start(
            resolver.ports[f"folgt-{label}.test"]) for label, _ in SOURCES}
        await asyncio.get_running_loop().run_in_executor(None, parent.recv)  # "ready"
        rates, docs = {}, []
        for label, _ in SOURCES:
            rates[label], got = await backfill(followers[label], f"quelle-{label}", args.n)
            docs = docs or got
        sink = await Instance(root, "nur-ingest", resolver).start(
            resolver.ports["nur-ingest.test"])
        ceiling = ingest_ceiling(sink, docs)
        parent.send("stop")
        proc.join(30)
        for inst in (*followers.values(), sink):
            await inst.server.close()
    print(f"\nbackfill, city's own objects : {rates['city']:6.0f} objects/s (target >= 500)")
    print(f"backfill, organisations'     : {rates['orgs']:6.0f} objects/s (one more GET each)")
    print(f"ingest alone (ceiling)       : {ceiling:6.0f} objects/s -> backfill reaches "
          f"{rates['city'] / ceiling:.0%} / {rates['orgs'] / ceiling:.0%} of it")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="objects the city published")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of the follower's backfill loops")
    asyncio.run(main(parser.parse_args()))
