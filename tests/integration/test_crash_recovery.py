"""`kill -9` in the middle of a fan-out loses no delivery (security.md F-04, F-16), and the
restarted server resumes at once (issue 18).

A real `mitwirken serve` process delivers one activity to 300 followers, each with its own
inbox on one of 50 loopback sink ports. The sink answers the first 100 deliveries and then holds
every further request open, so the kill is guaranteed to land mid-fan-out with requests in
flight. After a restart the unfinished rows — including the ones whose lease the dead process
still holds — are sent, and every row ends `done`. The lease is the default five minutes: the
new server holds the data folder's lock, so it frees its previous run's leases at start-up and
the first delivery goes out within seconds. Receivers dedupe by activity id, so the check is on
distinct (inbox, activity) pairs. A second server on the same folder is refused.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.federation.urls import Urls
from mitwirken.models import follows
from mitwirken.models.store import Store, utcnow
from mitwirken.server.usecases.instance import init_instance
from tests.fakes.sink import Sink
from tests.fediverse import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CITY = "crashstadt"
PORTS, PER_PORT = 50, 6
RESUME_WITHIN = 5.0  # seconds from the restart to the next delivery received


class Server:
    """`python -m mitwirken.server.cli serve` as a child process."""

    def __init__(self, data: Path, port: int, log: Path) -> None:
        self.data, self.port, self.log = data, port, log
        self.proc: subprocess.Popen | None = None

    def spawn(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MITWIRKEN_")}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mitwirken.server.cli", "serve", "--data", str(self.data),
                 "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=log)

    async def start(self) -> None:
        self.spawn()
        await self.wait_ready()

    async def wait_ready(self, within: float = 20.0) -> None:
        url = f"http://127.0.0.1:{self.port}/.well-known/nodeinfo"
        async with aiohttp.ClientSession() as session, asyncio.timeout(within):
            while True:
                assert self.proc and self.proc.poll() is None, self.log.read_text()[-3000:]
                try:
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)  # polling for readiness, bounded by the timeout

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def counts(store: Store) -> dict[str, int]:
    rows = store.all("SELECT state, count(*) AS n FROM deliveries GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


async def wait_until(predicate, within: float, what: str) -> None:
    try:
        async with asyncio.timeout(within):
            # the state lives in another process's database: poll it, bounded by the timeout
            while not predicate():  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def test_sigkill_mid_fanout_then_restart_delivers_everything(tmp_path):
    sink = Sink()
    ports = [await sink.start() for _ in range(PORTS)]
    inboxes = [f"http://127.0.0.1:{p}/users/u{i}/inbox" for p in ports for i in range(PER_PORT)]
    assert len(set(inboxes)) == 300

    port = free_port()
    data = tmp_path / "city"
    base = f"http://127.0.0.1:{port}"
    init_instance(data, base, "Crashstadt", CITY, allow_private_network=True,
                  log_level="INFO")
    store = Store.open(data / "mitwirken.db")
    urls = Urls(base)
    pem = store.scalar("SELECT public_key_pem FROM actors WHERE username = ?", [CITY])
    sink.keys[urls.key_id(CITY)] = (urls.actor(CITY), pem)
    with store.tx():
        for n, inbox in enumerate(inboxes):
            follows.add_follower(store, username=CITY, actor=inbox.rsplit("/", 1)[0],
                                 follow_id=f"{inbox}#follow-{n}", state="accepted",
                                 inbox=inbox, shared_inbox=None, now=utcnow())

    server = Server(data, port, tmp_path / "serve.log")
    sink.hold_after = 100
    try:
        await server.start()

        # publish through a second connection while the server runs (WAL)
        note = {"id": urls.opportunity("crash-1"), "type": "Note", "content": "<p>Hallo</p>",
                "attributedTo": urls.actor(CITY)}
        activity = activities.create(urls, CITY, note, utcnow())
        assert publish(store, CITY, activity, utcnow()) == 300

        # the worker picks it up by itself; kill it while requests hang in the sink
        await sink.wait_for(lambda s: s.held >= 1, within=20)
        server.kill()
        before = counts(store)
        got_before = len(sink.distinct())
        assert 0 < before.get("done", 0) < 300, before
        assert 100 <= got_before < 300
        held = {r["inbox"] for r in store.all(
            "SELECT inbox FROM deliveries WHERE state = 'pending' AND locked_until IS NOT NULL")}
        leased = len(held)
        assert leased > 0  # rows the dead process still holds (for five minutes)

        # the peer recovers; the held requests die with the old process's connections
        sink.hold_after = None
        sink.release.set()
        restarted = time.monotonic()
        server.spawn()
        await sink.wait_for(lambda s: any(inbox in held for inbox, _ in s.distinct()),
                            within=RESUME_WITHIN)  # a row the dead process held is sent
        resumed_after = time.monotonic() - restarted
        await server.wait_ready()
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mitwirken.server.cli", "serve", "--data", str(data),
            "--port", str(free_port()), cwd=ROOT, stderr=asyncio.subprocess.PIPE)
        _, refused = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 1
        assert "läuft schon ein Server" in refused.decode()
        await wait_until(lambda: counts(store).get("done", 0) == 300, 40,
                         f"all deliveries done (now {counts(store)})")
    finally:
        server.stop()
        await sink.close()

    assert counts(store) == {"done": 300}
    assert sink.distinct() == {(inbox, activity["id"]) for inbox in inboxes}
    assert all(r.verified for r in sink.accepted), {r.reason for r in sink.accepted}
    duplicates = len(sink.accepted) - 300
    assert 0 <= duplicates <= 16  # at most the requests in flight at the kill
    assert resumed_after < RESUME_WITHIN
    log = (tmp_path / "serve.log").read_text()
    reclaimed = [line for line in log.splitlines() if "leases_reclaimed" in line]
    assert reclaimed[0].endswith("deliveries=0 inbox=0")  # the first start: nothing held
    assert f"deliveries={leased} " in reclaimed[1]  # the restart freed what the dead run held
    store.close()
