"""DSGVO (issue 13): `mitwirken privacy export WHO` prints all that is held about a person,
`mitwirken privacy erase WHO` removes it everywhere — responses, interactions, follows, the
cached actor, the answers we sent them — and an erased follower gets no more deliveries."""

from __future__ import annotations

import json

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import SERVICES, STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import FakeMastodon
from tests.fediverse import drain
from tests.integration.test_network import add_org
from tests.integration.test_responses_flow import direct_note

SECRET = "Kanarienvogelgeheimnis"


@pytest.fixture
async def city_and_volunteer(fediverse):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    masto = await FakeMastodon(fediverse.resolver).start()
    yield city, masto
    await masto.close()


async def test_export_then_erase_everything_of_one_person(city_and_volunteer, capsys):
    city, masto = city_and_volunteer
    store, urls = city.app[STORE], city.app[URLS]
    tafel, alice = urls.actor("tafel"), masto.actor_id("alice")
    content = city.app[SERVICES].content
    opp = content.create("opportunities", "tafel", {
        "title": "Lesepat:in", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    ap_id = content.ap_id(opp)
    await masto.post("alice", f"{tafel}/inbox", masto.follow("alice", tafel))
    await masto.post("alice", f"{city.base}/inbox", {
        "id": f"{alice}#likes/1", "type": "Like", "actor": alice, "object": ap_id})
    await masto.post("alice", f"{city.base}/inbox",
                     direct_note(masto, "alice", tafel, ap_id, SECRET))
    await masto.post("bob", f"{city.base}/inbox", direct_note(masto, "bob", tafel, ap_id,
                                                              "Bob bleibt"))
    await drain(city)
    token = actor_repo.create_token(store, "tafel")
    resp = await city.app[SERVICES].http.get(
        f"{city.base}/api/v1/responses", headers={"Authorization": f"Bearer {token}"})
    items = {i["sender"]["id"]: i for i in (await resp.json())["items"]}
    resp = await city.app[SERVICES].http.post(
        f"{city.base}/api/v1/responses/{items[alice]['id']}/reply",
        headers={"Authorization": f"Bearer {token}"}, json={"content": "Danke, Alice!"})
    assert resp.status == 201
    data = ["--data", str(city.settings.data_dir)]

    assert main(["privacy", "export", "@alice@mastodon.test", *data]) == 0
    [person] = json.loads(capsys.readouterr().out)["people"]
    assert person["actor"] == alice and person["cached_actor"]["id"] == alice
    [response] = person["responses"]
    assert SECRET in response["messages"][0]["content"]
    assert "Danke, Alice!" in response["messages"][1]["content"]
    assert [i["kind"] for i in person["interactions"]] == ["like"]
    assert [f["username"] for f in person["follows"]["followers"]] == ["tafel"]
    assert {a["type"] for a in person["sent_to_them"]} == {"Accept", "Create"}

    assert main(["privacy", "erase", alice, *data]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["actors"] == [alice]
    assert result["removed"] | {"deliveries": 0} == {
        "responses": 1, "interactions": 1, "follows": 1, "cached_actors": 1,
        "sent_activities": 2, "deliveries": 0, "form_responses": 0, "mails": 0}
    for table, column in (("responses", "sender_id"), ("response_messages", "author"),
                          ("interactions", "actor"), ("followers", "actor"),
                          ("remote_actors", "id")):
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", [alice]) == 0
    for table, column in (("outbox", "activity"), ("deliveries", "body"),
                          ("response_messages", "content")):
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?",
                            [f"%{SECRET}%"]) == 0
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?",
                            ["%users/alice%"]) == 0, table
    assert store.scalar("SELECT count(*) FROM responses") == 1  # bob's stays
    # the erasure is in the audit log with who ran it and what went, never whom it was about
    (entry,) = [e for e in moderation.audit_entries(store) if e["action"] == "privacy.erase"]
    assert entry["actor"].startswith("cli") and entry["details"]["responses"] == 1
    assert entry["target"].startswith("sha256:")
    assert store.scalar("SELECT count(*) FROM audit_log WHERE target LIKE ? OR details LIKE ?",
                        ["%alice%", "%alice%"]) == 0

    # an erased follower gets no more deliveries
    content.create("opportunities", "tafel", {
        "title": "Neu", "description": "Noch eins", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    assert store.scalar("SELECT count(*) FROM deliveries WHERE domain = 'mastodon.test' "
                        "AND state = 'pending'") == 0

    assert main(["privacy", "export", alice, *data]) == 0
    assert json.loads(capsys.readouterr().out)["people"][0]["responses"] == []
    assert main(["privacy", "erase", "@niemand@mastodon.test", *data]) == 1
    assert "nichts gespeichert" in capsys.readouterr().err
