"""Inbox throughput: K signed Create activities from M remote actors, POSTed concurrently.

One Mitwirken instance runs in this process (aiohttp on a loopback port, workers off: the
figure is "verified and committed", i.e. the HTTP signature checked and the row in
``inbox_items`` committed before the 202). The load generator is a separate process with one
aiohttp client; the same client, in the same run, also measures the raw aiohttp ceiling: a bare
handler that reads the body and answers 202. The ratio of the two is the figure to watch.

The remote actors' keys are put into the ``remote_actors`` cache before the run, so no key is
fetched during the measurement (a cold cache costs one fetch per actor, not per activity).
Requests are signed before the clock starts: signing is the sender's cost, not ours.

    .venv/bin/python bench/inbox.py [-k 2000] [-m 50] [-c 64] [-r 3] [--profile]
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
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from bovine.crypto import generate_rsa_public_private_key  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from cryptography.hazmat.primitives.serialization import (  # noqa: E402
    load_pem_private_key,
    load_pem_public_key,
)

from bench.sampling import categorise, sampled  # noqa: E402
from mitwirken.federation.remote import RemoteActors, host, parse_actor  # noqa: E402
from mitwirken.federation.signatures import sign_headers, verify_request  # noqa: E402
from mitwirken.models import inbox_items  # noqa: E402
from mitwirken.models.actors import actor_exists  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.app import create_app  # noqa: E402
from mitwirken.server.app_keys import SERVICES  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.usecases.instance import init_instance  # noqa: E402
from mitwirken.server.usecases.moderation import domain_blocked  # noqa: E402

HOST = "bench.test"
# Categories of the sampled server time, first match wins (bench/sampling.py).
SAMPLE_RULES = [
    ("RSA-2048 verify itself (cryptography)", "CryptographicIdentifier.verify"),
    ("rest of signature verification (ours, bovine)", "signatures.py"),
    ("group commit: INSERT + COMMIT (SQLite)", "group_commit.py"),
    ("remote key lookup (SELECT)", "remote.py"),
    ("JSON parse with the safety checks", "safe_json.py"),
    ("domain block check (SELECT)", "domain_policy.py"),
    ("rest of our inbox route", "inbox.py"),
    ("aiohttp: parse, dispatch, answer (its own cost)", "aiohttp/"),
    ("asyncio event loop and sockets", "asyncio/"),
]
AS = "https://www.w3.org/ns/activitystreams"

Request = tuple[str, dict[str, str], bytes]


# --- load generator (child process) -------------------------------------------------------

async def run_workers(session: aiohttp.ClientSession, port: int, concurrency: int,
                      worker: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """Warm the connection pool (so every run starts from the same state), then run
    `concurrency` workers; wall and CPU seconds of the client."""
    warm = [asyncio.create_task(session.get(f"http://127.0.0.1:{port}/healthz"))
            for _ in range(concurrency)]
    for task in warm:
        (await task).release()
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, time.process_time() - cpu


async def _fire(port: int, requests: list[Request], concurrency: int) -> dict:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(requests)

        async def worker() -> None:
            for path, headers, body in queue:
                t = time.perf_counter()
                async with session.post(f"http://127.0.0.1:{port}{path}", data=body,
                                        headers=headers) as resp:
                    await resp.read()
                latencies.append(time.perf_counter() - t)
                statuses[resp.status] += 1

        wall, cpu = await run_workers(session, port, concurrency, worker)
    latencies.sort()
    return {"wall": wall, "n": len(latencies), "statuses": dict(statuses), "client_cpu": cpu,
            "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def client_process(conn) -> None:
    while True:
        msg = conn.recv()
        if msg is None:
            return
        port, requests, concurrency = msg
        conn.send(asyncio.run(_fire(port, requests, concurrency)))


# --- setup --------------------------------------------------------------------------------

def remote_actor(m: int, public_pem: str) -> dict:
    base = f"http://remote{m}.test"
    actor = f"{base}/users/u{m}"
    return {"@context": AS, "id": actor, "type": "Person", "preferredUsername": f"u{m}",
            "inbox": f"{actor}/inbox", "outbox": f"{actor}/outbox",
            "endpoints": {"sharedInbox": f"{base}/inbox"},
            "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public_pem}}


def build_requests(k: int, keys: list[tuple[str, str]], city: str, run: int = 0
                   ) -> list[Request]:
    now = datetime.now(UTC)
    out = []
    # sign actor by actor (the signer caches a few loaded keys), then interleave the actors
    for i in sorted(range(k), key=lambda i: i % len(keys)):
        m = i % len(keys)
        actor = f"http://remote{m}.test/users/u{m}"
        status = f"{actor}/statuses/{run}-{i}"
        activity = {
            "@context": AS, "id": f"{status}/activity", "type": "Create", "actor": actor,
            "published": now.isoformat(timespec="seconds"), "to": [f"{AS}#Public"],
            "cc": [f"{actor}/followers", city],
            "object": {"id": status, "type": "Note", "attributedTo": actor,
                       "inReplyTo": None, "to": [f"{AS}#Public"], "cc": [f"{actor}/followers"],
                       "content": f"<p>Hallo Stadt, Nachricht {i} " + "x" * 400 + "</p>",
                       "published": now.isoformat(timespec="seconds")}}
        body = json.dumps(activity).encode()
        path = "/inbox" if i % 2 else "/actors/benchstadt/inbox"
        headers = sign_headers("POST", f"http://{HOST}{path}", key_id=f"{actor}#main-key",
                               private_key_pem=keys[m][1], body=body, now=now)
        out.append((i, (path, headers, body)))
    return [r for _, r in sorted(out, key=lambda x: x[0])]


async def echo(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"status": "accepted"}, status=202)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def serve(app: web.Application, **options) -> tuple[web.AppRunner, int]:
    """Run `app` on a free loopback port (no access log unless `options` say otherwise)."""
    runner = web.AppRunner(app, **({"access_log": None} | options))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def ask(conn, port: int, requests: list[Request], concurrency: int) -> dict:
    """Run one round in the client process; also note this (server) process's CPU time."""
    loop = asyncio.get_running_loop()
    cpu = time.process_time()
    conn.send((port, requests, concurrency))
    result = await loop.run_in_executor(None, conn.recv)
    result["server_cpu"] = time.process_time() - cpu
    return result


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


