"""Hostile bodies against a running server (issue 17 §2): N generated bodies (default 10 000),
half to the inbox (variants of a valid Create, signed correctly by cached remote actors so they
pass the signature check and reach processing), half to the editor API (variants of a valid
opportunity, as create and as patch). The server is a real ``mitwirken serve`` subprocess with
its workers on; the benchmark prints the count per status class, whether the server process is
the same one at the end (0 restarts), and its RSS before and after.

The bodies come from the Hypothesis strategies of ``tests/hostile.py`` (derandomized, so every
run sends the same bodies). Exits 1 on any 5xx, a lost connection, a restart or RSS growth of
10 % or more.

    .venv/bin/python bench/fuzz.py            # -n 10000 -c 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from bovine.crypto import generate_rsa_public_private_key  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from mitwirken.federation.remote import RemoteActors, parse_actor  # noqa: E402
from mitwirken.federation.signatures import sign_headers  # noqa: E402
from mitwirken.models import actors as actor_repo  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.usecases.instance import init_instance, make_actor  # noqa: E402
from tests.fediverse import free_port  # noqa: E402
from tests.hostile import activities, api_bodies  # noqa: E402

AS = "https://www.w3.org/ns/activitystreams"
OPPORTUNITY = {"title": "Lesepat:in gesucht", "description": "Vorlesen in der Kita",
               "kind": "regular", "contact": {"email": "info@example.org"}}
ACTORS = 4


def remote_actor(m: int, public_pem: str) -> dict:
    actor = f"http://remote{m}.test/users/u{m}"
    return {"@context": AS, "id": actor, "type": "Person", "preferredUsername": f"u{m}",
            "inbox": f"{actor}/inbox", "publicKey": {
                "id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public_pem}}


def valid_create(m: int, n: int) -> dict:
    actor = f"http://remote{m}.test/users/u{m}"
    return {"@context": AS, "id": f"{actor}/statuses/{n}/activity", "type": "Create",
            "actor": actor, "published": datetime.now(UTC).isoformat(), "to": [f"{AS}#Public"],
            "object": {"id": f"{actor}/statuses/{n}", "type": "Note", "attributedTo": actor,
                       "content": "<p>Hallo Stadt</p>"}}


def generate(strategy, n: int) -> list[bytes]:
    """``n`` examples of ``strategy``, the same ones every run."""
    found: list[bytes] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case) -> None:
        found.append(case[0])

    collect()
    return found


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def fire(base: str, requests: list[tuple[str, str, dict, bytes]], concurrency: int
               ) -> Counter:
    statuses: Counter = Counter()
    queue = list(reversed(requests))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def worker() -> None:
            while queue:
                method, path, headers, body = queue.pop()
                try:
                    async with session.request(method, base + path, data=body,
                                               headers=headers) as resp:
                        await resp.read()
                        target = "inbox" if path.endswith("inbox") else "api"
                        statuses[f"{resp.status // 100}xx"] += 1
                        statuses[f"  {target} {resp.status}"] += 1
                        if resp.status >= 500:
                            print(f"5xx {resp.status} {method} {path} {body[:200]!r}")
                except aiohttp.ClientError as exc:
                    statuses["connection error"] += 1
                    print(f"connection error {type(exc).__name__} {method} {path}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


def build(args, keys, base: str, token: str, opp_id: str) -> list[tuple[str, str, dict, bytes]]:
    half = args.n // 2
    per_actor = [generate(activities(valid_create(m, m)), half // ACTORS + 1)
                 for m in range(ACTORS)]
    api = generate(api_bodies(OPPORTUNITY), args.n - half)
    now = datetime.now(UTC)
    out = []
    for i in range(half):
        m = i % ACTORS
        body = per_actor[m][i // ACTORS]
        path = "/inbox" if i % 2 else "/actors/fuzzstadt/inbox"
        headers = sign_headers("POST", base + path, key_id=f"http://remote{m}.test/users/u{m}"
                               "#main-key", private_key_pem=keys[m][1], body=body, now=now)
        out.append(("POST", path, headers, body))
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for i, body in enumerate(api):
        if i % 2:
            out.append(("PATCH", f"/api/v1/opportunities/{opp_id}", auth, body))
        else:
            out.append(("POST", "/api/v1/opportunities", auth, body))
    # interleave inbox and API requests
    return [r for pair in zip(out[:half], out[half:], strict=False) for r in pair] + \
        out[2 * min(half, len(out) - half):]


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(base + "/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


def start_server(data: Path, port: int, log: Path) -> subprocess.Popen:
    """``mitwirken serve`` in its own process (its RSS is what we measure)."""
    with log.open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "mitwirken.server.cli", "serve", "--data", str(data),
             "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=err)


async def main(args: argparse.Namespace) -> int:
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.2f}, python {platform.python_version()}")
    keys = [generate_rsa_public_private_key() for _ in range(ACTORS)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "city"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        init_instance(data, base, "Fuzzstadt", "fuzzstadt", allow_private_network=True)
        store = Store.open(data / "mitwirken.db")
        actor_repo.create_actor(store, make_actor("tafel", "org", "Tafel", sector="civil-society"))
        token = actor_repo.create_token(store, "tafel")
        cache = RemoteActors(store, None, lambda: datetime.now(UTC))  # type: ignore[arg-type]
        for m, (pub, _) in enumerate(keys):
            cache.save(parse_actor(remote_actor(m, pub)))
        store.close()
        server = start_server(data, port, Path(tmp) / "server.log")
        try:
            await wait_up(base)
            async with aiohttp.ClientSession() as session, session.post(
                    base + "/api/v1/opportunities", data=json.dumps(OPPORTUNITY),
                    headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"}) as resp:
                opp_id = (await resp.json())["id"]
            t = time.perf_counter()
            requests = build(args, keys, base, token, opp_id)
            print(f"setup: {len(requests)} bodies generated and signed in "
                  f"{time.perf_counter() - t:.1f} s")
            warm = await fire(base, requests[:args.warmup], args.c)
            rss_before = rss_kb(server.pid)
            t = time.perf_counter()
            statuses: Counter = Counter()
            trend = []
            for start in range(0, len(requests), 2000):  # RSS after every 2000 bodies
                statuses += await fire(base, requests[start:start + 2000], args.c)
                trend.append(rss_kb(server.pid) / 1024)
            wall = time.perf_counter() - t
            await asyncio.sleep(2)  # let the workers take what was accepted
            alive = server.poll() is None
            rss_after = rss_kb(server.pid) if alive else 0
        finally:
            server.terminate()
            server.wait(10)
        errors = (Path(tmp) / "server.log").read_text().count("internal_error")
    total = sum(v for k, v in statuses.items() if not k.startswith(" "))
    growth = (rss_after - rss_before) / rss_before * 100
    print(f"warm-up: {args.warmup} bodies, {warm['2xx']} 2xx, {warm['4xx']} 4xx, "
          f"{warm['5xx']} 5xx (not counted)")
    print(f"sent: {total} bodies in {wall:.1f} s ({total / wall:.0f}/s), concurrency {args.c}")
    for cls in sorted(k for k in statuses if not k.startswith(" ")):
        print(f"  {cls}: {statuses[cls]}")
    print("  by route and status: " + ", ".join(
        f"{k.strip()}: {v}" for k, v in sorted(statuses.items()) if k.startswith(" ")))
    print(f"server: same process at the end: {alive} (restarts: {0 if alive else 1}); "
          f"internal_error lines in its log: {errors}")
    print(f"server RSS: before {rss_before / 1024:.1f} MB, after {rss_after / 1024:.1f} MB "
          f"({growth:+.1f} %); after each 2000: " + ", ".join(f"{v:.1f}" for v in trend))
    bad = statuses["5xx"] or statuses["connection error"] or not alive or growth >= 10
    return 1 if bad else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="hostile bodies (default 10000)")
    parser.add_argument("-c", type=int, default=16, help="concurrent requests (default 16)")
    parser.add_argument("--warmup", type=int, default=2000,
                        help="bodies sent before RSS 'before' is read (default 2000)")
    sys.exit(asyncio.run(main(parser.parse_args())))
