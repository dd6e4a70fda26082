"""Volunteers' Notes through the real inbox table (`server/inbox_table.py`), on an in-memory
store: what becomes a response, of which organisation, with which visibility; threads, edits,
deletes; and what is refused or left alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mitwirken.federation.context import PUBLIC
from mitwirken.federation.inbox import InboxContext, Reject, process
from mitwirken.federation.remote import RemoteActors, parse_actor
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows, interactions
from mitwirken.models import responses as repo
from mitwirken.models.store import Store
from mitwirken.server.inbox_table import inbox_router
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.network_ingest import Network
from mitwirken.server.usecases.publishing import ContentService

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
CITY = "https://city.example"
ACTOR = "https://mastodon.example/users/alice"
OTHER = "https://mastodon.example/users/bob"


def actor_doc(actor: str) -> dict:
    name = actor.rsplit("/", 1)[1]
    return {"id": actor, "type": "Person", "inbox": actor + "/inbox", "name": name.title(),
            "preferredUsername": name, "followers": actor + "/followers"}


class Fetcher:
    async def get_object(self, url: str) -> dict:
        return actor_doc(url)


@pytest.fixture
def world():
    store = Store.memory()
    for username, kind in (("musterstadt", "city"), ("tafel", "org"), ("sport", "org")):
        actor_repo.create_actor(store, make_actor(username, kind, username.title()))
    urls = Urls(CITY)
    content = ContentService(store, urls, lambda: NOW)
    opp = content.create("opportunities", "tafel", {
        "title": "Lesepat:in gesucht", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}, "reply_time_days": 3})
    fetcher = Fetcher()
    actors = RemoteActors(store, fetcher, lambda: NOW)  # type: ignore[arg-type]
    for a in (ACTOR, OTHER):
        actors.save(parse_actor(actor_doc(a)))
    ctx = InboxContext(store, urls, actors, lambda: NOW, lambda username: False)
    ctx.router = inbox_router(Network(store, urls, actors, fetcher,  # type: ignore[arg-type]
                                      lambda: NOW))
    ctx.opportunity = content.ap_id(opp)  # type: ignore[attr-defined]
    return ctx


def note(n: int, *, actor: str = ACTOR, in_reply_to: str | None = None,
         to: list[str] | None = None, cc: list[str] | None = None, content: str = "<p>Ich "
         "möchte helfen</p>", tag: list[dict] | None = None) -> dict:
    return {"id": f"{actor.replace('/users/', '/notes/')}-{n}", "type": "Note",
            "attributedTo": actor, "inReplyTo": in_reply_to, "content": content,
            "to": to if to is not None else [f"{CITY}/actors/tafel"], "cc": cc or [],
            "tag": tag or []}


def create(obj: dict, n: int = 1) -> dict:
    return {"id": f"{obj['id']}/activity", "type": "Create", "actor": obj["attributedTo"],
            "object": obj}


def act(type_: str, actor: str, obj: object, n: int = 1) -> dict:
    return {"id": f"{actor}#{type_.lower()}/{n}", "type": type_, "actor": actor, "object": obj}


async def test_a_direct_reply_to_an_opportunity_is_an_expression_of_interest(world):
    opp = world.opportunity
    assert await process(world, create(note(1, in_reply_to=opp))) == "processed"
    [row] = repo.list_responses(world.store)
    assert (row["organisation"], row["object_id"], row["visibility"], row["state"]) == (
        "tafel", opp, "direct", "open")
    assert (row["sender_id"], row["sender_name"], row["sender_handle"]) == (
        ACTOR, "Alice", "@alice@mastodon.example")
    assert row["sender_inbox"] == ACTOR + "/inbox"
    # three working days promised: Wednesday → Monday (the weekend does not count)
    assert (row["received_at"], row["due_at"]) == ("2026-11-25T12:00:00Z",
                                                   "2026-11-30T12:00:00Z")
    assert [m["content"] for m in repo.messages(world.store, row["id"])] == [
        "<p>Ich möchte helfen</p>"]
    # a direct message is not counted publicly with the object
    assert interactions.counts(world.store, opp) == {}


async def test_a_public_reply_is_a_public_comment_and_still_an_interaction(world):
    opp = world.opportunity
    obj = note(1, in_reply_to=opp, to=[PUBLIC], cc=[ACTOR + "/followers"])
    assert await process(world, create(obj)) == "processed"
    [row] = repo.list_responses(world.store)
    assert row["visibility"] == "public"
    assert interactions.counts(world.store, opp) == {"reply": 1}
    unlisted = note(2, in_reply_to=opp, to=[ACTOR + "/followers"], cc=[PUBLIC])
    await process(world, create(unlisted))
    followers_only = note(3, in_reply_to=opp, to=[ACTOR + "/followers"])
    await process(world, create(followers_only))
    assert {r["visibility"] for r in repo.list_responses(world.store)} == {"public"}


async def test_a_mention_of_an_organisation_alone_is_a_response_without_object(world):
    tafel = f"{CITY}/actors/tafel"
    mention = note(1, to=[], tag=[{"type": "Mention", "href": f"{CITY}/actors/sport"}],
                   cc=[f"{CITY}/actors/sport"])
    assert await process(world, create(mention)) == "processed"
    [row] = repo.list_responses(world.store)
    assert (row["organisation"], row["object_id"], row["visibility"]) == ("sport", None,
                                                                          "direct")
    assert row["due_at"] == "2026-12-02T12:00:00Z"  # the default: 5 working days
    addressed = note(2, to=[tafel])
    assert await process(world, create(addressed)) == "processed"
    assert repo.list_responses(world.store, organisation="tafel")[0]["object_id"] is None


async def test_follow_ups_join_the_thread_and_edits_and_deletes_apply(world):
    first = note(1, in_reply_to=world.opportunity)
    await process(world, create(first))
    [row] = repo.list_responses(world.store)
    follow_up = note(2, in_reply_to=first["id"], content="<p>Samstags geht es</p>")
    assert await process(world, create(follow_up)) == "processed"
    assert len(repo.list_responses(world.store)) == 1
    assert [m["content"] for m in repo.messages(world.store, row["id"])] == [
        "<p>Ich möchte helfen</p>", "<p>Samstags geht es</p>"]
    # the same Note again (a repeated delivery) adds nothing
    await process(world, {**create(follow_up), "id": follow_up["id"] + "/again"})
    assert len(repo.messages(world.store, row["id"])) == 2

    edited = {**follow_up, "content": "<p>Sonntags geht es</p><script>x</script>"}
    assert await process(world, act("Update", ACTOR, edited)) == "processed"
    assert repo.messages(world.store, row["id"])[1]["content"] == "<p>Sonntags geht es</p>"
    # bob cannot edit or delete alice's message
    assert await process(world, act("Update", OTHER, {**edited, "id": edited["id"].replace(
        "alice", "bob")})) == "ignored"
    assert await process(world, act("Delete", ACTOR, follow_up["id"])) == "processed"
    assert len(repo.messages(world.store, row["id"])) == 1
    assert await process(world, act("Delete", ACTOR, first["id"], 2)) == "processed"
    assert repo.list_responses(world.store) == []  # nothing of hers is left


async def test_someone_else_replying_in_the_thread_starts_no_message_in_it(world):
    first = note(1, in_reply_to=world.opportunity)
    await process(world, create(first))
    bobs = note(1, actor=OTHER, in_reply_to=first["id"], to=[ACTOR])
    assert await process(world, create(bobs)) == "ignored"  # the network's: not followed
    [row] = repo.list_responses(world.store)
    assert len(repo.messages(world.store, row["id"])) == 1


async def test_delete_of_the_actor_removes_all_their_responses(world):
    await process(world, create(note(1, in_reply_to=world.opportunity)))
    await process(world, create(note(2, to=[f"{CITY}/actors/sport"])))
    await process(world, create(note(1, actor=OTHER, in_reply_to=world.opportunity)))
    assert len(repo.list_responses(world.store)) == 3
    assert await process(world, act("Delete", ACTOR, ACTOR)) == "processed"
    assert [r["sender_id"] for r in repo.list_responses(world.store)] == [OTHER]
    assert world.store.scalar("SELECT count(*) FROM response_messages") == 1


async def test_hostile_html_is_sanitised_and_oversized_text_cut(world):
    hostile = ('<p onclick="x()">Hallo<script>alert(1)</script><img src=x onerror=y>'
               '<a href="javascript:evil()">Link</a></p>')
    await process(world, create(note(1, in_reply_to=world.opportunity, content=hostile)))
    await process(world, create(note(2, to=[f"{CITY}/actors/sport"],
                                     content="<p>" + "a" * 100_000 + "</p>")))
    contents = [m["content"] for r in repo.list_responses(world.store)
                for m in repo.messages(world.store, r["id"])]
    assert all("script" not in c and "onclick" not in c and "javascript" not in c
               and "onerror" not in c for c in contents)
    assert max(len(c) for c in contents) <= 20_010
    assert any("Hallo" in c for c in contents)


async def test_forged_or_foreign_notes_become_no_response(world):
    with pytest.raises(Reject):  # attributedTo is not the signer
        await process(world, create({**note(1, in_reply_to=world.opportunity),
                                     "attributedTo": OTHER}) | {"actor": ACTOR})
    with pytest.raises(Reject):  # the Note lives on another host than its actor
        await process(world, create({**note(1, in_reply_to=world.opportunity),
                                     "id": "https://elsewhere.example/n/1"}))
    # a reply to an object we do not have: no response (a reply to our URL is still counted)
    unknown = f"{CITY}/angebote/gibtsnicht"
    assert await process(world, create(note(3, in_reply_to=unknown, to=[PUBLIC]))) == \
        "processed"
    assert repo.list_responses(world.store) == []
    assert interactions.counts(world.store, unknown) == {"reply": 1}
    # a Note for nobody here goes to the network (which ignores an actor we do not follow)
    assert await process(world, create(note(4, to=[PUBLIC]))) == "ignored"
    assert repo.list_responses(world.store) == []


async def test_a_followed_peer_mentioning_us_is_the_networks_not_a_response(world):
    follows.add_following(world.store, username="musterstadt", actor=OTHER,
                          follow_id=f"{CITY}/f/1", now=NOW)
    follows.set_following_state(world.store, f"{CITY}/f/1", "accepted")
    mention = note(1, actor=OTHER, to=[PUBLIC], tag=[{"type": "Mention",
                                                      "href": f"{CITY}/actors/musterstadt"}])
    await process(world, create(mention))
    assert repo.list_responses(world.store) == []


async def test_a_flood_from_one_actor_is_dropped_and_logged(world, caplog):
    for n in range(30):
        assert await process(world, create(note(n, to=[f"{CITY}/actors/sport"]))) == \
            "processed"
    assert await process(world, create(note(99, in_reply_to=world.opportunity))) == "ignored"
    assert len(repo.list_responses(world.store)) == 30
    assert "response_dropped reason=flood" in caplog.text
    # someone else is not held back
    assert await process(world, create(note(1, actor=OTHER, in_reply_to=world.opportunity))) \
        == "processed"


async def test_an_article_is_left_to_the_network(world):
    article = {**note(1, in_reply_to=world.opportunity), "type": "Article"}
    assert await process(world, create(article)) == "ignored"
    assert repo.list_responses(world.store) == []
