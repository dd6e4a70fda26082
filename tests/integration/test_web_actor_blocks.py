"""Actor blocks in the web UI, over real HTTP: a Mastodon report about a user's reply is
resolved with „Konto sperren“ on the report's page (the user's follow goes, its next post is
refused with 403); the federation screen lists the blocked actor and lifts the block, and
blocks another one by URL. An actor of this instance, no URL or an unknown block are 422 with
a German message; staff get 403."""

from __future__ import annotations

import pytest

from mitwirken.models import follows
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import actor_blocks, moderation, reports
from tests.fakes.mastodon import FakeMastodon
from tests.integration.test_actor_blocks import _alice_follows_and_replies
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import add_org
from tests.integration.test_reports import flag
from tests.integration.test_web_review import Person
from tests.web_helpers import add_account

PAGE = "/verwaltung/foederation"


@pytest.fixture
async def mastodon(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


async def test_block_actor_from_the_report_page_and_the_federation_screen(fediverse,
                                                                          mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    _, parent, reply_id = await _alice_follows_and_replies(city, mastodon)
    alice, bob = mastodon.actor_id("alice"), mastodon.actor_id("bob")
    report = flag(mastodon, [alice, reply_id], "Werbung")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202
    await drain(city)
    (item,) = reports.list_reports(store, "open")
    add_account(city.settings, "chef@stadt.example", "admin")
    add_account(city.settings, "staff@stadt.example", "staff")
    chef, staff = Person(fediverse, city), Person(fediverse, city)
    report_page = f"/verwaltung/meldungen/{item['id']}"
    try:
        await chef.login("chef@stadt.example")
        # The report's page names the reported actor and offers the blocks
        status, html = await chef.get(report_page)
        assert status == 200
        assert f'Gemeldetes Konto: <a href="{alice}">' in html
        assert 'value="block_actor"' in html and 'value="block_domain"' in html
        # „Konto sperren“ resolves it
        status, _ = await chef.post(f"{report_page}/erledigen", {
            "action": "block_actor", "reason": "Werbekonto"}, report_page)
        assert status == 303
        assert follows.get_follower(store, "tafel", alice) is None
        again = mastodon.note("alice", "<p>Noch mehr Werbung</p>", inReplyTo=parent)
        assert (await mastodon.post("alice", "http://city-a.test/inbox", again))[0] == 403

        # The federation screen lists the block, with its reason and who set it
        status, html = await chef.get(PAGE)
        assert status == 200 and "Gesperrte Konten" in html
        assert alice in html and "Begründung: Werbekonto" in html
        assert "web:chef@stadt.example" in html

        # Bad input: an actor of this instance, no URL; nothing stored
        for value, message in ((city.app[URLS].actor("tafel"), "kann nicht blockiert werden"),
                               ("", "Bitte die Adresse (URL) des Kontos angeben")):
            status, html = await chef.post(f"{PAGE}/konten", {"actor": value, "reason": "x"},
                                           PAGE)
            assert status == 422 and message in html
        status, html = await chef.post(f"{PAGE}/konten/aufheben", {"id": "999"}, PAGE)
        assert status == 422 and "Diese Sperre gibt es nicht" in html
        assert [b["actor"] for b in actor_blocks.list_blocks(store)] == [alice]

        # Staff may neither block nor lift
        await staff.login("staff@stadt.example")
        status, _ = await staff.get(PAGE)
        assert status == 403
        status, _ = await staff.post(f"{PAGE}/konten", {"actor": bob}, "/verwaltung")
        assert status == 403

        # Blocking bob by URL, and lifting alice's block
        status, _ = await chef.post(f"{PAGE}/konten", {"actor": bob, "reason": "Spam"}, PAGE)
        assert status == 303
        (alice_block,) = [b for b in actor_blocks.list_blocks(store) if b["actor"] == alice]
        status, _ = await chef.post(f"{PAGE}/konten/aufheben", {
            "id": str(alice_block["id"]), "reason": "geklärt"}, PAGE)
        assert status == 303
        status, html = await chef.get(f"{PAGE}?hinweis=aufgehoben")
        assert "Die Sperre des Kontos ist aufgehoben." in html
        assert [b["actor"] for b in actor_blocks.list_blocks(store)] == [bob]
    finally:
        await chef.session.close()
        await staff.session.close()
    later = mastodon.note("alice", "<p>Entschuldigung</p>", inReplyTo=parent)
    assert (await mastodon.post("alice", "http://city-a.test/inbox", later))[0] == 202
    hello = mastodon.note("bob", "<p>Hallo</p>", inReplyTo=parent)
    assert (await mastodon.post("bob", "http://city-a.test/inbox", hello))[0] == 403
    entries = [(e["actor"], e["action"], e["reason"]) for e in moderation.audit_entries(store)]
    assert ("web:chef@stadt.example", "actor.block", "Werbekonto") in entries
    assert ("web:chef@stadt.example", "actor.block", "Spam") in entries
    assert ("web:chef@stadt.example", "actor.unblock", "geklärt") in entries
