# ruff: noqa: F811  (the `world` fixture is imported from test_network_forgery)
"""Findings of the review of the knowledge network, each pinned by a test: script URLs never
pass a same-host check, a same-host actor can neither take over nor pre-delete another actor's
object, and inbox items that hit a remote outage wait before retrying."""

from __future__ import annotations

from datetime import timedelta

from mitwirken.federation import activities
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import host
from mitwirken.models import inbox_items
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from tests.integration.test_network import PUBLIC, drain, follow
from tests.integration.test_network_forgery import World, c_activity, snapshot, world  # noqa: F401


def test_host_is_empty_for_non_http_urls_and_ignores_trailing_dots():
    assert host("javascript://city-c.test/%0aalert(1)//") == ""
    assert host("data:text/html,x") == ""
    assert host("https://Evil.example./actor") == "evil.example"
    assert host("http://city-c.test/x") == "city-c.test"


async def send(w: World, activity: dict, inbox: str, username: str = "city_c") -> None:
    c = w.c
    publish(c.app[STORE], username, activity, c.app[CLOCK](), to_followers=False,
            extra_inboxes=[inbox], public=False)
    await drain(w.a, w.b, w.c)


async def test_script_url_as_adopting_practice_is_rejected_and_never_rendered(world):
    w = world
    practice_id = w.practice.rsplit("/", 1)[1]
    evil = {"id": "javascript://city-c.test/%0aalert(document.domain)//", "type": "Article",
            "name": "x", "attributedTo": w.c.app[URLS].actor("city_c"), "adaptedFrom":
            w.practice, "to": [PUBLIC]}
    create = c_activity(w, activities.create, evil)
    await send(w, create, "http://city-a.test/inbox")
    row = w.a.app[STORE].one("SELECT state, error FROM inbox_items WHERE activity_id = ?",
                             [create["id"]])
    assert row == {"state": "rejected", "error": "object on another host than its actor"}
    assert w.a.app[STORE].scalar("SELECT count(*) FROM adoptions WHERE practice_id = ?",
                                 [practice_id]) == 0


async def test_same_host_actor_cannot_take_over_a_stored_object_by_create(world, fediverse):
    w = world
    await follow(w.b, w.c, "@verein@city-c.test", w.a)
    before = snapshot(w.b)
    forged = {**w.doc(w.own), "name": "GEFÄLSCHT"}
    forged.pop("attributedTo")
    create = c_activity(w, activities.create, forged, username="verein")
    await w.send_from_c(create, "verein")
    assert w.outcome(create) == ("rejected", "object already stored for another actor")
    assert snapshot(w.b) == before


async def test_tombstone_by_another_same_host_actor_does_not_suppress_the_real_object(world):
    w = world
    future = w.c.app[URLS].practice("kommtnoch")
    delete = c_activity(w, activities.delete, future, "Article", username="verein")
    await w.send_from_c(delete, "verein")
    assert w.outcome(delete)[0] == "processed"  # a tombstone, owned by verein
    doc = {**w.doc(w.own), "id": future, "url": future, "name": "Echt"}
    create = c_activity(w, activities.create, doc)
    await w.send_from_c(create)
    assert w.outcome(create)[0] == "processed"
    assert w.b.app[STORE].one("SELECT actor FROM remote_objects WHERE id = ?", [future]) == {
        "actor": w.c.app[URLS].actor("city_c")}


async def test_inbox_item_waits_after_a_remote_outage(world):
    w = world
    store, clock = w.b.app[STORE], w.b.app[CLOCK]
    item = inbox_items.record_inbox_item(store, activity_id="http://city-c.test/activities/z",
                                         origin="city-c.test",
                                         actor="http://city-c.test/actors/x", type_="Follow",
                                         recipient=None, body="{}", now=clock())
    inbox_items.retry_inbox_item(store, item, "ConnectionError", clock())
    worker = w.b.app[SERVICES].workers.inbox
    assert await worker.tick() == 0  # not retried at once
    assert len(inbox_items.claim_inbox_items(store, 10, clock() + timedelta(minutes=1))) == 1
