"""A limited domain's public comments wait for an admin's review, over real HTTP: a person on
a fake Mastodon whose domain is limited comments publicly on an opportunity; the comment is
stored held — not on the page, not in the `replies` collection, not listed or counted as an
interaction — and is listed in the admins' review (/verwaltung/inhalte) until the admin
approves it there; then it is shown and counted. The same person's expression of interest
(a direct Note) reaches the organisation as before, and a comment from a domain without a
rule is not held."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import FakeMastodon
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import add_org, publish_opportunity
from tests.integration.test_reports import api
from tests.integration.test_responses_flow import direct_note
from tests.integration.test_web_review import Person
from tests.web_helpers import add_account


@pytest.fixture
async def servers(fediverse):
    limited = await FakeMastodon(fediverse.resolver).start()
    other = await FakeMastodon(fediverse.resolver, domain="other.test", users=("dora",)).start()
    yield limited, other
    for server in (limited, other):
        await server.close()


async def _shown(fediverse, city, path: str) -> tuple[str, int]:
    """The opportunity page and the total of its replies collection."""
    connector = aiohttp.TCPConnector(resolver=fediverse.resolver)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(city.base + path, headers={"Accept": "text/html"}) as resp:
            page = await resp.text()
        async with session.get(f"{city.base}{path}/replies",
                               headers={"Accept": "application/activity+json"}) as resp:
            total = (await resp.json(content_type=None))["totalItems"]
    return page, total


async def test_a_limited_domains_comment_waits_for_the_admins_review(fediverse, servers):
    limited, other = servers
    city = await fediverse.add("city-a", public_replies="show")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    add_account(city.settings, "chef@stadt-a.example", "admin")
    opp = publish_opportunity(city, "tafel", title="Fahrdienst zum Markt")
    opp_url = city.app[URLS].opportunity(opp.id)
    path = urlsplit(opp_url).path
    status, _ = await api(fediverse, "POST", "/api/v1/admin/domains", token,
                          {"domain": "mastodon.test", "policy": "limit",
                           "reason": "Viel Werbung"})
    assert status in (200, 201)

    # Given a public comment and an expression of interest from the limited domain, and a
    # comment from a domain without a rule
    comment = limited.note("alice", "<p>Ich fahre gern mit!</p>", inReplyTo=opp_url)
    dm = direct_note(limited, "bob", city.app[URLS].actor("tafel"), opp_url, "Ich helfe gern")
    kept = other.note("dora", "<p>Ich bin dabei.</p>", inReplyTo=opp_url)
    inbox = "http://city-a.test/inbox"
    assert (await limited.post("alice", inbox, comment))[0] == 202
    assert (await limited.post("bob", inbox, dm))[0] == 202
    assert (await other.post("dora", inbox, kept))[0] == 202
    await drain(city)

    # Then the comment is held: not on the page, not in `replies`, not listed or counted
    page, total = await _shown(fediverse, city, path)
    assert "Ich fahre gern mit!" not in page and "Ich bin dabei." in page and total == 1
    interactions_path = f"/api/v1/opportunities/{opp.id}/interactions"
    _, body = await api(fediverse, "GET", interactions_path, token)
    assert [r["actor"] for r in body["replies"]] == [other.actor_id("dora")]
    assert body["totals"]["replies"] == 1
    # while the expression of interest reached the organisation
    _, listed = await api(fediverse, "GET", "/api/v1/responses", token)
    by_sender = {r["sender"]["id"]: r for r in listed["items"]}
    assert by_sender[limited.actor_id("bob")]["visibility"] == "direct"
    assert by_sender[limited.actor_id("bob")]["messages"][0]["content"].find(
        "Ich helfe gern") >= 0
    assert by_sender[limited.actor_id("alice")]["moderation"] == "held"
    assert by_sender[other.actor_id("dora")]["moderation"] is None
    # an editor (here the organisation's token) cannot approve it: that is the admins' review
    held_id = by_sender[limited.actor_id("alice")]["id"]
    org_token = actor_repo.create_token(store, "tafel")
    status, body = await api(fediverse, "POST", f"/api/v1/responses/{held_id}/approve",
                             org_token)
    assert (status, body["error"]) == (409, "held_for_review")
    assert "nur die Administration" in body["detail"]
    page, total = await _shown(fediverse, city, path)
    assert "Ich fahre gern mit!" not in page and total == 1

    # And it waits in the admins' review until the admin approves it there
    note_id = comment["object"]["id"]
    chef = Person(fediverse, city)
    try:
        await chef.login("chef@stadt-a.example")
        status, review = await chef.get("/verwaltung/inhalte")
        assert status == 200 and note_id in review and "Kommentar" in review
        status, result = await chef.post("/verwaltung/inhalte/entscheiden", {
            "object": note_id, "aktion": "freigeben", "reason": "geprüft"})
        assert status == 200 and f"{note_id} ist freigegeben." in result
        status, review = await chef.get("/verwaltung/inhalte")
        assert note_id not in review
    finally:
        await chef.session.close()
    page, total = await _shown(fediverse, city, path)
    assert "Ich fahre gern mit!" in page and total == 2
    _, body = await api(fediverse, "GET", interactions_path, token)
    assert body["totals"]["replies"] == 2
    actions = [(e["action"], e["target"]) for e in moderation.audit_entries(store)]
    assert ("content.approve", note_id) in actions


async def test_a_held_comment_hidden_in_the_review_never_shows(fediverse, servers, capsys):
    limited, _ = servers
    city = await fediverse.add("city-a", public_replies="show")
    add_org(city, "tafel")
    store = city.app[STORE]
    opp = publish_opportunity(city, "tafel", title="Lesepat:in")
    opp_url = city.app[URLS].opportunity(opp.id)
    moderation.limit_domain(store, "mastodon.test", "Werbung", datetime.now(UTC))
    comment = limited.note("alice", "<p>Werbung!</p>", inReplyTo=opp_url)
    assert (await limited.post("alice", "http://city-a.test/inbox", comment))[0] == 202
    await drain(city)
    note_id = comment["object"]["id"]
    assert [i["id"] for i in moderation.held_content(store)] == [note_id]
    # `mitwirken review list` shows it as a held comment from its domain
    capsys.readouterr()
    assert main(["review", "list", "--data", str(city.settings.data_dir)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("\t")[:4] == [note_id, "held", "comment", "mastodon.test"]
    assert moderation.hide_content(store, note_id, datetime.now(UTC), by="test", reason="Werbung")
    assert moderation.held_content(store) == []
    page, total = await _shown(fediverse, city, urlsplit(opp_url).path)
    assert "Werbung!" not in page and total == 0
