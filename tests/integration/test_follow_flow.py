"""Two real instances on loopback: B's city follows A's organisation, A publishes, B unfollows."""

from __future__ import annotations

import json

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases.instance import make_actor
from tests.fediverse import drain


def add_org(inst, username="tafel"):
    actor_repo.create_actor(inst.app[STORE], make_actor(username, "org", f"Org {username}",
                                                        sector="civil-society"))


def inbox_items(inst):
    return inst.app[STORE].all("SELECT type, actor, state, body FROM inbox_items ORDER BY id")


async def test_city_follows_org_receives_create_update_delete_then_unfollows(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    add_org(a)
    svc_b = b.app[SERVICES]

    # Given B's city follows A's organisation by handle
    remote = await social.lookup(svc_b.fetcher, svc_b.remote_actors, "@tafel@city-a.test")
    assert remote.id == "http://city-a.test/actors/tafel"
    assert remote.shared_inbox == "http://city-a.test/inbox"
    social.follow(b.app[STORE], b.app[URLS], "city_b", remote, b.app[CLOCK]())
    await drain(a, b)

    # Then A has B's city as an accepted follower and B saw the Accept
    row = follows.get_follower(a.app[STORE], "tafel", "http://city-b.test/actors/city_b")
    assert row["state"] == "accepted"
    assert row["shared_inbox"] == "http://city-b.test/inbox"
    assert follows.get_following(b.app[STORE], "city_b", remote.id)["state"] == "accepted"
    accept = [i for i in inbox_items(b) if i["type"] == "Accept"]
    assert len(accept) == 1 and accept[0]["state"] == "processed"
    assert json.loads(accept[0]["body"])["object"]["type"] == "Follow"

    # When A publishes, updates and deletes an object
    urls_a, store_a, now = a.app[URLS], a.app[STORE], a.app[CLOCK]()
    note = {"id": urls_a.opportunity("x1"), "type": "Note", "content": "<p>Hallo</p>",
            "attributedTo": urls_a.actor("tafel"), "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    for act in (activities.create(urls_a, "tafel", note, now),
                activities.update(urls_a, "tafel", note, now),
                activities.delete(urls_a, "tafel", note["id"], "Note", now)):
        assert publish(store_a, "tafel", act, now) == 1  # one shared inbox at B
    await drain(a, b)

    # Then B's inbox verified and committed all three
    got = [(i["type"], i["actor"]) for i in inbox_items(b) if i["type"] != "Accept"]
    assert got == [("Create", remote.id), ("Update", remote.id), ("Delete", remote.id)]
    assert store_a.scalar("SELECT count(*) FROM deliveries WHERE state != 'done'") == 0

    # When B unfollows
    assert social.unfollow(b.app[STORE], b.app[URLS], "city_b", remote.id, b.app[CLOCK]())
    await drain(a, b)
    assert follows.get_follower(store_a, "tafel", "http://city-b.test/actors/city_b") is None

    # Then nothing more is delivered to B
    later = activities.create(urls_a, "tafel", {**note, "id": urls_a.opportunity("x2")}, now)
    assert publish(store_a, "tafel", later, now) == 0
    await drain(a, b)
    assert [i["type"] for i in inbox_items(b)][-1] == "Delete"


async def test_follow_of_manually_approving_actor_stays_pending(fediverse):
    a = await fediverse.add("city-a", approve_followers_manually=True)
    b = await fediverse.add("city-b")
    svc_b = b.app[SERVICES]
    remote = await social.lookup(svc_b.fetcher, svc_b.remote_actors, "@city_a@city-a.test")
    social.follow(b.app[STORE], b.app[URLS], "city_b", remote, b.app[CLOCK]())
    await drain(a, b)
    assert follows.get_follower(a.app[STORE], "city_a",
                                "http://city-b.test/actors/city_b")["state"] == "pending"
    assert follows.get_following(b.app[STORE], "city_b", remote.id)["state"] == "requested"
    # followers collection counts only accepted followers
    assert follows.follower_inboxes(a.app[STORE], "city_a") == []


async def test_delivery_whose_sender_vanished_fails_instead_of_staying_leased(fediverse):
    from mitwirken.models import deliveries

    a = await fediverse.add("city-a")
    store = a.app[STORE]
    deliveries.enqueue_deliveries(store, "http://city-a.test/activities/x", "ghost", "{}",
                                  ["http://city-b.test/inbox"], a.app[CLOCK]())
    assert await a.app[SERVICES].workers.delivery.tick() == 1
    row = store.one("SELECT state, locked_until, last_error FROM deliveries")
    assert row["state"] == "failed" and row["locked_until"] is None
    assert "LookupError" in row["last_error"]
