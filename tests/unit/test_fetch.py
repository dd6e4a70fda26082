"""The safe fetcher (security.md group C): refusals before any connection, and the checks on
what comes back. A local aiohttp server serves the positive paths (``allow_private=True``); the
refusals run with ``allow_private=False`` and must never reach it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from bovine.crypto import generate_rsa_public_private_key

from mitwirken.federation.fetch import Fetcher, FetchError, Signer, is_private_address, webfinger
from tests.fediverse import FakeResolver

PUB, PRIV = generate_rsa_public_private_key()
AP = "application/activity+json"
LD_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


class Peer:
    """A tiny document server; ``docs[path] = (status, content_type, body, headers)``."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[int, str, bytes, dict]] = {}
        self.requests: list[web.Request] = []
        self.hang = asyncio.Event()

    def json(self, path: str, doc: object, content_type: str = AP, status: int = 200,
             headers: dict | None = None) -> None:
        self.docs[path] = (status, content_type, json.dumps(doc).encode(), headers or {})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        key = f"{request.host.split(':')[0]}{request.path}"
        entry = self.docs.get(key) or self.docs.get(request.path)
        if entry is None:
            return web.Response(status=404)
        status, ctype, body, headers = entry
        if headers.get("X-Hang"):
            await self.hang.wait()
        if headers.get("X-Chunked"):
            resp = web.StreamResponse(status=status, headers={"Content-Type": ctype})
            await resp.prepare(request)
            for i in range(0, len(body), 512):
                await resp.write(body[i:i + 512])
            await resp.write_eof()
            return resp
        extra = {k: v for k, v in headers.items() if not k.startswith("X-")}
        return web.Response(status=status, body=body, headers={"Content-Type": ctype, **extra})


@pytest.fixture
async def peer(aiohttp_server):
    p = Peer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", p.handle)
    server = await aiohttp_server(app)
    p.base = f"http://127.0.0.1:{server.port}"
    p.port = server.port
    yield p
    p.hang.set()


@pytest.fixture
async def session():
    resolver = FakeResolver()
    s = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver))
    s.resolver = resolver
    yield s
    await s.close()


def fetcher(session, allow_private=True, timeout=5.0, max_bytes=2_000_000) -> Fetcher:
    return Fetcher(session, Signer("http://me.test/actor#main-key", PRIV),
                   allow_private=allow_private, timeout=timeout,
                   clock=lambda: datetime.now(UTC), max_bytes=max_bytes)


# --- refused before connecting ------------------------------------------------------------

@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "10.0.0.1", "172.16.0.1",
    "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "198.18.0.1",
    "192.0.0.8", "::", "::1", "::ffff:127.0.0.1", "fc00::1", "fe80::1", "64:ff9b::7f00:1",
    "2002:7f00:1::", "2001::1", "localhost", "foo.localhost",
])
def test_private_loopback_link_local_and_special_addresses_are_private(host):
    assert is_private_address(host)


@pytest.mark.parametrize("host", ["8.8.8.8", "93.184.216.34", "2606:4700::1", "example.com",
                                  "social.example.org"])
def test_public_addresses_and_names_are_not_private(host):
    assert not is_private_address(host)


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/actor", "https://[::1]/actor", "https://169.254.169.254/latest",
    "https://10.1.2.3/", "https://localhost/", "https://[fe80::1]/", "https://2130706433/",
    "https://[::ffff:127.0.0.1]/", "https://100.64.0.1/",
])
def test_private_targets_refused_without_allow_private(session, url):
    with pytest.raises(FetchError, match="private or loopback"):
        fetcher(session, allow_private=False).check_url(url)


def test_plain_http_refused_without_allow_private(session):
    with pytest.raises(FetchError, match="plain http"):
        fetcher(session, allow_private=False).check_url("http://social.example/users/a")
    fetcher(session, allow_private=False).check_url("https://social.example/users/a")


@pytest.mark.parametrize("url", ["ftp://social.example/x", "file:///etc/passwd", "data:,{}",
                                 "https:///nohost", "javascript:alert(1)"])
def test_non_http_urls_refused_even_when_private_allowed(session, url):
    with pytest.raises(FetchError, match="not an http"):
        fetcher(session, allow_private=True).check_url(url)


async def test_refused_fetch_never_connects(session, peer):
    peer.json("/actor", {"id": f"{peer.base}/actor"})
    with pytest.raises(FetchError):
        await fetcher(session, allow_private=False).get_object(f"{peer.base}/actor")
    assert peer.requests == []


# --- positive path and checks on the answer -----------------------------------------------

