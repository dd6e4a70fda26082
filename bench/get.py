"""GET throughput of the documents a spreading post brings fetches for: actor, object,
outbox page and followers collection as `application/activity+json`, and the HTML variants
(profile page, object page), against a bare aiohttp handler that serves the same bytes.

One Mitwirken instance (the demo city, 200 followers, workers off) runs in this process the
way `mitwirken serve` runs it (same access-log setting and format); the load generator is a
separate process with one aiohttp client and 64 concurrent connections. The bare ceiling
serves, for the same paths, the bytes our server answered, with the same content type, so the
ratio compares like with like. Rounds alternate (ceiling, ours, ceiling, …) and the median
round of each is reported; the server CPU per request is this process's `process_time()`.

Revalidation (`If-None-Match` → 304) is measured apart, after the rounds: a client that already
holds each document and asks again (not part of the ratio).

    .venv/bin/python bench/get.py [-n 6000] [-c 64] [-r 3] [--access-log on|errors|off]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import multiprocessing as mp
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.inbox import ask, machine, run_workers, serve  # noqa: E402
from mitwirken.models import content_store, follows  # noqa: E402
from mitwirken.models.store import Store, utcnow  # noqa: E402
from mitwirken.server.app import create_app, runner_options  # noqa: E402
from mitwirken.server.cli._common import setup_logging  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.usecases.demo_city import seed_demo  # noqa: E402
from mitwirken.server.usecases.instance import init_instance  # noqa: E402

HOST = "bench.test"
AP = "application/activity+json"
HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

# (family, path, Accept, extra headers)
Req = tuple[str, str, str, dict[str, str]]


async def _fire(port: int, requests: list[Req], concurrency: int) -> dict:
    connector = aiohttp.TCPConnector(limit=concurrency)
    lat: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(requests)

        async def worker() -> None:
            for family, path, accept, extra in queue:
                t = time.perf_counter()
                async with session.get(f"http://127.0.0.1:{port}{path}",
                                       headers={"Accept": accept, **extra},
                                       allow_redirects=False) as resp:
                    await resp.read()
                lat[family].append(time.perf_counter() - t)
                statuses[resp.status] += 1

        wall, cpu = await run_workers(session, port, concurrency, worker)
    every = sorted(x for v in lat.values() for x in v)
    return {"wall": wall, "n": len(every), "statuses": dict(statuses), "client_cpu": cpu,
            "p50": statistics.median(every), "p99": _p99(every),
            "families": {f: (statistics.median(v), _p99(sorted(v))) for f, v in lat.items()}}


def _p99(xs: list[float]) -> float:
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))]


def client_process(conn) -> None:
    while True:
        msg = conn.recv()
        if msg is None:
            return
        conn.send(asyncio.run(_fire(*msg)))


def targets(store: Store, city: str) -> list[Req]:
    opp = content_store.list_objects(store, "opportunities", statuses=("open",), limit=1)[0]
    practice = content_store.list_objects(store, "practices", limit=1)[0]
    org = opp.org_username
    return [
        ("actor (AS JSON)", f"/actors/{city}", AP, {}),
        ("actor (AS JSON)", f"/actors/{org}", AP, {}),
        ("object (AS JSON)", f"/angebote/{opp.id}", AP, {}),
        ("object (AS JSON)", f"/praxis/{practice.id}", AP, {}),
        ("outbox page (AS JSON)", f"/actors/{city}/outbox?page=1", AP, {}),
        ("followers (AS JSON)", f"/actors/{city}/followers", AP, {}),
        ("followers (AS JSON)", f"/actors/{city}/followers?page=1", AP, {}),
        ("profile page (HTML)", f"/@{city}", HTML, {}),
        ("object page (HTML)", f"/angebote/{opp.id}", HTML, {}),
    ]


async def snapshot(port: int, reqs: list[Req]) -> dict[tuple[str, str], tuple[bytes, str, str]]:
    """What our server answers for each (path, Accept): body, content type, ETag."""
    out = {}
    async with aiohttp.ClientSession() as session:
        for _, path, accept, _ in reqs:
            async with session.get(f"http://127.0.0.1:{port}{path}",
                                   headers={"Accept": accept}) as resp:
                assert resp.status == 200, (path, resp.status)
                out[(path, accept)] = (await resp.read(), resp.headers["Content-Type"],
                                       resp.headers.get("ETag", ""))
    return out


def bare_app(snap: dict[tuple[str, str], tuple[bytes, str, str]]) -> web.Application:
    """The ceiling: the same bytes per path and Accept, from a dict, nothing else."""
    async def handler(request: web.Request) -> web.Response:
        accept = request.headers.get("Accept", "")
        body, ctype, _ = snap[(request.path_qs, accept)]
        return web.Response(body=body, headers={"Content-Type": ctype})

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/{tail:.*}", handler)
    return app


def log_like_serve(level: str) -> None:
    """`serve` logs to stderr; the bench sends the same lines to /dev/null (the same cost of
    formatting and writing, no terminal in the measurement)."""
    setup_logging(level)
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)


def rate(r: dict) -> float:
    return r["n"] / r["wall"]


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    load_before = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "city"
        init_instance(data, f"http://{HOST}", "Engagierte Stadt Benchstadt", "benchstadt",
                      allow_private_network=True)
        env = {"MITWIRKEN_ACCESS_LOG": args.access_log} if args.access_log else {}
        settings = load_settings(data, env=env)
        log_like_serve(settings.log_level)
        store = Store.open(settings.db_path)
        seed_demo(store, settings)
        for i in range(200):
            follows.add_follower(store, username="benchstadt",
                                 actor=f"https://f{i}.test/users/u{i}",
                                 inbox=f"https://f{i}.test/users/u{i}/inbox",
                                 shared_inbox=None, follow_id=f"https://f{i}.test/follows/{i}",
                                 state="accepted", now=utcnow())
        base = targets(store, "benchstadt")
        app = create_app(settings, store=store, start_workers=False)
        ours_runner, ours_port = await serve(app, **runner_options(settings))
        snap = await snapshot(ours_port, base)
        etags = sum(1 for _, _, e in snap.values() if e)
        reval = [("revalidate (If-None-Match, 304)", p, a, {"If-None-Match": snap[(p, a)][2]})
                 for _, p, a, _ in base if snap[(p, a)][2]]
        raw_runner, raw_port = await serve(bare_app(snap), access_log=None)
        requests = [base[i % len(base)] for i in range(args.n)]
        revalidations = [reval[i % len(reval)] for i in range(args.n)] if reval else []
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(child,), daemon=True)
        proc.start()
        ceilings, runs = [], []
        profiler = cProfile.Profile() if args.profile else None
        try:
            for r in range(args.rounds):
                ceilings.append(await ask(parent, raw_port, requests, args.c))
                if profiler:
                    profiler.enable()
                runs.append(await ask(parent, ours_port, requests, args.c))
                if profiler:
                    profiler.disable()
                print(f"  round {r + 1}: ceiling {rate(ceilings[-1]):6.0f} req/s, "
                      f"mitwirken {rate(runs[-1]):6.0f} req/s")
            again = await ask(parent, ours_port, revalidations, args.c) if reval else None
        finally:
            parent.send(None)
            proc.join(10)
            await ours_runner.cleanup()
            await raw_runner.cleanup()
        store.close()

    ceiling = sorted(ceilings, key=rate)[len(ceilings) // 2]
    ours = sorted(runs, key=rate)[len(runs) // 2]
    print(f"\nmedian of {args.rounds} alternating rounds; load average before/after: "
          f"{load_before} / {os.getloadavg()[0]:.2f}")
    print(f"{args.n} GETs per round over {len(base)} URLs/variants, {args.c} connections, "
          f"access_log={settings.access_log}; {etags} of {len(snap)} documents carry an ETag")
    print(f"bare aiohttp ceiling: {rate(ceiling):8.0f} req/s  p50 {ceiling['p50'] * 1e3:5.1f} ms"
          f"  p99 {ceiling['p99'] * 1e3:5.1f} ms  {ceiling['statuses']}")
    print(f"mitwirken           : {rate(ours):8.0f} req/s  p50 {ours['p50'] * 1e3:5.1f} ms"
          f"  p99 {ours['p99'] * 1e3:5.1f} ms  {ours['statuses']}")
    for name, r in (("ceiling", ceiling), ("mitwirken", ours)):
        print(f"  {name:9} CPU per request: server {r['server_cpu'] / r['n'] * 1e6:5.0f} us "
              f"({r['server_cpu'] / r['wall']:4.0%} busy), client "
              f"{r['client_cpu'] / r['n'] * 1e6:5.0f} us ({r['client_cpu'] / r['wall']:4.0%} busy)")
    print("per family (mitwirken p50 / p99, ceiling p50 / p99, ms):")
    for family, (p50, p99) in sorted(ours["families"].items()):
        c50, c99 = ceiling["families"].get(family, (float("nan"),) * 2)
        print(f"  {family:34} {p50 * 1e3:5.1f} / {p99 * 1e3:5.1f}    "
              f"{c50 * 1e3:5.1f} / {c99 * 1e3:5.1f}")
    if again:
        print(f"revalidation (If-None-Match with the ETag just served, {len(reval)} documents): "
              f"{rate(again):.0f} req/s, p50 {again['p50'] * 1e3:.1f} ms, p99 "
              f"{again['p99'] * 1e3:.1f} ms, {again['statuses']}, server CPU "
              f"{again['server_cpu'] / again['n'] * 1e6:.0f} us per request")
    ratio = rate(ours) / rate(ceiling)
    ok = ratio >= 0.7 and ours["p99"] <= 0.020
    print(f"ratio: {ratio:.0%} of the ceiling, p99 {ours['p99'] * 1e3:.1f} ms "
          f"(targets >= 70 %, <= 20 ms) -> {'met' if ok else 'MISSED'}")
    if profiler:
        print("\nprofile of the server process during its rounds (top 30 by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    bad = {s: n for s, n in ours["statuses"].items() if s not in (200, 304)}
    assert not bad, f"unexpected statuses {bad}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=6000, help="GETs per round (default 6000)")
    parser.add_argument("-c", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--access-log", choices=("on", "errors", "off"),
                        help="override the access_log setting (default: the setting's default)")
    parser.add_argument("--profile", action="store_true", help="cProfile the server side")
    asyncio.run(main(parser.parse_args()))
