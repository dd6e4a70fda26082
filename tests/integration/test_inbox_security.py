"""Hostile and broken requests against a real instance over HTTP (security.md A, B, F-01;
interop.md §3.7, §5, §7).

Every rejection case checks three things: the status, that nothing reached ``inbox_items``, and
that the instance still serves afterwards. Forged requests are built with bovine primitives in
the fake Mastodon (``FakeMastodon.sign`` with overrides), never with ``federation.signatures``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models.store import iso
from mitwirken.server.app_keys import SERVICES, STORE
from tests.fakes.mastodon import FakeMastodon

CITY = "http://city-a.test"
INBOXES = ["/inbox", "/actors/city_a/inbox"]


@pytest.fixture
async def peer(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


@pytest.fixture
async def city(fediverse):
    return await fediverse.add("city-a")


def count_items(inst) -> int:
    return inst.app[STORE].scalar("SELECT count(*) FROM inbox_items")


async def still_serves(peer) -> None:
    status, body = await peer.send("GET", f"{CITY}/healthz", None, {"Accept": "application/json"})
    assert status == 200, body


def like(peer: FakeMastodon, user: str = "alice", actor_user: str | None = None) -> dict:
    """A small, valid activity (a Like of one of the city's objects)."""
    actor = peer.actor_id(actor_user or user)
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}#likes/{datetime.now(UTC).timestamp()}", "type": "Like",
            "actor": actor, "object": f"{CITY}/angebote/x1"}


def body_of(activity: dict) -> bytes:
    return json.dumps(activity).encode()


# --- each case: (status, headers, body) built by the peer --------------------------------

def unsigned(peer, url):
    body = body_of(like(peer))
    return body, {"Content-Type": "application/activity+json"}


def tampered_body(peer, url):
    act = like(peer)
    headers = peer.sign("alice", "POST", url, body_of(act))
    return body_of({**act, "object": f"{CITY}/angebote/other"}), headers


def wrong_digest(peer, url):
    body = body_of(like(peer))
    wrong = "SHA-256=" + "A" * 43 + "="
    return body, peer.sign("alice", "POST", url, body, digest=wrong)


def old_date(peer, url):
    body = body_of(like(peer))
    return body, peer.sign("alice", "POST", url, body,
                           date=datetime.now(UTC) - timedelta(hours=2))


def future_date(peer, url):
    body = body_of(like(peer))
    return body, peer.sign("alice", "POST", url, body,
                           date=datetime.now(UTC) + timedelta(hours=2))


def host_not_signed(peer, url):
    body = body_of(like(peer))
    return body, peer.sign("alice", "POST", url, body,
                           fields=("(request-target)", "date", "digest", "content-type"))


def digest_not_signed(peer, url):
    body = body_of(like(peer))
    return body, peer.sign("alice", "POST", url, body,
                           fields=("(request-target)", "host", "date", "content-type"))


def owner_is_not_actor(peer, url):
    # alice signs with her own valid key, the activity claims to be bob's
    body = body_of(like(peer, "alice", actor_user="bob"))
    return body, peer.sign("alice", "POST", url, body)


def key_of_someone_else(peer, url):
    # keyId says bob, the signature is made with alice's key
    body = body_of(like(peer, "bob"))
    return body, peer.sign("bob", "POST", url, body, key_user="alice")


def replay_other_host(peer, url):
    # captured from a delivery to city-b and replayed verbatim (Host: city-b.test) to city-a
    body = body_of(like(peer))
    other = url.replace("city-a.test", "city-b.test")
    return body, peer.sign("alice", "POST", other, body)


def replay_other_host_rewritten(peer, url):
    # same capture, but the attacker sends Host: city-a.test (the signature covers city-b)
    body = body_of(like(peer))
    headers = peer.sign("alice", "POST", url.replace("city-a.test", "city-b.test"), body)
    return body, {**headers, "Host": "city-a.test"}


def replay_other_path(peer, url):
    body = body_of(like(peer))
    other = CITY + ("/inbox" if "/actors/" in url else "/actors/city_a/inbox")
    return body, peer.sign("alice", "POST", other, body, host="city-a.test")


