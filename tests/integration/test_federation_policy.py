"""Federation policy over real HTTP: three Mitwirken instances on loopback (tests/fediverse.py).

A is the admin's instance. B and C follow A's city and A's city follows both. When A switches
to allow-list mode, neither may reach it nor be reached: their inbox posts get 403, A fetches
nothing from them, A's deliveries to them are held. Allowing B lets both directions through
(held deliveries go out); switching back to open mode restores C. The admin acts through the
`mitwirken` CLI, as in production, on the running instance's data folder."""

from __future__ import annotations

import json

import pytest

from mitwirken.federation.fetch import FetchError
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.cli import main
from mitwirken.server.usecases import follows as social
from mitwirken.server.usecases import moderation
from tests.fediverse import drain
from tests.integration.test_network import follow, found, http, publish_practice, served

__all__ = ["served"]  # the fixture, imported for this module's tests

PEERS = ("city-b.test", "city-c.test")


def admin(inst, *argv: str) -> int:
    return main([*argv, "--data", str(inst.settings.data_dir)])


def last_delivery_to(inst, domain: str) -> dict:
    return inst.app[STORE].one("SELECT state, last_status FROM deliveries WHERE domain = ? "
                               "ORDER BY id DESC LIMIT 1", [domain])


def requests_by_a(served, domain: str) -> list[tuple[str, str, str]]:
    """What `domain` served since the last `served.clear()`: only A talks to B and C here."""
    return list(served[domain])


