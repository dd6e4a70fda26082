"""Domain rules and the federation mode (`models.domain_policy`, `usecases.moderation`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mitwirken.models import actor_blocks, deliveries, domain_policy
from mitwirken.models.domain_policy import Mode, Policy, PolicyCache
from mitwirken.models.store import Store
from mitwirken.models.web_names import WebNameError
from mitwirken.server.usecases import moderation

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store():
    s = Store.memory()
    yield s
    s.close()


def test_rules_cover_subdomains_and_the_strictest_wins(store):
    moderation.allow_domain(store, "Partner.Example.", "Partnerstadt", NOW)
    moderation.limit_domain(store, "laut.partner.example", "Viel Werbung", NOW)
    moderation.block_domain(store, "spam.partner.example", "Spam", NOW)
    verdict = lambda host: domain_policy.verdict(store, host)  # noqa: E731
    assert verdict("partner.example") == "federates"
    assert verdict("www.partner.example") == "federates"
    assert verdict("laut.partner.example") == "limited"
    assert verdict("a.laut.partner.example") == "limited"
    assert verdict("x.spam.partner.example") == "refused"
    assert verdict("other.example") == "federates"  # open mode
    assert domain_policy.strictest(store, "b.spam.partner.example") == Policy.BLOCK
    assert moderation.domain_limited(store, "laut.partner.example")
    assert not moderation.domain_limited(store, "partner.example")


def test_allowlist_mode_refuses_every_unlisted_domain(store):
    moderation.allow_domain(store, "partner.example", "", NOW)
    moderation.limit_domain(store, "laut.example", "", NOW)
    assert moderation.federation_mode(store) == Mode.OPEN
    moderation.set_federation_mode(store, Mode.ALLOWLIST, NOW)
    assert domain_policy.is_refused(store, "fremd.example")
    assert not domain_policy.is_refused(store, "a.partner.example")
    assert domain_policy.verdict(store, "laut.example") == "limited"  # listed, but limited
    assert moderation.delivery_decision(PolicyCache(store), "fremd.example") == "hold"
    assert moderation.delivery_decision(PolicyCache(store), "partner.example") == "send"
    moderation.block_domain(store, "boese.example", "", NOW)
    assert moderation.delivery_decision(PolicyCache(store), "boese.example") == "cancel"
    moderation.set_federation_mode(store, Mode.OPEN, NOW)
    assert not domain_policy.is_refused(store, "fremd.example")


def enqueue(store, *inboxes: str) -> None:
    deliveries.enqueue_deliveries(store, "https://a.example/activities/1", "tafel", "{}",
                                  inboxes, NOW)


def states(store) -> dict[str, str]:
    return {r["domain"]: r["state"] for r in store.all("SELECT domain, state FROM deliveries")}


def test_switching_modes_holds_and_releases_deliveries(store):
    enqueue(store, "https://partner.example/inbox", "https://fremd.example/inbox",
            "https://x.fremd2.example/inbox")
    moderation.allow_domain(store, "partner.example", "", NOW)
    result = moderation.set_federation_mode(store, Mode.ALLOWLIST, NOW)
    assert result == {"mode": "allowlist", "released": 0, "held": 2}
    assert states(store) == {"partner.example": "pending", "fremd.example": "held",
                             "x.fremd2.example": "held"}
    # allowing a parent domain releases its subdomains' held rows
    assert moderation.allow_domain(store, "fremd2.example", "", NOW)["released"] == 1
    assert states(store)["x.fremd2.example"] == "pending"
    # a block cancels held rows too
    assert moderation.block_domain(store, "fremd.example", "", NOW)["deliveries"] == 1
    assert states(store)["fremd.example"] == "failed"
    assert deliveries.delivery_summary(store)["held"] == 0


def test_open_mode_releases_every_held_delivery(store):
    enqueue(store, "https://fremd.example/inbox")
    moderation.set_federation_mode(store, Mode.ALLOWLIST, NOW)
    assert deliveries.delivery_summary(store)["held"] == 1
    assert moderation.set_federation_mode(store, Mode.OPEN, NOW)["released"] == 1
    assert states(store) == {"fremd.example": "pending"}


def test_a_malformed_domain_writes_nothing(store):
    for bad in ("export", "https://spam.example", "spam example", ""):
        with pytest.raises(WebNameError):
            moderation.limit_domain(store, bad, "", NOW)
    assert domain_policy.list_rules(store) == []
    assert moderation.audit_entries(store) == []


def test_removing_a_rule_and_unblocking(store):
    moderation.limit_domain(store, "laut.example", "", NOW)
    assert not moderation.unblock_domain(store, "laut.example", NOW)  # not a block
    assert moderation.remove_domain_rule(store, "laut.example", NOW)
    assert not moderation.remove_domain_rule(store, "laut.example", NOW)
    assert domain_policy.list_rules(store) == []


def test_kept_verdicts_never_outlive_a_rule_or_a_mode_switch(store):
    policy = PolicyCache(store)
    assert not policy.is_refused("boese.example")
    assert not policy.is_blocked("a.boese.example")
    moderation.block_domain(store, "boese.example", "Spam", NOW)
    assert policy.is_refused("boese.example")  # the very next question sees the block
    assert policy.is_blocked("a.boese.example")
    moderation.set_federation_mode(store, Mode.ALLOWLIST, NOW)
    assert policy.is_refused("fremd.example")
    moderation.allow_domain(store, "fremd.example", "Partnerstadt", NOW)
    assert not policy.is_refused("fremd.example")
    moderation.limit_domain(store, "fremd.example", "", NOW)
    assert policy.verdict("fremd.example") == "limited"


def test_a_rule_written_by_another_process_reaches_the_kept_verdicts(tmp_path):
    server = Store.open(tmp_path / "mitwirken.db")
    cli = Store.open(tmp_path / "mitwirken.db")  # e.g. `mitwirken block import` meanwhile
    try:
        policy = PolicyCache(server)
        assert policy.verdict("boese.example") == "federates"
        moderation.block_domain(cli, "boese.example", "Spam", NOW)
        assert policy.verdict("boese.example") == "refused"
        moderation.unblock_domain(cli, "boese.example", NOW)
        assert policy.verdict("boese.example") == "federates"
    finally:
        server.close()
        cli.close()


def test_a_kept_actor_answer_never_outlives_an_actor_block(store):
    policy = PolicyCache(store)
    troll = "https://laut.example/users/troll"
    assert not policy.actor_blocked(troll)
    block_id = actor_blocks.add(store, troll, "laut.example", "Beleidigungen", "admin", NOW)
    assert policy.actor_blocked(troll)  # the next request sees it
    assert not policy.actor_blocked("https://laut.example/users/andere")
    actor_blocks.remove(store, block_id)
    assert not policy.actor_blocked(troll)