def hmac_algorithm(peer, url):
    body = body_of(like(peer))
    headers = peer.sign("alice", "POST", url, body)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hmac-sha256")
    return body, headers


def garbage_signature_header(peer, url):
    body = body_of(like(peer))
    headers = peer.sign("alice", "POST", url, body)
    headers["Signature"] = 'keyId="http://mastodon.test/users/alice#main-key",signature="%%%"'
    return body, headers


RFC9421_GARBAGE = [
    ("sig1=(", "sig1=:AAAA:"),
    ('sig1=("@method" "@target-uri");created=abc;keyid="x"', "sig1=:////:"),
    ('sig1=("@method" "@authority" "@target-uri" "content-digest");created=1577836800;'
     'keyid="http://mastodon.test/users/alice#main-key"', "sig1=:c2lnbmF0dXJl:"),
    ('sig1=("@method" "@authority" "@target-uri" "content-digest");created=9999999999;'
     'keyid="http://mastodon.test/users/alice#main-key"', "sig1=:c2lnbmF0dXJl:"),
    ('a=("@method");keyid="k", b=("@method");keyid="k"', "a=:AA==:, b=:AA==:"),
    ("\xe9((;;\" nonsense", "nonsense"),
    ('sig1=("@method" "@authority" "@target-uri" "content-digest" "@query-param";name="x");'
     'created=1;keyid="http://mastodon.test/users/alice#main-key"', "sig1=:AA==:"),
]


def rfc9421(i):
    def case(peer, url):
        body = body_of(like(peer))
        headers = peer.sign("alice", "POST", url, body)
        inp, sig = RFC9421_GARBAGE[i]
        return body, {**headers, "Signature-Input": inp, "Signature": sig,
                      "Content-Digest": "sha-256=:nonsense:"}
    case.__name__ = f"rfc9421_garbage_{i}"
    return case


REASONS = {
    "unsigned": "request not signed",
    "tampered_body": "Digest does not match body",
    "wrong_digest": "Digest does not match body",
    "old_date": "Date is too old",
    "future_date": "Date is in the future",
    "host_not_signed": "Host is not signed",
    "digest_not_signed": "Digest is not signed",
    "owner_is_not_actor": "key owner is not the actor",
    "key_of_someone_else": "signature does not verify",
    "replay_other_host": "request is not addressed to this host",
    "replay_other_host_rewritten": "signature does not verify",
    "replay_other_path": "signature does not verify",
    "hmac_algorithm": "unsupported signature algorithm",
    "garbage_signature_header": "malformed Signature header",
    "rfc9421_garbage_0": "malformed Signature-Input/Signature",
    "rfc9421_garbage_1": "@authority is not signed",
    "rfc9421_garbage_2": "created is too old",
    "rfc9421_garbage_3": "created is in the future",
    "rfc9421_garbage_4": "exactly one RFC 9421 signature is supported",
    "rfc9421_garbage_5": "malformed Signature-Input/Signature",
    "rfc9421_garbage_6": "unsupported RFC 9421 component",
}
UNAUTHORIZED = [unsigned, tampered_body, wrong_digest, old_date, future_date, host_not_signed,
                digest_not_signed, owner_is_not_actor, key_of_someone_else, replay_other_host,
                replay_other_host_rewritten, replay_other_path, hmac_algorithm,
                garbage_signature_header, *(rfc9421(i) for i in range(len(RFC9421_GARBAGE)))]


@pytest.mark.parametrize("path", INBOXES)
@pytest.mark.parametrize("case", UNAUTHORIZED, ids=lambda c: c.__name__)
async def test_unauthenticated_requests_get_401_and_store_nothing(city, peer, path, case):
    url = CITY + path
    body, headers = case(peer, url)
    status, answer = await peer.send("POST", url, body, headers)
    assert status == 401, answer
    assert isinstance(answer, dict) and answer["error"] == "invalid_signature"
    assert answer["detail"] == REASONS[case.__name__]
    assert count_items(city) == 0
    await still_serves(peer)


def malformed_json(peer, url):
    return b'{"type": "Create", "actor": ', {}


def json_array(peer, url):
    return body_of([like(peer)]), {}


