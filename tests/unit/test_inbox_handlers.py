"""The inbox handlers through the real table (`server/inbox_table.py`), on an in-memory store:
who takes an activity when several could (the actor itself, then our objects, then the
network), and what each use case leaves in its table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mitwirken.federation.inbox import InboxContext, Reject, process
from mitwirken.federation.remote import RemoteActors, parse_actor
from mitwirken.federation.urls import Urls
from mitwirken.models import follows, interactions
from mitwirken.models.store import Store
from mitwirken.server.inbox_table import inbox_router
from mitwirken.server.usecases.network_ingest import Network

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CITY = "https://city.example"
OURS = f"{CITY}/angebote/x1"
ACTOR = "https://mastodon.example/users/alice"


def actor_doc(name: str) -> dict:
    return {"id": ACTOR, "type": "Person", "inbox": ACTOR + "/inbox", "name": name,
            "preferredUsername": "alice"}


class Fetcher:
    """Serves alice's (current) actor document; nothing else exists."""

    def __init__(self) -> None:
        self.name = "Alice"
        self.fetched: list[str] = []

    async def get_object(self, url: str) -> dict:
        self.fetched.append(url)
        return actor_doc(self.name)


@pytest.fixture
def world():
    store = Store.memory()
    fetcher = Fetcher()
    urls = Urls(CITY)
    actors = RemoteActors(store, fetcher, lambda: NOW)  # type: ignore[arg-type]
    actors.save(parse_actor(actor_doc("Alice")))
    ctx = InboxContext(store, urls, actors, lambda: NOW, lambda username: False)
    ctx.router = inbox_router(Network(store, urls, actors, fetcher,  # type: ignore[arg-type]
                                      lambda: NOW))
    ctx.fetcher = fetcher  # type: ignore[attr-defined]
    return ctx


def act(type_: str, obj: object, n: int = 1) -> dict:
    return {"id": f"{ACTOR}#{type_.lower()}/{n}", "type": type_, "actor": ACTOR, "object": obj}


def reply(content: str = "<p>Gern!</p><script>x</script>") -> dict:
    return {"id": "https://mastodon.example/notes/1", "type": "Note", "attributedTo": ACTOR,
            "inReplyTo": OURS, "content": content, "url": "https://mastodon.example/@alice/1"}


def kinds(ctx: InboxContext) -> list[tuple[str, str | None]]:
    return [(i["kind"], i["content"]) for i in interactions.for_object(ctx.store, OURS)]


async def test_likes_and_boosts_of_our_objects_are_recorded_others_ignored(world):
    assert await process(world, act("Like", OURS)) == "processed"
    assert await process(world, act("EmojiReact", OURS, 2)) == "processed"
    assert await process(world, act("Announce", OURS, 3)) == "processed"
    assert await process(world, act("Like", "https://elsewhere.example/n/1", 4)) == "ignored"
    assert sorted(kinds(world)) == [("announce", None), ("like", None), ("like", None)]


async def test_undo_takes_back_a_like_only_by_its_actor(world):
    like = act("Like", OURS)
    await process(world, like)
    with pytest.raises(Reject):
        await process(world, act("Undo", {**like, "actor": "https://x.example/u/bob"}))
    assert await process(world, act("Undo", {"id": like["id"], "type": "Like"})) == "processed"
    assert kinds(world) == []
    assert await process(world, act("Undo", like["id"], 2)) == "ignored"  # nothing left


async def test_reply_to_our_object_is_recorded_sanitised_then_edited_then_deleted(world):
    assert await process(world, act("Create", reply())) == "processed"
    assert kinds(world) == [("reply", "<p>Gern!</p>")]
    edited = reply("<p>Gern, am Samstag.</p>")
    assert await process(world, act("Update", edited)) == "processed"
    assert kinds(world) == [("reply", "<p>Gern, am Samstag.</p>")]
    assert await process(world, act("Delete", edited["id"])) == "processed"
    assert kinds(world) == []


async def test_create_rules_come_before_any_handler(world):
    assert await process(world, act("Create", "https://mastodon.example/notes/1")) == "ignored"
    with pytest.raises(Reject):
        await process(world, act("Create", {**reply(), "id": "https://other.example/n/1"}))
    with pytest.raises(Reject):
        await process(world, act("Create", {**reply(), "attributedTo": "https://x.example/u"}))
    with pytest.raises(Reject):  # an edited Note must be the actor's too
        await process(world, act("Update", {**reply(), "id": "https://other.example/n/1"}))
    assert kinds(world) == []


async def test_what_is_not_about_our_objects_goes_to_the_network(world):
    # alice is not followed: the network ignores her posts (and logs why)
    note = {**reply(), "inReplyTo": "https://elsewhere.example/n/9"}
    assert await process(world, act("Create", note)) == "ignored"
    assert await process(world, act("Announce", "https://elsewhere.example/n/9")) == "ignored"
    with pytest.raises(Reject):  # the network's own rule for a Delete
        await process(world, act("Delete", "https://other.example/n/1"))


async def test_update_of_the_actor_itself_refetches_it(world):
    world.fetcher.name = "Alice Neu"
    assert await process(world, act("Update", actor_doc("embedded, not trusted"))) == \
        "processed"
    assert world.fetcher.fetched == [ACTOR]
    assert world.actors.cached(ACTOR).name == "Alice Neu"


async def test_delete_of_the_actor_itself_forgets_everything_of_it(world):
    follows.add_follower(world.store, username="tafel", actor=ACTOR, follow_id=f"{ACTOR}#f",
                         state="accepted", inbox=ACTOR + "/inbox", shared_inbox=None, now=NOW)
    await process(world, act("Like", OURS))
    assert await process(world, act("Delete", ACTOR)) == "processed"
    assert follows.get_follower(world.store, "tafel", ACTOR) is None
    assert kinds(world) == [] and world.actors.cached(ACTOR) is None