async def test_fetch_object_signed_get(session, peer):
    doc = {"id": f"{peer.base}/users/alice", "type": "Person"}
    peer.json("/users/alice", doc)
    assert await fetcher(session).get_object(f"{peer.base}/users/alice#main-key") == doc
    (req,) = peer.requests
    assert 'keyId="http://me.test/actor#main-key"' in req.headers["Signature"]
    assert 'headers="(request-target) host date accept"' in req.headers["Signature"]
    assert "activity+json" in req.headers["Accept"]


@pytest.mark.parametrize("ctype", [AP, LD_AS, f"{AP}; charset=utf-8"])
async def test_activitypub_media_types_accepted(session, peer, ctype):
    peer.json("/o", {"id": f"{peer.base}/o"}, content_type=ctype)
    assert (await fetcher(session).get_object(f"{peer.base}/o"))["id"] == f"{peer.base}/o"


@pytest.mark.parametrize("ctype", ["text/html", "application/json", "application/octet-stream",
                                   "application/ld+json",
                                   'application/ld+json; profile="https://example.com/ns"'])
async def test_wrong_media_type_rejected(session, peer, ctype):
    peer.json("/o", {"id": f"{peer.base}/o"}, content_type=ctype)
    with pytest.raises(FetchError, match="media type"):
        await fetcher(session).get_object(f"{peer.base}/o")


@pytest.mark.parametrize("doc_id", ["http://elsewhere.test/o", "OTHER", None])
async def test_id_mismatch_rejected(session, peer, doc_id):
    peer.json("/o", {"type": "Note"} if doc_id is None else {
        "id": f"{peer.base}/other" if doc_id == "OTHER" else doc_id})
    with pytest.raises(FetchError, match="does not match"):
        await fetcher(session).get_object(f"{peer.base}/o")


@pytest.mark.parametrize(("status", "body"), [(404, {}), (410, {}), (500, {})])
async def test_error_status_is_a_fetch_error_with_status(session, peer, status, body):
    peer.json("/o", body, status=status)
    with pytest.raises(FetchError) as err:
        await fetcher(session).get_object(f"{peer.base}/o")
    assert err.value.status == status


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"string"'])
async def test_malformed_or_non_object_json_rejected(session, peer, raw):
    peer.docs["/o"] = (200, AP, raw, {})
    with pytest.raises(FetchError, match="JSON"):
        await fetcher(session).get_object(f"{peer.base}/o")


@pytest.mark.parametrize("chunked", [False, True])
async def test_size_cap(session, peer, chunked):
    doc = {"id": f"{peer.base}/big", "content": "x" * 5000}
    peer.json("/big", doc, headers={"X-Chunked": "1"} if chunked else None)
    with pytest.raises(FetchError, match="too large"):
        await fetcher(session, max_bytes=1000).get_object(f"{peer.base}/big")
    assert (await fetcher(session, max_bytes=10_000).get_object(f"{peer.base}/big")) == doc


async def test_timeout_is_a_fetch_error(session, peer):
    peer.json("/slow", {"id": f"{peer.base}/slow"}, headers={"X-Hang": "1"})
    with pytest.raises(FetchError, match="Timeout"):
        await fetcher(session, timeout=0.2).get_object(f"{peer.base}/slow")


# --- redirects ----------------------------------------------------------------------------

def chain(peer: Peer, hops: int, final_doc: dict | None = None) -> str:
    for i in range(hops):
        target = f"/r{i + 1}" if i + 1 < hops else "/final"
        peer.docs[f"/r{i}"] = (302, "text/html", b"", {"Location": target})
    peer.json("/final", final_doc or {"id": f"{peer.base}/final"})
    return f"{peer.base}/r0"


async def test_up_to_three_redirects_followed_id_must_be_final_url(session, peer):
    url = chain(peer, 3)
    assert (await fetcher(session).get_object(url))["id"] == f"{peer.base}/final"
    assert len(peer.requests) == 4


async def test_redirect_cap(session, peer):
    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher(session).get_object(chain(peer, 4))
    assert len(peer.requests) == 4  # never more than 1 + 3


async def test_redirect_loop_is_capped(session, peer):
    peer.docs["/a"] = (302, "text/html", b"", {"Location": "/b"})
    peer.docs["/b"] = (302, "text/html", b"", {"Location": "/a"})
    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher(session).get_object(f"{peer.base}/a")


