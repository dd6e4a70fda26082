"""Relays (interop.md §8): our instance actor subscribes LitePub-style, publishes Announces of
its objects to the relay, and takes relayed Announces from it — always fetching the object from
its origin, never trusting what the relay embeds.

Two relays:

* a minimal LitePub relay fake, in process on `relay.test` (always runs);
* the real ActivityRelay from PyPI (`activityrelay`, pleroma/relay) as a subprocess, when it is
  installed (`ACTIVITYRELAY=/path/to/activityrelay`, on PATH, or /tmp/relayvenv). It only
  speaks https and uses its own DNS, so that test serves two Mitwirken instances with a
  throwaway self-signed certificate on 127.0.0.2:443 and 127.0.0.3:443 and the relay behind a
  TLS proxy on 127.0.0.4:443 (needs root for port 443; loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from mitwirken.models import follows
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases import moderation
from tests.integration.test_network import (
    AS,
    PUBLIC,
    OtherSoftware,
    drain,
    found,
    items,
    publish_practice,
    remote_row,
)

# --- a minimal LitePub relay ------------------------------------------------------------------


class FakeRelay(OtherSoftware):
    """`http://relay.test/actor`, an Application. Whatever it is sent is recorded; the test
    makes it answer (Accept, follow back, Announce) like pleroma/relay does."""

    def __init__(self, resolver) -> None:
        super().__init__(resolver, domain="relay.test", user="relay")

    @property
    def actor(self) -> str:
        return f"{self.base}/actor"

    def actor_document(self) -> dict:
        doc = super().actor_document()
        return {**doc, "type": "Application", "inbox": f"{self.base}/inbox",
                "followers": f"{self.base}/followers", "preferredUsername": "relay",
                "name": "ActivityRelay"}

    async def start(self) -> FakeRelay:
        await super().start()
        return self

    def received(self, type_: str) -> list[dict]:
        return [a for a in self.inbox if a.get("type") == type_]

    def activity(self, type_: str, n: int, **fields) -> dict:
        return {"@context": AS, "id": f"{self.base}/activities/{type_.lower()}-{n}",
                "type": type_, "actor": self.actor, **fields}


@pytest.fixture
async def relay(fediverse):
    r = FakeRelay(fediverse.resolver)
    await r.start()
    yield r
    await r.close()


async def subscribe(inst, relay: FakeRelay) -> str:
    svc = inst.app[SERVICES]
    follow_id = await social.subscribe_relay(inst.app[STORE], inst.app[URLS], svc.remote_actors,
                                             relay.actor, inst.app[CLOCK](), by="test")
    await drain(inst)
    return follow_id


async def test_litepub_relay_subscription_and_relayed_announce(fediverse, relay):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    instance_a, instance_b = a.app[URLS].instance_actor, b.app[URLS].instance_actor

    # When both instances subscribe to the relay
    follow_ids = [await subscribe(inst, relay) for inst in (a, b)]
    got = relay.received("Follow")
    assert [(f["id"], f["actor"], f["object"]) for f in got] == [
        (follow_ids[0], instance_a, relay.actor), (follow_ids[1], instance_b, relay.actor)]
    for inst in (a, b):
        row = follows.get_following(inst.app[STORE], "instance", relay.actor)
        assert row["state"] == "requested"
        # and the subscription is in the audit log
        (entry,) = moderation.audit_entries(inst.app[STORE])
        assert (entry["actor"], entry["action"], entry["target"]) == (
            "test", "relay.add", relay.actor)

    # And the relay accepts and follows back, as LitePub relays do
    for n, (inst, follow_activity) in enumerate(zip((a, b), got, strict=True)):
        inbox = f"{inst.base}/inbox"
        accept = relay.activity("Accept", n, to=[follow_activity["actor"]],
                                object={"id": follow_activity["id"], "type": "Follow",
                                        "actor": follow_activity["actor"],
                                        "object": relay.actor})
        assert await relay.post(inbox, accept) == 202
        back = relay.activity("Follow", n, to=[follow_activity["actor"]],
                              object=follow_activity["actor"])
        assert await relay.post(inbox, back) == 202
        await drain(inst)
        # Then the subscription is accepted, and we accepted the relay's follow-back
        assert follows.get_following(inst.app[STORE], "instance", relay.actor)["state"] == \
            "accepted"
        assert follows.get_follower(inst.app[STORE], "instance", relay.actor)["state"] == \
            "accepted"
        ours = [x for x in relay.received("Accept") if x["actor"] == follow_activity["actor"]]
        assert len(ours) == 1 and ours[0]["object"]["id"] == back["id"]

    # When A publishes a practice, A's instance actor announces it to the relay by id
    practice = publish_practice(a, "city_a", title="Ehrenamtsbörse im Rathausfoyer")
    await drain(a, b)
    iri = a.app[URLS].practice(practice.id)
    announces = relay.received("Announce")
    assert len(announces) == 1
    sent = announces[0]
    assert (sent["actor"], sent["object"]) == (instance_a, iri)
    assert sent["to"] == [f"{instance_a}/followers"] and PUBLIC in sent["cc"]
    assert sent["published"]

    # When the relay re-announces it to B, embedding a forged copy
    relayed = relay.activity("Announce", 1, to=[f"{relay.base}/followers"],
                             object={"id": iri, "type": "Article", "name": "GEFÄLSCHT",
                                     "attributedTo": a.app[URLS].actor("city_a")})
    assert await relay.post(f"{b.base}/inbox", relayed) == 202
    await drain(a, b)

    # Then B fetched the practice from A and keeps it with the relay as the sharer
    row = remote_row(b, iri)
    assert row["actor"] == a.app[URLS].actor("city_a") and row["shared_by"] == relay.actor
    assert json.loads(row["data"])["title"] == "Ehrenamtsbörse im Rathausfoyer"
    assert found(b, "Rathausfoyer") == {iri: "city-a.test"}
    assert found(b, "gefälscht") == {}

    # And an Announce of something gone at its origin stores nothing
    gone = relay.activity("Announce", 2, object=a.app[URLS].practice("gibtesnicht"))
    assert await relay.post(f"{b.base}/inbox", gone) == 202
    await drain(a, b)
    assert [i["state"] for i in items(b, "Announce")] == ["processed", "ignored"]


async def test_announce_from_a_relay_we_did_not_subscribe_to_is_ignored(fediverse, relay):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    practice = publish_practice(a, "city_a", title="Ehrenamtsbörse im Rathausfoyer")
    await drain(a, b)
    iri = a.app[URLS].practice(practice.id)
    assert await relay.post(f"{b.base}/inbox",
                            relay.activity("Announce", 1, object=iri)) == 202
    await drain(a, b)
    assert remote_row(b, iri) is None
    assert [i["state"] for i in items(b, "Announce")] == ["ignored"]


async def test_mastodon_style_subscription_follows_public(fediverse, relay):
    b = await fediverse.add("city-b")
    svc = b.app[SERVICES]
    follow_id = await social.subscribe_relay(b.app[STORE], b.app[URLS], svc.remote_actors,
                                             relay.actor, b.app[CLOCK](), litepub=False)
    await drain(b)
    [sent] = relay.received("Follow")
    assert (sent["id"], sent["object"]) == (follow_id, PUBLIC)
    accept = relay.activity("Accept", 1, object=follow_id)  # object as bare id
    assert await relay.post(f"{b.base}/inbox", accept) == 202
    await drain(b)
    assert follows.get_following(b.app[STORE], "instance", relay.actor)["state"] == "accepted"
    # A Mastodon-style relay forwards others' Creates signed by itself: signer ≠ actor, and
    # without LD signatures that is refused at the door (as Mastodon does) — nothing stored.
    forwarded = {"@context": AS, "id": "http://relay.test/x/activity", "type": "Create",
                 "actor": relay.actor.replace("/actor", "/users/mallory"),
                 "object": {"id": "http://relay.test/x", "type": "Note", "content": "x"}}
    assert await relay.post(f"{b.base}/inbox", forwarded) == 401
    assert b.app[STORE].scalar("SELECT count(*) FROM remote_objects") == 0


# --- the real ActivityRelay -----------------------------------------------------------------

RELAY_IP, A_IP, B_IP = "127.0.0.4", "127.0.0.2", "127.0.0.3"


def relay_binary() -> str | None:
    for candidate in (os.environ.get("ACTIVITYRELAY"), shutil.which("activityrelay"),
                      "/tmp/relayvenv/bin/activityrelay"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def port_443_free(ip: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((ip, 443))
        except OSError:
            return False
    return True


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """One certificate for all three loopback addresses; it is also the trust anchor."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mitwirken relay test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(ip)) for ip in (A_IP, B_IP, RELAY_IP)]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsSites:
    """aiohttp sites on <ip>:443 with the test certificate; cleaned up together."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(str(cert), str(key))
        self.runners: list[web.AppRunner] = []

    async def serve(self, app: web.Application, ip: str) -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self.runners.append(runner)
        await web.TCPSite(runner, ip, 443, ssl_context=self.ctx).start()

    async def close(self) -> None:
        for runner in reversed(self.runners):
            await runner.cleanup()


def tls_proxy(upstream: str, session_box: list) -> web.Application:
    """Terminates TLS for the relay (it serves plain http) and passes everything through,
    Host header included, so its signature checks see what the sender signed."""
    hop = {"connection", "keep-alive", "transfer-encoding", "content-length",
           "content-encoding", "upgrade"}

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in hop}
        async with session_box[0].request(request.method, upstream + request.path_qs,
                                          headers=headers, data=body,
                                          allow_redirects=False) as resp:
            data = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in hop}
            return web.Response(status=resp.status, body=data, headers=out)

    app = web.Application(client_max_size=4_000_000)
    app.router.add_route("*", "/{tail:.*}", forward)

    async def session_ctx(app):
        session_box.append(aiohttp.ClientSession(auto_decompress=True))
        yield
        await session_box[0].close()

    app.cleanup_ctx.append(session_ctx)
    return app


async def until(check, what: str, *instances, within: float = 15.0):
    """Tick the instances' workers until `check()` is true: the relay works in its own
    processes, so this polls (bounded), it does not sleep blindly."""
    deadline = time.monotonic() + within
    while True:
        for inst in instances:
            svc = inst.app[SERVICES]
            await svc.workers.delivery.tick()
            await svc.workers.inbox.tick()
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def start_relay(binary: str, config: Path, home: Path, cert: Path):
    """`activityrelay setup` (answers "no" to running it right away), then `run`; its
    outgoing https trusts only the test certificate."""
    env = {**os.environ, "SSL_CERT_FILE": str(cert), "HOME": str(home)}
    setup = subprocess.run([binary, "-c", str(config), "setup", "--skip-questions"],
                           input="n\n", capture_output=True, text=True, env=env, timeout=60,
                           check=False)
    if setup.returncode != 0:
        pytest.fail(f"activityrelay setup failed: {setup.stdout}\n{setup.stderr}")
    log = (home / "run.log").open("w")
    proc = subprocess.Popen([binary, "-c", str(config), "run"], stdout=log,
                            stderr=subprocess.STDOUT, env=env)
    return proc, log


class Served:
    def __init__(self, app: web.Application, settings) -> None:
        self.app, self.settings = app, settings

    @property
    def base(self) -> str:
        return self.settings.base_url


@pytest.fixture
async def real_relay(tmp_path, monkeypatch):
    binary = relay_binary()
    if binary is None:
        pytest.skip("ActivityRelay is not installed (python3 -m venv /tmp/relayvenv && "
                    "/tmp/relayvenv/bin/pip install activityrelay, or set ACTIVITYRELAY)")
    if os.geteuid() != 0 or not all(port_443_free(ip) for ip in (A_IP, B_IP, RELAY_IP)):
        pytest.skip("the real-relay test needs root and free ports 127.0.0.2-4:443")
    cert, key = self_signed(tmp_path)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    real_connector = aiohttp.TCPConnector

    def trusting_connector(*args, **kw):
        kw.setdefault("ssl", client_ctx)
        return real_connector(*args, **kw)

    # Our apps' HTTP clients trust the throwaway certificate (and nothing else changes).
    monkeypatch.setattr(aiohttp, "TCPConnector", trusting_connector)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "relay"
    home.mkdir()
    config = home / "relay.yaml"
    config.write_text(f"listen: 127.0.0.1\nport: {port}\ndomain: {RELAY_IP}\nworkers: 1\n"
                      f"db_type: sqlite\nca_type: database\nsq_path: {home / 'relay.sqlite3'}\n")
    proc, log = start_relay(binary, config, home, cert)
    sites = TlsSites(cert, key)
    try:
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession() as session:
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}/actor") as resp:
                        if resp.status == 200:
                            break
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("activityrelay did not start:\n" +
                                (home / "run.log").read_text())
                await asyncio.sleep(0.1)
        await sites.serve(tls_proxy(f"http://127.0.0.1:{port}", []), RELAY_IP)
        yield sites, tmp_path
    finally:
        await sites.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        print((home / "run.log").read_text()[-4000:], file=sys.stderr)


async def serve_instance(sites: TlsSites, root: Path, name: str, ip: str) -> Served:
    from mitwirken.server.app import create_app
    from mitwirken.server.config import load_settings
    from mitwirken.server.usecases.instance import init_instance

    data = root / name
    init_instance(data, f"https://{ip}", f"Engagierte Stadt {name}", name,
                  allow_private_network=True)
    settings = load_settings(data, env={})
    app = create_app(settings, start_workers=False)
    await sites.serve(app, ip)
    return Served(app, settings)


@pytest.mark.slow
async def test_real_activityrelay_relays_an_announce_to_the_other_instance(real_relay):
    sites, root = real_relay
    a = await serve_instance(sites, root, "stadt_a", A_IP)
    b = await serve_instance(sites, root, "stadt_b", B_IP)
    relay_actor = f"https://{RELAY_IP}/actor"

    # When both instance actors subscribe (LitePub style: Follow of the relay actor)
    for inst in (a, b):
        await social.subscribe_relay(inst.app[STORE], inst.app[URLS],
                                     inst.app[SERVICES].remote_actors, relay_actor,
                                     inst.app[CLOCK]())

    # Then the relay accepts, follows back, and we accept its follow
    def subscribed():
        return all(
            (follows.get_following(i.app[STORE], "instance", relay_actor) or {}).get("state")
            == "accepted" and (follows.get_follower(i.app[STORE], "instance", relay_actor)
                               or {}).get("state") == "accepted" for i in (a, b))

    await until(subscribed, "the relay subscription", a, b)
    await drain(a, b)  # our Accepts of the relay's follow-backs go out

    # When A publishes a practice (its instance actor announces it to the relay)
    practice = publish_practice(a, "stadt_a", title="Ehrenamtsbörse im Rathausfoyer")
    iri = a.app[URLS].practice(practice.id)

    # Then the relay's Announce reaches B, and B fetches the practice from A
    row = await until(lambda: remote_row(b, iri), "the relayed practice at B", a, b)
    assert row["actor"] == a.app[URLS].actor("stadt_a")
    assert row["shared_by"] == relay_actor
    assert json.loads(row["data"])["title"] == "Ehrenamtsbörse im Rathausfoyer"
    [announce] = [json.loads(i["body"]) for i in items(b, "Announce")]
    assert announce["actor"] == relay_actor and announce["object"] == iri
    assert found(b, "Rathausfoyer") == {iri: A_IP}
    # And A does not get its own post back
    assert items(a, "Announce") == []
