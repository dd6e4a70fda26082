"""Every activity type the inbox understands, and who handles it: the table of contents of
the inbox worker (Fedify's `.on(Follow, handler)`).

For each type the handlers are asked in this order; the first that returns a state decides,
the others are not asked (`federation.inbox.InboxRouter`). A type not listed here is answered
202 and then ignored. The order is the precedence: the actor itself before our objects before
the knowledge network."""

from __future__ import annotations

from mitwirken.federation.inbox import InboxRouter, only_own_create, only_own_undo
from mitwirken.server.usecases import follows, interactions, remote_actor_events, reports, responses
from mitwirken.server.usecases.network_ingest import Network


def inbox_router(network: Network) -> InboxRouter:
    return (
        InboxRouter()
        .on("Follow", follows.receive_follow)
        .on("Undo", only_own_undo, follows.receive_undo_follow, interactions.receive_undo)
        .on("Accept", follows.receive_follow_answer)
        .on("Reject", follows.receive_follow_answer)
        .on("Like", interactions.receive_like)
        .on("EmojiReact", interactions.receive_like)
        .on("Announce", interactions.receive_boost, network.receive_announce)
        .on("Create", only_own_create, responses.receive_create, network.receive_create)
        .on("Update", remote_actor_events.receive_actor_update, responses.receive_update,
            network.receive_update)
        .on("Delete", remote_actor_events.receive_actor_delete, responses.receive_delete,
            network.receive_delete)
        .on("Flag", reports.receive_flag)
    )
