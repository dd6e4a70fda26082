"""`reject_reports` from an imported Mastodon domain-block CSV acts, over real HTTP: a Flag
(shaped as Mastodon sends it) from a domain whose rule has `reject_reports=true` — a `noop`
rule, so the domain still federates — is ignored and logged, and becomes no report; the same
Flag from a domain without the flag (or once the rule is lifted) becomes a report. The flag
also covers subdomains."""

from __future__ import annotations

import logging

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from tests.fakes.mastodon import FakeMastodon
from tests.integration.test_mastodon_fake import drain
from tests.integration.test_network import add_org, publish_opportunity
from tests.integration.test_reports import api, flag

CSV = ("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
       "mastodon.test,noop,false,true,Meldet alles als Spam,false\n")


@pytest.fixture
async def servers(fediverse):
    main_server = await FakeMastodon(fediverse.resolver).start()
    sub = await FakeMastodon(fediverse.resolver, domain="eu.mastodon.test").start()
    other = await FakeMastodon(fediverse.resolver, domain="other.test").start()
    yield main_server, sub, other
    for server in (main_server, sub, other):
        await server.close()


async def test_flags_from_a_domain_with_reject_reports_are_ignored(fediverse, servers,
                                                                   tmp_path, caplog):
    masto, sub, other = servers
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    token = actor_repo.create_token(store, "city_a")
    opp = publish_opportunity(city, "tafel", title="Angebot")
    opp_url = city.app[URLS].opportunity(opp.id)
    (tmp_path / "blocks.csv").write_text(CSV, "utf-8")
    data = ["--data", str(city.settings.data_dir)]
    assert main(["block", "import", str(tmp_path / "blocks.csv"), *data]) == 0
    rule = moderation.domain_rule(store, "mastodon.test")
    assert (rule["policy"], rule["reject_reports"]) == ("allow", True)

    # When mastodon.test and its subdomain send a Flag, and other.test one too
    caplog.set_level(logging.INFO, logger="mitwirken.moderation")
    inbox = "http://city-a.test/inbox"
    ignored = flag(masto, [opp_url], "Alles Spam")
    from_sub = flag(sub, [opp_url], "Auch Spam")
    kept = flag(other, [opp_url], "Bitte prüfen")
    for server, activity in ((masto, ignored), (sub, from_sub), (other, kept)):
        assert (await server.post("actor", inbox, activity))[0] == 202
    await drain(city)

    # Then only other.test's became a report; the others are ignored and logged
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports", token)
    assert status == 200
    assert [r["activity_id"] for r in body["items"]] == [kept["id"]]
    assert f"report_ignored reason=reject_reports actor={masto.actor_id('actor')}" in caplog.text
    assert "domain=eu.mastodon.test" in caplog.text
    states = {r["activity_id"]: r["state"] for r in store.all(
        "SELECT activity_id, state FROM inbox_items")}
    assert states[ignored["id"]] == "ignored" and states[from_sub["id"]] == "ignored"

    # When the rule is lifted, mastodon.test's next Flag is a report again
    assert main(["domain", "remove", "mastodon.test", *data]) == 0
    again = flag(masto, [opp_url], "Jetzt aber")
    assert (await masto.post("actor", inbox, again))[0] == 202
    await drain(city)
    status, body = await api(fediverse, "GET", "/api/v1/admin/reports", token)
    assert sorted(r["activity_id"] for r in body["items"]) == sorted([kept["id"], again["id"]])
