"""Bounded upkeep at scale: a serving process over 240 000 objects, its lifecycle pass and 500
searches — resident memory and event-loop stalls (issue 17 §7).

Phase 1 (not measured) builds a data folder: `mitwirken init`, then L local opportunities
created through the publishing use case (so every column, the outbox and the search index are
as a real instance has them) — a share `--due` of them due for the lifecycle pass (half ended,
half unconfirmed for longer than `auto_pause_days`) — and R remote items of 120 other cities in
the network search index.

Phase 2 starts `mitwirken serve` on that folder as a separate process (the one measured). The
maintenance pass runs at start-up; meanwhile a probe requests NodeInfo every 25 ms, so its
worst latency shows how long the event loop was held. When the database shows every due
opportunity changed, the bench runs S searches over HTTP (4 at a time), then reads the server's
resident set (VmRSS, and the peak VmHWM) and the server's own `event_loop_stall` log lines.

    .venv/bin/python bench/lifecycle.py [--local 120000] [--remote 120000] [--due 0.02]
        [--searches 500] [--keep DIR] [--reuse DIR] [--server PATH/TO/mitwirken]

`--server` runs another checkout's `mitwirken` on the same folder (a before/after comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from mitwirken.models import search  # noqa: E402
from mitwirken.models.opportunity import Opportunity  # noqa: E402
from mitwirken.models.store import Store  # noqa: E402
from mitwirken.server.config import load_settings  # noqa: E402
from mitwirken.server.dependencies import content_service  # noqa: E402

TARGET_RSS_MB = 250.0
TARGET_STALL_MS = 100.0
CITY = "musterstadt"
TASKS = ["Lesepat:in", "Hausaufgabenhilfe", "Müllsammelaktion", "Tafel-Ausgabe", "Fahrdienst",
         "Besuchsdienst", "Sprachcafé", "Repair-Café", "Gartenpflege", "Vorlesestunde",
         "Seniorenbegleitung", "Fußballtraining", "Nachbarschaftshilfe", "Tierheim-Gassigehen"]
PLACES = ["Altstadt", "Nordviertel", "Südstadt", "am Bahnhof", "im Stadtteilzentrum",
          "in der Bücherei", "im Jugendhaus", "im Seniorenheim", "am Rhein", "im Park"]
WORDS = ["Kinder", "Familien", "Nachbarn", "Begleitung", "Unterstützung", "Freude",
         "gemeinsam", "wöchentlich", "Einsatz", "Verein", "Stadt", "Menschen", "Hilfe",
         "Lernen", "Sprache", "Garten", "Umwelt", "Tiere", "Küche", "Fahrrad", "Computer",
         "Musik", "Sport", "Kultur", "Geflüchtete", "Senioren", "Jugend", "Bildung"]
QUERIES = ["lesen", "Garten", "Senioren", "Tafel", "Fahrdienst", "Sprachcafé", "Tiere",
           "Hausaufgaben", "Nachbarschaft", "Fußball", "Repair", "Bücherei", "Jugend",
           "Umwelt", "Musik"]


def opportunity(rng: random.Random, i: int, now: datetime, due: str | None) -> dict:
    title = f"{rng.choice(TASKS)} {rng.choice(PLACES)} #{i}"
    body = " ".join(rng.choices(WORDS, k=40))
    data: dict = {"title": title, "description": body, "contact": {"email": "info@example.org"}}
    if due == "ended":
        start = now - timedelta(days=3, hours=rng.randrange(48))
        data.update(kind="one-off", start=start.isoformat(),
                    end=(start + timedelta(hours=3)).isoformat())
    elif due == "stale":
        old = now - timedelta(days=120 + rng.randrange(60))
        data.update(kind="regular", published=old.isoformat(), last_confirmed=old.isoformat())
    elif rng.random() < 0.3:
        start = now + timedelta(days=5 + rng.randrange(90))
        data.update(kind="one-off", start=start.isoformat(),
                    end=(start + timedelta(hours=3)).isoformat())
    else:
        fresh = now - timedelta(days=rng.randrange(60))
        data.update(kind="regular", published=fresh.isoformat(), last_confirmed=fresh.isoformat())
    return data


def generate(folder: Path, n_local: int, n_remote: int, due_share: float, port: int) -> int:
    """The data folder; returns how many local opportunities are due."""
    subprocess.run([str(ROOT / ".venv/bin/mitwirken"), "init", "--data", str(folder), "--url",
                    f"http://127.0.0.1:{port}", "--name", "Musterstadt", "--city-username",
                    CITY], check=True, capture_output=True)
    settings = load_settings(folder)
    store = Store.open(folder / "mitwirken.db")
    now = datetime.now(UTC)
    content = content_service(settings, store, lambda: now)
    rng = random.Random(17)
    due_count = 0
    started = time.perf_counter()
    for i in range(n_local):
        due = None
        if rng.random() < due_share:
            due = "ended" if rng.random() < 0.5 else "stale"
            due_count += 1
        content.create("opportunities", CITY, opportunity(rng, i, now, due),
                       allow_read_only=True)
        if i and i % 20_000 == 0:
            print(f"  {i} local ({time.perf_counter() - started:.0f} s)", flush=True)
    with store.tx():
        for i in range(n_remote):
            city = f"stadt{i % 120}.example"
            opp = Opportunity.model_validate({**opportunity(rng, i, now, None),
                                              "org_username": "verein", "id": f"r{i}"})
            ap_id = f"https://{city}/objects/r{i}"
            search.index(store, search.item_for_opportunity(
                opp, ap_id=ap_id, url=ap_id, local=False, origin=city,
                origin_name=f"Stadt {i % 120}", actor=f"https://{city}/actors/verein"))
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.conn.close()
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return due_count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def changed(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM opportunities WHERE status != 'open'")
                   .fetchone()[0])
    finally:
        conn.close()


async def probe(session: aiohttp.ClientSession, base: str, out: list[float],
                stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            async with session.get(f"{base}/.well-known/nodeinfo") as resp:
                await resp.read()
            out.append(time.perf_counter() - started)
        except aiohttp.ClientError:
            pass  # not listening yet
        await asyncio.sleep(0.025)


async def searches(session: aiohttp.ClientSession, base: str, n: int) -> list[float]:
    rng = random.Random(5)
    times: list[float] = []

    async def one(q: str) -> None:
        started = time.perf_counter()
        async with session.get(f"{base}/api/v1/search", params={"q": q}) as resp:
            assert resp.status == 200, resp.status
            await resp.read()
        times.append(time.perf_counter() - started)

    queue = [rng.choice(QUERIES) for _ in range(n)]
    for i in range(0, n, 4):
        await asyncio.gather(*(one(q) for q in queue[i:i + 4]))
    return times


def start_server(server: str, folder: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "MITWIRKEN_ALLOW_PRIVATE_NETWORK": "1"}
    with open(log_path, "w") as log:
        return subprocess.Popen([server, "serve", "--data", str(folder), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                env=env)


async def measure(folder: Path, port: int, due: int, server: str, n_searches: int) -> dict:
    log_path = folder / "serve.log"
    proc = start_server(server, folder, port, log_path)
    base = f"http://127.0.0.1:{port}"
    probes: list[float] = []
    stop = asyncio.Event()
    try:
        async with aiohttp.ClientSession() as session:
            prober = asyncio.create_task(probe(session, base, probes, stop))
            started = time.perf_counter()
            while await asyncio.to_thread(changed, folder / "mitwirken.db") < due:
                if proc.poll() is not None:
                    raise SystemExit(f"server exited: {log_path.read_text()[-2000:]}")
                if time.perf_counter() - started > 1800:
                    raise SystemExit("lifecycle pass did not finish in 30 min")
                await asyncio.sleep(0.2)
            pass_seconds = time.perf_counter() - started
            await asyncio.sleep(0.5)
            after_pass = rss_mb(proc.pid)
            pass_probes = list(probes)
            search_times = await searches(session, base, n_searches)
            stop.set()
            await prober
        after_searches = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = log_path.read_text().splitlines()
    stalls = [int(m) for m in re.findall(r"event_loop_stall ms=(\d+)", "\n".join(lines))]
    for i, line in enumerate(lines):
        if "event_loop_stall" in line:
            print("  stall, after:", *lines[max(0, i - 12):i], line, sep="\n    ")
    return {"pass_seconds": pass_seconds, "after_pass": after_pass,
            "after_searches": after_searches, "probes": pass_probes, "all_probes": probes,
            "searches": search_times, "stalls": stalls}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", type=int, default=120_000)
    parser.add_argument("--remote", type=int, default=120_000)
    parser.add_argument("--due", type=float, default=0.02)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="build the data folder here and keep it")
    parser.add_argument("--reuse", type=Path, help="a folder built with --keep (phase 1 skipped)")
    parser.add_argument("--server", default=str(ROOT / ".venv/bin/mitwirken"))
    args = parser.parse_args()
    port_file = "bench-port"
    if args.reuse:
        folder = args.reuse
        port, due = (int(x) for x in (folder / port_file).read_text().split())
    else:
        folder = args.keep or Path(tempfile.mkdtemp(prefix="mw-lifecycle-"))
        port = free_port()
        print(f"phase 1: {args.local} local + {args.remote} remote objects in {folder}")
        due = generate(folder, args.local, args.remote, args.due, port)
        (folder / port_file).write_text(f"{port} {due}")
    copy = Path(tempfile.mkdtemp(prefix="mw-lifecycle-run-"))
    subprocess.run(["cp", "-a", f"{folder}/.", str(copy)], check=True)  # each run starts alike
    db_mb = (copy / "mitwirken.db").stat().st_size / 1e6
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; database {db_mb:.0f} MB, {due} due")
    result = asyncio.run(measure(copy, port, due, args.server, args.searches))
    subprocess.run(["rm", "-rf", str(copy)], check=True)
    probes, found = result["probes"], result["searches"]
    worst_probe = max(result["all_probes"]) if result["all_probes"] else float("nan")
    worst_stall = max(result["stalls"], default=0)
    peak = max(result["after_pass"][1], result["after_searches"][1])
    print(f"lifecycle pass: {due} changes in {result['pass_seconds']:.1f} s "
          f"(with start-up and migrations)")
    print(f"RSS after start-up + pass: {result['after_pass'][0]:.0f} MB; after "
          f"{len(found)} searches: {result['after_searches'][0]:.0f} MB; peak (VmHWM) "
          f"{peak:.0f} MB (target ≤ {TARGET_RSS_MB:.0f} MB, {peak / TARGET_RSS_MB:.2f}×)")
    print(f"probe latency during the pass: median {ms(statistics.median(probes))}, worst "
          f"{ms(max(probes))}; worst over the whole run {ms(worst_probe)}")
    print(f"server event_loop_stall lines: {len(result['stalls'])}, worst {worst_stall} ms "
          f"(target: none over {TARGET_STALL_MS:.0f} ms)")
    cuts = statistics.quantiles(found, n=100)
    print(f"searches over HTTP (4 at a time): p50 {ms(cuts[49])}, p99 {ms(cuts[98])}")
    ok = peak <= TARGET_RSS_MB and worst_stall <= TARGET_STALL_MS
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
