"""The admin JSON API with an admin's web session, over real HTTP: a logged-in admin reads
it with the session cookie alone; a POST needs the session's CSRF token in `X-CSRF-Token`
(without it, or with a wrong one: 403 and nothing changes); the action is in the audit log as
`web:<e-mail>`. A staff or editor session gets 403 (not 401), no login at all 401, and the
city's token works as before."""

from __future__ import annotations

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import STORE
from mitwirken.server.usecases import moderation
from tests.integration.test_network import add_org
from tests.integration.test_reports import api
from tests.integration.test_web_review import Person
from tests.web_helpers import add_account, csrf_of

FEDERATION = "/api/v1/admin/federation"


async def _call(person: Person, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict]:
    async with person.session.request(method, person.base + path, json=body,
                                      headers=headers or {}) as resp:
        return resp.status, await resp.json(content_type=None)


async def _logged_in(fediverse, city, email: str) -> tuple[Person, str]:
    """A person logged in with the web form, and their session's CSRF token."""
    person = Person(fediverse, city)
    await person.login(email)
    _, page = await person.get("/verwaltung")
    return person, csrf_of(page)


async def test_an_admin_session_may_use_the_admin_api_others_get_403(fediverse):
    city = await fediverse.add("city-a")
    add_org(city, "tafel")
    store = city.app[STORE]
    add_account(city.settings, "chef@stadt-a.example", "admin")
    add_account(city.settings, "staff@stadt-a.example", "staff")
    add_account(city.settings, "ben@tafel.example", "editor", ["tafel"])
    chef, csrf = await _logged_in(fediverse, city, "chef@stadt-a.example")
    staff, staff_csrf = await _logged_in(fediverse, city, "staff@stadt-a.example")
    editor, editor_csrf = await _logged_in(fediverse, city, "ben@tafel.example")
    nobody = Person(fediverse, city)
    try:
        # The admin's session reads the API with the cookie alone
        status, body = await _call(chef, "GET", FEDERATION)
        assert (status, body["mode"]) == (200, "open")
        status, body = await _call(chef, "GET", "/api/v1/admin/audit")
        assert status == 200 and body["items"] == []
        status, body = await _call(chef, "GET", "/api/v1/admin/inbox")
        assert status == 200 and body["items"] == []

        # A POST without the CSRF header, or with a wrong one, is refused; nothing changes
        for headers in ({}, {"X-CSRF-Token": "falsch"}, {"X-CSRF-Token": staff_csrf}):
            status, body = await _call(chef, "POST", FEDERATION,
                                       {"mode": "allowlist", "reason": "x"}, headers)
            assert (status, body["error"]) == (403, "csrf_refused"), headers
            assert "X-CSRF-Token" in body["detail"]
        status, body = await _call(chef, "DELETE", "/api/v1/admin/domains/laut.example")
        assert (status, body["error"]) == (403, "csrf_refused")
        assert moderation.federation_mode(store).value == "open"
        assert moderation.audit_entries(store) == []

        # With it, the action is done and audited under the person's name
        status, body = await _call(chef, "POST", FEDERATION,
                                   {"mode": "allowlist", "reason": "Nur Städte"},
                                   {"X-CSRF-Token": csrf})
        assert (status, body["mode"]) == (200, "allowlist"), body
        status, body = await _call(chef, "POST", "/api/v1/admin/domains",
                                   {"domain": "laut.example", "policy": "block",
                                    "reason": "Werbung"}, {"X-CSRF-Token": csrf})
        assert status in (200, 201), body
        entries = [(e["actor"], e["action"], e["reason"])
                   for e in moderation.audit_entries(store)]
        assert entries == [("web:chef@stadt-a.example", "federation.mode", "Nur Städte"),
                           ("web:chef@stadt-a.example", "domain.block", "Werbung")]

        # Staff and editor sessions get 403 (not 401), for reading and acting alike
        for person, token in ((staff, staff_csrf), (editor, editor_csrf)):
            for path in (FEDERATION, "/api/v1/admin/inbox", "/api/v1/admin/reports"):
                status, body = await _call(person, "GET", path)
                assert (status, body["error"]) == (403, "forbidden"), path
            status, body = await _call(person, "POST", FEDERATION, {"mode": "open"},
                                       {"X-CSRF-Token": token})
            assert (status, body["error"]) == (403, "forbidden")
        assert moderation.federation_mode(store).value == "allowlist"

        # Without a login: 401; the city's token works as before, an organisation's: 403
        status, body = await _call(nobody, "GET", FEDERATION)
        assert (status, body["error"]) == (401, "unauthorized")
        city_token = actor_repo.create_token(store, "city_a")
        status, body = await api(fediverse, "GET", FEDERATION, city_token)
        assert (status, body["mode"]) == (200, "allowlist")
        status, _ = await api(fediverse, "GET", FEDERATION, actor_repo.create_token(store,
                                                                                    "tafel"))
        assert status == 403
    finally:
        for person in (chef, staff, editor, nobody):
            await person.session.close()
