"""The inbox router: for one activity type an ordered chain of handlers, the first state wins,
None passes on, a type nobody routes is ignored; and the protocol rules that head a chain."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from mitwirken.federation.inbox import (
    Activity,
    InboxContext,
    InboxRouter,
    Reject,
    State,
    only_own_create,
    only_own_undo,
    process,
)
from mitwirken.federation.remote import RemoteActors
from mitwirken.federation.urls import Urls
from mitwirken.models import domain_policy
from mitwirken.models.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACTOR = "https://mastodon.example/users/alice"


def context(router: InboxRouter | None = None) -> InboxContext:
    store = Store.memory()
    ctx = InboxContext(store, Urls("https://city.example"),
                       RemoteActors(store, None, lambda: NOW),  # type: ignore[arg-type]
                       lambda: NOW, lambda username: False)
    if router is not None:
        ctx.router = router
    return ctx


def activity(type_: object = "Create", **fields: object) -> Activity:
    return {"id": f"{ACTOR}#1", "type": type_, "actor": ACTOR, **fields}


class Recorder:
    """Handlers that note their name when asked and answer a fixed state (or None)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def handler(self, name: str, answer: State | None):
        async def handle(ctx: InboxContext, act: Activity) -> State | None:
            self.asked.append(name)
            return answer
        return handle


async def test_chain_is_asked_in_order_and_the_first_state_wins():
    rec = Recorder()
    router = InboxRouter().on("Create", rec.handler("a", None), rec.handler("b", "processed"),
                              rec.handler("c", "ignored"))
    assert await router.dispatch(context(), activity()) == "processed"
    assert rec.asked == ["a", "b"]


async def test_a_final_ignored_stops_the_chain_too():
    rec = Recorder()
    router = InboxRouter().on("Create", rec.handler("a", "ignored"),
                              rec.handler("b", "processed"))
    assert await router.dispatch(context(), activity()) == "ignored"
    assert rec.asked == ["a"]


async def test_a_chain_where_every_handler_passes_is_ignored():
    rec = Recorder()
    router = InboxRouter().on("Create", rec.handler("a", None), rec.handler("b", None))
    assert await router.dispatch(context(), activity()) == "ignored"
    assert rec.asked == ["a", "b"]


async def test_unknown_or_missing_type_is_ignored_and_logged(caplog):
    rec = Recorder()
    router = InboxRouter().on("Create", rec.handler("a", "processed"))
    with caplog.at_level(logging.INFO, logger="mitwirken.inbox"):
        assert await router.dispatch(context(), activity("QuoteRequest")) == "ignored"
        assert await router.dispatch(context(), activity(["Create"])) == "ignored"
    assert rec.asked == []
    assert "activity_ignored type=QuoteRequest actor=" + ACTOR in caplog.text


async def test_reject_from_a_handler_propagates_and_stops_the_chain():
    rec = Recorder()

    async def forged(ctx: InboxContext, act: Activity) -> State | None:
        raise Reject("forged")

    router = InboxRouter().on("Create", forged, rec.handler("b", "processed"))
    with pytest.raises(Reject, match="forged"):
        await router.dispatch(context(), activity())
    assert rec.asked == []


async def test_process_uses_the_contexts_router_and_an_empty_router_ignores_all():
    rec = Recorder()
    ctx = context(InboxRouter().on("Like", rec.handler("like", "processed")))
    assert await process(ctx, activity("Like")) == "processed"
    assert await process(context(), activity("Like")) == "ignored"
    assert rec.asked == ["like"]


def test_a_type_is_routed_once_and_to_at_least_one_handler():
    rec = Recorder()
    router = InboxRouter().on("Like", rec.handler("a", None))
    with pytest.raises(ValueError):
        router.on("Like", rec.handler("b", None))
    with pytest.raises(ValueError):
        router.on("Announce")
    assert router.types == {"Like"}
    assert len(router.chain("Like")) == 1 and router.chain("Announce") == ()


async def test_undo_of_another_actors_activity_is_rejected_first():
    ctx = context()
    foreign = activity("Undo", object={"type": "Follow", "actor": "https://x.example/u/bob"})
    with pytest.raises(Reject):
        await only_own_undo(ctx, foreign)
    for inner in ({"type": "Like", "actor": ACTOR}, {"type": "Like"}, "https://x/activity"):
        assert await only_own_undo(ctx, activity("Undo", object=inner)) is None


async def test_create_must_embed_an_object_of_its_own_actor():
    ctx = context()
    assert await only_own_create(ctx, activity(object="https://mastodon.example/n/1")) == \
        "ignored"
    for obj in ({"id": "https://other.example/n/1"}, {"type": "Note"},
                {"id": "https://mastodon.example/n/1", "attributedTo": "https://x.example/u"}):
        with pytest.raises(Reject):
            await only_own_create(ctx, activity(object=obj))
    own = {"id": "https://mastodon.example/n/1", "attributedTo": ACTOR}
    assert await only_own_create(ctx, activity(object=own)) is None
    assert await only_own_create(ctx, activity(object={"id": own["id"]})) is None


async def test_queued_activities_of_a_domain_refused_meanwhile_are_ignored():
    rec = Recorder()
    ctx = context(InboxRouter().on("Create", rec.handler("store", "processed")))
    assert await process(ctx, activity()) == "processed"
    domain_policy.set_mode(ctx.store, domain_policy.Mode.ALLOWLIST)
    assert await process(ctx, activity()) == "ignored"
    domain_policy.set_rule(ctx.store, "mastodon.example", domain_policy.Policy.ALLOW, "", NOW)
    assert await process(ctx, activity()) == "processed"
    domain_policy.set_mode(ctx.store, domain_policy.Mode.OPEN)
    domain_policy.block(ctx.store, "mastodon.example", "", NOW)
    assert await process(ctx, activity()) == "ignored"
    assert rec.asked == ["store", "store"]
