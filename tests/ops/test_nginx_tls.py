"""The production path without containers, on loopback: client → nginx (TLS, certificate from a
throw-away CA, the site file from deploy/) → `mitwirken serve`. WebFinger and the actor carry the
public https URLs; forwarded headers count only when nginx sends them; `mitwirken check`
accepts the certificate only when it is trusted."""

from __future__ import annotations

import re
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.ops.helpers import (
    CITY,
    Server,
    free_port,
    init_instance,
    make_tls,
    nginx_site,
    require_tool,
    run_cli,
    wait_port,
)

pytestmark = pytest.mark.slow
CLIENT_IP = "127.0.0.2"  # the "outside" client: another loopback address than nginx's


@dataclass
class Stack:
    base: str
    http_port: int
    ca: Path
    server: Server


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    nginx = require_tool("nginx", "/usr/sbin/nginx")
    ca, _, _ = make_tls(tmp_path / "certs")
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    base = f"https://localhost:{https_port}"
    data = tmp_path / "data"
    init_instance(data, base)
    conf = nginx_site(tmp_path, https_port=https_port, http_port=http_port, app_port=app_port,
                      certs=tmp_path / "certs")
    with Server(data, app_port, tmp_path / "serve.log", MITWIRKEN_TRUSTED_PROXIES="127.0.0.1",
                MITWIRKEN_ALLOW_PRIVATE_NETWORK="0", MITWIRKEN_LOG_LEVEL="DEBUG") as server:
        proc = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_port(https_port, proc=proc)
            yield Stack(base, http_port, ca, server)
        finally:
            proc.terminate()
            proc.wait(10)


def client(ca: Path) -> aiohttp.ClientSession:
    context = ssl.create_default_context(cafile=str(ca))
    connector = aiohttp.TCPConnector(ssl=context, local_addr=(CLIENT_IP, 0))
    return aiohttp.ClientSession(connector=connector)


async def test_webfinger_and_actor_through_nginx_use_public_https_urls(stack: Stack) -> None:
    domain = stack.base.removeprefix("https://")
    async with client(stack.ca) as http:
        async with http.get(f"{stack.base}/.well-known/webfinger",
                            params={"resource": f"acct:{CITY}@{domain}"}) as r:
            assert r.status == 200 and r.content_type == "application/jrd+json"
            jrd = await r.json(content_type=None)
        assert jrd["subject"] == f"acct:{CITY}@{domain}"
        self_link = next(link for link in jrd["links"] if link["rel"] == "self")
        assert self_link["href"] == f"{stack.base}/actors/{CITY}"
        async with http.get(self_link["href"],
                            headers={"Accept": "application/activity+json"}) as r:
            assert r.status == 200 and r.content_type == "application/activity+json"
            actor = await r.json(content_type=None)
        assert actor["id"] == f"{stack.base}/actors/{CITY}"
        assert actor["inbox"].startswith(f"{stack.base}/")
        assert actor["publicKey"]["id"] == f"{stack.base}/actors/{CITY}#main-key"
        async with http.get(f"{stack.base}/healthz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ok"
            assert "max-age" in r.headers["Strict-Transport-Security"]
        async with http.get(f"http://localhost:{stack.http_port}/@{CITY}",
                            allow_redirects=False) as r:
            assert r.status == 301 and r.headers["Location"].startswith("https://localhost")
        async with http.post(f"{stack.base}/inbox", data=b"x" * 2_000_000) as r:
            assert r.status == 413  # nginx's body limit, before Mitwirken reads anything


async def test_forwarded_headers_only_from_the_trusted_proxy(stack: Stack) -> None:
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    async with client(stack.ca) as http:
        # Through nginx: nginx overwrites the client's claim with the address it saw.
        async with http.get(f"{stack.base}/.well-known/nodeinfo", headers=forged) as r:
            assert r.status == 200
        # Straight to the app port from an untrusted address: ignored.
        async with http.get(f"{stack.server.url}/.well-known/host-meta", headers=forged) as r:
            assert r.status == 200
    log = stack.server.log()
    honoured = re.findall(r"forwarded_headers_honoured (.*) path=/.well-known/nodeinfo", log)
    assert honoured == [f"remote=127.0.0.1 client={CLIENT_IP} scheme=https "
                        f"host={stack.base.removeprefix('https://')}"], log
    assert f"forwarded_headers_ignored remote={CLIENT_IP} path=/.well-known/host-meta" in log
    assert "203.0.113.9" not in log


def test_check_trusts_only_a_valid_certificate(stack: Stack) -> None:
    env = {**stack.server.env, "MITWIRKEN_ALLOW_PRIVATE_NETWORK": "0"}
    data = str(stack.server.data)
    trusted = run_cli("check", "--data", data, env={**env, "SSL_CERT_FILE": str(stack.ca)},
                      check=False)
    assert trusted.returncode == 0, trusted.stdout
    assert "OK    TLS-Zertifikat gültig (noch" in trusted.stdout, trusted.stdout
    assert "OK    Öffentliche Adresse https://localhost" in trusted.stdout
    assert "answers as an ActivityPub actor" in trusted.stdout
    untrusted = run_cli("check", "--data", data, env=env, check=False)
    assert untrusted.returncode == 1
    assert "FAIL  TLS-Zertifikat von localhost" in untrusted.stdout, untrusted.stdout
