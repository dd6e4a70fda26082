"""A Mastodon-shaped follower of an organisation gets a profile change as Mastodon expects it:
a signed `Update` by the actor itself whose object is the whole actor document (id, type,
key, profile fields), addressed to Public — and nothing when nothing changed."""

from __future__ import annotations

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.organisations import Organisations
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


async def test_mastodon_follower_receives_the_actor_update(fediverse, mastodon):
    city = await fediverse.add("city-a")
    store, urls = city.app[STORE], city.app[URLS]
    actor_repo.create_actor(store, make_actor("tafel", "org", "Tafel", sector="civil-society"))
    tafel = urls.actor("tafel")
    status, _ = await mastodon.post("alice", f"{tafel}/inbox", mastodon.follow("alice", tafel))
    assert status == 202
    await drain(city)
    assert [r.activity["type"] for r in mastodon.inbox] == ["Accept"]

    orgs = Organisations(store, urls, city.app[CLOCK])
    orgs.edit("tafel", {"name": "Tafel Musterstadt e. V.", "sector": "civil-society",
                        "summary": "Wir retten Lebensmittel.", "phone": "0123 456"})
    await drain(city)

    updates = [r for r in mastodon.inbox if r.activity["type"] == "Update"]
    assert len(updates) == 1
    got = updates[0]
    assert got.verified, got.reason
    assert got.key_id == f"{tafel}#main-key"
    update = got.activity
    assert update["actor"] == tafel and PUBLIC in update["to"]
    actor = update["object"]
    assert actor["id"] == tafel and actor["type"] == "Organization"
    assert actor["name"] == "Tafel Musterstadt e. V."
    assert actor["summary"] == "<p>Wir retten Lebensmittel.</p>"
    assert actor["publicKey"]["owner"] == tafel and "BEGIN PUBLIC KEY" in (
        actor["publicKey"]["publicKeyPem"])
    assert {"type": "PropertyValue", "name": "Telefon", "value": "0123 456"} in (
        actor["attachment"])

    orgs.edit("tafel", {"name": "Tafel Musterstadt e. V.", "phone": "0123 456"})
    await drain(city)
    assert len([r for r in mastodon.inbox if r.activity["type"] == "Update"]) == 1