async def test_redirect_target_is_vetted_like_the_first_url(session, peer):
    peer.docs["/r"] = (302, "text/html", b"", {"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="not an http"):
        await fetcher(session).get_object(f"{peer.base}/r")


async def test_cross_host_redirect_cannot_vouch_for_its_own_id(session, peer):
    # a.test/x redirects to b.test/y, which serves {"id": "http://b.test/y"} (security.md C-03)
    session.resolver.ports.update({"a.test": peer.port, "b.test": peer.port})
    peer.docs["a.test/x"] = (302, "text/html", b"", {"Location": "http://b.test/y"})
    peer.json("b.test/y", {"id": "http://b.test/y", "type": "Note"})
    with pytest.raises(FetchError, match="does not match"):
        await fetcher(session).get_object("http://a.test/x")
    # on the same host the final URL is the object's id
    peer.docs["a.test/old"] = (301, "text/html", b"", {"Location": "/new"})
    peer.json("a.test/new", {"id": "http://a.test/new"})
    assert (await fetcher(session).get_object("http://a.test/old"))["id"] == "http://a.test/new"


# --- WebFinger ----------------------------------------------------------------------------

async def test_webfinger_resolves_self_link(session, peer):
    session.resolver.ports["peer.test"] = peer.port
    peer.json("/.well-known/webfinger", {"subject": "acct:alice@peer.test", "links": [
        {"rel": "http://webfinger.net/rel/profile-page", "href": "http://peer.test/@alice"},
        {"rel": "self", "type": AP, "href": "http://peer.test/users/alice"}]},
        content_type="application/jrd+json")
    assert await webfinger(fetcher(session), "@alice@peer.test") == "http://peer.test/users/alice"
    assert "Signature" not in peer.requests[0].headers
    assert peer.requests[0].query["resource"] == "acct:alice@peer.test"


async def test_webfinger_without_self_link_fails(session, peer):
    session.resolver.ports["peer.test"] = peer.port
    peer.json("/.well-known/webfinger", {"links": [{"rel": "self", "type": "text/html",
                                                    "href": "http://peer.test/@alice"}]},
              content_type="application/jrd+json")
    with pytest.raises(FetchError, match="no ActivityPub actor"):
        await webfinger(fetcher(session), "alice@peer.test")
    with pytest.raises(FetchError, match="not a handle"):
        await webfinger(fetcher(session), "alice")


@pytest.mark.parametrize("allow_private", [True, False])
async def test_webfinger_falls_back_to_http_only_where_private_networks_are_allowed(
        session, peer, allow_private):
    """A demo city at a name that is no test name speaks plain http: https fails first. The
    fallback to http is taken with `allow_private_network`, and never otherwise."""
    session.resolver.ports["demo.example"] = peer.port
    peer.json("/.well-known/webfinger", {"links": [
        {"rel": "self", "type": AP, "href": "http://demo.example/actors/stadt"}]},
        content_type="application/jrd+json")
    wf = webfinger(fetcher(session, allow_private=allow_private), "@stadt@demo.example")
    if allow_private:
        assert await wf == "http://demo.example/actors/stadt"
        assert [r.path for r in peer.requests] == ["/.well-known/webfinger"]
    else:
        with pytest.raises(FetchError, match="https://demo.example/"):
            await wf
        assert peer.requests == []  # no plain-http request was ever made


async def test_public_only_resolver_refuses_names_pointing_inwards():
    """DNS rebinding: a public-looking name that resolves to loopback is refused before any
    connection is made."""
    from mitwirken.federation.fetch import PublicOnlyResolver

    class Fixed:
        def __init__(self, addrs):
            self.addrs = addrs

        async def resolve(self, host, port=0, family=0):
            return [{"hostname": host, "host": a, "port": port, "family": 2, "proto": 0,
                     "flags": 0} for a in self.addrs]

        async def close(self):
            return None

    with pytest.raises(OSError):
        await PublicOnlyResolver(Fixed(["127.0.0.1", "10.0.0.5"])).resolve("evil.example", 443)
    mixed = await PublicOnlyResolver(Fixed(["192.168.1.1", "93.184.216.34"])).resolve(
        "mixed.example", 443)
    assert [r["host"] for r in mixed] == ["93.184.216.34"]


async def test_blocked_domains_are_never_fetched_not_even_through_a_redirect(session, peer):
    session.resolver.ports["evil.test"] = session.resolver.ports["sub.evil.test"] = peer.port
    peer.json("/doc", {"id": "http://evil.test/doc"})
    peer.docs["/hop"] = (302, "text/html", b"", {"Location": "http://sub.evil.test/doc"})
    blocked = Fetcher(session, Signer("http://me.test/actor#main-key", PRIV),
                      allow_private=True, timeout=5, clock=lambda: datetime.now(UTC),
                      host_blocked=lambda host: host.endswith("evil.test"))
    with pytest.raises(FetchError, match="blocked domain"):
        await blocked.get_object("http://evil.test/doc")
    assert peer.requests == []  # refused before connecting
    with pytest.raises(FetchError, match="blocked domain: sub.evil.test"):
        await blocked.get_object(f"{peer.base}/hop")
    assert [r.path for r in peer.requests] == ["/hop"]  # the redirect target was not asked
