"""The inbox's table of contents lists every activity type the inbox handled before the
router existed, and keeps their order of precedence (the actor itself, then our objects,
then the knowledge network)."""

from __future__ import annotations

from datetime import UTC, datetime

from mitwirken.federation.inbox import only_own_create, only_own_undo
from mitwirken.federation.remote import RemoteActors
from mitwirken.federation.urls import Urls
from mitwirken.models.store import Store
from mitwirken.server.inbox_table import inbox_router
from mitwirken.server.usecases import follows, interactions, remote_actor_events, reports, responses
from mitwirken.server.usecases.network_ingest import Network

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HANDLED = {"Follow", "Undo", "Accept", "Reject", "Delete", "Update", "Like", "EmojiReact",
           "Announce", "Create", "Flag"}


def network() -> Network:
    store = Store.memory()
    return Network(store, Urls("https://city.example"),
                   RemoteActors(store, None, lambda: NOW),  # type: ignore[arg-type]
                   None, lambda: NOW)  # type: ignore[arg-type]


def test_the_table_routes_every_type_the_inbox_handles():
    assert inbox_router(network()).types == HANDLED


def test_each_chain_keeps_the_order_of_precedence():
    net = network()
    router = inbox_router(net)
    assert router.chain("Follow") == (follows.receive_follow,)
    assert router.chain("Undo") == (only_own_undo, follows.receive_undo_follow,
                                    interactions.receive_undo)
    assert router.chain("Accept") == router.chain("Reject") == (follows.receive_follow_answer,)
    assert router.chain("Flag") == (reports.receive_flag,)
    assert router.chain("Like") == router.chain("EmojiReact") == (interactions.receive_like,)
    assert router.chain("Announce") == (interactions.receive_boost, net.receive_announce)
    assert router.chain("Create") == (only_own_create, responses.receive_create,
                                      net.receive_create)
    assert router.chain("Update") == (remote_actor_events.receive_actor_update,
                                      responses.receive_update, net.receive_update)
    assert router.chain("Delete") == (remote_actor_events.receive_actor_delete,
                                      responses.receive_delete, net.receive_delete)
