"""Forwarded headers count only from the trusted proxy; /healthz tells the proxy and the
monitoring whether the instance can serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from mitwirken.server.app import create_app
from mitwirken.server.app_keys import STORE
from mitwirken.server.config import ConfigError, load_settings
from mitwirken.server.usecases.instance import init_instance
from mitwirken.server.web.proxy import client_address, parse_networks, proxy_middleware

FORGED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "evil.example"}


def make_app(tmp_path: Path, trusted: list[str]) -> web.Application:
    """An instance made the way `mitwirken init` makes it, plus an echo route."""
    data = tmp_path / "data"
    if not data.exists():
        init_instance(data, "https://engagiert.musterstadt.de", "Musterstadt", "musterstadt")
    settings = load_settings(data, env={}, trusted_proxies=trusted)
    app = create_app(settings, start_workers=False)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"remote": request.remote, "scheme": request.scheme,
                                  "host": request.host, "secure": request.secure})

    app.router.add_get("/_echo", echo)
    return app


async def test_untrusted_peer_cannot_forge(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path, ["192.0.2.1"]))
    got = await (await client.get("/_echo", headers=FORGED)).json()
    assert got["remote"] == "127.0.0.1"
    assert got["scheme"] == "http" and got["secure"] is False
    assert got["host"] != "evil.example"


async def test_no_trusted_proxies_means_headers_ignored(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path, []))
    got = await (await client.get("/_echo", headers=FORGED)).json()
    assert got["remote"] == "127.0.0.1" and got["scheme"] == "http"


async def test_trusted_proxy_is_believed(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path, ["127.0.0.1"]))
    got = await (await client.get("/_echo", headers={
        "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "engagiert.musterstadt.de"})).json()
    assert got == {"remote": "198.51.100.7", "scheme": "https",
                   "host": "engagiert.musterstadt.de", "secure": True}


def test_chain_is_walked_from_the_right() -> None:
    nets = parse_networks(["127.0.0.1", "10.0.0.0/8"])
    # The client claims to be 1.2.3.4; our proxies saw 198.51.100.9 connect.
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.9, 10.0.0.5", nets) == "198.51.100.9"
    assert client_address("127.0.0.1", "10.0.0.7", nets) == "10.0.0.7"
    assert client_address("127.0.0.1", "", nets) == "127.0.0.1"


def test_bad_proxy_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="trusted_proxies"):
        proxy_middleware(["not-an-ip"])
    assert parse_networks(["::1", "172.30.80.0/24"])


async def test_healthz_ok_and_503(aiohttp_client, tmp_path: Path) -> None:
    app = make_app(tmp_path, [])
    client = await aiohttp_client(app)
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] and resp.headers["Cache-Control"] == "no-store"
    assert (await client.head("/healthz")).status == 200
    app[STORE].close()  # the database goes away under the running server
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert (await resp.json())["database"] == "error"
