"""A Mastodon-shaped peer follows the city and receives what the city publishes.

The fake signs with bovine primitives as Mastodon does and checks our signatures with bovine's
own checker, so these tests exercise our inbox and delivery against an independent
implementation (interop.md §3–5)."""

from __future__ import annotations

import json

import pytest

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import follows
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from tests.fakes.mastodon import PUBLIC, FakeMastodon


@pytest.fixture
async def mastodon(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


async def drain(inst, rounds: int = 5) -> None:
    svc = inst.app[SERVICES]
    for _ in range(rounds):
        if not (await svc.workers.inbox.tick() + await svc.workers.delivery.tick()):
            return


async def test_mastodon_follows_city_gets_accept_then_create(fediverse, mastodon):
    city = await fediverse.add("city-a")
    city_actor = city.app[URLS].actor("city_a")
    alice = mastodon.actor_id("alice")

    # When alice on Mastodon follows the city (signed like Mastodon, to the actor's inbox)
    follow = mastodon.follow("alice", city_actor)
    status, _ = await mastodon.post("alice", f"{city_actor}/inbox", follow)
    assert status == 202
    await drain(city)

    # Then the city recorded her as an accepted follower, shared inbox preferred
    row = follows.get_follower(city.app[STORE], "city_a", alice)
    assert row["state"] == "accepted" and row["follow_id"] == follow["id"]
    assert row["shared_inbox"] == "http://mastodon.test/inbox"

    # And Mastodon received a verified Accept with the Follow embedded verbatim
    assert len(mastodon.inbox) == 1
    got = mastodon.inbox[0]
    assert got.verified, got.reason
    assert got.path == "/users/alice/inbox"
    assert got.headers["content-type"] == "application/activity+json"
    assert got.signed_headers == ["(request-target)", "host", "date", "digest", "content-type"]
    accept = got.activity
    assert accept["type"] == "Accept" and accept["actor"] == city_actor
    assert accept["to"] == [alice]
    assert {k: accept["object"][k] for k in ("id", "type", "actor", "object")} == {
        k: follow[k] for k in ("id", "type", "actor", "object")}

    # When the city publishes a Note
    urls, store, now = city.app[URLS], city.app[STORE], city.app[CLOCK]()
    note = {"id": urls.opportunity("n1"), "type": "Note", "attributedTo": city_actor,
            "content": "<p>Lesepatinnen gesucht</p>", "to": [PUBLIC],
            "cc": [urls.followers("city_a")]}
    create = activities.create(urls, "city_a", note, now)
    assert publish(store, "city_a", create, now) == 1
    await drain(city)

    # Then Mastodon's shared inbox got it, verified, once
    creates = [r for r in mastodon.inbox if (r.activity or {}).get("type") == "Create"]
    assert len(creates) == 1
    assert creates[0].verified, creates[0].reason
    assert creates[0].path == "/inbox"
    assert creates[0].activity["object"]["id"] == note["id"]
    assert creates[0].activity["id"] == create["id"]
    assert store.scalar("SELECT count(*) FROM deliveries WHERE state != 'done'") == 0


async def test_mastodon_undo_follow_removes_follower(fediverse, mastodon):
    city = await fediverse.add("city-a")
    city_actor = city.app[URLS].actor("city_a")
    follow = mastodon.follow("alice", city_actor)
    assert (await mastodon.post("alice", f"{city_actor}/inbox", follow))[0] == 202
    await drain(city)
    assert follows.follower_inboxes(city.app[STORE], "city_a") == ["http://mastodon.test/inbox"]

    status, _ = await mastodon.post("alice", "http://city-a.test/inbox",
                                    mastodon.undo("alice", follow))
    assert status == 202
    await drain(city)
    assert follows.get_follower(city.app[STORE], "city_a", mastodon.actor_id("alice")) is None
    items = city.app[STORE].all("SELECT type, state FROM inbox_items ORDER BY id")
    assert items == [{"type": "Follow", "state": "processed"},
                     {"type": "Undo", "state": "processed"}]


async def test_mastodon_reply_to_city_note_is_recorded(fediverse, mastodon):
    city = await fediverse.add("city-a")
    urls = city.app[URLS]
    parent = urls.opportunity("n1")
    reply = mastodon.note("alice", "<p>Ich mache mit!</p><script>x</script>", inReplyTo=parent)
    status, _ = await mastodon.post("alice", "http://city-a.test/inbox", reply)
    assert status == 202
    await drain(city)
    row = city.app[STORE].one("SELECT kind, object_id, actor, content FROM interactions")
    assert row["kind"] == "reply" and row["object_id"] == parent
    assert row["actor"] == mastodon.actor_id("alice")
    assert "<script>" not in row["content"] and "Ich mache mit!" in row["content"]
    body = json.loads(city.app[STORE].scalar("SELECT body FROM inbox_items"))
    assert body["object"]["inReplyTo"] == parent


async def test_the_fakes_verifier_is_not_a_rubber_stamp(fediverse, mastodon):
    """Guard for the harness: bovine's checker in the fake rejects what it should."""
    from mitwirken.federation.signatures import sign_headers
    from mitwirken.models import actors as actor_repo

    city = await fediverse.add("city-a")
    key = actor_repo.get_actor(city.app[STORE], "city_a").private_key_pem
    key_id = city.app[URLS].key_id("city_a")
    body = json.dumps({"id": "http://city-a.test/activities/1", "type": "Like",
                       "actor": city.app[URLS].actor("city_a"), "object": "x"}).encode()
    url = "http://mastodon.test/inbox"
    good = sign_headers("POST", url, key_id=key_id, private_key_pem=key, body=body)
    assert (await mastodon.send("POST", url, body, good))[0] == 202
    await mastodon.send("POST", url, body.replace(b"Like", b"Lik3"), good)  # tampered body
    other = sign_headers("POST", url, key_id=key_id, private_key_pem=mastodon.users["bob"]
                         .private_pem, body=body)  # signed with a key that is not the city's
    await mastodon.send("POST", url, body, other)
    assert [r.verified for r in mastodon.inbox] == [True, False, False]
