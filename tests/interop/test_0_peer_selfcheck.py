"""The Fedify peer against a second Fedify peer: proves the harness works on its own.

If these pass and test_fedify.py fails, the problem is on Mitwirken's side (or in what the
scenario expects of it), not in peer.mjs, Node, TLS or the certificates.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop import harness as h


@pytest.fixture(scope="module")
def other_peer(node_bin: Path, tls: h.Tls, run_dir: Path) -> Iterator[h.Peer]:
    started = h.Peer.start(node_bin, tls, run_dir / "peer-selfcheck.log")
    try:
        yield started
    finally:
        started.stop()


def test_peer_resolves_follows_and_receives_from_another_fedify_peer(
    peer: h.Peer, other_peer: h.Peer
) -> None:
    actor = peer.lookup(other_peer.handle)
    assert actor["webfinger"]["subject"] == f"acct:peer@localhost:{other_peer.port}"
    assert actor["type"] == "Person"
    assert actor["id"] == other_peer.actor_id
    assert actor["hasUsableKey"] is True, actor["keyError"]
    assert actor["handle"] == other_peer.handle, actor["handleError"]
    assert peer.lookup(other_peer.actor_id, signed=True)["id"] == other_peer.actor_id

    follow = peer.follow(other_peer.handle)
    accept = peer.wait_for_activity(
        lambda a: a["type"] == "Accept" and a["objectId"] == follow["activityId"],
        "the other peer's Accept",
    )
    assert accept["verified"] is True
    assert accept["signature"]["spec"] == "rfc9421"  # Fedify to Fedify: first knock wins
    h.poll(lambda: peer.actor_id in other_peer.followers())

    post = other_peer.post("Selbsttest")
    create = peer.wait_for_activity(
        lambda a: a["type"] == "Create" and a["id"] == post["activityId"], "the other's post"
    )
    assert create["actor"] == other_peer.actor_id
    assert create["objectType"] == "Note"

    peer.unfollow(other_peer.handle)
    h.poll(lambda: peer.actor_id not in other_peer.followers())


@pytest.mark.parametrize("tamper", ["body", "key", "unsigned"])
def test_fedify_refuses_unverifiable_requests_with_401(
    peer: h.Peer, other_peer: h.Peer, tamper: str
) -> None:
    result = peer.forge(f"{other_peer.origin}/inbox", spec="rfc9421", tamper=tamper)
    assert result["status"] == 401, result
    assert any(u["id"] == result["activityId"] for u in other_peer.unverified())