@pytest.fixture
async def trio(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    for follower, target in ((b, a), (c, a), (a, b), (a, c)):
        await follow(follower, target, None, *(i for i in (a, b, c)
                                               if i not in (follower, target)))
    return a, b, c


async def test_allowlist_refuses_unlisted_instances_until_allowed(trio, fediverse, served,
                                                                  capsys):
    a, b, c = trio
    # When A's admin switches to allow-list mode
    assert admin(a, "federation", "mode", "allowlist", "--reason", "Nur Engagierte Städte") == 0
    assert "nur noch mit erlaubten Domains" in capsys.readouterr().out
    served.clear()

    # And everyone publishes
    publish_practice(b, "city_b", title="Repair-Café in Stadt B")
    publish_practice(c, "city_c", title="Repair-Café in Stadt C")
    publish_practice(a, "city_a", title="Lesepaten in Stadt A")
    await drain(a, b, c)

    # Then B's and C's deliveries to A were refused with 403, and nothing of theirs is stored
    assert last_delivery_to(b, "city-a.test") == {"state": "failed", "last_status": 403}
    assert last_delivery_to(c, "city-a.test") == {"state": "failed", "last_status": 403}
    assert found(a, "Repair") == {}
    # And A fetched nothing from them (not even their keys), and delivered nothing to them
    assert requests_by_a(served, "city-b.test") == []
    assert requests_by_a(served, "city-c.test") == []
    held = a.app[STORE].all("SELECT domain, state FROM deliveries WHERE state = 'held' "
                            "ORDER BY domain")
    assert [r["domain"] for r in held] == list(PEERS)
    assert found(b, "Lesepaten") == {} and found(c, "Lesepaten") == {}

    # And A's own fetches of them are refused before any connection
    svc = a.app[SERVICES]
    with pytest.raises(FetchError, match="blocked domain"):
        await social.lookup(svc.fetcher, svc.remote_actors, "@city_c@city-c.test")
    assert requests_by_a(served, "city-c.test") == []

    # And an unsigned post naming a C actor gets a 403 with a JSON error, nothing stored
    before = a.app[STORE].scalar("SELECT count(*) FROM inbox_items")
    activity = {"id": "http://city-c.test/activities/x", "type": "Create",
                "actor": "http://city-c.test/actors/city_c", "object": "http://city-c.test/x"}
    async with http(fediverse) as session, session.post(
            "http://city-a.test/inbox", data=json.dumps(activity),
            headers={"Content-Type": "application/activity+json"}) as resp:
        assert resp.status == 403
        assert (await resp.json())["error"] == "domain_blocked"
    assert a.app[STORE].scalar("SELECT count(*) FROM inbox_items") == before

    # When A allows B
    assert admin(a, "allow", "city-b.test", "--reason", "Partnerstadt") == 0
    assert "1 zurückgehaltene Zustellungen" in capsys.readouterr().out
    await drain(a, b, c)
    # Then A's held delivery reached B, C's is still held
    assert list(found(b, "Lesepaten").values()) == ["city-a.test"]
    assert last_delivery_to(a, "city-b.test")["state"] == "done"
    assert last_delivery_to(a, "city-c.test")["state"] == "held"
    assert found(c, "Lesepaten") == {}
    # And B's new posts reach A
    publish_practice(b, "city_b", title="Werkstatt für alle in Stadt B")
    await drain(a, b, c)
    assert list(found(a, "Werkstatt").values()) == ["city-b.test"]
    assert requests_by_a(served, "city-c.test") == []

    # When A goes back to open mode
    assert admin(a, "federation", "mode", "open") == 0
    assert "1 zurückgehaltene Zustellungen" in capsys.readouterr().out
    await drain(a, b, c)
    # Then C gets A's held post, and C's next post reaches A
    assert list(found(c, "Lesepaten").values()) == ["city-a.test"]
    publish_practice(c, "city_c", title="Werkstatt im Quartier C")
    await drain(a, b, c)
    assert set(found(a, "Werkstatt").values()) == {"city-b.test", "city-c.test"}
    assert a.app[STORE].scalar("SELECT count(*) FROM deliveries WHERE state = 'held'") == 0
    # And each step is in A's audit log, with its reason
    assert [(e["action"], e["target"], e["reason"]) for e in
            moderation.audit_entries(a.app[STORE])] == [
        ("federation.mode", "allowlist", "Nur Engagierte Städte"),
        ("domain.allow", "city-b.test", "Partnerstadt"),
        ("federation.mode", "open", "")]


async def test_limited_domain_follows_wait_for_approval_and_content_for_review(
        fediverse, served, capsys):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)  # A's city reads B
    # When A limits B's domain
    assert admin(a, "limit", "city-b.test", "--reason", "Viel Werbung") == 0
    capsys.readouterr()

    # Then B's follow of A's city waits for approval (no Accept sent)
    remote_a = await follow(b, a)
    assert follows_state(a, "city_a", "http://city-b.test/actors/city_b") == "pending"
    assert b.app[STORE].one("SELECT state FROM following WHERE actor = ?",
                            [remote_a])["state"] == "requested"
    # And A's admin approves it: B gets the Accept
    assert admin(a, "approve", "http://city-b.test/actors/city_b") == 0
    await drain(a, b)
    assert follows_state(a, "city_a", "http://city-b.test/actors/city_b") == "accepted"
    assert [(e["action"], e["target"]) for e in moderation.audit_entries(a.app[STORE])][-1] \
        == ("follow.approve", "http://city-b.test/actors/city_b")
    assert b.app[STORE].one("SELECT state FROM following WHERE actor = ?",
                            [remote_a])["state"] == "accepted"

    # When B publishes, A stores it but holds it for review: not in search, not on /suche
    prac = publish_practice(b, "city_b", title="Nachbarschaftshilfe im Quartier B")
    await drain(a, b)
    object_iri = b.app[SERVICES].urls.practice(prac.id)
    assert a.app[STORE].one("SELECT review FROM remote_objects WHERE id = ?",
                            [object_iri]) == {"review": "held"}
    assert found(a, "Nachbarschaftshilfe") == {}
    async with http(fediverse) as session, session.get(
            "http://city-a.test/suche?q=Nachbarschaftshilfe") as resp:
        assert resp.status == 200 and "Quartier B" not in await resp.text()
    assert admin(a, "review", "list") == 0
    assert object_iri in capsys.readouterr().out

    # When A's admin approves it, it is searchable
    assert admin(a, "review", "approve", object_iri, "--reason", "geprüft") == 0
    assert list(found(a, "Nachbarschaftshilfe")) == [object_iri]
    async with http(fediverse) as session, session.get(
            "http://city-a.test/suche?q=Nachbarschaftshilfe") as resp:
        assert "Quartier B" in await resp.text()
    assert admin(a, "review", "approve", object_iri) == 1  # nothing held any more
    assert "Kein zurückgehaltener oder ausgeblendeter Inhalt" in capsys.readouterr().err

    # And a domain that is not limited is not held
    c = await fediverse.add("city-c")
    await follow(a, c, None, b)
    prac_c = publish_practice(c, "city_c", title="Nachbarschaftshilfe in Stadt C")
    await drain(a, b, c)
    assert c.app[SERVICES].urls.practice(prac_c.id) in found(a, "Nachbarschaftshilfe")


def follows_state(inst, username: str, actor: str) -> str | None:
    row = inst.app[STORE].one("SELECT state FROM followers WHERE username = ? AND actor = ?",
                              [username, actor])
    return row["state"] if row else None


