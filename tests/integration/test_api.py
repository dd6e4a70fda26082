"""The editor API over real HTTP: auth, ownership, validation, and what reaches the fediverse.

Every write must leave exactly one activity in the outbox (or, when rejected, nothing at all),
and the object must be served at its ``ap_id`` — that is the contract followers rely on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.models import interactions as interaction_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import STORE
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.web.openapi_spec import operations

MINIMAL = {"title": "Lesepat:in gesucht", "description": "Markdown …", "kind": "regular",
           "contact": {"email": "info@example.org"}}
PRACTICE = {"title": "Ehrenamtsbörse im Rathaus",
            "summary": "Einmal im Jahr stellen sich 40 Vereine im Rathaus vor."}
AP = {"Accept": "application/activity+json"}
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """The app's clock, moved by the test (confirm must record *this* time)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Api:
    client: object
    store: Store
    clock: Clock
    tokens: dict[str, str]

    def auth(self, who: str = "tafel") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def create(self, body: dict | None = None, who: str = "tafel",
                     kind: str = "opportunities") -> dict:
        resp = await self.client.post(f"/api/v1/{kind}", json=body or MINIMAL,
                                      headers=self.auth(who))
        assert resp.status == 201, await resp.text()
        return await resp.json()

    def outbox(self) -> list[tuple[str, str, str]]:
        """The authors' activities (the city's boosts of them are checked separately)."""
        return [(r["username"], r["type"], r["object_id"]) for r in self.store.all(
            "SELECT username, type, object_id FROM outbox WHERE type != 'Announce' "
            "ORDER BY seq")]

    def boosts(self) -> list[tuple[str, str]]:
        return [(r["username"], r["object_id"]) for r in self.store.all(
            "SELECT username, object_id FROM outbox WHERE type = 'Announce' ORDER BY seq")]

    def counts(self) -> dict[str, int]:
        return {t: int(self.store.scalar(f"SELECT count(*) FROM {t}") or 0)
                for t in ("opportunities", "practices", "outbox", "deliveries", "tombstones")}


@pytest.fixture
async def api(aiohttp_client, settings) -> Api:
    clock = Clock()
    client = await aiohttp_client(create_app(settings, start_workers=False, clock=clock))
    store = client.app[STORE]
    actor_repo.create_actor(store, make_actor("bibliothek", "org", "Stadtbibliothek",
                                              sector="administration"))
    tokens = {u: actor_repo.create_token(store, u) for u in ("tafel", "bibliothek",
                                                             "musterstadt")}
    return Api(client, store, clock, tokens)


def path_of(ap_id: str) -> str:
    return urlsplit(ap_id).path


# ---------------------------------------------------------------------------- auth


async def test_every_route_but_the_description_needs_a_token(api):
    opp = await api.create()
    practice = await api.create(PRACTICE, kind="practices")
    before = api.counts()
    checked = 0
    for path, methods in operations().items():
        object_id = practice["id"] if path.startswith("/api/v1/practices") else opp["id"]
        url = path.replace("{id}", object_id).replace("{domain}", "spam.example")
        for method, op in methods.items():
            if op.get("security") == []:
                continue
            for headers in ({}, {"Authorization": "Bearer mw_not-a-token"},
                            {"Authorization": f"Basic {api.tokens['tafel']}"},
                            {"Authorization": "Bearer "}):
                resp = await api.client.request(method.upper(), url, headers=headers,
                                                json=MINIMAL)
                assert resp.status == 401, (method, url, headers)
                assert (await resp.json())["error"] == "unauthorized"
                assert resp.headers["WWW-Authenticate"].startswith("Bearer")
                checked += 1
    assert checked >= 4 * 12
    assert api.counts() == before


async def test_other_organisations_objects_are_forbidden_and_unknown_ids_404(api):
    opp = await api.create()
    before = api.counts()
    base = f"/api/v1/opportunities/{opp['id']}"
    for method, url in (("GET", base), ("PATCH", base), ("DELETE", base),
                        ("POST", f"{base}/confirm"), ("POST", f"{base}/close"),
                        ("GET", f"{base}/interactions")):
        resp = await api.client.request(method, url, headers=api.auth("bibliothek"),
                                        json={"title": "Übernommen"})
        assert resp.status == 403, (method, url)
        assert (await resp.json())["error"] == "forbidden"
        missing = url.replace(opp["id"], "gibtesnicht1")
        resp = await api.client.request(method, missing, headers=api.auth(), json={})
        assert resp.status == 404, (method, missing)
        assert (await resp.json())["error"] == "not_found"
    resp = await api.client.get("/api/v1/opportunities?org=tafel", headers=api.auth("bibliothek"))
    assert resp.status == 403
    assert api.counts() == before
    resp = await api.client.get(base, headers=api.auth())
    assert (await resp.json())["title"] == MINIMAL["title"]


