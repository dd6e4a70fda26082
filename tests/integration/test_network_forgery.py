"""Forgery in the knowledge network: every case is rejected (or answered from the origin) and
nothing forged is stored (security.md, interop.md §7).

C is a real instance that B follows, so everything C sends is correctly signed by C and passes
B's inbox; the knowledge network's rules have to catch it when the item is processed."""

from __future__ import annotations

import json

import pytest

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.federation.signatures import sign_headers
from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from tests.integration.test_network import (
    AS,
    PUBLIC,
    OtherSoftware,
    add_org,
    drain,
    follow,
    found,
    http,
    items,
    publish_opportunity,
    publish_practice,
    remote_row,
)

B_INBOX = "http://city-b.test/inbox"


def snapshot(inst) -> dict:
    """Everything the network keeps, minus inbox bookkeeping."""
    store = inst.app[STORE]
    tables = {t: store.all(f"SELECT * FROM {t} ORDER BY 1")
              for t in ("remote_objects", "search_items", "tombstones", "adoptions")}
    tables["search_text"] = store.all(
        "SELECT rowid, title, body FROM search_text ORDER BY rowid")
    return tables


@pytest.fixture
async def world(fediverse):
    """A (with an organisation) and C publish; B follows both cities and has stored it all."""
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    add_org(a, "tafel")
    add_org(c, "verein")
    await follow(b, a, None, c)
    await follow(b, c, None, a)
    practice = publish_practice(a, "city_a", title="Ehrenamtsbörse im Rathausfoyer")
    opp = publish_opportunity(a, "tafel", title="Helfer:innen für die Weihnachtsaktion")
    own = publish_practice(c, "city_c", title="Nachbarschaftshilfe per Telefonkette")
    await drain(a, b, c)
    w = World(a, b, c, a.app[URLS].practice(practice.id), a.app[URLS].opportunity(opp.id),
              c.app[URLS].practice(own.id))
    for iri in (w.practice, w.opp, w.own):
        assert remote_row(b, iri) is not None
    return w


class World:
    def __init__(self, a, b, c, practice: str, opp: str, own: str) -> None:
        self.a, self.b, self.c = a, b, c
        self.practice, self.opp, self.own = practice, opp, own

    def doc(self, iri: str) -> dict:
        """The object as A serves it (what an attacker would start from)."""
        inst = self.a if iri.startswith(self.a.base) else self.c
        kind, object_id = ("practices" if "/praxis/" in iri else "opportunities",
                           iri.rsplit("/", 1)[1])
        svc = inst.app[SERVICES].content
        return svc.to_ap(svc.get(kind, object_id))

    async def send_from_c(self, activity: dict, username: str = "city_c") -> None:
        """Queue `activity` in C's outbox to B's shared inbox; C's worker signs and sends it."""
        c = self.c
        publish(c.app[STORE], username, activity, c.app[CLOCK](), to_followers=False,
                extra_inboxes=[B_INBOX], public=False)
        await drain(self.a, self.b, self.c)
        delivered = c.app[STORE].one("SELECT state, last_status FROM deliveries WHERE "
                                     "activity_id = ?", [activity["id"]])
        assert delivered == {"state": "done", "last_status": 202}  # signature was fine

    def outcome(self, activity: dict) -> tuple[str, str | None]:
        row = self.b.app[STORE].one("SELECT state, error FROM inbox_items WHERE activity_id = ?",
                                    [activity["id"]])
        return row["state"], row["error"]


def c_activity(w: World, build, *args, username: str = "city_c") -> dict:
    return build(w.c.app[URLS], username, *args, w.c.app[CLOCK]())


async def test_update_of_a_article_by_c_is_rejected(world, fediverse):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.practice), "name": "GEFÄLSCHT", "summary": "Gefälschter Text"}
    update = c_activity(w, activities.update, forged)
    await w.send_from_c(update)
    assert w.outcome(update) == ("rejected", "Update by someone other than the stored owner")
    assert snapshot(w.b) == before
    assert found(w.b, "gefälscht") == {}
    # and B's administrator sees why (docs/NETWORK.md "What is refused")
    token = actor_repo.create_token(w.b.app[STORE], "city_b", "admin")
    async with http(fediverse) as session, session.get(
            "http://city-b.test/api/v1/admin/inbox",
            headers={"Authorization": f"Bearer {token}"}) as resp:
        listed = {i["activity_id"]: i for i in (await resp.json())["items"]}
    assert listed[update["id"]]["state"] == "rejected"
    assert listed[update["id"]]["error"] == "Update by someone other than the stored owner"
    assert listed[update["id"]]["object_id"] == w.practice


