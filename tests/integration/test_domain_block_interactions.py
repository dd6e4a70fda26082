"""A domain block takes with it what the domain's actors did with our objects, over real
HTTP: people on a fake Mastodon (and on a subdomain of it) comment publicly on an
opportunity, like and boost it and send an expression of interest; the admin blocks the
domain through the admin API; the comment is gone from the opportunity page and its `replies`
collection, the likes and shares are no longer counted, the responses are gone — while an
actor of another domain keeps hers."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import AS, PUBLIC, FakeMastodon
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import add_org, publish_opportunity
from tests.integration.test_reports import api
from tests.integration.test_responses_flow import direct_note


@pytest.fixture
async def servers(fediverse):
    main = await FakeMastodon(fediverse.resolver).start()
    sub = await FakeMastodon(fediverse.resolver, domain="eu.mastodon.test",
                             users=("carla",)).start()
    other = await FakeMastodon(fediverse.resolver, domain="other.test",
                               users=("dora",)).start()
    yield main, sub, other
    for server in (main, sub, other):
        await server.close()


async def _collections(fediverse, city, path: str) -> tuple[str, int, int, int]:
    """The opportunity page and the totals of its replies, likes and shares collections."""
    ap = {"Accept": "application/activity+json"}
    connector = aiohttp.TCPConnector(resolver=fediverse.resolver)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(city.base + path, headers={"Accept": "text/html"}) as resp:
            assert resp.status == 200
            page = await resp.text()
        totals = []
        for what in ("replies", "likes", "shares"):
            async with session.get(f"{city.base}{path}/{what}", headers=ap) as resp:
                assert resp.status == 200
                totals.append((await resp.json(content_type=None))["totalItems"])
    return page, totals[0], totals[1], totals[2]


async def test_a_domain_block_removes_its_comments_likes_boosts_and_responses(fediverse,
                                                                             servers):
    main, sub, other = servers
    city = await fediverse.add("city-a", public_replies="show")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    opp = publish_opportunity(city, "tafel", title="Fahrdienst zum Markt")
    opp_url = city.app[URLS].opportunity(opp.id)
    path = urlsplit(opp_url).path
    inbox = "http://city-a.test/inbox"

    # Given a public comment, a like and a boost from mastodon.test, a comment from its
    # subdomain, a direct expression of interest, and a comment from another domain
    comment = main.note("alice", "<p>Kauft bei Werbe-Shop!</p>", inReplyTo=opp_url)
    alice = main.actor_id("alice")
    like = {"@context": AS, "id": f"{alice}#likes/1", "type": "Like", "actor": alice,
            "object": opp_url}
    boost = {**like, "id": f"{alice}/statuses/9/activity", "type": "Announce", "to": [PUBLIC]}
    dm = direct_note(main, "bob", city.app[URLS].actor("tafel"), opp_url, "Ich helfe gern")
    for activity, user in ((comment, "alice"), (like, "alice"), (boost, "alice"), (dm, "bob")):
        assert (await main.post(user, inbox, activity))[0] == 202
    sub_comment = sub.note("carla", "<p>Noch mehr Werbung</p>", inReplyTo=opp_url)
    assert (await sub.post("carla", inbox, sub_comment))[0] == 202
    kept = other.note("dora", "<p>Ich bin gern dabei.</p>", inReplyTo=opp_url)
    assert (await other.post("dora", inbox, kept))[0] == 202
    await drain(city)
    page, replies, likes, shares = await _collections(fediverse, city, path)
    assert "Kauft bei Werbe-Shop!" in page and "Noch mehr Werbung" in page
    assert (replies, likes, shares) == (3, 1, 1)
    status, listed = await api(fediverse, "GET", "/api/v1/responses", token)
    assert status == 200 and len(listed["items"]) == 4

    # When the admin blocks mastodon.test through the admin API
    status, body = await api(fediverse, "POST", "/api/v1/admin/domains", token,
                             {"domain": "mastodon.test", "policy": "block",
                              "reason": "Spam-Server"})
    assert status in (200, 201), body

    # Then its comments (the subdomain's too), likes, boosts and responses are gone
    page, replies, likes, shares = await _collections(fediverse, city, path)
    assert "Kauft bei Werbe-Shop!" not in page and "Noch mehr Werbung" not in page
    assert (replies, likes, shares) == (1, 0, 0)
    assert "Ich bin gern dabei." in page
    status, listed = await api(fediverse, "GET", "/api/v1/responses", token)
    assert [r["sender"]["id"] for r in listed["items"]] == [other.actor_id("dora")]
    status, body = await api(fediverse, "GET", f"/api/v1/opportunities/{opp.id}/interactions",
                             token)
    assert status == 200
    assert [r["actor"] for r in body["replies"]] == [other.actor_id("dora")]
    # And the audit entry says what went
    (entry,) = [e for e in moderation.audit_entries(store) if e["action"] == "domain.block"]
    assert (entry["details"]["interactions"], entry["details"]["responses"]) == (4, 3)