async def breakdown(store: Store, requests: list[Request], key: tuple[str, str], batch: int
                    ) -> dict[str, float]:
    """Mean cost in microseconds of each step ``federation.inbox.receive`` takes, outside HTTP."""
    cache = RemoteActors(store, None, lambda: datetime.now(UTC))  # type: ignore[arg-type]
    acts = [json.loads(body) for _, _, body in requests]
    n = len(requests)
    out: dict[str, float] = {}

    def timed(name: str, fn) -> None:
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        out[name] = (time.perf_counter() - start) / n * 1e6

    timed("json.loads (1.1 KB)", lambda i: json.loads(requests[i][2]))
    timed("domain block check (SELECT)", lambda i: domain_blocked(store, host(acts[i]["actor"])))
    start = time.perf_counter()
    for path, headers, body in requests:
        await verify_request("POST", path, headers, body, our_hosts={HOST},
                             key_lookup=cache.key_lookup, scheme="http")
    out["verify_request (cached key)"] = (time.perf_counter() - start) / n * 1e6
    public, private = (load_pem_public_key(key[0].encode()),
                       load_pem_private_key(key[1].encode(), None))
    message = requests[0][1]["Signature"].encode()  # any ~500-byte signing string
    sig = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    start = time.perf_counter()
    for _ in range(n):
        public.verify(sig, message, padding.PKCS1v15(), hashes.SHA256())
    out["  of which: the RSA-2048 verify itself"] = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    for _ in range(n):
        await cache.key_lookup(acts[0]["actor"] + "#main-key", False)
    out["  of which: key lookup (SELECT)"] = (time.perf_counter() - start) / n * 1e6
    timed("actor exists for /actors/{u}/inbox (SELECT)",
          lambda i: actor_exists(store, "benchstadt"))
    now = datetime.now(UTC)
    rows = [inbox_items.InboxRow(activity_id=a["id"], origin=host(a["actor"]), actor=a["actor"],
                                 type="Create", recipient=None, body=requests[i][2].decode(),
                                 received_at=now) for i, a in enumerate(acts)]
    start = time.perf_counter()
    for i in range(0, n, batch):
        inbox_items.record_inbox_items(store, rows[i:i + batch])
    out[f"inbox rows committed in groups of {batch} (per row)"] = \
        (time.perf_counter() - start) / n * 1e6
    return out