# ---------------------------------------------------------------------------- rejected writes


async def test_validation_error_names_field_in_german_and_writes_nothing(api):
    await api.create()
    before, outbox = api.counts(), api.outbox()
    body = {**MINIMAL, "title": "", "contact": {"email": "info(at)example"}, "min_age": 120}
    resp = await api.client.post("/api/v1/opportunities", json=body, headers=api.auth())
    assert resp.status == 422
    data = await resp.json()
    assert data["error"] == "validation_failed"
    assert {"field": "title", "message": "Der Titel darf nicht leer sein."} in data["detail"]
    assert {"field": "contact.email", "message": "Bitte eine gültige E-Mail-Adresse angeben, "
            "z. B. info@verein.de."} in data["detail"]
    assert {"field": "min_age", "message": "Das Mindestalter muss zwischen 0 und 99 Jahren "
            "liegen."} in data["detail"]
    missing = {k: v for k, v in MINIMAL.items() if k != "kind"}
    resp = await api.client.post("/api/v1/opportunities", json=missing, headers=api.auth())
    assert (await resp.json())["detail"] == [{"field": "kind", "message": "Pflichtfeld fehlt."}]
    naive = {**MINIMAL, "kind": "one-off", "start": "2027-05-01T10:00:00",
             "end": "2027-05-01T12:00:00+02:00"}
    resp = await api.client.post("/api/v1/opportunities", json=naive, headers=api.auth())
    assert (await resp.json())["detail"] == [{"field": "start", "message": "Datum und Uhrzeit "
                                              "brauchen eine Zeitzone, z. B. "
                                              "2025-05-01T10:00:00+02:00."}]
    assert api.counts() == before and api.outbox() == outbox


async def test_patch_validation_error_keeps_the_stored_object(api):
    opp = await api.create()
    before = api.counts()
    resp = await api.client.patch(f"/api/v1/opportunities/{opp['id']}", headers=api.auth(),
                                  json={"title": "Neu", "places_left": 5, "volunteers_needed": 2})
    assert resp.status == 422
    assert [p["field"] for p in (await resp.json())["detail"]] == ["places_left"]
    assert api.counts() == before
    resp = await api.client.get(f"/api/v1/opportunities/{opp['id']}", headers=api.auth())
    assert (await resp.json())["title"] == MINIMAL["title"]


@pytest.mark.parametrize("field", ["id", "published", "updated", "last_confirmed"])
async def test_server_set_fields_are_rejected(api, field):
    opp = await api.create()
    before = api.counts()
    value = "2026-01-01T00:00:00+00:00" if field != "id" else "meins"
    resp = await api.client.post("/api/v1/opportunities", json={**MINIMAL, field: value},
                                 headers=api.auth())
    assert resp.status == 422
    expected = [{"field": field, "message": "Dieses Feld setzt der Server; bitte weglassen."}]
    assert (await resp.json())["detail"] == expected
    resp = await api.client.patch(f"/api/v1/opportunities/{opp['id']}", json={field: value},
                                  headers=api.auth())
    assert resp.status == 422 and (await resp.json())["detail"] == expected
    resp = await api.client.patch(f"/api/v1/opportunities/{opp['id']}",
                                  json={"org_username": "bibliothek"}, headers=api.auth())
    assert resp.status == 422
    assert api.counts() == before


