"""Blocking one remote actor or its domain from a report, over real HTTP: a Flag about a
Mastodon user's reply (shaped as Mastodon forwards it to the server of the replied-to post)
becomes a report; `block_actor` removes the user's follow (a `Reject` reaches their inbox),
purges their reply and refuses their next activity with 403 without fetching anything;
`block_domain` sets a block rule with the report's reason. The API lists and lifts actor
blocks, the CLI blocks and unblocks by URL, and every action is in the audit log."""

from __future__ import annotations

import json

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.usecases import actor_blocks, moderation
from tests.fakes.mastodon import FakeMastodon
from tests.fediverse import drain as fa_drain
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import (
    add_org,
    follow,
    found,
    publish_opportunity,
    publish_practice,
    remote_row,
)
from tests.integration.test_reports import api, flag
from tests.integration.test_responses_flow import direct_note


@pytest.fixture
async def mastodon(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


async def _alice_follows_and_replies(city, mastodon) -> tuple[str, str, str]:
    """alice follows tafel and replies publicly to its opportunity: (opportunity id, the
    opportunity's URL, the reply's id)."""
    opp = publish_opportunity(city, "tafel", title="Fahrdienst zum Markt")
    parent = city.app[URLS].opportunity(opp.id)
    tafel = city.app[URLS].actor("tafel")
    assert (await mastodon.post("alice", "http://city-a.test/inbox",
                                mastodon.follow("alice", tafel)))[0] == 202
    reply = mastodon.note("alice", "<p>Kauft alle bei Werbe-Shop!</p>", inReplyTo=parent)
    assert (await mastodon.post("alice", "http://city-a.test/inbox", reply))[0] == 202
    await drain(city)
    alice = mastodon.actor_id("alice")
    assert follows.get_follower(city.app[STORE], "tafel", alice)["state"] == "accepted"
    return opp.id, parent, reply["object"]["id"]


async def _open_report(fediverse, city, mastodon, objects: list[str], token: str) -> int:
    report = flag(mastodon, objects, "Werbung in den Antworten")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202
    await drain(city)
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports?state=open", token)
    assert status == 200
    (item,) = body["items"]
    assert item["objects"] == objects
    return int(item["id"])


async def test_block_actor_from_a_report_rejects_purges_and_refuses(fediverse, mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    opp_id, parent, reply_id = await _alice_follows_and_replies(city, mastodon)
    alice = mastodon.actor_id("alice")
    org_token = actor_repo.create_token(store, "tafel")
    interactions_path = f"/api/v1/opportunities/{opp_id}/interactions"
    status, body = await api(fediverse, "GET", interactions_path, org_token)
    assert [r["id"] for r in body["replies"]] == [reply_id]

    # Given a report about alice and her reply (Mastodon lists the actor first)
    report_id = await _open_report(fediverse, city, mastodon, [alice, reply_id], token)

    # When the admin blocks the reported actor
    mastodon.inbox.clear()
    status, body = await api(fediverse, "POST", f"/api/v1/admin/reports/{report_id}/resolve",
                             token, {"action": "block_actor", "reason": "Werbekonto"})
    assert status == 200, body
    assert (body["state"], body["action"], body["resolution"]) == (
        "resolved", "block_actor", "Werbekonto")
    assert body["blocked"]["actor"] == alice
    assert body["blocked"]["followers"] == 1 and body["blocked"]["interactions"] == 1
    await drain(city)

    # Then alice follows no longer, and her inbox got a signed Reject of her Follow
    assert follows.get_follower(store, "tafel", alice) is None
    (received,) = [r for r in mastodon.inbox if json.loads(r.body)["type"] == "Reject"]
    assert received.verified and received.path == "/users/alice/inbox"
    assert json.loads(received.body)["object"]["actor"] == alice
    # And her reply is gone from the opportunity
    status, body = await api(fediverse, "GET", interactions_path, org_token)
    assert body["replies"] == [] and body["totals"]["replies"] == 0

    # And her next activity is refused with 403, without anything fetched from mastodon.test
    mastodon.requests.clear()
    again = mastodon.note("alice", "<p>Immer noch Werbung</p>", inReplyTo=parent)
    status, _ = await mastodon.post("alice", "http://city-a.test/inbox", again)
    assert status == 403
    assert mastodon.fetches() == []
    assert store.scalar("SELECT count(*) FROM inbox_items WHERE activity_id = ?",
                        [again["id"]]) == 0
    # while bob on the same server still gets through
    hello = mastodon.note("bob", "<p>Gute Idee</p>", inReplyTo=parent)
    assert (await mastodon.post("bob", "http://city-a.test/inbox", hello))[0] == 202

    # And the block is listed, and every action is in the audit log with actor and reason
    status, listing = await api(fediverse, "GET", "/api/v1/admin/actors", token)
    (block,) = listing["items"]
    assert (block["actor"], block["domain"], block["reason"], block["blocked_by"]) == (
        alice, "mastodon.test", "Werbekonto", "token:city_a")
    entries = [(e["actor"], e["action"], e["target"], e["reason"])
               for e in moderation.audit_entries(store)]
    assert ("token:city_a", "actor.block", alice, "Werbekonto") in entries
    assert ("token:city_a", "follower.remove", alice, "Werbekonto") in entries
    assert entries[-1] == ("token:city_a", "report.resolve", str(report_id), "Werbekonto")

    # When the admin lifts the block, alice's activities are accepted again (nothing else
    # comes back by itself)
    status, _ = await api(fediverse, "DELETE", f"/api/v1/admin/actors/{block['id']}?"
                          "reason=geklärt", token)
    assert status == 204
    status, _ = await api(fediverse, "DELETE", f"/api/v1/admin/actors/{block['id']}", token)
    assert status == 404
    later = mastodon.note("alice", "<p>Entschuldigung</p>", inReplyTo=parent)
    assert (await mastodon.post("alice", "http://city-a.test/inbox", later))[0] == 202
    assert follows.get_follower(store, "tafel", alice) is None
    assert moderation.audit_entries(store)[-1]["action"] == "actor.unblock"
    assert moderation.audit_entries(store)[-1]["reason"] == "geklärt"


async def test_block_domain_from_a_report_sets_a_block_rule_with_the_reason(fediverse,
                                                                            mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    _, parent, reply_id = await _alice_follows_and_replies(city, mastodon)
    alice = mastodon.actor_id("alice")
    report_id = await _open_report(fediverse, city, mastodon, [alice, reply_id], token)

    status, body = await api(fediverse, "POST", f"/api/v1/admin/reports/{report_id}/resolve",
                             token, {"action": "block_domain", "reason": "Spam-Server"})
    assert status == 200, body
    assert body["blocked"]["domain"] == "mastodon.test"
    assert body["blocked"]["followers"] == 1

    # The domain is blocked with the report's reason, with everything a block does
    rule = moderation.domain_rule(store, "mastodon.test")
    assert (rule["policy"], rule["reason"]) == ("block", "Spam-Server")
    assert follows.get_follower(store, "tafel", alice) is None
    mastodon.requests.clear()
    hello = mastodon.note("bob", "<p>Hallo</p>", inReplyTo=parent)
    assert (await mastodon.post("bob", "http://city-a.test/inbox", hello))[0] == 403
    assert mastodon.fetches() == []
    actions = [(e["action"], e["target"], e["reason"]) for e in moderation.audit_entries(store)]
    assert ("domain.block", "mastodon.test", "Spam-Server") in actions
    assert actions[-1] == ("report.resolve", str(report_id), "Spam-Server")


async def test_a_local_reported_actor_cannot_be_blocked(fediverse, mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    tafel = city.app[URLS].actor("tafel")
    report_id = await _open_report(fediverse, city, mastodon, [tafel], token)
    for action in ("block_actor", "block_domain"):
        status, body = await api(fediverse, "POST",
                                 f"/api/v1/admin/reports/{report_id}/resolve", token,
                                 {"action": action, "reason": "x"})
        assert status == 422
        assert body["detail"][0]["field"] == "action"
        assert "gehört zu dieser Instanz" in body["detail"][0]["message"]
    assert actor_blocks.list_blocks(store) == [] and moderation.domain_rules(store) == []
    assert moderation.audit_entries(store) == []
    # Nor through the actor API, nor with bad input; nothing is stored
    for bad in ({"actor": tafel}, {"actor": "kein Link"}, {"actor": 5},
                {"actor": "https://x.example/u", "extra": 1}):
        status, body = await api(fediverse, "POST", "/api/v1/admin/actors", token, bad)
        assert status == 422, bad
        assert body["error"] == "validation_failed"
    status, body = await api(fediverse, "POST", "/api/v1/admin/actors", token,
                             {"actor": tafel})
    assert "kann nicht blockiert werden" in body["detail"][0]["message"]
    assert actor_blocks.list_blocks(store) == []
    # The report is still open
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports?state=open", token)
    assert [r["id"] for r in body["items"]] == [report_id]
    # And an organisation's token may not use the actor API
    org_token = actor_repo.create_token(store, "tafel")
    status, _ = await api(fediverse, "GET", "/api/v1/admin/actors", org_token)
    assert status == 403


async def test_blocking_a_followed_city_ends_the_follow_and_purges_its_content(
        fediverse, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "admin")
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)
    prac = publish_practice(b, "city_b", title="Nachbarschaftshilfe im Quartier")
    await fa_drain(a, b)
    practice_url = b.app[URLS].practice(prac.id)
    assert practice_url in found(a, "Quartier")
    city_b = b.app[URLS].actor("city_b")
    data = ["--data", str(a.settings.data_dir)]

    # When A's admin blocks B's city actor from the CLI
    assert main(["block", "actor", city_b, "--reason", "Falschangaben", *data]) == 0
    assert "blockiert" in capsys.readouterr().out
    # Then A follows it no longer and B's practice is gone from A's search and store
    assert follows.list_following(a.app[STORE], "city_a") == []
    assert found(a, "Quartier") == {} and remote_row(a, practice_url) is None
    # And B's next delivery to A is refused with 403
    publish_practice(b, "city_b", title="Noch ein Beitrag aus dem Quartier")
    await fa_drain(a, b)
    rows = b.app[STORE].all("SELECT state, last_status FROM deliveries WHERE inbox = ?",
                            ["http://city-a.test/inbox"])
    assert rows and rows[-1] == {"state": "failed", "last_status": 403}
    assert found(a, "Quartier") == {}

    # A block of one of A's own actors, or a second unblock, is refused
    assert main(["block", "actor", a.app[URLS].actor("city_a"), *data]) == 1
    assert "kann nicht blockiert werden" in capsys.readouterr().err
    assert main(["federation", "show", *data]) == 0
    assert [b_["actor"] for b_ in json.loads(capsys.readouterr().out)["actors"]] == [city_b]
    assert main(["unblock", "actor", city_b, *data]) == 0
    assert "nicht mehr blockiert" in capsys.readouterr().out
    assert main(["unblock", "actor", city_b, *data]) == 1
    assert "war nicht blockiert" in capsys.readouterr().err
    assert [(e["actor"], e["action"], e["reason"])
            for e in moderation.audit_entries(a.app[STORE])][-2:] == [
        ("cli:admin", "actor.block", "Falschangaben"), ("cli:admin", "actor.unblock", "")]


async def test_an_actor_blocked_before_it_ever_wrote_is_refused_without_a_fetch(fediverse,
                                                                                mastodon):
    city = await fediverse.add("city-a")
    token = actor_repo.create_token(city.app[STORE], "city_a")
    bob = mastodon.actor_id("bob")
    status, body = await api(fediverse, "POST", "/api/v1/admin/actors", token,
                             {"actor": bob, "reason": "bekannter Spammer"})
    assert status == 201 and body["removed"]["followers"] == 0
    status, again = await api(fediverse, "GET", f"/api/v1/admin/actors/{body['id']}", token)
    assert status == 200 and again["reason"] == "bekannter Spammer"
    status, _ = await mastodon.post("bob", "http://city-a.test/inbox", mastodon.follow(
        "bob", city.app[URLS].actor("city_a")))
    assert status == 403
    assert mastodon.fetches() == []  # neither the key nor the actor was fetched
    assert city.app[STORE].scalar("SELECT count(*) FROM inbox_items") == 0
    # alice, never blocked, is verified (her key fetched) and accepted
    status, _ = await mastodon.post("alice", "http://city-a.test/inbox", mastodon.follow(
        "alice", city.app[URLS].actor("city_a")))
    assert status == 202 and mastodon.fetches() != []


async def test_a_public_reply_is_reported_to_its_authors_server(fediverse, mastodon):
    """A comment (a public reply to one of ours) is reported to its origin: the Flag from our
    instance actor reaches the author's inbox on the fake Mastodon, signed."""
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    token = actor_repo.create_token(city.app[STORE], "city_a")
    _, _, reply_id = await _alice_follows_and_replies(city, mastodon)
    mastodon.inbox.clear()
    status, body = await api(fediverse, "POST", "/api/v1/admin/reports", token,
                             {"object": reply_id, "comment": "Werbung im Kommentar"})
    assert status == 202, body
    assert body["objects"] == [mastodon.actor_id("alice"), reply_id]
    await drain(city)
    (received,) = [r for r in mastodon.inbox if json.loads(r.body)["type"] == "Flag"]
    sent = json.loads(received.body)
    assert received.verified and received.owner == city.app[URLS].instance_actor
    assert received.path == "/users/alice/inbox"
    assert (sent["actor"], sent["object"], sent["content"]) == (
        city.app[URLS].instance_actor, [mastodon.actor_id("alice"), reply_id],
        "Werbung im Kommentar")


async def test_hide_on_a_report_about_a_reply_hides_the_reply(fediverse, mastodon, capsys,
                                                             monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "admin")
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    opp_id, _, reply_id = await _alice_follows_and_replies(city, mastodon)
    alice = mastodon.actor_id("alice")
    report_id = await _open_report(fediverse, city, mastodon, [alice, reply_id], token)
    data = ["--data", str(city.settings.data_dir)]
    assert main(["report", "resolve", str(report_id), "--action", "hide", "--reason",
                 "bis zur Klärung", *data]) == 0
    capsys.readouterr()
    org_token = actor_repo.create_token(store, "tafel")
    status, body = await api(fediverse, "GET", f"/api/v1/opportunities/{opp_id}/interactions",
                             org_token)
    assert body["replies"] == [] and body["totals"]["replies"] == 0
    assert follows.get_follower(store, "tafel", alice)["state"] == "accepted"  # not blocked
    actions = [(e["actor"], e["action"], e["target"]) for e in moderation.audit_entries(store)]
    assert actions == [("cli:admin", "content.hide", reply_id),
                       ("cli:admin", "report.resolve", str(report_id))]
    # A second report, resolved from the CLI with block_actor
    report_id = await _open_report(fediverse, city, mastodon, [alice], token)
    assert main(["report", "resolve", str(report_id), "--action", "block_actor", "--reason",
                 "Werbekonto", *data]) == 0
    assert actor_blocks.is_blocked(store, alice)
    assert follows.get_follower(store, "tafel", alice) is None


async def test_a_block_cancels_what_waits_for_the_actor_and_removes_its_responses(
        fediverse, mastodon):
    """alice follows and writes directly to tafel; tafel's answer is still queued when she is
    blocked: the answer is never delivered (cancelled), her response leaves the API, and the
    only thing that reaches her inbox is the Reject of her Follow."""
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    org_token = actor_repo.create_token(store, "tafel")
    _, parent, _ = await _alice_follows_and_replies(city, mastodon)
    tafel = city.app[URLS].actor("tafel")
    direct = direct_note(mastodon, "alice", tafel, parent, "Ich möchte mithelfen.")
    assert (await mastodon.post("alice", "http://city-a.test/inbox", direct))[0] == 202
    await drain(city)
    status, body = await api(fediverse, "GET", "/api/v1/responses", org_token)
    (item,) = [i for i in body["items"] if i["visibility"] == "direct"]
    n_responses = len(body["items"])  # the public reply is a comment, too
    status, _ = await api(fediverse, "POST", f"/api/v1/responses/{item['id']}/reply",
                          org_token, {"content": "Danke, wir melden uns."})
    assert status == 201
    mastodon.inbox.clear()

    status, body = await api(fediverse, "POST", "/api/v1/admin/actors", token,
                             {"actor": mastodon.actor_id("alice"), "reason": "Belästigung"})
    assert status == 201
    assert body["removed"]["deliveries"] == 1
    assert body["removed"]["responses"] == n_responses >= 1
    await drain(city)
    types = [json.loads(r.body)["type"] for r in mastodon.inbox]
    assert types == ["Reject"]
    (cancelled,) = store.all("SELECT state, last_error FROM deliveries WHERE inbox = ? AND "
                             "last_error = 'actor blocked'",
                             [f"{mastodon.base}/users/alice/inbox"])
    assert cancelled["state"] == "failed"
    status, body = await api(fediverse, "GET", "/api/v1/responses", org_token)
    assert body["items"] == []