def rate(r: dict) -> float:
    return r["n"] / r["wall"]


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    load_before = f"{os.getloadavg()[0]:.2f}"
    t = time.perf_counter()
    keys = [generate_rsa_public_private_key() for _ in range(args.m)]
    print(f"setup: {args.m} RSA-2048 actor keys in {time.perf_counter() - t:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "city"
        init_instance(data, f"http://{HOST}", "Benchstadt", "benchstadt",
                      allow_private_network=True, max_body_bytes=1_000_000)
        settings = load_settings(data, env={})
        store = Store.open(settings.db_path)
        cache = RemoteActors(store, None, lambda: datetime.now(UTC))  # type: ignore[arg-type]
        for m, (pub, _) in enumerate(keys):
            cache.save(parse_actor(remote_actor(m, pub)))
        city = f"http://{HOST}/actors/benchstadt"
        t = time.perf_counter()
        batches = [build_requests(args.k, keys, city, r) for r in range(args.rounds)]
        print(f"setup: {args.k * args.rounds} requests signed in {time.perf_counter() - t:.1f} s "
              f"(body ~{len(batches[0][0][2])} B)")

        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(child,), daemon=True)
        proc.start()

        raw = web.Application(client_max_size=1_000_000)
        raw.router.add_post("/inbox", echo)
        raw.router.add_post("/actors/benchstadt/inbox", echo)
        raw.router.add_get("/healthz", healthz)
        raw_runner, raw_port = await serve(raw)
        app = create_app(settings, store=store, start_workers=False)
        app_runner, app_port = await serve(app)
        commits = app[SERVICES].inbox_commit
        profiler = cProfile.Profile() if args.profile else None
        ceilings, runs = [], []
        samples, sampled_run = None, None
        try:
            # alternate the two so that noise from other load hits both alike
            for requests in batches:
                if args.no_ceiling:  # for an outside sampling profiler (py-spy)
                    ceilings.append({"n": 1, "wall": 1e-9, "p50": 0, "p99": 0,
                                     "statuses": {}})
                else:
                    ceilings.append(await ask(parent, raw_port, requests, args.c))
                if profiler:
                    profiler.enable()
                if args.sample and len(runs) == args.rounds - 1:  # the last round, sampled
                    with sampled() as samples:
                        runs.append(await ask(parent, app_port, requests, args.c))
                    sampled_run = runs[-1]
                else:
                    runs.append(await ask(parent, app_port, requests, args.c))
                if profiler:
                    profiler.disable()
                print(f"  round {len(runs)}: ceiling {rate(ceilings[-1]):6.0f} req/s, "
                      f"inbox {rate(runs[-1]):6.0f} act/s")
                for name, r in (("ceiling", ceilings[-1]), ("inbox", runs[-1])):
                    if r["n"] > 1:
                        print(f"    {name:8} CPU per request: server "
                              f"{r['server_cpu'] / r['n'] * 1e6:5.0f} us "
                              f"({r['server_cpu'] / r['wall']:4.0%} busy), client "
                              f"{r['client_cpu'] / r['n'] * 1e6:5.0f} us "
                              f"({r['client_cpu'] / r['wall']:4.0%} busy)")
        finally:
            parent.send(None)
            proc.join(10)
            await app_runner.cleanup()
            await raw_runner.cleanup()
        committed = store.scalar("SELECT count(*) FROM inbox_items")
        group = max(1, round(commits.rows / max(commits.commits, 1)))
        parts = await breakdown(store, build_requests(500, keys, city, run=-1), keys[0], group)
        store.close()

    ceiling = sorted(ceilings, key=rate)[len(ceilings) // 2]  # the median round of each
    ours = sorted(runs, key=rate)[len(runs) // 2]
    total = args.k * args.rounds
    print(f"\nmedian of {args.rounds} alternating rounds;"
          f" load average before/after: {load_before} / {os.getloadavg()[0]:.2f}")
    print(f"K={args.k} activities from M={args.m} actors, {args.c} concurrent connections")
    print(f"raw aiohttp ceiling : {rate(ceiling):8.0f} req/s   p50 {ceiling['p50'] * 1000:6.1f} ms"
          f"   p99 {ceiling['p99'] * 1000:6.1f} ms   statuses {ceiling['statuses']}")
    print(f"mitwirken inbox     : {rate(ours):8.0f} act/s   p50 {ours['p50'] * 1000:6.1f} ms"
          f"   p99 {ours['p99'] * 1000:6.1f} ms   statuses {ours['statuses']}")
    print(f"committed rows      : {committed} of {total} in {commits.commits} transactions "
          f"(group commit: {commits.rows / max(commits.commits, 1):.1f} rows each)")
    ratio = rate(ours) / rate(ceiling)
    print(f"ratio               : {ratio:.0%} of the ceiling (target >= 60 %) -> "
          f"{'met' if ratio >= 0.6 else 'MISSED'}")
    per_request = 1e6 / rate(ours)
    print(f"\nwhere one activity's server time goes (steps timed in-process without HTTP, "
          f"mean of 500; wall time per activity in the run: {per_request:.0f} us):")
    for name, us in parts.items():
        print(f"  {name:<44} {us:7.1f} us")
    app_work = sum(us for name, us in parts.items() if not name.startswith("  "))
    print(f"  {'= inbox handler work, timed alone':<44} {app_work:7.1f} us")
    cpu = ours["server_cpu"] / ours["n"] * 1e6
    bare = ceiling["server_cpu"] / ceiling["n"] * 1e6
    print(f"  {'server CPU per activity in the HTTP run':<44} {cpu:7.1f} us"
          f"   (bare aiohttp handler: {bare:.0f} us)")
    print(f"  {'client CPU per request (same client)':<44} "
          f"{ours['client_cpu'] / ours['n'] * 1e6:7.1f} us"
          f"   (ceiling run: {ceiling['client_cpu'] / ceiling['n'] * 1e6:.0f} us)")
    if samples is not None and sampled_run is not None:
        per = sampled_run["server_cpu"] / sampled_run["n"] * 1e6
        print(f"\nwhere the server's CPU goes in the HTTP run (py-spy samples of round "
              f"{args.rounds}, {sum(samples.stacks.values())} samples; {per:.0f} us per "
              f"activity in that round){' – ' + samples.note if samples.note else ''}:")
        for name, share in categorise(samples.stacks, SAMPLE_RULES):
            print(f"  {name:<52} {share:6.1%} {share * per:7.1f} us")
    assert all(r["statuses"] == {202: args.k} for r in runs) and committed == total, \
        "not everything was committed"
    if profiler:
        print("\nprofile of the server process during the inbox run (top 25, cumulative):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print("top 20 by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", type=int, default=2000, help="activities (default 2000)")
    parser.add_argument("-m", type=int, default=50, help="remote actors (default 50)")
    parser.add_argument("-c", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("-r", "--rounds", type=int, default=3,
                        help="alternating ceiling/inbox rounds, the median is reported")
    parser.add_argument("--profile", action="store_true", help="cProfile the server side")
    parser.add_argument("--sample", action="store_true",
                        help="py-spy the last inbox round and print where its CPU goes")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip the ceiling (when sampling this process with py-spy)")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