def missing_actor(peer, url):
    act = like(peer)
    del act["actor"]
    return body_of(act), {}


def actor_not_a_string(peer, url):
    return body_of({**like(peer), "actor": {"id": peer.actor_id("alice")}}), {}


def invalid_utf8(peer, url):
    return b'{"id": "\xff\xfe"}', {}


@pytest.mark.parametrize("path", INBOXES)
@pytest.mark.parametrize("case", [malformed_json, json_array, missing_actor,
                                  actor_not_a_string, invalid_utf8],
                         ids=lambda c: c.__name__)
async def test_malformed_bodies_get_400(city, peer, path, case):
    url = CITY + path
    body, _ = case(peer, url)
    # validly signed over these exact bytes: the 400 is about the body, not the signature
    status, answer = await peer.send("POST", url, body, peer.sign("alice", "POST", url, body))
    assert status == 400, answer
    assert answer["error"] in ("malformed_json", "malformed_activity")
    assert count_items(city) == 0
    assert peer.fetches() == []  # garbage never triggers a key fetch
    await still_serves(peer)


async def test_activity_id_on_foreign_host_is_400_and_does_not_poison_dedupe(city, peer):
    url = f"{CITY}/inbox"
    forged = {**like(peer), "id": "http://city-b.test/activities/1"}
    status, answer = await peer.post("alice", url, forged)
    assert status == 400, answer
    assert count_items(city) == 0


@pytest.mark.parametrize("chunked", [False, True])
async def test_body_over_limit_is_413_json(fediverse, peer, chunked):
    small = await fediverse.add("city-s", max_body_bytes=2048)
    url = "http://city-s.test/inbox"
    body = body_of({**like(peer), "content": "x" * 4096})
    headers = peer.sign("alice", "POST", url, body)

    async def stream():
        yield body[:1000]
        yield body[1000:]

    data = stream() if chunked else body
    async with peer.session.post(url, data=data, headers=headers) as resp:
        assert resp.status == 413
        assert resp.content_type == "application/json"
        assert "error" in await resp.json()
    assert count_items(small) == 0
    assert peer.fetches() == []
    status, _ = await peer.send("GET", "http://city-s.test/healthz", None, {})
    assert status == 200


@pytest.mark.parametrize("path", INBOXES)
async def test_blocked_domain_is_403_without_any_fetch(city, peer, path):
    city.app[STORE].db["domain_blocks"].insert(
        {"domain": "mastodon.test", "reason": "spam", "created_at": iso(datetime.now(UTC))})
    status, answer = await peer.post("alice", CITY + path, like(peer))
    assert status == 403, answer
    assert answer["error"] == "domain_blocked"
    assert peer.fetches() == []
    assert count_items(city) == 0
    await still_serves(peer)


async def test_blocked_parent_domain_blocks_subdomain(fediverse):
    city = await fediverse.add("city-a")
    sub = await FakeMastodon(fediverse.resolver, domain="social.mastodon.test").start()
    try:
        city.app[STORE].db["domain_blocks"].insert(
            {"domain": "mastodon.test", "reason": "", "created_at": iso(datetime.now(UTC))})
        status, _ = await sub.post("alice", f"{CITY}/inbox", like(sub))
        assert status == 403
        assert sub.fetches() == [] and count_items(city) == 0
    finally:
        await sub.close()


@pytest.mark.parametrize("path", INBOXES)
async def test_key_on_blocked_domain_is_403_without_any_fetch(fediverse, city, peer, path):
    """The actor's domain is fine, but the signature names a key on a blocked domain."""
    evil = await FakeMastodon(fediverse.resolver, domain="evil.test").start()
    try:
        city.app[STORE].db["domain_blocks"].insert(
            {"domain": "evil.test", "reason": "", "created_at": iso(datetime.now(UTC))})
        body = body_of(like(peer))
        status, answer = await peer.send("POST", CITY + path, body,
                                         evil.sign("alice", "POST", CITY + path, body))
        assert status == 403, answer
        assert answer["error"] == "domain_blocked"
        assert evil.fetches() == [] and peer.fetches() == []
        assert count_items(city) == 0
    finally:
        await evil.close()