async def test_an_allowed_peer_sharing_a_refused_domains_post_is_dropped_unfetched(
        fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    await follow(a, b, None, c)
    await follow(b, c, None, a)
    prac_c = publish_practice(c, "city_c", title="Tauschbörse in Stadt C")
    await drain(a, b, c)
    object_iri = c.app[SERVICES].urls.practice(prac_c.id)
    assert object_iri in found(b, "Tauschbörse")
    assert admin(a, "allow", "city-b.test") == 0
    assert admin(a, "federation", "mode", "allowlist") == 0
    served.clear()

    # When B's city shares C's practice with its followers (A among them)
    b.app[SERVICES].content.share("city_b", object_iri)
    await drain(a, b, c)
    # Then A took B's Announce but dropped it, without fetching anything from C
    (announce,) = [r for r in a.app[STORE].all("SELECT type, state FROM inbox_items")
                   if r["type"] == "Announce"]
    assert announce["state"] == "ignored"
    assert [r for r in served["city-c.test"] if r[2] == "city-a.test"] == []
    assert found(a, "Tauschbörse") == {}


async def test_a_removed_follower_gets_reject_and_no_more_deliveries(fediverse, capsys):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    remote_a = await follow(b, a)
    follower = "http://city-b.test/actors/city_b"
    assert follows_state(a, "city_a", follower) == "accepted"
    assert admin(a, "remove-follower", follower, "--reason", "Spam") == 0
    await drain(a, b)
    # B was told: its follow is rejected
    assert b.app[STORE].one("SELECT state FROM following WHERE actor = ?",
                            [remote_a])["state"] == "rejected"
    assert follows_state(a, "city_a", follower) is None
    # And A's next post does not reach B
    publish_practice(a, "city_a", title="Nachricht nach dem Entfernen")
    await drain(a, b)
    assert found(b, "Entfernen") == {}
    assert a.app[STORE].scalar("SELECT count(*) FROM deliveries WHERE domain = 'city-b.test' "
                               "AND body LIKE '%Entfernen%'") == 0
    assert admin(a, "remove-follower", follower) == 1
    assert "folgt @city_a nicht" in capsys.readouterr().err
    (entry,) = moderation.audit_entries(a.app[STORE])
    assert (entry["action"], entry["target"], entry["reason"]) == (
        "follower.remove", follower, "Spam")


async def test_a_pending_follow_rejected_sends_reject(fediverse):
    a = await fediverse.add("city-a", approve_followers_manually=True)
    b = await fediverse.add("city-b")
    remote_a = await follow(b, a)
    follower = "http://city-b.test/actors/city_b"
    assert follows_state(a, "city_a", follower) == "pending"
    assert admin(a, "reject", follower) == 0
    await drain(a, b)
    assert b.app[STORE].one("SELECT state FROM following WHERE actor = ?",
                            [remote_a])["state"] == "rejected"
    assert follows_state(a, "city_a", follower) is None
    assert [e["action"] for e in moderation.audit_entries(a.app[STORE])] == ["follow.reject"]


async def test_hidden_remote_content_leaves_search_at_once_and_stays_hidden(fediverse,
                                                                            capsys):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)
    prac = publish_practice(b, "city_b", title="Kleiderkammer im Gemeindehaus")
    await drain(a, b)
    object_iri = b.app[SERVICES].urls.practice(prac.id)
    assert object_iri in found(a, "Kleiderkammer")

    # When A's admin hides it, it leaves the search and the search page at once
    assert admin(a, "review", "hide", object_iri, "--reason", "irreführend") == 0
    assert found(a, "Kleiderkammer") == {}
    async with http(fediverse) as session, session.get(
            "http://city-a.test/suche?q=Kleiderkammer") as resp:
        assert "Gemeindehaus" not in await resp.text()
    # And stays hidden when B edits it
    b.app[SERVICES].content.update("practices", prac.id,
                                   {"title": "Kleiderkammer im Gemeindehaus (neu)"})
    await drain(a, b)
    assert found(a, "Kleiderkammer") == {}
    assert admin(a, "review", "list") == 0
    assert f"{object_iri}\thidden" in capsys.readouterr().out

    # Approving shows it again (in its edited form)
    assert admin(a, "review", "approve", object_iri) == 0
    assert list(found(a, "neu")) == [object_iri]

    # Removing deletes it for good: B's next edit does not bring it back
    assert admin(a, "review", "remove", object_iri, "--reason", "Spam") == 0
    assert found(a, "Kleiderkammer") == {}
    b.app[SERVICES].content.update("practices", prac.id, {"title": "Kleiderkammer wieder da"})
    await drain(a, b)
    assert found(a, "Kleiderkammer") == {}
    assert a.app[STORE].one("SELECT 1 FROM remote_objects WHERE id = ?", [object_iri]) is None
    assert admin(a, "review", "hide", object_iri) == 1
    assert [e["action"] for e in moderation.audit_entries(a.app[STORE])] == [
        "content.hide", "content.approve", "content.remove"]


async def test_an_admins_unfollow_is_audited(fediverse):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    remote_b = await follow(a, b)
    assert admin(a, "unfollow", "@city_b@city-b.test") == 0
    await drain(a, b)
    assert follows_state(b, "city_b", "http://city-a.test/actors/city_a") is None
    assert [(e["action"], e["target"]) for e in moderation.audit_entries(a.app[STORE])] == [
        ("unfollow", remote_b)]
