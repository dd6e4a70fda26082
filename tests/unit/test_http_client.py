"""The one HTTP client factory: the private-address guard (wrapping a test resolver too), the
User-Agent and the connector limits every session of the project gets."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp import web

from mitwirken.federation.fetch import PublicOnlyResolver, public_only_socket
from mitwirken.server import http_client
from mitwirken.server.http_client import (
    CONNECTIONS,
    CONNECTIONS_PER_HOST,
    USER_AGENT,
    client_session,
    guarded_resolver,
)
from tests.fediverse import FakeResolver


async def test_the_guard_wraps_the_resolver_unless_the_private_network_is_allowed():
    fake = FakeResolver()
    guarded = guarded_resolver(allow_private_network=False, resolver=fake)
    assert isinstance(guarded, PublicOnlyResolver) and guarded.inner is fake
    assert isinstance(guarded_resolver(allow_private_network=False), PublicOnlyResolver)
    assert guarded_resolver(allow_private_network=True, resolver=fake) is fake
    assert guarded_resolver(allow_private_network=True) is None  # aiohttp's default DNS


@pytest.fixture
async def peer(aiohttp_server):
    """A local server that records the requests it gets."""
    seen: list[web.Request] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handle)
    server = await aiohttp_server(app)
    server.seen = seen
    return server


async def test_sessions_carry_the_user_agent_and_the_limits(peer):
    fake = FakeResolver()
    fake.ports["peer.test"] = peer.port
    async with client_session(allow_private_network=True, resolver=fake) as session:
        assert session.connector.limit == CONNECTIONS
        assert session.connector.limit_per_host == CONNECTIONS_PER_HOST
        async with session.get("http://peer.test/") as resp:
            assert resp.status == 200
    async with client_session(allow_private_network=True, user_agent="Other/1",
                              timeout=3) as session:
        assert session.timeout.total == 3
        async with session.get(f"http://127.0.0.1:{peer.port}/") as resp:
            assert resp.status == 200
    assert [r.headers["User-Agent"] for r in peer.seen] == [USER_AGENT, "Other/1"]


async def test_a_name_pointing_inwards_is_refused_before_connecting(peer):
    fake = FakeResolver()
    fake.ports["inward.example"] = peer.port
    async with client_session(allow_private_network=False, resolver=fake) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as refused:
            await session.get("http://inward.example/")
    assert "resolves only to private addresses" in repr(refused.value.__cause__)
    assert peer.seen == []


async def test_the_check_command_may_ask_its_own_address_unguarded(peer):
    """`mitwirken check` keeps asking its own public URL even where it resolves inwards."""
    fake = FakeResolver()
    fake.ports["engagiert.example"] = peer.port
    session = client_session(allow_private_network=False, resolver=fake,
                             guard_private_addresses=False)
    async with session, session.get("http://engagiert.example/") as resp:
        assert resp.status == 200
    assert len(peer.seen) == 1


@pytest.mark.parametrize("address", [
    ("127.0.0.1", 443), ("10.1.2.3", 443), ("192.168.0.1", 443), ("100.64.0.1", 443),
    ("169.254.169.254", 80), ("0.0.0.0", 443), ("::1", 443, 0, 0), ("fe80::1", 443, 0, 0),
    ("::ffff:127.0.0.1", 443, 0, 0), ("fc00::1", 443, 0, 0)])
def test_no_socket_is_made_for_an_address_that_is_not_public(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with pytest.raises(OSError, match="not a public address"):
        public_only_socket((family, socket.SOCK_STREAM, 6, "", address))


def test_a_public_address_gets_its_socket():
    sock = public_only_socket((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)))
    try:
        assert sock.family == socket.AF_INET and sock.type == socket.SOCK_STREAM
    finally:
        sock.close()


async def test_the_connected_address_is_checked_whatever_the_resolver_said(peer, monkeypatch):
    """The second guard alone: with the name check out of the way (as if DNS answered a public
    address for the check and an inward one for the connection), the socket for 127.0.0.1 is
    still refused and the peer sees nothing."""
    monkeypatch.setattr(http_client, "guarded_resolver",
                        lambda *, allow_private_network, resolver=None: resolver)
    fake = FakeResolver()
    fake.ports["rebinding.example"] = peer.port
    async with client_session(allow_private_network=False, resolver=fake) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as refused:
            await session.get("http://rebinding.example/")
    assert "not a public address" in repr(refused.value)
    assert peer.seen == []
    # the same session setup with the private network allowed connects (the test is honest)
    session = client_session(allow_private_network=True, resolver=fake)
    async with session, session.get("http://rebinding.example/") as resp:
        assert resp.status == 200
    assert len(peer.seen) == 1