@pytest.mark.parametrize("path", INBOXES)
async def test_delete_of_unknown_actor_by_itself_is_202_without_fetch(city, peer, path):
    status, _ = await peer.post("alice", CITY + path, peer.delete_self("alice"))
    assert status == 202
    assert peer.fetches() == []
    assert count_items(city) == 0


async def test_duplicate_activity_is_202_twice_one_row(city, peer):
    act = like(peer)
    for path in INBOXES:  # same id twice, each validly signed for its target
        status, _ = await peer.post("alice", CITY + path, act)
        assert status == 202
    assert count_items(city) == 1
    assert len(peer.fetches()) == 1  # the key was fetched once and then cached


async def test_unknown_activity_type_is_202_then_ignored(city, peer):
    act = {**like(peer), "type": "QuoteRequest"}
    status, _ = await peer.post("alice", f"{CITY}/inbox", act)
    assert status == 202
    assert await city.app[SERVICES].workers.inbox.tick() == 1
    row = city.app[STORE].one("SELECT type, state FROM inbox_items")
    assert row == {"type": "QuoteRequest", "state": "ignored"}


async def test_key_rotation_refetches_once_and_accepts(city, peer):
    url = f"{CITY}/inbox"
    assert (await peer.post("alice", url, like(peer)))[0] == 202
    assert len(peer.fetches()) == 1
    old_pem = city.app[STORE].scalar(
        "SELECT public_key_pem FROM remote_actors WHERE id = ?", [peer.actor_id("alice")])

    # When alice's key rotates, the cached key no longer verifies
    peer.rotate_key("alice")
    status, _ = await peer.post("alice", url, like(peer))

    # Then the instance re-fetched her actor exactly once and accepted
    assert status == 202
    assert len(peer.fetches()) == 2
    new_pem = city.app[STORE].scalar(
        "SELECT public_key_pem FROM remote_actors WHERE id = ?", [peer.actor_id("alice")])
    assert new_pem != old_pem and new_pem == peer.users["alice"].public_pem
    assert count_items(city) == 2


async def test_signature_by_unpublished_key_refetches_once_then_401(city, peer):
    url = f"{CITY}/inbox"
    assert (await peer.post("alice", url, like(peer)))[0] == 202
    # a forger signs with a key that alice's actor does not publish (bob's)
    status, _ = await peer.post("alice", url, like(peer), key_user="bob")
    assert status == 401
    assert len(peer.fetches()) == 2  # one refresh, no more
    assert count_items(city) == 1


async def test_concurrent_activities_are_all_committed_in_fewer_transactions(city, peer):
    """Group commit over real HTTP: every 202 means a committed row, and a burst shares
    transactions (the first request fetches the key; the rest arrive together)."""
    await peer.post("alice", f"{CITY}/inbox", like(peer))
    acts = [dict(like(peer), id=f"{peer.actor_id('alice')}#likes/burst-{n}") for n in range(30)]
    answers = await asyncio.gather(*(peer.post("alice", f"{CITY}/inbox", a) for a in acts))
    assert [status for status, _ in answers] == [202] * 30
    assert count_items(city) == 31
    commits = city.app[SERVICES].inbox_commit
    assert commits.rows == 31 and commits.commits < 31


async def test_lone_surrogate_escape_is_400_and_does_not_fail_its_neighbours(city, peer):
    """JSON allows "\\ud800"; it decodes to a string SQLite cannot store. Refused up front (400),
    and the honest activities arriving in the same moment are committed."""
    await peer.post("alice", f"{CITY}/inbox", like(peer))
    bad = dict(like(peer), type="Like\ud800")
    good = [dict(like(peer), id=f"{peer.actor_id('alice')}#likes/s-{n}") for n in range(4)]
    answers = await asyncio.gather(*(peer.post("alice", f"{CITY}/inbox", a)
                                     for a in [good[0], good[1], bad, good[2], good[3]]))
    assert [status for status, _ in answers] == [202, 202, 400, 202, 202]
    assert answers[2][1]["error"] == "malformed_json"
    assert count_items(city) == 5
    await still_serves(peer)
