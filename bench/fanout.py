"""Fan-out: one post to F followers (default 10,000) on H remote instances (default 1,000).

The instance runs in this process with its real ``DeliveryWorker``, ticked in a loop until the
queue is empty (what ``run()`` does while there is work). The receiving instances are one sink
process listening on a few loopback ports; the H host names (``h0.sink.test`` …) are mapped to
those ports by a resolver, so the worker sees H distinct domains — its per-domain concurrency
limit applies per host name — while the kernel sees a handful of listening sockets. Every
follower has its own inbox (no shared inbox), so F followers mean F signed deliveries. The sink
checks every signature (bovine primitives, in its own process).

In the same run the RSA signing ceiling is measured: ``sign_headers`` for a 1 KB body, which
every delivery pays once (a fresh Date per request).

    .venv/bin/python bench/fanout.py [-f 10000] [--hosts 1000] [--ports 4] [-w 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import platform
import socket
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp.abc import AbstractResolver  # noqa: E402

from bench.sampling import categorise, sampled  # noqa: E402
from mitwirken.federation import activities  # noqa: E402
from mitwirken.federation.outbox import publish  # noqa: E402
from mitwirken.federation.signatures import sign_headers  # noqa: E402
from mitwirken.federation.urls import Urls  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.app import create_app  # noqa: E402
from mitwirken.server.app_keys import SERVICES  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.http_client import client_session  # noqa: E402
from mitwirken.server.usecases.instance import init_instance  # noqa: E402

BASE = "http://fanout.test"
# Categories of the sampled server time, innermost named frame wins (bench/sampling.py).
SAMPLE_RULES = [
    ("RSA-2048 signing itself (cryptography)", "CryptographicSecret.sign"),
    ("rest of sign_headers (digest, headers; ours, bovine)", "signatures.py"),
    ("aiohttp client: connect, send, read the answer", "aiohttp/"),
    ("delivery worker: claim, finish, domain health (SQLite)", "models/"),
    ("delivery worker: scheduling", "delivery.py"),
    ("asyncio event loop and sockets", "asyncio/"),
]
CITY = "fanoutstadt"


class SinkResolver(AbstractResolver):
    """``h{n}.sink.test`` → 127.0.0.1 and one of the sink's ports."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET
                      ) -> list[dict]:
        n = int(host.split(".", 1)[0][1:])
        return [{"hostname": host, "host": "127.0.0.1", "port": self.ports[n % len(self.ports)],
                 "family": socket.AF_INET, "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


# --- the sink process ---------------------------------------------------------------------

def sink_process(conn, n_ports: int, key_id: str, owner: str, pem: str) -> None:
    from tests.fakes.sink import Sink

    async def main() -> None:
        sink = Sink(keys={key_id: (owner, pem)})
        ports = [await sink.start() for _ in range(n_ports)]
        conn.send(ports)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "report"
        accepted = sink.accepted
        conn.send({"received": len(sink.received), "accepted": len(accepted),
                   "verified": sum(r.verified for r in accepted),
                   "distinct": len(sink.distinct()),
                   "hosts": len({r.host for r in accepted}),
                   "reasons": sorted({r.reason for r in accepted if not r.verified})[:3]})
        await sink.close()

    asyncio.run(main())


# --- measurements -------------------------------------------------------------------------

def signing_ceiling(pem: str, key_id: str, n: int = 2000) -> float:
    body = b"x" * 1024
    sign_headers("POST", "http://h0.sink.test/users/u0/inbox", key_id=key_id,
                 private_key_pem=pem, body=body)  # load the key once, as the worker does
    start = time.perf_counter()
    for i in range(n):
        sign_headers("POST", f"http://h{i}.sink.test/users/u{i}/inbox", key_id=key_id,
                     private_key_pem=pem, body=body)
    return n / (time.perf_counter() - start)


async def client_ceiling(ports: list[int], pem: str, key_id: str, body: bytes, n: int,
                         hosts: int, concurrency: int) -> tuple[float, float]:
    """The aiohttp client alone: n POSTs of the delivery's body, signed beforehand (outside the
    timing), through a session from the project's own factory (same connector limits), to the
    same sink host names in the queue's order (host after host), `concurrency` at a time.
    Returns (requests/s, this process's CPU seconds per request)."""
    per_host = max(1, n // hosts)
    urls = [f"http://h{i // per_host}.sink.test/users/c{i}/inbox" for i in range(n)]
    signed = [sign_headers("POST", url, key_id=key_id, private_key_pem=pem, body=body)
              for url in urls]
    gate = asyncio.Semaphore(concurrency)
    async with client_session(allow_private_network=True,
                              resolver=SinkResolver(ports)) as session:
        async def one(url: str, headers: dict[str, str]) -> int:
            async with gate, session.post(url, data=body, headers=headers,
                                          allow_redirects=False) as resp:
                await resp.read()
                return resp.status

        start, cpu = time.perf_counter(), time.process_time()
        statuses = await asyncio.gather(*(one(u, h) for u, h in zip(urls, signed, strict=True)))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert all(200 <= s < 300 for s in statuses), sorted(set(statuses))
    return n / wall, cpu / n


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    per_host = args.followers // args.hosts
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "city"
        init_instance(data, BASE, "Fanoutstadt", CITY, allow_private_network=True,
                      delivery_workers=args.workers,
                      delivery_concurrency_per_domain=args.per_domain)
        settings = load_settings(data, env={})
        store = Store.open(settings.db_path)
        urls = Urls(BASE)
        pem_pub, pem_priv = (store.one("SELECT public_key_pem, private_key_pem FROM actors "
                                       "WHERE username = ?", [CITY]).values())

        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=sink_process, daemon=True,
                           args=(child, args.ports, urls.key_id(CITY), urls.actor(CITY),
                                 pem_pub))
        proc.start()
        ports = await asyncio.get_running_loop().run_in_executor(None, parent.recv)

        sig_rate = signing_ceiling(pem_priv, urls.key_id(CITY))
        print(f"RSA-2048 signing ceiling (sign_headers, 1 KB body): {sig_rate:.0f} signatures/s")

        now = datetime.now(UTC)
        with store.tx():
            store.db["followers"].insert_all(
                ({"username": CITY, "actor": f"http://h{h}.sink.test/users/u{i}",
                  "follow_id": f"http://h{h}.sink.test/follows/{i}", "state": "accepted",
                  "inbox": f"http://h{h}.sink.test/users/u{i}/inbox", "shared_inbox": None,
                  "created_at": now.isoformat()}
                 for h in range(args.hosts) for i in range(per_host)), batch_size=1000)

        app = create_app(settings, store=store, resolver=SinkResolver(ports),
                         start_workers=False)
        from aiohttp.test_utils import TestServer

        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        worker = app[SERVICES].workers.delivery
        try:
            note = {"id": urls.opportunity("fanout-1"), "type": "Note",
                    "attributedTo": urls.actor(CITY),
                    "content": "<p>" + "Wir suchen Lesepatinnen. " * 30 + "</p>"}
            activity = activities.create(urls, CITY, note, now)
            body = json.dumps(activity).encode()
            client_rate, client_cpu = await client_ceiling(
                ports, pem_priv, urls.key_id(CITY), body, args.followers, args.hosts,
                args.workers)
            with sampled() if args.sample else nullcontext(None) as samples:
                start, cpu = time.perf_counter(), time.process_time()
                queued = publish(store, CITY, activity, now)
                enqueued = time.perf_counter()
                ticks = 0
                while await worker.tick():
                    ticks += 1
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            await server.close()
        states = {r["state"]: r["n"] for r in store.all(
            "SELECT state, count(*) AS n FROM deliveries GROUP BY state")}
        body_size = len(store.scalar("SELECT body FROM deliveries LIMIT 1").encode())
        store.close()
        parent.send("report")
        sink = parent.recv()
        proc.join(10)

    rate = queued / wall
    print(f"\n{queued} deliveries (one per follower inbox) to {args.hosts} host names on "
          f"{args.ports} sink ports; body {body_size} B")
    print(f"settings: delivery_workers={args.workers}, "
          f"delivery_concurrency_per_domain={args.per_domain}; {ticks} worker ticks")
    print(f"enqueue (one transaction)     : {enqueued - start:6.2f} s")
    print(f"all delivered after           : {wall:6.2f} s   (target <= 10 s) -> "
          f"{'met' if wall <= 10 and states == {'done': queued} else 'MISSED'}")
    print(f"deliveries/s                  : {rate:6.0f}")
    print(f"signing ceiling               : {sig_rate:6.0f} signatures/s -> deliveries reach "
          f"{rate / sig_rate:.0%} of it")
    print(f"rows                          : {states}")
    print(f"sink                          : {sink}")
    print(f"server CPU                    : {cpu:6.2f} s ({cpu / wall:.0%} of the wall time), "
          f"{cpu / queued * 1e6:.0f} us per delivery; one signature alone "
          f"{1e6 / sig_rate:.0f} us")
    bound = 1 / (1 / sig_rate + client_cpu)  # one core signing and sending, nothing else
    print(f"aiohttp client alone          : {client_rate:6.0f} POSTs/s, "
          f"{client_cpu * 1e6:.0f} us CPU per POST (pre-signed, same session factory, same "
          f"hosts and order, {args.workers} at a time)")
    print(f"bound: signing + client alone : {bound:6.0f} deliveries/s on one core = "
          f"{bound / sig_rate:.0%} of the signing ceiling; ours reach {rate / bound:.0%} of "
          f"that bound")
    if samples is not None:
        per = cpu / queued * 1e6
        print(f"\nwhere the server's CPU goes (py-spy, {sum(samples.stacks.values())} samples)"
              f"{' – ' + samples.note if samples.note else ''}:")
        for name, share in categorise(samples.stacks, SAMPLE_RULES):
            print(f"  {name:<50} {share:6.1%} {share * per:7.1f} us per delivery")
    assert states == {"done": queued}, states
    # the sink also received the client ceiling's POSTs (other paths, so distinct)
    assert sink["distinct"] == queued + args.followers, sink
    assert sink["verified"] == sink["accepted"], sink


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-f", "--followers", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=1000, help="distinct host names")
    parser.add_argument("--ports", type=int, default=4, help="listening sink ports")
    parser.add_argument("-w", "--workers", type=int, default=16,
                        help="delivery_workers setting (default: the shipped default 16)")
    parser.add_argument("--per-domain", type=int, default=4,
                        help="delivery_concurrency_per_domain (default 4)")
    parser.add_argument("--sample", action="store_true",
                        help="py-spy the fan-out and print where its CPU goes")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
