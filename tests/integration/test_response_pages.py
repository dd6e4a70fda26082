"""`/verwaltung/rueckmeldungen` (issue 13 in the web UI): an editor sees her organisation's
responses with what is overdue first, reads the thread, answers (a direct Note through the
delivery queue), marks it handled and reopens it; another organisation's editor gets 404;
the Anlaufstelle sees all; every form needs its CSRF token."""

from __future__ import annotations

import pytest

from mitwirken.federation.remote import parse_actor
from mitwirken.models import actors as actor_repo
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.responses import receive_create
from tests.web_helpers import Clock, add_account, login, page_csrf

HTML = {"Accept": "text/html"}


async def write(client, user: str, to: str, text: str) -> str:
    services = client.app[SERVICES]
    actor = f"https://mastodon.example/users/{user}"
    services.remote_actors.save(parse_actor({
        "id": actor, "type": "Person", "inbox": f"{actor}/inbox", "name": user.title(),
        "preferredUsername": user}))
    note = {"id": f"{actor}/statuses/1", "type": "Note", "attributedTo": actor,
            "to": [services.urls.actor(to)], "cc": [], "content": f"<p>{text}</p>"}
    assert await receive_create(services.inbox_context, {
        "id": note["id"] + "/activity", "type": "Create", "actor": actor,
        "object": note}) == "processed"
    return str(client.app[STORE].scalar("SELECT id FROM responses WHERE sender_id = ?",
                                        [actor]))


@pytest.fixture
async def web(aiohttp_client, settings):
    clock = Clock()
    store_app = create_app(settings, start_workers=False, clock=clock)
    client = await aiohttp_client(store_app)
    store = client.app[STORE]
    actor_repo.create_actor(store, make_actor("sport", "org", "Sportverein"))
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    add_account(settings, "ben@sport.example", "editor", ["sport"])
    add_account(settings, "clara@stadt.example", "staff")
    return client, clock


async def test_editor_reads_answers_and_handles_a_response(web):
    client, clock = web
    old = await write(client, "alice", "tafel", "Ich möchte helfen!")
    clock.advance(days=10)  # alice's is overdue by now
    new = await write(client, "bert", "tafel", "Ich auch!")
    await write(client, "carl", "sport", "Und ich beim Sport")

    resp = await client.get("/verwaltung/rueckmeldungen", headers=HTML, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/anmelden")
    await login(client, "anna@tafel.example")
    page = await (await client.get("/verwaltung/rueckmeldungen", headers=HTML)).text()
    assert "1 ist überfällig" in page
    assert page.index(f"/verwaltung/rueckmeldungen/{old}") < page.index(
        f"/verwaltung/rueckmeldungen/{new}")  # overdue first
    assert "Carl" not in page  # sport's

    thread = await (await client.get(f"/verwaltung/rueckmeldungen/{old}", headers=HTML)).text()
    assert "Ich möchte helfen!" in thread and "@alice@mastodon.example" in thread
    assert "überfällig" in thread
    csrf = await page_csrf(client, f"/verwaltung/rueckmeldungen/{old}")

    resp = await client.post(f"/verwaltung/rueckmeldungen/{old}/antworten",
                             data={"antwort": "  ", "csrf": csrf})
    assert resp.status == 422 and "Bitte eine Antwort schreiben." in await resp.text()
    resp = await client.post(f"/verwaltung/rueckmeldungen/{old}/antworten",
                             data={"antwort": "Danke!"}, allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    resp = await client.post(f"/verwaltung/rueckmeldungen/{old}/antworten",
                             data={"antwort": "Danke, kommen Sie **Dienstag**!", "csrf": csrf},
                             allow_redirects=False)
    assert resp.status == 303
    thread = await (await client.get(resp.headers["Location"], headers=HTML)).text()
    assert "Die Antwort ist unterwegs." in thread and "<strong>Dienstag</strong>" in thread
    assert "beantwortet" in thread
    store = client.app[STORE]
    assert store.all("SELECT inbox FROM deliveries") == [
        {"inbox": "https://mastodon.example/users/alice/inbox"}]

    for action, label, button in (("erledigt", "erledigt", "Wieder öffnen"),
                                  ("oeffnen", "offen – überfällig", "Als erledigt markieren")):
        resp = await client.post(f"/verwaltung/rueckmeldungen/{old}/{action}",
                                 data={"csrf": csrf}, allow_redirects=False)
        assert resp.status == 303
        thread = await (await client.get(resp.headers["Location"], headers=HTML)).text()
        assert f">{label} · " in thread and button in thread
    resp = await client.post(f"/verwaltung/rueckmeldungen/{old}/freigeben",
                             data={"csrf": csrf})
    assert resp.status == 422  # a direct message is never shown


async def test_others_get_404_and_the_anlaufstelle_sees_all(web):
    client, _ = web
    rid = await write(client, "alice", "tafel", "Ich möchte helfen!")
    await login(client, "ben@sport.example")
    assert (await client.get(f"/verwaltung/rueckmeldungen/{rid}", headers=HTML)).status == 404
    page = await (await client.get("/verwaltung/rueckmeldungen", headers=HTML)).text()
    assert "Alice" not in page and "Keine Rückmeldungen" in page
    csrf = await page_csrf(client, "/verwaltung/rueckmeldungen")
    resp = await client.post(f"/verwaltung/rueckmeldungen/{rid}/antworten",
                             data={"antwort": "Hallo", "csrf": csrf})
    assert resp.status == 404
    await client.post("/abmelden", data={"csrf": csrf})

    client.session.cookie_jar.clear()
    await login(client, "clara@stadt.example")
    page = await (await client.get("/verwaltung/rueckmeldungen?status=offen",
                                   headers=HTML)).text()
    assert "Alice" in page
    page = await (await client.get("/verwaltung/rueckmeldungen?status=erledigt",
                                   headers=HTML)).text()
    assert "Alice" not in page
    assert (await client.get("/verwaltung/rueckmeldungen/gibtsnicht",
                             headers=HTML)).status == 404
