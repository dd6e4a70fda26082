"""Public documents served from kept bytes (issue 18): `ETag` and `304`, `Cache-Control`, and
never a stale answer after any write — through the API, from another process's connection, a
delete, a follower arriving."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.models.change_counters import ChangeCounters
from mitwirken.models.store import Store, utcnow
from mitwirken.server.app import create_app, runner_options
from mitwirken.server.app_keys import REPRESENTATIONS, STORE
from mitwirken.server.web.doc_cache import Representations
from mitwirken.server.web.representations import serve

AP = {"Accept": "application/activity+json"}
HTML = {"Accept": "text/html"}
OPP = {"title": "Lesepat:in gesucht", "description": "Vorlesen in der Bücherei",
       "kind": "regular", "contact": {"email": "info@example.org"}}


@pytest.fixture
async def opp(client):
    token = actor_repo.create_token(client.app[STORE], "tafel")
    resp = await client.post("/api/v1/opportunities", json=OPP,
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201
    return token, (await resp.json())["id"]


@pytest.mark.parametrize("path,headers", [
    ("/actors/tafel", AP), ("/actors/musterstadt/outbox?page=1", AP),
    ("/actors/musterstadt/followers", AP), ("/actor", AP), ("/@tafel", HTML)])
async def test_etag_and_304(client, path, headers):
    first = await client.get(path, headers=headers)
    body = await first.read()
    etag = first.headers["ETag"]
    assert first.status == 200 and etag.startswith('"') and body
    again = await client.get(path, headers=headers)
    assert again.headers["ETag"] == etag and await again.read() == body
    not_modified = await client.get(path, headers={**headers, "If-None-Match": etag})
    assert not_modified.status == 304 and await not_modified.read() == b""
    assert not_modified.headers["ETag"] == etag
    weak = await client.get(path, headers={**headers, "If-None-Match": f'"x", W/{etag}'})
    assert weak.status == 304
    other = await client.get(path, headers={**headers, "If-None-Match": '"other"'})
    assert other.status == 200 and await other.read() == body


async def test_cache_control_public_for_documents_no_cache_for_pages(client, opp):
    _, opp_id = opp
    doc = await client.get(f"/angebote/{opp_id}", headers=AP)
    assert doc.headers["Cache-Control"] == "public, max-age=60"
    assert doc.headers["Content-Type"].startswith("application/activity+json")
    page = await client.get(f"/angebote/{opp_id}", headers=HTML)
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    # the two variants of one URL are two documents
    assert doc.headers["ETag"] != page.headers["ETag"]


async def test_an_edit_through_the_api_is_served_at_once(client, opp):
    token, opp_id = opp
    before = await client.get(f"/angebote/{opp_id}", headers=AP)
    page_before = await (await client.get(f"/angebote/{opp_id}", headers=HTML)).text()
    assert "Lesepat:in gesucht" in (await before.json())["content"]
    resp = await client.patch(f"/api/v1/opportunities/{opp_id}", json={"title": "Vorlesen!"},
                              headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    after = await client.get(f"/angebote/{opp_id}", headers=AP)
    assert "Vorlesen!" in (await after.json())["content"]
    assert after.headers["ETag"] != before.headers["ETag"]
    stale = await client.get(f"/angebote/{opp_id}",
                             headers={**AP, "If-None-Match": before.headers["ETag"]})
    assert stale.status == 200
    page_after = await (await client.get(f"/angebote/{opp_id}", headers=HTML)).text()
    assert "Vorlesen!" in page_after and page_after != page_before


async def test_a_write_by_another_process_is_seen(client, settings):
    """A CLI command writes through its own connection; the triggers count that too."""
    first = await (await client.get("/actors/tafel", headers=AP)).json()
    other = Store.open(settings.db_path)
    actor_repo.update_actor(other, "tafel", name="Tafel Musterstadt (neu)")
    other.close()
    second = await (await client.get("/actors/tafel", headers=AP)).json()
    assert first["name"] != second["name"] == "Tafel Musterstadt (neu)"


async def test_a_new_follower_changes_the_collection(client):
    first = await (await client.get("/actors/tafel/followers", headers=AP)).json()
    follows.add_follower(client.app[STORE], username="tafel", actor="https://m.test/users/a",
                         follow_id="https://m.test/f/1", state="accepted",
                         inbox="https://m.test/users/a/inbox", shared_inbox=None, now=utcnow())
    second = await (await client.get("/actors/tafel/followers", headers=AP)).json()
    assert (first["totalItems"], second["totalItems"]) == (0, 1)


async def test_a_deleted_object_is_gone_not_kept(client, opp):
    token, opp_id = opp
    assert (await client.get(f"/angebote/{opp_id}", headers=AP)).status == 200
    resp = await client.delete(f"/api/v1/opportunities/{opp_id}",
                               headers={"Authorization": f"Bearer {token}"})
    assert resp.status in (200, 204)
    gone = await client.get(f"/angebote/{opp_id}", headers=AP)
    assert gone.status == 410 and (await gone.json())["type"] == "Tombstone"
    assert "ETag" not in gone.headers


async def test_unknown_actor_is_404_and_not_kept(client):
    resp = await client.get("/actors/niemand", headers=AP)
    assert resp.status == 404 and "ETag" not in resp.headers
    assert ("actor", "niemand") not in client.app[REPRESENTATIONS]._kept


async def test_a_page_for_someone_with_a_cookie_is_made_for_them(client):
    """HTML for a request with a cookie (a logged-in person) is never a kept copy."""
    await client.get("/@tafel", headers=HTML)
    kept = client.app[REPRESENTATIONS]
    hits = kept.hits
    resp = await client.get("/@tafel", headers={**HTML, "Cookie": "session=x"})
    assert resp.status == 200 and kept.hits == hits and "ETag" not in resp.headers


def test_the_cache_is_bounded_least_recently_used_first():
    kept = Representations(ChangeCounters(Store.memory()), size=2)
    for key in ("a", "b"):
        kept.put(key, (1,), web.Response(body=key.encode()), "no-cache")
    assert kept.get("a", (1,)) is not None  # "a" used last: "b" goes first
    kept.put("c", (1,), web.Response(body=b"c"), "no-cache")
    assert len(kept) == 2 and kept.get("b", (1,)) is None and kept.get("a", (1,)) is not None
    assert kept.get("a", (2,)) is None  # another version: not served


@pytest.mark.parametrize("mode,logged", [("on", {200, 404}), ("errors", {404}), ("off", set())])
async def test_access_log_modes(aiohttp_server, aiohttp_client, settings, caplog, mode, logged):
    settings = settings.model_copy(update={"access_log": mode})
    server = await aiohttp_server(create_app(settings, start_workers=False),
                                  **runner_options(settings))
    client = await aiohttp_client(server)
    with caplog.at_level(logging.INFO, logger="mitwirken.access"):
        assert (await client.get("/actors/tafel", headers=AP)).status == 200
        assert (await client.get("/actors/niemand", headers=AP)).status == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "mitwirken.access"]
    assert {int(line.split("status=")[1].split()[0]) for line in lines} == logged
    for line in lines:
        assert line.startswith("access remote=127.0.0.1 method=GET path=/actors/")
        assert " bytes=" in line and line.endswith("ms=" + line.rsplit("ms=", 1)[1])


async def test_an_answer_that_sets_a_cookie_is_not_kept(client):
    """E.g. a page that starts a session or hands out a CSRF cookie: never replayed."""
    calls = []

    def build() -> web.Response:
        calls.append(1)
        response = web.Response(text="<p>x</p>", content_type="text/html")
        response.set_cookie("csrf", f"token{len(calls)}")
        return response

    class Req(dict):
        app = client.app
        headers: dict = {}
        cookies: dict = {}

    for _ in range(2):
        assert serve(Req(), ("test", "cookie"), ("actors",), build, html=True).cookies
    kept = client.app[REPRESENTATIONS]._kept
    assert len(calls) == 2 and (("test", "cookie"), "de") not in kept  # HTML keys: + language
    assert ("test", "cookie") not in kept


async def test_home_lists_and_search_pages_are_kept_until_content_or_the_index_changes(
        aiohttp_client, settings):
    from mitwirken.models import search as search_index
    from mitwirken.server.app import create_app as make_app
    from mitwirken.server.app_keys import SERVICES as SVC
    from mitwirken.server.app_keys import STORE as ST

    client = await aiohttp_client(make_app(settings, start_workers=False))
    html = {"Accept": "text/html"}
    pages = ("/", "/angebote", "/praxis", "/suche?q=garten")
    first = {p: await client.get(p, headers=html) for p in pages}
    etags = {p: r.headers["ETag"] for p, r in first.items()}
    for p in pages:  # kept: the same bytes, revalidated with 304
        again = await client.get(p, headers={**html, "If-None-Match": etags[p]})
        assert again.status == 304, p
    client.server.app[SVC].content.create("opportunities", "tafel", {
        "title": "Gartenhilfe", "description": "Beete", "kind": "regular",
        "contact": {"email": "g@tafel.example"}})
    for p in pages:  # the ETag is the bytes' hash: only pages that show the new post change
        changed = await client.get(p, headers={**html, "If-None-Match": etags[p]})
        assert changed.status == (304 if p == "/praxis" else 200), p
    garden = await (await client.get("/suche?q=garten", headers=html)).text()
    assert "Gartenhilfe" in garden
    etag = (await client.get("/suche?q=garten", headers=html)).headers["ETag"]
    search_index.remove(client.server.app[ST], next(
        r["ap_id"] for r in client.server.app[ST].all("SELECT ap_id FROM search_items")))
    gone = await client.get("/suche?q=garten", headers={**html, "If-None-Match": etag})
    assert gone.status == 200 and "Gartenhilfe" not in await gone.text()
