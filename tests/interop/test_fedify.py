"""Mitwirken against a real Fedify 2.3 peer (peer.mjs), over HTTPS, signatures verified.

Scenarios (docs/INTEROP.md):
  1. WebFinger + actor: Fedify parses the city as an Organization with a usable key
  2. the peer follows the city and an organisation and receives a verified Accept
  3. an opportunity from the editor API arrives as a verified Create(Note) (title, hashtags,
     image as Mastodon shows them)
  4. Update and Delete arrive; the Note then answers 410
  5. reply, like, boost, undo and unfollow from Fedify are verified and recorded by
     Mitwirken (Fedify signs RFC 9421 first, draft-cavage after a 401); unverifiable
     requests are answered 401
  6. Mitwirken looks up and follows the peer (signed GETs) and receives its posts
  7. the peer replies directly to an opportunity; the organisation answers through the API
     and the peer receives the answer, verified, in its thread, addressed to it alone
  8. reports both ways: the peer's Flag becomes a report, Mitwirken's Flag (from its
     instance actor) reaches the peer verified; block_actor on a report about the peer
     sends it a Reject of its follows and refuses its next activity with 403
  9. follow approval: with `approval on` the peer's Follow waits; `reject` sends it a
     verified Reject, `approve` a verified Accept; `remove-follower` sends a Reject and no
     further deliveries; in allow-list mode its activities get 403 and nothing is fetched

The tests share one peer and one Mitwirken per session and run in file order, but each
one sets up what it needs (follows, a published opportunity) if an earlier test did not.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.interop import harness as h

CITY = h.Mitwirken.CITY
ORG = h.Mitwirken.ORG
PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AP_TYPES = ("application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/')
CAVAGE = "draft-cavage-http-signatures-12"
RFC9421 = "rfc9421"
# inbox_items.state in Mitwirken: received (queued) -> processed | ignored | rejected | failed
QUEUED_STATES = ("received",)
HANDLED_STATES = ("processed", "ignored")

TITLE = "Lesepat*innen für die Grundschule am Park gesucht"
DESCRIPTION = (
    "Einmal pro Woche mit Kindern der **2. Klasse** lesen.\n\n"
    "- Ort: Musterstadt-Mitte\n- Zeit: 1–2 Std./Woche"
)
ALT_TEXT = "Zwei Kinder lesen mit einer Ehrenamtlichen ein Bilderbuch"
NEW_TITLE = "Lesepat*innen gesucht – jetzt auch dienstags"


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ref(value: Any) -> str | None:
    """The id of an embedded object, or the reference itself."""
    if isinstance(value, dict):
        return value.get("id")
    return value


def hrefs(value: Any) -> list[str]:
    """URLs of an AS2 `url` value (string, Link or list of them)."""
    out = []
    for item in as_list(value):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.append(item.get("href") or item.get("url"))
    return [u for u in out if u]


def audience(obj: dict) -> set[str]:
    return {ref(v) for v in as_list(obj.get("to")) + as_list(obj.get("cc"))}


def contexts(document: dict) -> list:
    return as_list(document.get("@context"))


def is_ap_content_type(content_type: str | None) -> bool:
    return bool(content_type) and content_type.replace(" ", "").startswith(
        tuple(t.replace(" ", "") for t in AP_TYPES)
    )


def delivered(result: dict) -> dict:
    """The final POST attempt of a control-API send (after any double-knock)."""
    posts = [d for d in result["deliveries"] if d["method"] == "POST"]
    assert posts, f"the peer made no POST for {result['activityId']}"
    final = posts[-1]
    assert 200 <= (final["status"] or 0) < 300, f"delivery not accepted: {posts}"
    return final


def knock_sequence(result: dict) -> list[str]:
    return [f"{d['spec']} -> {d['status']}" for d in result["deliveries"] if d["method"] == "POST"]


def same_host(url: str, base: str) -> bool:
    return urlsplit(url).scheme == "https" and urlsplit(url).netloc == urlsplit(base).netloc


@dataclass
class World:
    peer: h.Peer
    mitwirken: h.Mitwirken
    report: dict
    follows: dict[str, dict] = field(default_factory=dict)  # username -> follow result
    opportunity: dict | None = None  # published in scenario 3, used by scenario 4

    # -- following ------------------------------------------------------------------------

    def follow(self, username: str) -> tuple[dict, dict]:
        """The peer follows `username`; returns (follow result, verified Accept)."""
        m, peer = self.mitwirken, self.peer
        result = peer.follow(m.handle(username))
        follow_id = result["activityId"]
        accept = peer.wait_for_activity(
            lambda a: a["type"] == "Accept" and a["objectId"] == follow_id,
            f"an Accept of Follow {follow_id} (to {m.actor_id(username)})",
        )
        self.follows[username] = result
        return result, accept

    def ensure_following(self, username: str) -> None:
        if username not in self.follows:
            self.follow(username)

    # -- opportunities --------------------------------------------------------------------

    def publish(self, title: str = TITLE) -> dict:
        """Publish an opportunity as the organisation; wait until the peer has the Create."""
        self.ensure_following(ORG)
        m = self.mitwirken
        request = {
            "title": title,
            "description": DESCRIPTION,
            "kind": "regular",
            "contact": {"email": "info@example.org"},
            "cause_areas": ["bildung"],
            "image": {"url": f"{m.base}/static/demo.png", "alt_text": ALT_TEXT},
        }
        created = m.api("POST", "/api/v1/opportunities", request, org=ORG, expect=201)
        assert created.get("id") is not None and created.get("ap_id"), created
        ap_id = created["ap_id"]
        create = self.peer.wait_for_activity(
            lambda a: a["type"] == "Create" and a["objectId"] == ap_id,
            f"a Create for {ap_id}",
        )
        return {"request": request, "response": created, "ap_id": ap_id, "create": create}

    def published_opportunity(self) -> dict:
        if self.opportunity is None:
            self.opportunity = self.publish()
        return self.opportunity

    def interactions(self, opportunity_id: Any) -> dict:
        return self.mitwirken.api(
            "GET", f"/api/v1/opportunities/{opportunity_id}/interactions", org=ORG, expect=200
        )


@pytest.fixture(scope="session")
def world(peer: h.Peer, mitwirken: h.Mitwirken, report: dict) -> World:
    return World(peer=peer, mitwirken=mitwirken, report=report)


# ---------------------------------------------------------------------------------------
# 1. Discovery
# ---------------------------------------------------------------------------------------


def assert_organization_actor(actor: dict, m: h.Mitwirken, username: str, name: str) -> None:
    actor_id = m.actor_id(username)
    assert actor["type"] == "Organization", f"type {actor['type']!r}, raw: {actor['raw']}"
    assert actor["fedifyClass"] == "Organization"
    assert actor["id"] == actor_id
    assert actor["preferredUsername"] == username
    assert actor["name"] == name
    assert actor["inbox"] and same_host(actor["inbox"], m.base), actor["inbox"]
    assert actor["sharedInbox"] == f"{m.base}/inbox"
    assert actor["followers"] and same_host(actor["followers"], m.base), actor["followers"]
    assert actor["outbox"] and same_host(actor["outbox"], m.base), actor["outbox"]
    assert actor["hasUsableKey"] is True, f"key not usable by Fedify: {actor['keyError']}"
    assert actor["publicKeyOwner"] == actor_id
    assert actor["publicKeyId"].startswith(actor_id), actor["publicKeyId"]
    assert actor["publicKeyAlgorithm"] == "RSASSA-PKCS1-v1_5"
    # Mastodon-style round trip: acct:<preferredUsername>@<host of id> -> the same actor
    assert actor["handle"] == m.handle(username), actor["handleError"]
    if actor["url"] is not None:
        assert same_host(actor["url"], m.base), f"url on another host: {actor['url']}"


def test_1_webfinger_and_actor(world: World) -> None:
    m, peer = world.mitwirken, world.peer

    city = peer.lookup(m.handle(CITY))
    jrd = city["webfinger"]
    assert jrd is not None, "Fedify's WebFinger lookup returned nothing"
    assert jrd["subject"] == f"acct:{CITY}@localhost:{m.port}"
    self_links = [
        link
        for link in jrd.get("links", [])
        if link.get("rel") == "self" and is_ap_content_type(link.get("type"))
    ]
    assert [link["href"] for link in self_links] == [m.actor_id(CITY)], jrd
    assert_organization_actor(city, m, CITY, h.Mitwirken.CITY_NAME)

    # the same document by URL, also when Fedify signs the GET (authorized-fetch style),
    # served with an ActivityPub content type
    assert peer.lookup(m.actor_id(CITY))["id"] == m.actor_id(CITY)
    assert peer.lookup(m.actor_id(CITY), signed=True)["id"] == m.actor_id(CITY)
    fetched = peer.fetch(m.actor_id(CITY))
    assert fetched["status"] == 200
    assert is_ap_content_type(fetched["contentType"]), fetched["contentType"]
    assert AS_CONTEXT in contexts(fetched["json"])

    org = peer.lookup(m.handle(ORG))
    assert_organization_actor(org, m, ORG, h.Mitwirken.ORG_NAME)
    world.report["scenario_1_city_actor"] = fetched["json"]


def test_1b_instance_actor(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    actor = peer.lookup(f"{m.base}/actor")
    assert actor["type"] == "Application", actor["raw"]
    assert actor["id"] == f"{m.base}/actor"
    assert actor["inbox"] and same_host(actor["inbox"], m.base)
    assert actor["hasUsableKey"] is True, actor["keyError"]
    assert actor["publicKeyOwner"] == f"{m.base}/actor"


# ---------------------------------------------------------------------------------------
# 2. Follow
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", [CITY, ORG])
def test_2_follow_gets_verified_accept(world: World, username: str) -> None:
    m, peer = world.mitwirken, world.peer
    result, accept = world.follow(username)
    delivered(result)
    follow_id = result["activityId"]

    assert accept["verified"] is True
    assert accept["actor"] == m.actor_id(username)
    assert accept["signature"]["spec"] is not None, "Accept was not HTTP-signed"
    assert accept["signature"]["keyId"].startswith(m.actor_id(username)), accept["signature"]
    # design/interop.md §4.1: embed the original Follow verbatim
    sent = accept["body"]
    assert isinstance(sent["object"], dict), f"Accept.object not embedded: {sent['object']!r}"
    assert sent["object"]["id"] == follow_id
    assert sent["object"].get("type") == "Follow"
    assert ref(sent["object"].get("actor")) == peer.actor_id
    assert ref(sent["object"].get("object")) == m.actor_id(username)
    assert AS_CONTEXT in contexts(sent)

    h.poll(
        lambda: peer.actor_id in m.followers(username),
        message=lambda: (
            f"`mitwirken followers --as {username}` lacks the peer: {m.followers(username)}"
        ),
    )
    world.report.setdefault("scenario_2_follow", {})[username] = {
        "knock": knock_sequence(result),
        "accept_signature": accept["signature"],
        "accept": sent,
    }


# ---------------------------------------------------------------------------------------
# 3. Create(Note)
# ---------------------------------------------------------------------------------------


def test_3_opportunity_arrives_as_verified_create_note(world: World) -> None:
    m = world.mitwirken
    published = world.published_opportunity()
    create = published["create"]
    ap_id = published["ap_id"]
    org_id = m.actor_id(ORG)

    # Fedify verified it (only verified activities reach the listeners) ...
    assert create["verified"] is True
    assert create["actor"] == org_id
    assert create["signature"]["spec"] is not None, "Create was not HTTP-signed"
    assert create["signature"]["keyId"].startswith(org_id), create["signature"]
    # ... and parsed the object as a Note
    parsed = create["raw"]["object"]
    assert isinstance(parsed, dict) and parsed.get("type") == "Note", create["raw"]

    sent = create["body"]  # exactly what Mitwirken POSTed
    assert AS_CONTEXT in contexts(sent)
    assert same_host(sent["id"], m.base)
    note = sent["object"]
    assert isinstance(note, dict), "Create.object must embed the Note"
    assert note["type"] == "Note", "Mastodon shows the body of a Note only (design §6.1)"
    assert note["id"] == ap_id
    assert ref(note["attributedTo"]) == org_id
    assert note.get("published")
    assert not note.get("summary"), "a Note's summary is a content warning in Mastodon"
    assert PUBLIC & {ref(v) for v in as_list(note.get("to"))}, note.get("to")
    assert audience(note) == audience(sent), "Create and Note must carry the same to/cc"
    for url in hrefs(note.get("url")):
        assert same_host(url, m.base), url

    # title, in the text Mastodon shows
    content = html.unescape(note["content"])
    assert TITLE in content, content
    assert "<strong>2. Klasse</strong>" in note["content"], "Markdown rendered to HTML"

    # hashtags
    hashtags = [t for t in as_list(note.get("tag")) if t.get("type") == "Hashtag"]
    names = [t.get("name", "") for t in hashtags]
    assert "#bildung" in [n.lower() for n in names], f"cause area as hashtag: {note.get('tag')}"
    for tag in hashtags:
        assert tag["name"].startswith("#"), tag
        assert tag.get("href") and same_host(tag["href"], m.base), tag

    # image with alt text
    image_url = published["request"]["image"]["url"]
    images = [a for a in as_list(note.get("attachment")) if image_url in hrefs(a.get("url"))]
    assert len(images) == 1, f"attachment with {image_url}: {note.get('attachment')}"
    image = images[0]
    assert image.get("type") in ("Image", "Document"), image
    assert (image.get("mediaType") or "").startswith("image/"), image
    assert image.get("name") == ALT_TEXT, image

    # the Note is dereferenceable at its id
    looked_up = world.peer.lookup(ap_id)
    assert looked_up["type"] == "Note" and looked_up["id"] == ap_id, looked_up

    world.report["scenario_3"] = {
        "editor_api_request": {
            "method": "POST",
            "path": "/api/v1/opportunities",
            "body": published["request"],
        },
        "editor_api_response": published["response"],
        "delivery_headers": create["headers"],
        "create_as_received": sent,
        "create_as_fedify_compacted": create["raw"],
    }


# ---------------------------------------------------------------------------------------
# 4. Update, Delete, 410
# ---------------------------------------------------------------------------------------


def test_4_update_and_delete_then_410(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    published = world.published_opportunity()
    ap_id, internal_id = published["ap_id"], published["response"]["id"]
    org_id = m.actor_id(ORG)

    m.api(
        "PATCH", f"/api/v1/opportunities/{internal_id}", {"title": NEW_TITLE}, org=ORG, expect=200
    )
    update = peer.wait_for_activity(
        lambda a: a["type"] == "Update" and a["objectId"] == ap_id, f"an Update of {ap_id}"
    )
    assert update["verified"] is True
    assert update["actor"] == org_id
    note = update["body"]["object"]
    assert isinstance(note, dict) and note.get("type") == "Note", note
    assert NEW_TITLE in html.unescape(note["content"])
    assert note.get("updated"), "Mastodon only applies edits that carry `updated`"

    m.api("DELETE", f"/api/v1/opportunities/{internal_id}", org=ORG, expect=204)
    delete = peer.wait_for_activity(
        lambda a: a["type"] == "Delete" and a["objectId"] == ap_id, f"a Delete of {ap_id}"
    )
    assert delete["verified"] is True
    assert delete["actor"] == org_id
    deleted_object = delete["body"]["object"]
    if isinstance(deleted_object, dict):
        assert deleted_object.get("type") == "Tombstone", deleted_object

    gone = peer.fetch(ap_id)
    assert gone["status"] == 410, f"{ap_id} after Delete: {gone}"
    world.opportunity = None  # deleted; later scenarios publish their own
    world.report["scenario_4"] = {"update": update["body"], "delete": delete["body"]}


# ---------------------------------------------------------------------------------------
# 5. Interactions from Fedify
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interacted(world: World) -> dict:
    """A fresh opportunity that the peer replied to, liked and boosted."""
    published = world.publish("Helfer*innen für das Sommerfest der Tafel")
    ap_id = published["ap_id"]
    reply = world.peer.reply(ap_id, "Ich melde mich gern als Lesepatin!")
    like = world.peer.like(ap_id)
    announce = world.peer.announce(ap_id)
    return {"published": published, "reply": reply, "like": like, "announce": announce}


def test_5_reply_like_boost_are_recorded(world: World, interacted: dict) -> None:
    m, peer = world.mitwirken, world.peer
    for name in ("reply", "like", "announce"):
        delivered(interacted[name])  # Mitwirken accepted the signed POST (2xx)
    reply_id = interacted["reply"]["noteId"]
    opportunity_id = interacted["published"]["response"]["id"]

    def recorded() -> dict | None:
        got = world.interactions(opportunity_id)
        replies = {r.get("id") for r in got.get("replies", [])}
        if (
            reply_id in replies
            and peer.actor_id in got.get("likes", [])
            and peer.actor_id in got.get("announces", [])
        ):
            return got
        return None

    got = h.poll(
        recorded,
        message=lambda: f"interactions never complete: {world.interactions(opportunity_id)}",
    )
    reply = next(r for r in got["replies"] if r["id"] == reply_id)
    assert reply["actor"] == peer.actor_id
    assert "Lesepatin" in html.unescape(reply["content"])

    spec = peer.knock(m.base)
    assert spec in (RFC9421, CAVAGE), spec
    world.report["scenario_5"] = {
        "signature_spec_fedify_settled_on": spec,
        "knocks": {n: knock_sequence(interacted[n]) for n in ("reply", "like", "announce")},
    }


def test_5b_undo_and_unfollow_are_recorded(world: World, interacted: dict) -> None:
    m, peer = world.mitwirken, world.peer
    opportunity_id = interacted["published"]["response"]["id"]
    delivered(peer.undo(interacted["like"]["activityId"]))
    delivered(peer.undo(interacted["announce"]["activityId"]))

    def undone() -> bool:
        got = world.interactions(opportunity_id)
        return peer.actor_id not in got.get("likes", []) + got.get("announces", [])

    h.poll(
        undone,
        message=lambda: f"Undo(Like/Announce) not applied: {world.interactions(opportunity_id)}",
    )

    world.ensure_following(ORG)
    delivered(peer.unfollow(m.handle(ORG)))
    world.follows.pop(ORG, None)
    h.poll(
        lambda: peer.actor_id not in m.followers(ORG),
        message=lambda: f"still a follower after Undo(Follow): {m.followers(ORG)}",
    )


FORGERIES = [(spec, tamper) for spec in (CAVAGE, RFC9421) for tamper in ("none", "body", "key")] + [
    (None, "unsigned")
]


@pytest.mark.parametrize(
    ("spec", "tamper"), FORGERIES, ids=[f"{s or 'none'}-{t}" for s, t in FORGERIES]
)
def test_5c_inbox_answers_401_to_what_it_cannot_verify(
    world: World, spec: str | None, tamper: str
) -> None:
    """design/interop.md §3.3: a 2xx for an unverifiable request breaks Fedify's double-knock."""
    m = world.mitwirken
    result = world.peer.forge(f"{m.base}/inbox", spec=spec or CAVAGE, tamper=tamper)
    world.report.setdefault("scenario_5c", {})[f"{spec}-{tamper}"] = result["status"]
    if tamper == "none" and spec == CAVAGE:
        assert 200 <= result["status"] < 300, f"valid draft-cavage signature refused: {result}"
    elif tamper == "none":
        # RFC 9421 is optional for Mitwirken, but then it must say 401 (Fedify falls back)
        assert result["status"] == 401 or 200 <= result["status"] < 300, result
    else:
        assert result["status"] == 401, f"{tamper} request not refused with 401: {result}"


