"""The pages residents open — home, the opportunity list, a detail page, the search page — at
5 000 local and 100 000 remote objects, against a bare aiohttp handler that serves the same
bytes in the same run (issue 14's benchmark).

One Mitwirken instance (workers off) runs in this process as `mitwirken serve` runs it; its
5 000 local opportunities and practice posts are published through the same use case as the
editor's form (`ContentService.create`), the 100 000 remote ones are written into the search
index the way ingestion writes them (`bench/search.py`'s generator, every item remote). The load
generator is a separate process (`bench/get.py`'s client, 32 connections). Each page family
runs alone, ceiling then ours, so every family gets its own ratio and p99.

    .venv/bin/python bench/pages.py [--local 5000] [--remote 100000] [-n 2000] [-c 32]
                                    [--keep DIR] [--reuse DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.get import bare_app, client_process, log_like_serve, rate, snapshot  # noqa: E402
from bench.inbox import ask, machine, serve  # noqa: E402
from bench.search import make_item, zipf_vocabulary  # noqa: E402
from mitwirken.models import actors as actor_repo  # noqa: E402
from mitwirken.models import content_store, search  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.app import create_app, runner_options  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.dependencies import open_services  # noqa: E402
from mitwirken.server.usecases.demo_city import seed_demo  # noqa: E402
from mitwirken.server.usecases.instance import init_instance  # noqa: E402

HOST = "bench.test"
HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
TARGET_P99_MS = 25.0
TARGET_RATIO = 0.5
CAUSES = ["bildung", "umwelt", "kinder-jugend", "senioren", "sport", "kultur"]


def _opportunity(i: int, rng: random.Random) -> dict:
    return {"title": f"{rng.choice(['Lesepat:in', 'Gartenhilfe', 'Fahrdienst', 'Sprachcafé'])} "
                     f"Nr. {i}",
            "description": "Wir suchen Menschen, die **Zeit** schenken: " * rng.randint(2, 8),
            "kind": rng.choice(["regular", "flexible"]),
            "cause_areas": rng.sample(CAUSES, 2),
            "places": [{"name": "Stadtbibliothek", "street": "Marktplatz 3",
                        "postal_code": "12345", "locality": "Benchstadt"}],
            "contact": {"name": "Koordination", "email": f"kontakt{i}@verein.example"}}


async def fill(data: Path, local: int, remote: int) -> None:
    """A fresh instance with the demo city, `local` objects published through the use case
    and `remote` objects of other cities in the search index."""
    init_instance(data, f"http://{HOST}", "Engagierte Stadt Benchstadt", "benchstadt",
                  allow_private_network=True)
    settings = load_settings(data, env={})
    store = Store.open(settings.db_path)
    seed_demo(store, settings)
    rng = random.Random(5)
    started = time.perf_counter()
    async with open_services(settings, store) as services:
        orgs = [a.username for a in actor_repo.list_actors(store, "org")]
        for i in range(local):
            org = orgs[i % len(orgs)]
            if i % 4 == 3:
                services.content.create("practices", org, {
                    "title": f"Praxisbeispiel {i}", "summary": "So haben wir es gemacht."})
            else:
                services.content.create("opportunities", org, _opportunity(i, rng))
    print(f"  {local} local objects published in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    vocab = zipf_vocabulary(rng)
    origins = [f"stadt{k:03d}.example" for k in range(119)]
    for first in range(0, remote, 5000):
        with store.tx():
            for i in range(first, min(first + 5000, remote)):
                item = make_item(i, rng, origins, vocab)
                if item.local:  # every one of these comes from another city
                    origin = origins[i % len(origins)]
                    item = dataclasses.replace(
                        item, local=False, origin=origin,
                        ap_id=item.ap_id.replace("musterstadt.example", origin),
                        url=item.url.replace("musterstadt.example", origin))
                search.index(store, item)
    store.execute("PRAGMA optimize")
    store.close()
    print(f"  {remote} remote objects indexed in {time.perf_counter() - started:.0f} s")


def families(store: Store, n: int) -> dict[str, list[str]]:
    """Paths per page family. The kept pages are mostly answered from memory; the last family
    asks a different query every time (an unknown parameter `r` makes each one new), so it
    measures rendering a search page from the index."""
    opps = content_store.list_objects(store, "opportunities", statuses=("open",), limit=200)
    words = ["garten", "lesen", "kinder", "senioren", "sprache", "fahrdienst", "musik", "tiere"]
    return {
        "home": ["/"],
        "opportunity list": ["/angebote", "/angebote?seite=2", "/angebote?seite=10"],
        "detail page": [f"/angebote/{o.id}" for o in opps],
        "search page": ["/suche?q=garten", "/suche?q=lesen&cause_area=bildung",
                        "/suche?q=kinder+sprache", "/suche?kind=opportunity&region=DE-NW",
                        "/suche?cause_area=umwelt&max_hours_per_week=2",
                        "/suche?q=sprachcafe&date_from=2026-12-01"],
        "search page, new query": [f"/suche?q={words[i % len(words)]}&r={{}}" for i in range(n)],
    }


async def main(args: argparse.Namespace) -> int:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "city"
        if args.reuse:
            shutil.copytree(args.reuse, data)
            print(f"reusing {args.reuse}")
        else:
            print("phase 1 (not measured): filling the instance")
            await fill(data, args.local, args.remote)
            if args.keep:
                shutil.copytree(data, args.keep, dirs_exist_ok=True)
        settings = load_settings(data, env={})
        log_like_serve(settings.log_level)
        store = Store.open(settings.db_path)
        counts = (content_store.count_live(store),
                  store.scalar("SELECT count(*) FROM search_items WHERE local = 0"))
        pages = families(store, args.n)
        app = create_app(settings, store=store, start_workers=False)
        ours_runner, ours_port = await serve(app, **runner_options(settings))
        reqs = {f: [(f, p, HTML, {}) for p in paths] for f, paths in pages.items()}
        # `{}` in a path is the unknown parameter that makes each request new: the snapshot
        # (and the ceiling) fill it with "snap", the warm-up with "w<i>", the run with "m<i>"
        unique = {(f, p.format("snap"), a): e for rs in reqs.values() for f, p, a, e in rs}
        snap = await snapshot(ours_port, [(f, p, a, e) for (f, p, a), e in unique.items()])
        raw_runner, raw_port = await serve(bare_app(snap), access_log=None)
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(child,), daemon=True)
        proc.start()
        load_before = os.getloadavg()[0]
        results = {}
        try:
            for family, rs in reqs.items():
                batch = [rs[i % len(rs)] for i in range(args.n)]

                def filled(tag: str, batch: list = batch) -> list:
                    return [(f, p.format(f"{tag}{i}"), a, e)
                            for i, (f, p, a, e) in enumerate(batch)]
                await ask(parent, ours_port, filled("w")[: args.n // 10], args.c)  # warm up
                ceiling = await ask(parent, raw_port, [(f, p.format("snap"), a, e)
                                                       for f, p, a, e in batch], args.c)
                ours = await ask(parent, ours_port, filled("m"), args.c)
                results[family] = (ceiling, ours)
        finally:
            parent.send(None)
            proc.join(10)
            await ours_runner.cleanup()
            await raw_runner.cleanup()
        store.close()
    print(f"\n{counts[0]} local objects, {counts[1]} remote objects in the search index; "
          f"{args.n} GETs per family, {args.c} connections, access_log={settings.access_log}; "
          f"load average before/after {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"{'page':18} {'ceiling req/s':>13} {'ours req/s':>10} {'ratio':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'server CPU/req':>15}")
    met = True
    for family, (ceiling, ours) in results.items():
        ratio = rate(ours) / rate(ceiling)
        ok = ratio >= TARGET_RATIO and ours["p99"] * 1e3 <= TARGET_P99_MS
        met &= ok
        bad = {s: n for s, n in ours["statuses"].items() if s != 200}
        assert not bad, f"{family}: unexpected statuses {bad}"
        print(f"{family:18} {rate(ceiling):13.0f} {rate(ours):10.0f} {ratio:6.0%} "
              f"{ours['p50'] * 1e3:7.1f} {ours['p99'] * 1e3:7.1f} "
              f"{ours['server_cpu'] / ours['n'] * 1e6:12.0f} us  {'ok' if ok else 'MISSED'}")
    print(f"targets: p99 <= {TARGET_P99_MS:.0f} ms and >= {TARGET_RATIO:.0%} of the ceiling for "
          f"each page -> {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local", type=int, default=5000, help="local objects (default 5000)")
    parser.add_argument("--remote", type=int, default=100_000,
                        help="remote objects in the search index (default 100000)")
    parser.add_argument("-n", type=int, default=2000, help="GETs per page family")
    parser.add_argument("-c", type=int, default=32, help="concurrent connections")
    parser.add_argument("--keep", help="copy the filled instance folder here")
    parser.add_argument("--reuse", help="measure a kept instance folder (skip phase 1)")
    sys.exit(asyncio.run(main(parser.parse_args())))
