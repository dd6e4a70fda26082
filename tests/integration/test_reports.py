"""Reports over real HTTP: a `Flag` shaped as Mastodon sends it (from its instance actor,
signed like Mastodon, `object` = the reported actor and statuses, `content` = the comment)
becomes an open report; the admin resolves it through the API, which deletes the reported
content everywhere (410, Delete sent) and writes the audit log."""

from __future__ import annotations

import json
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import AS, FakeMastodon
from tests.fediverse import drain as fa_drain
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import (
    add_org,
    follow,
    found,
    get_json,
    get_text,
    http,
    publish_opportunity,
    publish_practice,
    served,
)

__all__ = ["served"]  # the fixture, imported for this module's tests


@pytest.fixture
async def mastodon(fediverse):
    masto = await FakeMastodon(fediverse.resolver).start()
    yield masto
    await masto.close()


METRICS_TOKEN = "metrics-token-0123456789"


async def open_reports_metric(fediverse) -> float:
    async with http(fediverse) as session, session.get(
            "http://city-a.test/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as resp:
        text = await resp.text()
    (value,) = [s.value for f in text_string_to_metric_families(text) for s in f.samples
                if s.name == "mitwirken_reports_open"]
    return value


def flag(mastodon: FakeMastodon, objects: list[str], comment: str) -> dict:
    """Mastodon's ActivityPub::FlagSerializer: the instance actor reports to the target."""
    return {"@context": AS, "id": f"{mastodon.base}/{uuid.uuid4()}", "type": "Flag",
            "actor": mastodon.actor_id("actor"), "content": comment, "object": objects,
            "to": objects[0]}


async def api(fediverse, method: str, path: str, token: str, body: dict | None = None):
    async with http(fediverse) as session, session.request(
            method, f"http://city-a.test{path}", json=body,
            headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_a_mastodon_flag_becomes_a_report_and_remove_deletes_the_content(
        fediverse, mastodon, capsys):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    opp = publish_opportunity(city, "tafel", title="Angebot mit Werbung")
    urls = city.app[URLS]
    tafel, opp_url = urls.actor("tafel"), urls.opportunity(opp.id)
    token = actor_repo.create_token(city.app[STORE], "city_a")

    # When Mastodon's instance actor sends a Flag about tafel and its opportunity
    report = flag(mastodon, [tafel, opp_url], "Spam-Angebot, bitte prüfen")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202  # again
    # and one about nothing of ours
    elsewhere = flag(mastodon, ["http://mastodon.test/users/bob"], "Nicht hier")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", elsewhere))[0] == 202
    await drain(city)

    # Then there is one open report, with the comment and the reported URLs
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports?state=open", token)
    assert status == 200
    (item,) = body["items"]
    assert {k: item[k] for k in ("reporter", "origin", "comment", "objects", "state",
                                 "direction", "activity_id")} == {
        "reporter": "http://mastodon.test/actor", "origin": "mastodon.test",
        "comment": "Spam-Angebot, bitte prüfen", "objects": [tafel, opp_url],
        "state": "open", "direction": "incoming", "activity_id": report["id"]}

    # An action that has no target for our own content changes nothing
    status, body = await api(fediverse, "POST", f"/api/v1/admin/reports/{item['id']}/resolve",
                             token, {"action": "block_domain", "reason": "Spam"})
    assert status == 422 and body["detail"][0]["field"] == "action"
    assert moderation.domain_rules(city.app[STORE]) == []

    # When the admin removes the reported content
    status, body = await api(fediverse, "POST", f"/api/v1/admin/reports/{item['id']}/resolve",
                             token, {"action": "remove", "reason": "Werbung ohne Bezug"})
    assert status == 200
    assert (body["state"], body["action"], body["resolution"], body["resolved_by"]) == (
        "resolved", "remove", "Werbung ohne Bezug", "token:city_a")
    assert body["removed"] == [opp_url]
    # Then the opportunity is gone (410), and its Delete is queued to the followers' inboxes
    async with http(fediverse) as session, session.get(
            opp_url, headers={"Accept": "application/activity+json"}) as resp:
        assert resp.status == 410
    outbox_types = [json.loads(r["activity"])["type"] for r in city.app[STORE].all(
        "SELECT activity FROM outbox WHERE username = 'tafel' ORDER BY seq")]
    assert outbox_types[-1] == "Delete"
    # And it is resolved for good, and in the audit log
    status, _ = await api(fediverse, "POST", f"/api/v1/admin/reports/{item['id']}/resolve",
                          token, {"action": "dismiss"})
    assert status == 404
    (entry,) = moderation.audit_entries(city.app[STORE])
    assert (entry["actor"], entry["action"], entry["target"], entry["reason"]) == (
        "token:city_a", "report.resolve", str(item["id"]), "Werbung ohne Bezug")
    assert entry["details"] == {"action": "remove", "removed": [opp_url], "hidden": []}

    # The CLI shows the same report
    assert main(["report", "list", "--state", "resolved", "--data",
                 str(city.settings.data_dir)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == item["id"]


async def test_hide_pauses_the_reported_opportunity(fediverse, mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    opp = publish_opportunity(city, "tafel", title="Angebot mit Werbung")
    urls = city.app[URLS]
    opp_url = urls.opportunity(opp.id)
    token = actor_repo.create_token(city.app[STORE], "city_a")
    report = flag(mastodon, [urls.actor("tafel"), opp_url], "Bitte ausblenden")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202
    await drain(city)
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports?state=open", token)
    (item,) = body["items"]
    status, body = await api(fediverse, "POST", f"/api/v1/admin/reports/{item['id']}/resolve",
                             token, {"action": "hide", "reason": "bis zur Klärung"})
    assert status == 200 and body["hidden"] == [opp_url] and body["removed"] == []
    # The opportunity is paused: still at its URL, off the list and out of the search
    status, doc = await get_json(fediverse, opp_url, Accept="application/activity+json")
    assert status == 200 and doc["status"] == "paused"
    status, listing = await get_text(fediverse, "http://city-a.test/angebote",
                                     Accept="text/html")
    assert "Angebot mit Werbung" not in listing
    assert found(city, "Werbung") == {}
    outbox_types = [json.loads(r["activity"])["type"] for r in city.app[STORE].all(
        "SELECT activity FROM outbox WHERE username = 'tafel' ORDER BY seq")]
    assert outbox_types[-1] == "Update"  # followers hear of it


async def test_dismissing_from_the_cli(fediverse, mastodon, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "admin")
    city = await fediverse.add("city-a", metrics_token=METRICS_TOKEN)
    data = ["--data", str(city.settings.data_dir)]
    urls = city.app[URLS]
    report = flag(mastodon, [urls.actor("city_a")], "<p>Unhöflich</p>")
    assert (await mastodon.post("actor", "http://city-a.test/inbox", report))[0] == 202
    await drain(city)
    assert main(["report", "list", "--state", "open", *data]) == 0
    item = json.loads(capsys.readouterr().out)
    assert item["comment"] == "Unhöflich"  # HTML reduced to text
    assert await open_reports_metric(fediverse) == 1
    assert main(["report", "resolve", str(item["id"]), "--action", "block_actor", *data]) == 1
    assert "möglich sind »dismiss«, »hide« und »remove«" in capsys.readouterr().err
    assert main(["report", "resolve", str(item["id"]), "--action", "dismiss", "--reason",
                 "kein Verstoß", *data]) == 0
    assert "Meldung" in capsys.readouterr().out
    assert main(["report", "resolve", str(item["id"]), "--action", "dismiss", *data]) == 1
    assert await open_reports_metric(fediverse) == 0
    assert [(e["actor"], e["action"]) for e in moderation.audit_entries(city.app[STORE])] == [
        ("cli:admin", "report.resolve")]


async def test_an_outgoing_report_reaches_the_origin_signed_by_the_instance_actor(fediverse,
                                                                                  served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    await follow(a, b)
    prac = publish_practice(b, "city_b", title="Beitrag mit falschen Angaben")
    await fa_drain(a, b)
    practice_url = b.app[URLS].practice(prac.id)
    assert practice_url in found(a, "Angaben")
    token = actor_repo.create_token(a.app[STORE], "city_a")

    # Bad input and unknown objects send nothing
    status, body = await api(fediverse, "POST", "/api/v1/admin/reports", token,
                             {"object": "kein Link"})
    assert status == 422 and body["detail"][0]["field"] == "object"
    status, body = await api(fediverse, "POST", "/api/v1/admin/reports", token,
                             {"object": "http://city-b.test/praxis/unbekannt"})
    assert status == 404
    assert a.app[STORE].scalar("SELECT count(*) FROM reports") == 0

    # When A's admin reports B's practice
    served.clear()
    status, body = await api(fediverse, "POST", "/api/v1/admin/reports", token,
                             {"object": practice_url, "comment": "Falsche Angaben im Text"})
    assert status == 202
    assert (body["direction"], body["origin"], body["objects"]) == (
        "outgoing", "city-b.test", [b.app[URLS].actor("city_b"), practice_url])
    await fa_drain(a, b)

    # Then B has an open report from A's instance actor, whose key B fetched to verify it
    (report,) = b.app[STORE].all("SELECT reporter, origin, comment, objects, state "
                                 "FROM reports")
    assert report == {"reporter": "http://city-a.test/actor", "origin": "city-a.test",
                      "comment": "Falsche Angaben im Text", "state": "open",
                      "objects": json.dumps([b.app[URLS].actor("city_b"), practice_url])}
    assert ("GET", "/actor", "city-b.test") in served["city-a.test"]
    flag_row = b.app[STORE].one("SELECT type, actor, state FROM inbox_items WHERE type = 'Flag'")
    assert flag_row == {"type": "Flag", "actor": "http://city-a.test/actor",
                        "state": "processed"}
    # And A's audit log names who sent it
    (entry,) = moderation.audit_entries(a.app[STORE])
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "token:city_a", "report.send", practice_url)


async def test_a_hidden_public_reply_is_neither_listed_nor_counted(fediverse, mastodon):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    opp = publish_opportunity(city, "tafel", title="Fahrdienst")
    parent = city.app[URLS].opportunity(opp.id)
    reply = mastodon.note("alice", "<p>Werbung für etwas ganz anderes</p>", inReplyTo=parent)
    assert (await mastodon.post("alice", "http://city-a.test/inbox", reply))[0] == 202
    await drain(city)
    token = actor_repo.create_token(city.app[STORE], "tafel")
    path = f"/api/v1/opportunities/{opp.id}/interactions"
    data = ["--data", str(city.settings.data_dir)]
    reply_id = reply["object"]["id"]

    status, body = await api(fediverse, "GET", path, token)
    assert [r["id"] for r in body["replies"]] == [reply_id] and body["totals"]["replies"] == 1
    assert main(["review", "hide", reply_id, "--reason", "Werbung", *data]) == 0
    status, body = await api(fediverse, "GET", path, token)
    assert body["replies"] == [] and body["totals"]["replies"] == 0
    assert main(["review", "approve", reply_id, *data]) == 0
    status, body = await api(fediverse, "GET", path, token)
    assert body["totals"]["replies"] == 1
    assert main(["review", "remove", reply_id, *data]) == 0
    status, body = await api(fediverse, "GET", path, token)
    assert body["replies"] == [] and body["totals"]["replies"] == 0
    assert city.app[STORE].scalar("SELECT count(*) FROM interactions") == 0
