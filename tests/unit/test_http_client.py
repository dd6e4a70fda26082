"""The one HTTP client factory: the private-address guard (wrapping a test resolver too), the
User-Agent and the connector limits every session of the project gets."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from mitwirken.federation.fetch import PublicOnlyResolver
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
