"""`federation.inbox.receive()` called directly, without aiohttp: each POST gets one verdict,
and only an accepted one leaves a row. The network is a fake fetcher that records every fetch
(none of these cases may fetch anything but the actor's key)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bovine.crypto import generate_rsa_public_private_key

from mitwirken.federation.fetch import FetchError
from mitwirken.federation.group_commit import GroupCommit
from mitwirken.federation.inbox import InboxDeps, InboxPost, Outcome, Verdict, receive
from mitwirken.federation.remote import RemoteActors, parse_actor
from mitwirken.federation.signatures import sign_headers
from mitwirken.models import domain_policy
from mitwirken.models.domain_policy import PolicyCache
from mitwirken.models.store import Store

PUB, PRIV = generate_rsa_public_private_key()
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CITY = "https://city.example"
ACTOR = "https://mastodon.example/users/alice"
KEY_ID = ACTOR + "#main-key"


class NoNetwork:
    """A fetcher that fails every fetch and remembers what was asked."""

    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def get_object(self, url: str) -> dict:
        self.fetched.append(url)
        raise FetchError("no network in this test")

    async def get_json(self, url: str) -> tuple[str, dict]:
        self.fetched.append(url)
        raise FetchError("no network in this test")


class Inbox:
    """One instance's inbox, with alice's actor (and key) already cached."""

    def __init__(self, *, cache_alice: bool = True) -> None:
        self.store = Store.memory()
        self.fetcher = NoNetwork()
        self.actors = RemoteActors(self.store, self.fetcher, lambda: NOW)  # type: ignore[arg-type]
        if cache_alice:
            self.actors.save(parse_actor({
                "id": ACTOR, "type": "Person", "inbox": ACTOR + "/inbox",
                "preferredUsername": "alice",
                "publicKey": {"id": KEY_ID, "owner": ACTOR, "publicKeyPem": PUB}}))
        self.deps = InboxDeps(store=self.store, actors=self.actors,
                              our_hosts=frozenset({"city.example"}), scheme="https",
                              max_body_bytes=10_000, clock=lambda: NOW,
                              commit=GroupCommit(self.store), policy=PolicyCache(self.store))

    def rows(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM inbox_items") or 0)

    async def post(self, body: bytes, headers: dict[str, str] | None = None, *,
                   content_length: int | None = None) -> Verdict:
        async def read() -> bytes:
            return body

        return await receive(self.deps, InboxPost(
            method="POST", path_qs="/inbox", headers=headers or {},
            content_length=len(body) if content_length is None else content_length,
            read_body=read, recipient=None))

    async def signed(self, activity: dict) -> Verdict:
        body = json.dumps(activity).encode()
        return await self.post(body, sign_headers("POST", CITY + "/inbox", key_id=KEY_ID,
                                                  private_key_pem=PRIV, body=body, now=NOW))


def like(n: int = 1) -> dict:
    return {"id": f"{ACTOR}#likes/{n}", "type": "Like", "actor": ACTOR,
            "object": f"{CITY}/angebote/x1"}


async def test_valid_signed_activity_is_accepted_and_committed():
    inbox = Inbox()
    assert await inbox.signed(like()) == Verdict(Outcome.ACCEPTED)
    assert inbox.rows() == 1
    assert inbox.fetcher.fetched == []  # the key came from the cache


async def test_same_activity_twice_is_a_duplicate_with_one_row():
    inbox = Inbox()
    assert (await inbox.signed(like())).outcome is Outcome.ACCEPTED
    assert await inbox.signed(like()) == Verdict(Outcome.DUPLICATE)
    assert inbox.rows() == 1


async def test_malformed_json_is_refused_before_anything_else():
    inbox = Inbox()
    assert await inbox.post(b'{"type": "Create", "actor": ') == \
        Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON")
    assert await inbox.post(b'{"id": "\xff\xfe"}') == \
        Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON")
    assert inbox.rows() == 0


async def test_activity_without_storable_id_type_and_actor_is_malformed():
    inbox = Inbox()
    for activity in ([like()], {**like(), "actor": {"id": ACTOR}}, {**like(), "type": None}):
        verdict = await inbox.post(json.dumps(activity).encode())
        assert verdict == Verdict(Outcome.MALFORMED_ACTIVITY,
                                  "an activity needs id, type and actor"), activity
    assert inbox.rows() == 0


async def test_lone_surrogate_anywhere_is_malformed_json():
    """Not only in id/type/actor: a lone surrogate deep in the object is refused by the parser."""
    inbox = Inbox()
    for activity in ({**like(), "type": "Like\ud800"},
                     {**like(), "object": {"id": "x", "content": ["a", {"b": "\udfff"}]}},
                     {**like(), "\ud800": 1}):
        verdict = await inbox.post(json.dumps(activity).encode())
        assert verdict == Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON"), activity
    assert inbox.rows() == 0


async def test_deep_nesting_and_duplicate_keys_are_malformed_json():
    inbox = Inbox()
    deep = json.dumps(like())[:-1] + ', "object": ' + "[" * 2000 + "]" * 2000 + "}"
    dup = json.dumps(like())[:-1] + ', "type": "Follow"}'
    for body in (deep, dup, json.dumps(like())[:-1] + ', "n": NaN}'):
        verdict = await inbox.post(body.encode())
        assert verdict == Verdict(Outcome.MALFORMED_JSON, "body is not UTF-8 JSON"), body[:80]
    assert inbox.rows() == 0


async def test_declared_oversize_body_is_never_read():
    inbox = Inbox()

    async def must_not_read() -> bytes:
        raise AssertionError("the body was read")

    verdict = await receive(inbox.deps, InboxPost(
        method="POST", path_qs="/inbox", headers={}, content_length=10_001,
        read_body=must_not_read, recipient=None))
    assert verdict == Verdict(Outcome.TOO_LARGE, "limit is 10000 bytes")


async def test_blocked_domain_is_refused_without_a_fetch():
    inbox = Inbox(cache_alice=False)
    domain_policy.block(inbox.store, "mastodon.example", "spam", NOW)
    assert await inbox.signed(like()) == Verdict(Outcome.BLOCKED)
    assert inbox.fetcher.fetched == [] and inbox.rows() == 0


async def test_key_on_a_blocked_domain_is_blocked_too():
    inbox = Inbox()
    domain_policy.block(inbox.store, "evil.example", "", NOW)
    body = json.dumps(like()).encode()
    headers = sign_headers("POST", CITY + "/inbox", key_id="https://evil.example/k#main-key",
                           private_key_pem=PRIV, body=body, now=NOW)
    assert await inbox.post(body, headers) == Verdict(Outcome.BLOCKED)
    assert inbox.fetcher.fetched == [] and inbox.rows() == 0


async def test_bad_signature_is_unauthorized_with_its_reason():
    inbox = Inbox()
    body = json.dumps(like()).encode()
    assert await inbox.post(body) == Verdict(Outcome.UNAUTHORIZED, "request not signed")
    signed = sign_headers("POST", CITY + "/inbox", key_id=KEY_ID, private_key_pem=PRIV,
                          body=body, now=NOW)
    tampered = json.dumps({**like(), "object": f"{CITY}/angebote/other"}).encode()
    assert await inbox.post(tampered, signed) == \
        Verdict(Outcome.UNAUTHORIZED, "Digest does not match body")
    assert inbox.rows() == 0


async def test_activity_id_on_another_host_than_its_actor_is_malformed():
    inbox = Inbox()
    verdict = await inbox.signed({**like(), "id": "https://city-b.example/activities/1"})
    assert verdict == Verdict(Outcome.MALFORMED_ACTIVITY,
                              "activity id is on another host than actor")
    assert inbox.rows() == 0


async def test_delete_of_an_uncached_actor_is_ignored_without_fetching_its_key():
    inbox = Inbox(cache_alice=False)
    delete = {"id": f"{ACTOR}#delete", "type": "Delete", "actor": ACTOR, "object": ACTOR}
    assert await inbox.post(json.dumps(delete).encode()) == Verdict(Outcome.IGNORED)
    assert inbox.fetcher.fetched == [] and inbox.rows() == 0


async def test_delete_of_a_cached_actor_is_verified_and_committed():
    inbox = Inbox()
    delete = {"id": f"{ACTOR}#delete", "type": "Delete", "actor": ACTOR, "object": ACTOR}
    assert await inbox.signed(delete) == Verdict(Outcome.ACCEPTED)
    assert inbox.rows() == 1