async def test_unknown_field_is_an_error_not_silently_dropped(api):
    resp = await api.client.post("/api/v1/opportunities", json={**MINIMAL, "titel": "X"},
                                 headers=api.auth())
    assert resp.status == 422
    assert (await resp.json())["detail"] == [
        {"field": "titel", "message": "Unbekanntes Feld „titel“ – bitte die Schreibweise prüfen."}]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_malformed_json_is_400(api, body):
    before = api.counts()
    resp = await api.client.post("/api/v1/opportunities", data=body, headers={
        **api.auth(), "Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"] == "malformed_json"
    assert api.counts() == before


async def test_oversized_body_is_413(api):
    before = api.counts()
    body = json.dumps({**MINIMAL, "description": "x" * 1_100_000})
    resp = await api.client.post("/api/v1/opportunities", data=body, headers={
        **api.auth(), "Content-Type": "application/json"})
    assert resp.status == 413
    assert (await resp.json())["error"] == "request_entity_too_large"
    assert api.counts() == before


async def test_duplicate_original_id_is_a_validation_error(api):
    await api.create({**MINIMAL, "original_id": "LP-001"})
    before = api.counts()
    resp = await api.client.post("/api/v1/opportunities", headers=api.auth(),
                                 json={**MINIMAL, "original_id": "LP-001"})
    assert resp.status == 422
    assert [p["field"] for p in (await resp.json())["detail"]] == ["original_id"]
    assert api.counts() == before
    # Another organisation may use the same id in its own system.
    await api.create({**MINIMAL, "original_id": "LP-001"}, who="bibliothek")


# ---------------------------------------------------------------------------- lifecycle


async def test_create_publishes_a_note_at_its_ap_id(api):
    opp = await api.create()
    assert opp["ap_id"] == f"http://musterstadt.test/angebote/{opp['id']}" == opp["url"]
    assert opp["org_username"] == "tafel"
    assert opp["published"] == opp["last_confirmed"] == "2026-11-02T09:00:00Z"
    assert opp["apply_channels"] == ["fediverse-reply", "email"]
    assert api.outbox() == [("tafel", "Create", opp["ap_id"])]
    # the city shares what its organisations publish: following the city is enough
    assert api.boosts() == [("musterstadt", opp["ap_id"])]
    resp = await api.client.get(path_of(opp["ap_id"]), headers=AP)
    assert resp.status == 200
    assert resp.content_type == "application/activity+json"
    note = await resp.json()
    assert note["type"] == "Note" and note["id"] == opp["ap_id"]
    assert note["attributedTo"] == "http://musterstadt.test/actors/tafel"
    resp = await api.client.get(f"/api/v1/opportunities/{opp['id']}", headers=api.auth())
    assert await resp.json() == opp


async def test_patch_confirm_and_close_each_send_an_update(api):
    opp = await api.create()
    url = f"/api/v1/opportunities/{opp['id']}"
    api.clock.advance(days=1)
    resp = await api.client.patch(url, json={"title": "Lesepat:in gesucht (Nord)",
                                             "status": "paused"}, headers=api.auth())
    assert resp.status == 200
    changed = await resp.json()
    assert changed["title"] == "Lesepat:in gesucht (Nord)" and changed["status"] == "paused"
    assert changed["published"] == opp["published"]
    assert changed["updated"] == "2026-11-03T09:00:00Z"
    assert changed["last_confirmed"] == opp["last_confirmed"]
    later = api.clock.advance(days=30)
    resp = await api.client.post(f"{url}/confirm", headers=api.auth())
    assert resp.status == 200
    confirmed = await resp.json()
    assert datetime.fromisoformat(confirmed["last_confirmed"]) == later
    assert confirmed["status"] == "open"  # confirming a paused listing reopens it
    resp = await api.client.post(f"{url}/close", headers=api.auth())
    assert resp.status == 200 and (await resp.json())["status"] == "closed"
    assert [t for _, t, _ in api.outbox()] == ["Create", "Update", "Update", "Update"]
    assert {o for _, _, o in api.outbox()} == {opp["ap_id"]}
    resp = await api.client.get(path_of(opp["ap_id"]), headers=AP)
    assert resp.status == 200


async def test_delete_leaves_a_tombstone(api):
    opp = await api.create()
    resp = await api.client.delete(f"/api/v1/opportunities/{opp['id']}", headers=api.auth())
    assert resp.status == 204
    assert api.outbox()[-1] == ("tafel", "Delete", opp["ap_id"])
    resp = await api.client.get(path_of(opp["ap_id"]), headers=AP)
    assert resp.status == 410
    tomb = await resp.json()
    assert tomb["type"] == "Tombstone" and tomb["id"] == opp["ap_id"]
    assert tomb["formerType"] == "Note"
    resp = await api.client.get(path_of(opp["ap_id"]), headers={"Accept": "text/html"})
    assert resp.status == 410 and resp.content_type == "text/html"
    assert "gelöscht" in await resp.text()
    for method in ("GET", "PATCH", "DELETE"):
        resp = await api.client.request(method, f"/api/v1/opportunities/{opp['id']}",
                                        headers=api.auth(), json={})
        assert resp.status == 404
    resp = await api.client.get("/api/v1/opportunities", headers=api.auth())
    assert (await resp.json())["total"] == 0
    assert [t for _, t, _ in api.outbox()] == ["Create", "Delete"]


async def test_list_own_objects_with_paging(api):
    ids = []
    for n in range(3):
        api.clock.advance(hours=1)
        ids.append((await api.create({**MINIMAL, "title": f"Angebot {n}"}))["id"])
    await api.create(who="bibliothek")
    resp = await api.client.get("/api/v1/opportunities?limit=2", headers=api.auth())
    page = await resp.json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [o["id"] for o in page["items"]] == [ids[2], ids[1]]  # newest first
    resp = await api.client.get("/api/v1/opportunities?limit=2&offset=2", headers=api.auth())
    assert [o["id"] for o in (await resp.json())["items"]] == [ids[0]]
    resp = await api.client.get("/api/v1/opportunities?limit=zwei", headers=api.auth())
    assert resp.status == 400
    resp = await api.client.get("/api/v1/practices", headers=api.auth())
    assert (await resp.json())["items"] == []


async def test_city_token_manages_organisations_objects(api):
    created = await api.create({**MINIMAL, "org_username": "tafel"}, who="musterstadt")
    assert created["org_username"] == "tafel"
    assert api.outbox() == [("tafel", "Create", created["ap_id"])]
    own = await api.create(who="tafel")
    resp = await api.client.get("/api/v1/opportunities?org=tafel", headers=api.auth("musterstadt"))
    assert {o["id"] for o in (await resp.json())["items"]} == {created["id"], own["id"]}
    url = f"/api/v1/opportunities/{own['id']}"
    resp = await api.client.patch(url, json={"title": "Von der Stadt korrigiert"},
                                  headers=api.auth("musterstadt"))
    assert resp.status == 200 and (await resp.json())["org_username"] == "tafel"
    resp = await api.client.delete(url, headers=api.auth("musterstadt"))
    assert resp.status == 204
    assert api.outbox()[-1] == ("tafel", "Delete", own["ap_id"])


@pytest.mark.parametrize("target", ["bibliothek", "musterstadt", "instance", "gibtesnicht"])
async def test_organisation_cannot_publish_for_another(api, target):
    before = api.counts()
    resp = await api.client.post("/api/v1/opportunities", headers=api.auth(),
                                 json={**MINIMAL, "org_username": target})
    assert resp.status == 403
    assert api.counts() == before


async def test_practice_create_update_delete(api):
    practice = await api.create({**PRACTICE, "sections": {"ansatz": "Ein Markt der Vereine."}},
                                kind="practices")
    assert practice["ap_id"] == f"http://musterstadt.test/praxis/{practice['id']}"
    assert practice["licence"] == "CC-BY-SA-4.0"
    resp = await api.client.get(path_of(practice["ap_id"]), headers=AP)
    assert resp.status == 200 and (await resp.json())["type"] == "Article"
    url = f"/api/v1/practices/{practice['id']}"
    resp = await api.client.patch(url, json={"status": "completed"}, headers=api.auth())
    assert resp.status == 200 and (await resp.json())["status"] == "completed"
    resp = await api.client.patch(url, json={"themes": ["gibtsnicht"]}, headers=api.auth())
    assert resp.status == 422 and (await resp.json())["detail"][0]["field"] == "themes.0"
    resp = await api.client.get(url, headers=api.auth("bibliothek"))
    assert resp.status == 403
    resp = await api.client.delete(url, headers=api.auth())
    assert resp.status == 204
    resp = await api.client.get(path_of(practice["ap_id"]), headers=AP)
    assert resp.status == 410 and (await resp.json())["formerType"] == "Article"
    assert [t for _, t, _ in api.outbox()] == ["Create", "Update", "Delete"]
    for route in ("confirm", "close"):
        resp = await api.client.post(f"{url}/{route}", headers=api.auth())
        assert resp.status in (404, 405)


async def test_interactions_of_a_fresh_object_are_empty(api):
    for kind, body in (("opportunities", MINIMAL), ("practices", PRACTICE)):
        obj = await api.create(body, kind=kind)
        resp = await api.client.get(f"/api/v1/{kind}/{obj['id']}/interactions",
                                    headers=api.auth())
        assert resp.status == 200
        assert await resp.json() == {"replies": [], "likes": [], "announces": [], "totals": {
            "replies": 0, "likes": 0, "announces": 0}}


async def test_admin_inbox_is_for_the_city_only(api):
    resp = await api.client.get("/api/v1/admin/inbox", headers=api.auth())
    assert resp.status == 403
    resp = await api.client.get("/api/v1/admin/inbox", headers=api.auth("musterstadt"))
    assert resp.status == 200
    assert await resp.json() == {"items": [], "base": "http://musterstadt.test"}


async def test_interactions_list_the_newest_of_each_kind_and_count_them_all(api):
    obj = await api.create()
    store = api.store
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(205):
        interaction_repo.record(store, kind="like", id_=f"https://m.example/likes/{i}",
                                object_id=obj["ap_id"], actor=f"https://m.example/users/u{i:03d}",
                                now=start + timedelta(minutes=i))
    interaction_repo.record(store, kind="reply", id_="https://m.example/notes/1",
                            object_id=obj["ap_id"],
                            actor="https://m.example/users/v", now=start, content="Gern!")
    resp = await api.client.get(f"/api/v1/opportunities/{obj['id']}/interactions",
                                headers=api.auth())
    body = await resp.json()
    assert body["totals"] == {"replies": 1, "likes": 205, "announces": 0}
    assert len(body["likes"]) == 200
    assert body["likes"][0] == "https://m.example/users/u005"  # the five oldest left out
    assert body["likes"][-1] == "https://m.example/users/u204"
    assert [r["content"] for r in body["replies"]] == ["Gern!"]