async def test_update_of_a_note_by_c_is_rejected(world):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.opp), "content": "<p>GEFÄLSCHT</p>", "name": "GEFÄLSCHT"}
    update = c_activity(w, activities.update, forged)
    await w.send_from_c(update)
    assert w.outcome(update) == ("rejected", "object on another host than its actor")
    assert snapshot(w.b) == before


async def test_update_of_unknown_a_object_by_c_is_rejected(world):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.practice), "id": w.a.app[URLS].practice("nochnichtda"),
              "attributedTo": w.c.app[URLS].actor("city_c")}
    update = c_activity(w, activities.update, forged)
    await w.send_from_c(update)
    assert w.outcome(update) == ("rejected", "object on another host than its actor")
    assert snapshot(w.b) == before


async def test_update_of_c_city_object_by_another_c_actor_is_rejected(world):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.own), "name": "GEFÄLSCHT", "attributedTo": w.c.app[URLS].actor("verein")}
    update = c_activity(w, activities.update, forged, username="verein")
    await w.send_from_c(update, "verein")
    assert w.outcome(update) == ("rejected", "Update by someone other than the stored owner")
    assert snapshot(w.b) == before


async def test_update_signed_by_c_claiming_a_as_actor_is_401(world, fediverse):
    w = world
    before, inbox_before = snapshot(w.b), len(items(w.b))
    forged = {**w.doc(w.practice), "name": "GEFÄLSCHT"}
    update = activities.update(w.a.app[URLS], "city_a", forged, w.c.app[CLOCK]())
    body = json.dumps(update).encode()
    c_city = actor_repo.get_actor(w.c.app[STORE], "city_c")
    headers = sign_headers("POST", B_INBOX, key_id=w.c.app[URLS].key_id("city_c"),
                           private_key_pem=c_city.private_key_pem, body=body)
    async with http(fediverse) as session, session.post(B_INBOX, data=body,
                                                         headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json())["detail"] == "key owner is not the actor"
    assert snapshot(w.b) == before and len(items(w.b)) == inbox_before


async def test_announce_with_embedded_forged_object_stores_the_origin_version(world):
    w = world
    before = snapshot(w.b)
    real = w.doc(w.practice)
    forged = {**real, "name": "GEFÄLSCHT", "summary": "Gefälschter Text",
              "content": "<p>Gefälscht</p>"}
    announce = c_activity(w, activities.announce, w.practice, w.a.app[URLS].actor("city_a"))
    announce["object"] = forged
    await w.send_from_c(announce)
    # B fetched the practice from A: the stored content is A's, only `shared_by` is new
    assert w.outcome(announce) == ("processed", None)
    row = remote_row(w.b, w.practice)
    assert json.loads(row["data"])["title"] == real["name"]
    assert json.loads(row["raw"])["name"] == real["name"]
    assert row["shared_by"] == w.c.app[URLS].actor("city_c")
    assert found(w.b, "gefälscht") == {}
    after = snapshot(w.b)  # re-indexed (new rowid), same text
    assert sorted((r["title"], r["body"]) for r in after["search_text"]) == \
        sorted((r["title"], r["body"]) for r in before["search_text"])
    assert [r["data"] for r in after["remote_objects"]] == \
        [r["data"] for r in before["remote_objects"]]


async def test_announce_wrapping_a_forged_create_stores_the_origin_version(world):
    w = world
    real = w.doc(w.practice)
    create = activities.create(w.a.app[URLS], "city_a", {**real, "name": "GEFÄLSCHT"},
                               w.a.app[CLOCK]())
    announce = c_activity(w, activities.announce, w.practice, w.a.app[URLS].actor("city_a"))
    announce["object"] = create  # FEP-1b12 style wrapping
    await w.send_from_c(announce)
    assert w.outcome(announce) == ("processed", None)
    assert json.loads(remote_row(w.b, w.practice)["data"])["title"] == real["name"]


