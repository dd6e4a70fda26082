# ruff: noqa: F811  (pytest fixtures imported from their home module)
"""Hostile variants of valid activities, signed correctly by a fake Mastodon so they pass the
signature check and reach processing (issue 17 §2). No answer is a 5xx; a refused POST stores
no inbox row, an accepted one exactly one; the inbox worker then handles every row (processed,
ignored, rejected or failed) without raising, and the instance still serves."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings

from mitwirken.server.app_keys import STORE
from tests.fediverse import drain
from tests.hostile import activities
from tests.integration.test_inbox_security import (  # noqa: F401  (fixtures)
    CITY,
    city,
    count_items,
    peer,
    still_serves,
)

ALICE = "http://mastodon.test/users/alice"  # FakeMastodon's host, checked below
SEQ = iter(range(10**9))


def valid_create(actor: str) -> dict:
    n = next(SEQ)
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/creates/{n}",
            "type": "Create", "actor": actor, "published": datetime.now(UTC).isoformat(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": f"{actor}/notes/{n}", "type": "Note", "attributedTo": actor,
                       "content": "<p>Hallo</p>", "inReplyTo": f"{CITY}/angebote/x1"}}


def pending(city) -> int:
    return int(city.app[STORE].scalar(
        "SELECT count(*) FROM inbox_items WHERE state = 'received'") or 0)


@settings(max_examples=120, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=activities(valid_create(ALICE)))
async def test_signed_hostile_activities_never_5xx_and_are_processed(city, peer, case):
    body, what = case
    before = count_items(city)
    status, answer = await peer.post("alice", f"{CITY}/inbox", body)
    assert status < 500, (status, what, body[:300], answer)
    after = count_items(city)
    if status >= 400:
        assert after == before, (what, body[:300])
        assert set(answer) == {"error", "detail"}
    else:
        assert status == 202 and after <= before + 1
    await drain(city)  # the worker takes the row; an exception in a handler would raise here
    assert pending(city) == 0
    await still_serves(peer)


async def test_the_fake_peer_is_the_actor_the_strategy_uses(peer):
    assert peer.actor_id("alice") == ALICE
