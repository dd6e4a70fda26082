"""A volunteer on a Mastodon-shaped server answers an opportunity directly; the organisation
sees it through the API, answers, and the answer arrives at the volunteer's server — signed,
in the thread, addressed to them alone. Everything over real HTTP on loopback (the fake
Mastodon checks our signatures with bovine, independently of our code).

The canary: the volunteer's handle and text appear in no public page, feed, collection,
object or activity of the instance — only in the answer delivered to the volunteer."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import aiohttp
import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import PUBLIC, FakeMastodon
from tests.fediverse import drain
from tests.integration.test_network import add_org
from tests.integration.test_withdrawal_crawl import PUBLIC_API, Crawl

CANARY_USER = "kanarienvogelfrau"
CANARY_TEXT = "Zitronenfalterwiese"


def is_public(path: str) -> bool:
    """What anyone may fetch: not the editor API (bar its public parts), not the web UI
    behind the login (the crawl logs in as admin too)."""
    if path.startswith(("/verwaltung", "/passwort/")):
        return False
    return not path.startswith("/api/v1/") or path.startswith(PUBLIC_API)


@pytest.fixture
async def world(fediverse):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    add_org(city, "sport")
    masto = await FakeMastodon(fediverse.resolver, users=(CANARY_USER, "bob")).start()
    store = city.app[STORE]
    tokens = {name: actor_repo.create_token(store, name) for name in ("tafel", "sport", "city_a")}
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=fediverse.resolver))
    yield city, masto, tokens, session
    await session.close()
    await masto.close()


async def call(session, city, method: str, path: str, token: str | None = None,
               json: object = None) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.request(method, city.base + path, json=json, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


def direct_note(masto: FakeMastodon, user: str, recipient: str, in_reply_to: str,
                text: str) -> dict:
    """A Mastodon direct message: to the mentioned account only, nothing in cc."""
    handle = f"@{urlsplit(recipient).path.rsplit('/', 1)[1]}@{urlsplit(recipient).netloc}"
    return masto.note(user, f'<p><span class="h-card"><a href="{recipient}" class="u-url '
                      f'mention">@<span>tafel</span></a></span> {text}</p>',
                      inReplyTo=in_reply_to, to=[recipient], cc=[],
                      tag=[{"type": "Mention", "href": recipient, "name": handle}])


async def test_direct_answer_round_trip_over_http(fediverse, world):
    city, masto, tokens, session = world
    tafel = city.app[URLS].actor("tafel")
    status, opp = await call(session, city, "POST", "/api/v1/opportunities", tokens["tafel"], {
        "title": "Lesepat:in gesucht", "description": "Vorlesen in der Kita", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    assert status == 201
    volunteer = masto.actor_id(CANARY_USER)

    # The volunteer writes directly under the opportunity (to the shared inbox, as Mastodon)
    first = direct_note(masto, CANARY_USER, tafel, opp["ap_id"], f"Ich möchte helfen. "
                        f"{CANARY_TEXT}<script>alert(1)</script>")
    assert (await masto.post(CANARY_USER, f"{city.base}/inbox", first))[0] == 202
    await drain(city)

    # The organisation and the city see one open expression of interest; another does not
    status, body = await call(session, city, "GET", "/api/v1/responses", tokens["tafel"])
    assert status == 200
    [item] = body["items"]
    assert (item["visibility"], item["state"], item["object"], item["organisation"]) == (
        "direct", "open", opp["ap_id"], "tafel")
    assert item["sender"] == {"id": volunteer, "name": CANARY_USER.capitalize(),
                              "handle": f"@{CANARY_USER}@mastodon.test"}
    [message] = item["messages"]
    assert message["direction"] == "in" and CANARY_TEXT in message["content"]
    assert "<script>" not in message["content"]
    assert item["due_at"] > item["received_at"]
    city_view = await call(session, city, "GET", "/api/v1/responses", tokens["city_a"])
    assert [i["id"] for i in city_view[1]["items"]] == [item["id"]]
    assert (await call(session, city, "GET", "/api/v1/responses", tokens["sport"]))[1] == {
        "items": []}
    assert (await call(session, city, "GET", f"/api/v1/responses/{item['id']}",
                       tokens["sport"]))[0] == 404
    assert (await call(session, city, "POST", f"/api/v1/responses/{item['id']}/reply",
                       tokens["sport"], {"content": "Nein"}))[0] == 404
    assert (await call(session, city, "GET", f"/api/v1/responses?object={opp['ap_id']}",
                       tokens["tafel"]))[1]["items"][0]["id"] == item["id"]
    assert (await call(session, city, "GET", "/api/v1/responses?state=answered",
                       tokens["tafel"]))[1] == {"items": []}

    # The organisation answers
    status, sent = await call(session, city, "POST", f"/api/v1/responses/{item['id']}/reply",
                              tokens["tafel"], {"content": "Danke! Kommen Sie **Dienstag**."})
    assert status == 201
    assert sent["direction"] == "out" and "<strong>Dienstag</strong>" in sent["content"]
    await drain(city)

    # It arrived at the volunteer's own inbox, signed, in the thread, to them alone
    [got] = [r for r in masto.inbox if (r.activity or {}).get("type") == "Create"]
    assert got.verified, got.reason
    assert got.path == f"/users/{CANARY_USER}/inbox"
    create = got.activity
    assert create["actor"] == tafel and create["to"] == [volunteer] and create["cc"] == []
    note = create["object"]
    assert note["inReplyTo"] == first["object"]["id"]
    assert note["to"] == [volunteer] and note["cc"] == []
    assert note["attributedTo"] == tafel
    assert note["tag"] == [{"type": "Mention", "href": volunteer,
                            "name": f"@{CANARY_USER}@mastodon.test"}]
    assert "Dienstag" in note["content"] and volunteer in note["content"]
    answered = (await call(session, city, "GET", f"/api/v1/responses/{item['id']}",
                           tokens["tafel"]))[1]
    assert answered["state"] == "answered" and answered["first_answer_at"]

    # The volunteer's follow-up to the answer joins the thread; Update and Delete honoured
    follow_up = direct_note(masto, CANARY_USER, tafel, note["id"], "Dienstag passt.")
    assert (await masto.post(CANARY_USER, f"{city.base}/inbox", follow_up))[0] == 202
    await drain(city)
    thread = (await call(session, city, "GET", f"/api/v1/responses/{item['id']}",
                         tokens["tafel"]))[1]
    assert [m["direction"] for m in thread["messages"]] == ["in", "out", "in"]
    edited = {**follow_up["object"], "content": "<p>Dienstag passt doch nicht.</p>"}
    update = {"@context": follow_up["@context"], "id": f"{edited['id']}#updates/1",
              "type": "Update", "actor": volunteer, "object": edited}
    assert (await masto.post(CANARY_USER, f"{city.base}/inbox", update))[0] == 202
    await drain(city)
    thread = (await call(session, city, "GET", f"/api/v1/responses/{item['id']}",
                         tokens["tafel"]))[1]
    assert thread["messages"][2]["content"] == "<p>Dienstag passt doch nicht.</p>"
    delete = {"@context": follow_up["@context"], "id": f"{edited['id']}#delete",
              "type": "Delete", "actor": volunteer, "to": [PUBLIC],
              "object": {"id": edited["id"], "type": "Tombstone"}}
    assert (await masto.post(CANARY_USER, f"{city.base}/inbox", delete))[0] == 202
    await drain(city)
    thread = (await call(session, city, "GET", f"/api/v1/responses/{item['id']}",
                         tokens["tafel"]))[1]
    assert [m["direction"] for m in thread["messages"]] == ["in", "out"]

    # Handled, reopened
    for state in ("handled", "open"):
        status, moved = await call(session, city, "POST", f"/api/v1/responses/{item['id']}/state",
                                   tokens["tafel"], {"state": state})
        assert (status, moved["state"]) == (200, state)

    # The canary is nowhere public: not in a page, a collection, an object or an activity
    crawl = Crawl(fediverse, city)
    await crawl.run()
    public = [key for key in crawl.with_canary() if is_public(key[0])]
    assert public == []
    assert any(p == "/api/v1/admin/inbox" for p, _ in crawl.with_canary())  # it can see
    assert any(p.startswith("/activities/") for p, _ in crawl.bodies)  # the answer's: 404
    # and nothing was sent to anyone but the volunteer
    store = city.app[STORE]
    assert store.all("SELECT inbox FROM deliveries WHERE body LIKE ?",
                     [f"%{CANARY_USER}%"]) == [{"inbox": f"{masto.base}/users/{CANARY_USER}"
                                                "/inbox"}]
    assert store.scalar("SELECT public FROM outbox WHERE type = 'Create' AND activity LIKE ?",
                        [f"%{CANARY_USER}%"]) == 0

    # The account is deleted: all of its responses go
    bye = masto.delete_self(CANARY_USER)
    assert (await masto.post(CANARY_USER, f"{city.base}/inbox", bye))[0] == 202
    await drain(city)
    assert (await call(session, city, "GET", "/api/v1/responses", tokens["city_a"]))[1] == {
        "items": []}


async def test_bad_requests_are_clear_4xx_and_change_nothing(world):
    city, masto, tokens, session = world
    tafel = city.app[URLS].actor("tafel")
    note = direct_note(masto, "bob", tafel, f"{city.base}/angebote/gibtsnicht", "Hallo")
    await masto.post("bob", f"{city.base}/inbox", note)
    await drain(city)
    [item] = (await call(session, city, "GET", "/api/v1/responses", tokens["tafel"]))[1]["items"]
    assert item["object"] is None  # addressed to tafel, replying to nothing we have
    rid = item["id"]
    cases = [
        ("GET", "/api/v1/responses?state=kaputt", tokens["tafel"], None, 400, "bad_state"),
        ("GET", "/api/v1/responses", None, None, 401, "unauthorized"),
        ("GET", "/api/v1/responses/gibtsnicht", tokens["tafel"], None, 404, "not_found"),
        ("POST", f"/api/v1/responses/{rid}/reply", tokens["tafel"], {"content": ""}, 422,
         "validation_failed"),
        ("POST", f"/api/v1/responses/{rid}/reply", tokens["tafel"], {"content": "x" * 5001},
         422, "validation_failed"),
        ("POST", f"/api/v1/responses/{rid}/reply", tokens["tafel"], {"content": 5}, 422,
         "validation_failed"),
        ("POST", f"/api/v1/responses/{rid}/reply", tokens["tafel"], [1], 400,
         "malformed_json"),
        ("POST", f"/api/v1/responses/{rid}/state", tokens["tafel"], {"state": "answered"},
         422, "validation_failed"),
        ("GET", "/api/v1/organisations/gibtsnicht/stats", None, None, 404, "not_found"),
    ]
    for method, path, token, body, status, error in cases:
        got = await call(session, city, method, path, token, body)
        assert (got[0], got[1]["error"]) == (status, error), (method, path, body)
    # handled twice is fine (no change); open → open too; nothing was sent or stored
    assert (await call(session, city, "POST", f"/api/v1/responses/{rid}/state",
                       tokens["tafel"], {"state": "open"}))[0] == 200
    after = (await call(session, city, "GET", f"/api/v1/responses/{rid}", tokens["tafel"]))[1]
    assert after["state"] == "open" and len(after["messages"]) == 1
    assert city.app[STORE].scalar("SELECT count(*) FROM deliveries") == 0


async def page_and_replies(session, city, opp: dict) -> tuple[str, dict, dict]:
    path = urlsplit(opp["ap_id"]).path
    async with session.get(city.base + path, headers={"Accept": "text/html"}) as resp:
        page = await resp.text()
    ap = {"Accept": "application/activity+json"}
    async with session.get(f"{city.base}{path}/replies", headers=ap) as resp:
        assert resp.status == 200
        collection = await resp.json(content_type=None)
    async with session.get(f"{city.base}{path}/replies?page=1", headers=ap) as resp:
        first = await resp.json(content_type=None)
    return page, collection, first


async def test_public_comments_are_held_then_approved_then_hidden(world):
    city, masto, tokens, session = world
    status, opp = await call(session, city, "POST", "/api/v1/opportunities", tokens["tafel"], {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    comment = masto.note("bob", f"<p>Tolle Sache! {CANARY_TEXT}</p>", inReplyTo=opp["ap_id"])
    assert comment["object"]["to"] == [PUBLIC]  # Mastodon's public post
    assert (await masto.post("bob", f"{city.base}/inbox", comment))[0] == 202
    await drain(city)
    [item] = (await call(session, city, "GET", "/api/v1/responses", tokens["tafel"]))[1]["items"]
    assert (item["visibility"], item["moderation"]) == ("public", None)

    # held: neither on the page nor in `replies`
    page, collection, first = await page_and_replies(session, city, opp)
    assert CANARY_TEXT not in page and "1 Antworten" in page  # the count stays as before
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 0
    assert collection["id"] == opp["ap_id"] + "/replies"
    assert first["orderedItems"] == []

    # another organisation cannot approve it
    assert (await call(session, city, "POST", f"/api/v1/responses/{item['id']}/approve",
                       tokens["sport"]))[0] == 404
    status, approved = await call(session, city, "POST",
                                  f"/api/v1/responses/{item['id']}/approve", tokens["tafel"])
    assert (status, approved["moderation"]) == (200, "approved")
    page, collection, first = await page_and_replies(session, city, opp)
    assert CANARY_TEXT in page and "Bob" in page
    assert collection["totalItems"] == 1
    assert first["orderedItems"] == [comment["object"]["id"]]

    status, hidden = await call(session, city, "POST", f"/api/v1/responses/{item['id']}/hide",
                                tokens["city_a"])
    assert (status, hidden["moderation"]) == (200, "hidden")
    page, collection, _ = await page_and_replies(session, city, opp)
    assert CANARY_TEXT not in page and collection["totalItems"] == 0
    # both decisions are in the audit log, with whose token made them
    entries = moderation.audit_entries(city.app[STORE])
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("token:tafel", "response.approved", item["id"]),
        ("token:city_a", "response.hidden", item["id"])]

    # a direct message cannot be approved: it is never shown
    direct = direct_note(masto, CANARY_USER, city.app[URLS].actor("tafel"), opp["ap_id"],
                         "Nur für Sie")
    await masto.post(CANARY_USER, f"{city.base}/inbox", direct)
    await drain(city)
    dm = (await call(session, city, "GET", "/api/v1/responses?state=open",
                     tokens["tafel"]))[1]["items"][0]
    assert dm["visibility"] == "direct"
    status, body = await call(session, city, "POST", f"/api/v1/responses/{dm['id']}/approve",
                              tokens["tafel"])
    assert (status, body["error"]) == (422, "validation_failed")
    page, collection, _ = await page_and_replies(session, city, opp)
    assert "Nur für Sie" not in page and collection["totalItems"] == 0


async def test_with_public_replies_show_a_comment_is_shown_until_hidden(fediverse):
    city = await fediverse.add("city-b", public_replies="show")
    masto = await FakeMastodon(fediverse.resolver).start()
    token = actor_repo.create_token(city.app[STORE], "city_b")
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=fediverse.resolver))
    try:
        _, opp = await call(session, city, "POST", "/api/v1/opportunities", token, {
            "title": "Gärtnern", "description": "Im Park", "kind": "regular",
            "contact": {"email": "info@example.org"}})
        comment = masto.note("alice", "<p>Bin dabei!</p>", inReplyTo=opp["ap_id"])
        await masto.post("alice", f"{city.base}/inbox", comment)
        await drain(city)
        page, collection, _ = await page_and_replies(session, city, opp)
        assert "Bin dabei!" in page and collection["totalItems"] == 1
        [item] = (await call(session, city, "GET", "/api/v1/responses", token))[1]["items"]
        await call(session, city, "POST", f"/api/v1/responses/{item['id']}/hide", token)
        page, collection, _ = await page_and_replies(session, city, opp)
        assert "Bin dabei!" not in page and collection["totalItems"] == 0
    finally:
        await session.close()
        await masto.close()


async def test_likes_and_shares_are_counted_never_listed(world):
    city, masto, tokens, session = world
    _, opp = await call(session, city, "POST", "/api/v1/opportunities", tokens["tafel"], {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    path = urlsplit(opp["ap_id"]).path
    ap = {"Accept": "application/activity+json"}

    async def counted(what: str) -> dict:
        async with session.get(f"{city.base}{path}/{what}", headers=ap) as resp:
            assert resp.status == 200
            return await resp.json(content_type=None)

    bob = masto.actor_id("bob")
    like = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{bob}#likes/1",
            "type": "Like", "actor": bob, "object": opp["ap_id"]}
    boost = {**like, "id": f"{bob}/statuses/7/activity", "type": "Announce", "to": [PUBLIC]}
    for activity in (like, boost):
        assert (await masto.post("bob", f"{city.base}/inbox", activity))[0] == 202
    await drain(city)
    likes, shares = await counted("likes"), await counted("shares")
    assert (likes["type"], likes["totalItems"], shares["totalItems"]) == (
        "OrderedCollection", 1, 1)
    assert likes["id"] == opp["ap_id"] + "/likes"
    assert "first" not in likes and "orderedItems" not in likes  # who liked stays private
    assert bob not in json.dumps([likes, shares])

    assert (await masto.post("bob", f"{city.base}/inbox", masto.undo("bob", like)))[0] == 202
    await drain(city)
    assert (await counted("likes"))["totalItems"] == 0
    assert (await counted("shares"))["totalItems"] == 1
    async with session.get(f"{city.base}/angebote/gibtsnicht/likes", headers=ap) as resp:
        assert resp.status == 404


async def test_hostile_notes_over_http_are_refused_and_store_no_response(world):
    city, masto, tokens, session = world
    tafel = city.app[URLS].actor("tafel")
    store = city.app[STORE]
    _, opp = await call(session, city, "POST", "/api/v1/opportunities", tokens["tafel"], {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    inbox = f"{city.base}/inbox"
    alice = masto.actor_id(CANARY_USER)

    forged = direct_note(masto, "bob", tafel, opp["ap_id"], "Ich bin Alice")
    forged["object"]["attributedTo"] = alice  # signed by bob, attributed to alice
    assert (await masto.post("bob", inbox, forged))[0] == 202
    elsewhere = direct_note(masto, "bob", tafel, opp["ap_id"], "Fremder Host")
    elsewhere["object"]["id"] = "http://elsewhere.test/notes/1"
    assert (await masto.post("bob", inbox, elsewhere))[0] == 202
    unknown = masto.note("bob", "<p>Wozu?</p>", inReplyTo=f"{city.base}/angebote/gibtsnicht")
    assert (await masto.post("bob", inbox, unknown))[0] == 202
    huge = direct_note(masto, "bob", tafel, opp["ap_id"], "x" * 1_100_000)
    assert (await masto.post("bob", inbox, huge))[0] == 413
    assert (await masto.post("bob", inbox, b"{kein json"))[0] == 400
    await drain(city)

    states = [r["state"] for r in store.all("SELECT state FROM inbox_items ORDER BY id")]
    assert states == ["rejected", "rejected", "processed"]
    assert (await call(session, city, "GET", "/api/v1/responses", tokens["city_a"]))[1] == {
        "items": []}
    long_one = direct_note(masto, "bob", tafel, opp["ap_id"], "<b>lang</b>" * 30_000)
    assert (await masto.post("bob", inbox, long_one))[0] == 202
    await drain(city)
    [item] = (await call(session, city, "GET", "/api/v1/responses", tokens["tafel"]))[1]["items"]
    assert len(item["messages"][0]["content"]) < 25_000  # cut before sanitising


async def test_canary_only_in_the_approved_public_comment(fediverse, world):
    """One volunteer writes directly, publicly and (without account) through the form; only
    the approved public comment is public, under the object and in its `replies`."""
    city, masto, tokens, session = world
    tafel = city.app[URLS].actor("tafel")
    _, opp = await call(session, city, "POST", "/api/v1/opportunities", tokens["tafel"], {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    path = urlsplit(opp["ap_id"]).path
    direct = direct_note(masto, CANARY_USER, tafel, opp["ap_id"], f"{CANARY_TEXT} direkt")
    public = masto.note(CANARY_USER, f"<p>{CANARY_TEXT} öffentlich</p>",
                        inReplyTo=opp["ap_id"])
    for activity in (direct, public):
        assert (await masto.post(CANARY_USER, f"{city.base}/inbox", activity))[0] == 202
    form_canary = "Formularkanarienvogel"
    async with session.post(f"{city.base}{path}/rueckmeldung", data={
            "name": form_canary, "kontakt": "formkanari@example.org", "einwilligung": "ja",
            "nachricht": f"{CANARY_TEXT} per Formular"}) as resp:
        assert resp.status == 200
    await drain(city)
    items = (await call(session, city, "GET", "/api/v1/responses", tokens["tafel"]))[1]["items"]
    assert sorted(i["visibility"] for i in items) == ["direct", "form", "public"]
    comment = next(i for i in items if i["visibility"] == "public")
    assert (await call(session, city, "POST", f"/api/v1/responses/{comment['id']}/approve",
                       tokens["tafel"]))[0] == 200
    direct_item = next(i for i in items if i["visibility"] == "direct")
    assert (await call(session, city, "POST", f"/api/v1/responses/{direct_item['id']}/reply",
                       tokens["tafel"], {"content": "Gern!"}))[0] == 201
    await drain(city)

    crawl = Crawl(fediverse, city)
    await crawl.run()
    public_docs = {key: text for key, text in crawl.bodies.items() if is_public(key[0])}
    with_text = {p for (p, _), text in public_docs.items() if CANARY_TEXT in text}
    with_user = {p for (p, _), text in public_docs.items() if CANARY_USER in text}
    assert with_text == {path}  # the approved comment under the object, nothing else
    assert "öffentlich" in public_docs[(path, "text/html #0")]
    assert with_user <= {path, f"{path}/replies?page=1"} and f"{path}/replies?page=1" in with_user
    assert not any(f"{CANARY_TEXT} direkt" in t or f"{CANARY_TEXT} per Formular" in t
                   or form_canary in t for t in public_docs.values())
    store = city.app[STORE]
    assert store.all("SELECT DISTINCT inbox FROM deliveries WHERE body LIKE ?",
                     [f"%{CANARY_USER}%"]) == [{"inbox": f"{masto.base}/users/{CANARY_USER}"
                                                "/inbox"}]
    assert store.scalar("SELECT count(*) FROM outbox WHERE public = 1 AND activity LIKE ?",
                        [f"%{CANARY_USER}%"]) == 0