# ---------------------------------------------------------------------------------------
# 6. Mitwirken follows the peer
# ---------------------------------------------------------------------------------------


def test_6_mitwirken_follows_peer_and_receives_posts(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    city_id = m.actor_id(CITY)
    requests_before = len(peer.requests())

    m.cli("follow", peer.handle, "--as", CITY, "--data", str(m.data))

    follow = peer.wait_for_activity(
        lambda a: a["type"] == "Follow" and a["actor"] == city_id, f"a Follow from {city_id}"
    )
    assert follow["verified"] is True
    assert follow["objectId"] == peer.actor_id
    assert follow["signature"]["keyId"].startswith(city_id), follow["signature"]

    def accepted() -> dict | None:
        record = next(a for a in peer.inbox("Follow") if a["id"] == follow["id"])
        status = (record.get("autoAccept") or {}).get("status")
        return record if status in ("delivered", "failed") else None

    record = h.poll(accepted, message="the peer never finished sending its Accept")
    assert record["autoAccept"]["status"] == "delivered", record["autoAccept"]
    h.poll(lambda: city_id in peer.followers(), message=lambda: f"{peer.followers()}")

    # Mitwirken looked the peer up with signed GETs (verified by the peer after answering)
    def signed_actor_gets() -> list[dict]:
        gets = [
            r
            for r in peer.requests()[requests_before:]
            if r["method"] == "GET" and r["path"].split("?")[0] == "/users/peer"
        ]
        if gets and all(r["spec"] is None or r["sigVerified"] is not None for r in gets):
            return gets
        return []

    gets = h.poll(signed_actor_gets, message="Mitwirken never fetched the peer's actor")
    signed = [r for r in gets if r["spec"] is not None]
    assert signed, f"Mitwirken fetched the peer's actor unsigned: {gets}"
    assert all(r["sigVerified"] for r in signed), f"signatures not verifiable: {signed}"
    assert all((r["sigKeyOwner"] or "").startswith(m.base) for r in signed), signed

    post = peer.post("Hallo Musterstadt! Wer hilft beim Repair-Café?")
    final = delivered(post)
    assert urlsplit(final["url"]).netloc == urlsplit(m.base).netloc, post["deliveries"]

    def admin_inbox() -> list[dict]:
        return m.api("GET", "/api/v1/admin/inbox?limit=50", org=CITY, expect=200)["items"]

    def handled_in_admin_inbox() -> dict | None:
        """The peer's Create, once Mitwirken's worker has handled it."""
        item = next((i for i in admin_inbox() if i.get("activity_id") == post["activityId"]), None)
        return item if item is not None and item.get("state") not in QUEUED_STATES else None

    item = h.poll(
        handled_in_admin_inbox,
        message=lambda: f"Create not handled in /api/v1/admin/inbox: {json.dumps(admin_inbox())}",
    )
    assert item["type"] == "Create"
    assert item["actor"] == peer.actor_id
    assert item["state"] in HANDLED_STATES, f"the peer's post was not taken: {item}"
    world.report["scenario_6"] = {
        "follow": follow["body"],
        "follow_signature": follow["signature"],
        "signed_gets": signed,
        "admin_inbox_item": item,
    }


# ---------------------------------------------------------------------------------------
# 7. A direct reply is answered in its thread (issue 13)
# ---------------------------------------------------------------------------------------


def test_7_direct_reply_is_answered_in_its_thread(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    published = world.publish("Vorleser*innen für die Stadtbibliothek")
    ap_id = published["ap_id"]
    reply = peer.reply(ap_id, "Ich möchte helfen, gern samstags.", direct=True)
    delivered(reply)

    def response() -> dict | None:
        items = m.api("GET", f"/api/v1/responses?object={ap_id}", org=ORG, expect=200)["items"]
        return items[0] if items else None

    item = h.poll(response, message="the direct reply never became a response")
    assert item["visibility"] == "direct" and item["state"] == "open"
    assert item["sender"]["id"] == peer.actor_id
    assert "samstags" in html.unescape(item["messages"][0]["content"])

    sent = m.api("POST", f"/api/v1/responses/{item['id']}/reply",
                 {"content": "Danke! Wir melden uns bis Freitag."}, org=ORG, expect=201)
    answer = peer.wait_for_activity(
        lambda a: a["type"] == "Create" and isinstance(a["object"], dict)
        and a["object"].get("inReplyTo") == reply["noteId"],
        f"the answer to {reply['noteId']}",
    )
    assert answer["verified"] and answer["actor"] == m.actor_id(ORG)
    note = answer["object"]
    assert audience(note) == {peer.actor_id}, note
    assert audience(answer["raw"]) == {peer.actor_id}, answer["raw"]
    mentions = [t for t in as_list(note.get("tag")) if t.get("type") == "Mention"]
    assert [t.get("href") for t in mentions] == [peer.actor_id]
    assert "Freitag" in html.unescape(note["content"])
    assert m.api("GET", f"/api/v1/responses/{item['id']}", org=ORG,
                 expect=200)["state"] == "answered"
    world.report["scenario_7"] = {"answer": answer["body"], "message": sent}


# ---------------------------------------------------------------------------------------
# 8. Reports both ways, and block_actor refusing the peer (issue 15)
# ---------------------------------------------------------------------------------------


def _open_report(m: h.Mitwirken, activity_id: str) -> dict | None:
    items = m.api("GET", "/api/v1/admin/reports?state=open", org=CITY, expect=200)["items"]
    return next((r for r in items if r["activity_id"] == activity_id), None)


def test_8_flags_both_ways_and_block_actor_refuses_the_peer(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    published = world.publish("Helfer*innen für das Nachbarschaftsfest")
    ap_id, opportunity_id = published["ap_id"], published["response"]["id"]
    org = m.actor_id(ORG)

    # The peer reports the organisation and its opportunity, as Mastodon does (the actor
    # first, then the objects, the comment as content); Mitwirken keeps it as an open report
    incoming = peer.flag([org, ap_id], "Bitte prüfen: Angaben fehlen")
    delivered(incoming)
    report = h.poll(lambda: _open_report(m, incoming["activityId"]),
                    message="the peer's Flag never became a report")
    assert report["reporter"] == peer.actor_id and report["objects"] == [org, ap_id]
    assert report["comment"] == "Bitte prüfen: Angaben fehlen"
    refused = m.request("POST", f"/api/v1/admin/reports/{report['id']}/resolve",
                        json_body={"action": "block_actor", "reason": "x"},
                        token=m.tokens[CITY])
    assert refused.status == 422, refused  # the reported actor is ours
    m.api("POST", f"/api/v1/admin/reports/{report['id']}/resolve",
          {"action": "dismiss", "reason": "Angaben ergänzt"}, org=CITY, expect=200)

    # The peer replies; Mitwirken reports the reply to its origin: a Flag from the instance
    # actor reaches the peer's inbox, verified by Fedify
    reply = peer.reply(ap_id, "Kauft lieber bei uns ein!")
    delivered(reply)
    h.poll(lambda: reply["noteId"] in {r.get("id") for r in world.interactions(
        opportunity_id).get("replies", [])}, message="the reply was never recorded")
    sent = m.api("POST", "/api/v1/admin/reports",
                 {"object": reply["noteId"], "comment": "Werbung"}, org=CITY, expect=202)
    assert sent["objects"] == [peer.actor_id, reply["noteId"]]
    outgoing = peer.wait_for_activity(
        lambda a: a["type"] == "Flag" and a["actor"] == f"{m.base}/actor",
        "the Flag from Mitwirken's instance actor")
    assert outgoing["verified"] and "Werbung" in json.dumps(outgoing["raw"])
    assert reply["noteId"] in json.dumps(outgoing["raw"]["object"])

    # A report naming the peer and its reply (as another server would forward it) is
    # resolved with block_actor: the peer's follows end with a Reject, and its next
    # activity is refused with 403
    about_peer = peer.flag([peer.actor_id, reply["noteId"]], "Werbekonto", inbox_of=org)
    delivered(about_peer)
    report = h.poll(lambda: _open_report(m, about_peer["activityId"]),
                    message="the Flag about the peer never became a report")
    resolved = m.api("POST", f"/api/v1/admin/reports/{report['id']}/resolve",
                     {"action": "block_actor", "reason": "Werbekonto"}, org=CITY, expect=200)
    assert resolved["blocked"]["actor"] == peer.actor_id
    follow_ids = {r["activityId"] for r in world.follows.values()}
    rejects = h.poll(lambda: [a for a in peer.inbox("Reject") if a["objectId"] in follow_ids]
                     or None, message="no Reject of the peer's follows arrived")
    assert all(a["verified"] for a in rejects)
    assert peer.actor_id not in m.followers(ORG)
    blocked = peer.call("POST", "/like", {"objectId": ap_id}, expect=502)
    statuses = {d["status"] for d in blocked["deliveries"] if d["method"] == "POST"}
    assert statuses == {403}, blocked["deliveries"]
    assert peer.actor_id not in world.interactions(opportunity_id).get("likes", [])

    # Lifting the block lets the peer through again
    (block,) = [b for b in m.api("GET", "/api/v1/admin/actors", org=CITY, expect=200)["items"]
                if b["actor"] == peer.actor_id]
    lifted = m.request("DELETE", f"/api/v1/admin/actors/{block['id']}?reason=Test",
                       token=m.tokens[CITY])
    assert lifted.status == 204, lifted
    delivered(peer.like(ap_id))
    world.follows.clear()  # the block ended them; a later scenario follows again
    world.report["scenario_8"] = {"incoming_flag": incoming["activity"],
                                  "outgoing_flag": outgoing["body"],
                                  "refused_statuses": sorted(statuses)}


# ---------------------------------------------------------------------------------------
# 9. Follow approval, removing a follower, allow-list mode — against the real peer
# ---------------------------------------------------------------------------------------


def _deliveries_to(m: h.Mitwirken, origin: str) -> set[int]:
    """Ids of the queued or sent deliveries to the peer's inboxes."""
    items = m.api("GET", "/api/v1/admin/deliveries?limit=500", org=CITY, expect=200)["items"]
    return {d["id"] for d in items if d["inbox"].startswith(origin)}


def _peer_follows(world: World, username: str) -> dict:
    """The peer sends a Follow; returns the follow result (its Accept is not awaited)."""
    result = world.peer.follow(world.mitwirken.handle(username))
    delivered(result)
    return result


def _answer_to(peer: h.Peer, kind: str, follow_id: str) -> dict:
    return peer.wait_for_activity(lambda a: a["type"] == kind and a["objectId"] == follow_id,
                                  f"a {kind} of Follow {follow_id}")


def test_9_approval_removal_and_allowlist_with_the_peer(world: World) -> None:
    m, peer = world.mitwirken, world.peer
    data = ("--data", str(m.data), "--as", ORG)
    world.follows.clear()
    m.cli("approval", "on", *data, "--reason", "Interop-Test")
    try:
        # With approval on, the peer's Follow waits: no Accept, a pending follower
        waiting = _peer_follows(world, ORG)
        h.poll(lambda: f"{peer.actor_id}\t(pending)" in m.followers(ORG),
               message=lambda: f"no pending request of the peer: {m.followers(ORG)}")
        assert not [a for a in peer.inbox("Accept") if a["objectId"] == waiting["activityId"]]

        # Rejected: the peer gets a verified Reject of exactly that Follow, and no follower
        m.cli("reject", peer.actor_id, *data)
        rejected = _answer_to(peer, "Reject", waiting["activityId"])
        assert rejected["verified"] is True and rejected["actor"] == m.actor_id(ORG)
        assert peer.actor_id not in "\n".join(m.followers(ORG))

        # Approved: a verified Accept of the new Follow, and the peer follows
        again = _peer_follows(world, ORG)
        h.poll(lambda: f"{peer.actor_id}\t(pending)" in m.followers(ORG),
               message="the second request never became pending")
        m.cli("approve", peer.actor_id, *data)
        accepted = _answer_to(peer, "Accept", again["activityId"])
        assert accepted["verified"] is True
        assert peer.actor_id in m.followers(ORG)
    finally:
        m.cli("approval", "off", *data)

    # A post now reaches the peer (the control case: its delivery is queued by the publishing
    # request itself) ...
    before = _deliveries_to(m, peer.origin)
    first = m.api("POST", "/api/v1/opportunities",
                  {"title": "Vorlesen im Seniorenheim", "description": "Jeden Mittwoch.",
                   "kind": "regular", "contact": {"email": "info@example.org"}},
                  org=ORG, expect=201)
    assert _deliveries_to(m, peer.origin) - before, "no delivery to the follower was queued"
    peer.wait_for_activity(lambda a: a["type"] == "Create" and a["objectId"] == first["ap_id"],
                           "the Create to the approved follower")

    # ... removing the follower sends it a verified Reject and no further deliveries
    m.cli("remove-follower", peer.actor_id, *data, "--reason", "Interop-Test")
    removed = _answer_to(peer, "Reject", again["activityId"])
    assert removed["verified"] is True
    assert peer.actor_id not in m.followers(ORG)
    before = _deliveries_to(m, peer.origin)
    m.api("POST", "/api/v1/opportunities",
          {"title": "Begleitung zum Arzt", "description": "Nach Absprache.", "kind": "regular",
           "contact": {"email": "info@example.org"}}, org=ORG, expect=201)
    assert _deliveries_to(m, peer.origin) == before, "a delivery to the removed follower"

    # Allow-list mode with nothing listed: the peer's like is refused with 403, and nothing is
    # fetched from the peer for it; open mode lets it through again
    seen = len(peer.requests())
    m.api("POST", "/api/v1/admin/federation", {"mode": "allowlist"}, org=CITY, expect=200)
    try:
        refused = peer.call("POST", "/like", {"objectId": first["ap_id"]}, expect=502)
        statuses = {d["status"] for d in refused["deliveries"] if d["method"] == "POST"}
        assert statuses == {403}, refused["deliveries"]
        assert len(peer.requests()) == seen, peer.requests()[seen:]
    finally:
        m.api("POST", "/api/v1/admin/federation", {"mode": "open"}, org=CITY, expect=200)
    delivered(peer.like(first["ap_id"]))
    world.report["scenario_9"] = {"reject": rejected["body"], "accept": accepted["body"],
                                  "removed": removed["body"],
                                  "allowlist_statuses": sorted(statuses)}