async def test_announce_of_object_missing_at_origin_stores_nothing(world):
    w = world
    before = snapshot(w.b)
    missing = w.a.app[URLS].practice("gibtesnicht")
    announce = c_activity(w, activities.announce, missing, w.a.app[URLS].actor("city_a"))
    announce["object"] = {**w.doc(w.practice), "id": missing, "name": "GEFÄLSCHT"}
    await w.send_from_c(announce)
    assert w.outcome(announce) == ("ignored", None)
    assert snapshot(w.b) == before


async def test_create_of_object_on_a_host_by_c_is_rejected(world):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.practice), "id": w.a.app[URLS].practice("untergeschoben"),
              "attributedTo": w.c.app[URLS].actor("city_c"), "name": "GEFÄLSCHT"}
    create = c_activity(w, activities.create, forged)
    await w.send_from_c(create)
    assert w.outcome(create) == ("rejected", "object on another host than its actor")
    assert snapshot(w.b) == before


async def test_create_attributed_to_a_by_c_is_rejected(world):
    w = world
    before = snapshot(w.b)
    forged = {**w.doc(w.own), "id": w.c.app[URLS].practice("untergeschoben"),
              "attributedTo": w.a.app[URLS].actor("city_a"), "name": "GEFÄLSCHT"}
    create = c_activity(w, activities.create, forged)
    await w.send_from_c(create)
    assert w.outcome(create) == ("rejected", "attributedTo is not the actor")
    assert snapshot(w.b) == before


async def test_delete_of_a_object_by_c_is_rejected(world):
    w = world
    before = snapshot(w.b)
    for iri, former in ((w.practice, "Article"), (w.opp, "Note")):
        delete = c_activity(w, activities.delete, iri, former)
        await w.send_from_c(delete)
        assert w.outcome(delete) == ("rejected", "Delete of an object on another host")
    assert snapshot(w.b) == before
    assert w.b.app[STORE].scalar("SELECT count(*) FROM tombstones") == 0


async def test_delete_of_c_city_object_by_another_c_actor_is_rejected(world):
    w = world
    before = snapshot(w.b)
    delete = c_activity(w, activities.delete, w.own, "Article", username="verein")
    await w.send_from_c(delete, "verein")
    assert w.outcome(delete) == ("rejected", "Delete by someone other than the stored owner")
    assert snapshot(w.b) == before


async def test_content_from_an_actor_nobody_follows_is_ignored(world):
    w = world
    before = snapshot(w.b)
    doc = {"id": w.c.app[URLS].practice("unaufgefordert"), "type": "Article",
           "attributedTo": w.c.app[URLS].actor("verein"), "name": "Werbung",
           "summary": "Unaufgefordert", "content": "<p>Unaufgefordert</p>", "to": [PUBLIC]}
    create = c_activity(w, activities.create, doc, username="verein")
    await w.send_from_c(create, "verein")
    announce = c_activity(w, activities.announce, w.practice, None, username="verein")
    await w.send_from_c(announce, "verein")
    assert w.outcome(create) == ("ignored", None)
    assert w.outcome(announce) == ("ignored", None)
    assert snapshot(w.b) == before


@pytest.fixture
async def other(fediverse):
    peer = await OtherSoftware(fediverse.resolver).start()
    yield peer
    await peer.close()


async def test_announced_object_whose_author_is_on_another_host_is_rejected(fediverse, other):
    """A followed peer serves an object on its own host that claims a city of A as author."""
    b = await fediverse.add("city-b")
    await follow(b, other, "@bob@other.test")
    follow_activity = next(x for x in other.inbox if x["type"] == "Follow")
    assert await other.post(B_INBOX, {"@context": AS, "id": f"{other.base}/accepts/1",
                                      "type": "Accept", "actor": other.actor,
                                      "object": follow_activity}) == 202
    await drain(b)
    before = snapshot(b)
    iri = f"{other.base}/objects/9"
    other.objects[iri] = {"id": iri, "type": "Article", "name": "GEFÄLSCHT",
                          "summary": "x", "content": "<p>x</p>",
                          "attributedTo": "http://city-a.test/actors/city_a"}
    boost = {"@context": AS, "id": f"{other.base}/boosts/9", "type": "Announce",
             "actor": other.actor, "to": [PUBLIC], "object": iri}
    assert await other.post(B_INBOX, boost) == 202
    await drain(b)
    row = b.app[STORE].one("SELECT state, error FROM inbox_items WHERE activity_id = ?",
                           [boost["id"]])
    assert row == {"state": "rejected", "error": "announced object has no author on its own host"}
    assert snapshot(b) == before
