"""`/verwaltung/netzwerk` over real HTTP (issue 15, the network in the web UI): A's admin
follows B's city by handle (B accepts), then unfollows it (B forgets A); C's follow of A waits
because A limits C's domain, A's admin approves it in the web UI (C is accepted), then removes
C as a follower (C gets the Reject). Each decision is audited as `web:<e-mail>`; staff get
403; an unknown handle is a German 422."""

from __future__ import annotations

from mitwirken.models import follows as follow_repo
from mitwirken.server.app_keys import STORE
from mitwirken.server.usecases import moderation
from tests.fediverse import drain
from tests.integration.test_federation_policy import admin
from tests.integration.test_network import follow, served
from tests.integration.test_web_review import Person
from tests.web_helpers import add_account

__all__ = ["served"]  # the fixture, imported for this module's tests

A_CITY = "http://city-a.test/actors/city_a"
B_CITY = "http://city-b.test/actors/city_b"
C_CITY = "http://city-c.test/actors/city_c"


def state(inst, table: str, username: str, actor: str) -> str | None:
    rows = follow_repo.list_following(inst.app[STORE], username) if table == "following" \
        else list(follow_repo.list_followers(inst.app[STORE], username))
    return next((r["state"] for r in rows if r["actor"] == actor), None)


async def test_admin_follows_approves_and_removes_in_the_web_ui(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    add_account(a.settings, "chef@stadt-a.example", "admin")
    add_account(a.settings, "staff@stadt-a.example", "staff")
    chef, staff = Person(fediverse, a), Person(fediverse, a)
    try:
        await chef.login("chef@stadt-a.example")
        page = "/verwaltung/netzwerk"
        status, html = await chef.post(f"{page}/folgen", {"konto": "city_a",
                                       "handle": "@city_b@city-b.test"}, page)
        assert status == 200 and f"Die Folgeanfrage an {B_CITY} ist unterwegs." in html
        await drain(a, b)
        assert state(a, "following", "city_a", B_CITY) == "accepted"
        assert state(b, "followers", "city_b", A_CITY) == "accepted"
        assert "bestätigt" in (await chef.get(page))[1]

        status, html = await chef.post(f"{page}/folgen", {"konto": "city_a",
                                       "handle": "@niemand@nirgendwo.test"}, page)
        assert status == 422 and "wurde nicht gefunden" in html

        status, _ = await chef.post(f"{page}/entscheiden", {
            "konto": "city_a", "actor": B_CITY, "aktion": "entfolgen"}, page)
        assert status == 200
        await drain(a, b)
        assert state(a, "following", "city_a", B_CITY) is None
        assert state(b, "followers", "city_b", A_CITY) is None

        assert admin(a, "limit", "city-c.test", "--reason", "neu im Netzwerk") == 0
        await follow(c, a)
        assert state(a, "followers", "city_a", C_CITY) == "pending"
        _, html = await chef.get(page)
        assert C_CITY in html and "wartet auf Zustimmung" in html
        status, html = await chef.post(f"{page}/entscheiden", {
            "konto": "city_a", "actor": C_CITY, "aktion": "annehmen", "reason": "Partner"},
            page)
        assert status == 200 and f"Angenommen: {C_CITY}" in html
        await drain(a, c)
        assert state(c, "following", "city_c", A_CITY) == "accepted"

        status, html = await chef.post(f"{page}/entscheiden", {
            "konto": "city_a", "actor": C_CITY, "aktion": "entfernen", "reason": "Spam"}, page)
        assert status == 200 and "Entfernt:" in html
        await drain(a, c)
        assert state(a, "followers", "city_a", C_CITY) is None
        assert state(c, "following", "city_c", A_CITY) == "rejected"
        assert (await chef.post(f"{page}/entscheiden", {
            "konto": "city_a", "actor": C_CITY, "aktion": "entfernen"}, page))[0] == 404

        await staff.login("staff@stadt-a.example")
        assert (await staff.get(page))[0] == 403
    finally:
        await chef.session.close()
        await staff.session.close()
    audited = [(e["actor"], e["action"], e["target"]) for e in
               moderation.audit_entries(a.app[STORE]) if e["actor"].startswith("web:")]
    assert ("web:chef@stadt-a.example", "follow.approve", C_CITY) in audited
    assert any(action.startswith("follow") and target == B_CITY
               for _, action, target in audited), audited


async def test_each_actor_can_require_approval_of_new_followers(fediverse, served):
    a = await fediverse.add("city-a")
    b = await fediverse.add("city-b")
    c = await fediverse.add("city-c")
    add_account(a.settings, "chef@stadt-a.example", "admin")
    await follow(b, a)  # B follows A already: it hears of the change
    chef = Person(fediverse, a)
    try:
        await chef.login("chef@stadt-a.example")
        page = "/verwaltung/netzwerk"
        status, html = await chef.post(f"{page}/zustimmung", {
            "konto": "city_a", "bestaetigen": "ja", "reason": "erst prüfen"}, page)
        assert status == 200 and "warten jetzt auf Ihre Zustimmung" in html
        assert 'value="ja" checked' in html
        async with chef.session.get(A_CITY, headers={"Accept": "application/activity+json"}
                                    ) as resp:
            assert (await resp.json(content_type=None))["manuallyApprovesFollowers"] is True
        await drain(a, b)
        update = b.app[STORE].one(
            "SELECT state FROM inbox_items WHERE type = 'Update' AND actor = ?", [A_CITY])
        assert update == {"state": "processed"}  # A's followers got the Update
        await follow(c, a)
        assert state(a, "followers", "city_a", C_CITY) == "pending"
    finally:
        await chef.session.close()
    assert admin(a, "approval", "off", "--reason", "wieder offen") == 0
    entries = [(e["actor"].split(":")[0], e["action"], e["reason"]) for e in
               moderation.audit_entries(a.app[STORE]) if e["action"] == "follow.approval"]
    assert entries == [("web", "follow.approval", "erst prüfen"),
                       ("cli", "follow.approval", "wieder offen")]
