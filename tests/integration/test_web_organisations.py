"""`/verwaltung/organisationen`: staff and admins add organisations (the validation of `mitwirken
org add`), edit their profile (an `Update` of the actor is queued for its followers) and assign
editors; editors get a German 403; every form needs its CSRF token; hostile input is escaped."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import follows
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.cli import main
from mitwirken.server.usecases import moderation
from mitwirken.server.usecases.organisations import Organisations
from tests.web_helpers import add_account, csrf_of, login, page_csrf

HTML = {"Accept": "text/html"}
NEW = "/verwaltung/organisationen/neu"
LIST = "/verwaltung/organisationen"


@pytest.fixture
async def web(aiohttp_client, settings):
    add_account(settings, "chef@stadt.example", "admin")
    add_account(settings, "staff@stadt.example", "staff")
    add_account(settings, "red@tafel.example", "editor", ["tafel"])
    return await aiohttp_client(create_app(settings, start_workers=False))


def new_org(token: str, **changes: str) -> dict[str, str]:
    return {"csrf": token, "username": "lesewelt", "name": "Lesewelt e. V.",
            "sector": "civil-society", "summary": "Wir lesen vor.\n\nMit Kindern.",
            "website": "https://lesewelt.example", "email": "info@lesewelt.example",
            "phone": "0123 987", "office_hours": "Mo 9–11 Uhr", "address": "Marktplatz 2",
            **changes}


async def test_staff_add_an_organisation_shown_with_its_profile(web, settings, caplog):
    await login(web, "staff@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert f'href="{LIST}"' in html
    caplog.set_level(logging.INFO)
    token = await page_csrf(web, NEW)
    resp = await web.post(NEW, data=new_org(token), allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{LIST}?hinweis=angelegt"
    assert "org_added username=lesewelt sector=civil-society" in caplog.text
    assert "web_org_added by=" in caplog.text
    store = Store.open(settings.db_path)
    actor = actor_repo.get_actor(store, "lesewelt")
    assert actor is not None and actor.kind == "org" and actor.office_hours == "Mo 9–11 Uhr"
    assert actor.website == "https://lesewelt.example" and actor.public_key_pem
    html = await (await web.get(f"{LIST}?hinweis=angelegt", headers=HTML)).text()
    assert "Die Organisation ist angelegt." in html
    assert "Lesewelt e. V." in html and "@lesewelt@musterstadt.test" in html
    assert "Zivilgesellschaft" in html
    profile = await web.get("/actors/lesewelt", headers={"Accept": "application/activity+json"})
    doc = await profile.json()
    assert doc["name"] == "Lesewelt e. V."
    assert {"type": "PropertyValue", "name": "Sprechzeiten", "value": "Mo 9–11 Uhr"} in (
        doc["attachment"])


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"username": "Lese Welt"}, "username", "Kleinbuchstaben"),
    ({"username": "tafel"}, "username", "bereits ein Konto"),
    ({"username": "admin"}, "username", "reserviert"),
    ({"name": ""}, "name", "Mindestens 1 Zeichen"),
    ({"sector": ""}, "sector", "Bitte wählen Sie einen Sektor"),
    ({"sector": "mafia"}, "sector", "Sektor muss einer von"),
    ({"website": "javascript:alert(1)"}, "website", "https://"),
    ({"summary": "lang " * 500}, "summary", "Höchstens 2000 Zeichen"),
])
async def test_a_wrong_field_keeps_the_input_and_says_why_next_to_it(
        web, settings, changes, field, message):
    await login(web, "staff@stadt.example")
    token = await page_csrf(web, NEW)
    data = new_org(token, **changes)
    resp = await web.post(NEW, data=data)
    html = await resp.text()
    assert resp.status == 422
    assert "Bitte prüfen Sie die markierten Angaben." in html
    assert f'id="error-{field}"' in html and message in html
    assert 'value="Mo 9–11 Uhr"' in html  # the other input is kept
    assert 'aria-invalid="true"' in html
    store = Store.open(settings.db_path)
    count = store.scalar("SELECT count(*) FROM actors WHERE kind = 'org'")
    assert count == 1  # nothing stored but tafel


async def test_the_cli_refuses_what_the_form_refuses(settings, capsys):
    code = main(["org", "add", "--data", str(settings.data_dir), "--username", "lesewelt",
                 "--name", "Lesewelt", "--sector", "civil-society", "--website",
                 "javascript:alert(1)"])
    assert code != 0 and "--website:" in capsys.readouterr().err


async def test_hostile_name_is_escaped_on_every_page(web, settings):
    await login(web, "chef@stadt.example")
    token = await page_csrf(web, NEW)
    resp = await web.post(NEW, data=new_org(token, name="<script>alert(1)</script>",
                                            summary='<img src=x onerror="alert(2)">'),
                          allow_redirects=False)
    assert resp.status == 303
    for path in (LIST, "/verwaltung/organisationen/lesewelt/profil"):
        html = await (await web.get(path, headers=HTML)).text()
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert "<img src=x" not in html


async def test_editing_the_profile_queues_an_update_of_the_actor(web, settings, caplog):
    store = Store.open(settings.db_path)
    with store.tx():
        follows.add_follower(store, username="tafel", actor="https://social.example/users/anna",
                             follow_id="https://social.example/follows/1", state="accepted",
                             inbox="https://social.example/users/anna/inbox",
                             shared_inbox="https://social.example/inbox",
                             now=datetime.now(UTC))
    await login(web, "staff@stadt.example")
    path = "/verwaltung/organisationen/tafel/profil"
    html = await (await web.get(path, headers=HTML)).text()
    assert 'value="Di 10–12 Uhr"' in html and 'value="https://tafel.example"' in html
    assert "Benutzername" not in html  # the username never changes
    caplog.set_level(logging.INFO)
    data = {"csrf": csrf_of(html), "name": "Tafel Musterstadt", "sector": "civil-society",
            "summary": "Lebensmittel retten.", "website": "https://tafel.example",
            "email": "", "phone": "0123 456", "office_hours": "Mi 14–16 Uhr", "address": ""}
    resp = await web.post(path, data=data, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{path}?hinweis=gespeichert"
    assert "org_profile_updated username=tafel" in caplog.text and "deliveries=1" in caplog.text
    actor = actor_repo.get_actor(store, "tafel")
    assert actor is not None and actor.name == "Tafel Musterstadt"
    assert actor.office_hours == "Mi 14–16 Uhr" and actor.email is None
    row = store.one("SELECT body, inbox FROM deliveries ORDER BY id DESC LIMIT 1")
    update = json.loads(row["body"])
    assert row["inbox"] == "https://social.example/inbox"
    assert update["type"] == "Update" and update["actor"] == "http://musterstadt.test/actors/tafel"
    assert update["object"]["id"] == update["actor"]
    assert update["object"]["name"] == "Tafel Musterstadt"
    assert "https://www.w3.org/ns/activitystreams#Public" in update["to"]
    html = await (await web.get(f"{path}?hinweis=gespeichert", headers=HTML)).text()
    assert "Das Profil ist gespeichert" in html

    # Saving the same profile again sends no Update that changes nothing
    before = store.scalar("SELECT count(*) FROM deliveries")
    resp = await web.post(path, data=data, allow_redirects=False)
    assert resp.status == 303 and "org_profile_unchanged username=tafel" in caplog.text
    assert store.scalar("SELECT count(*) FROM deliveries") == before

    # A wrong value changes nothing and sends nothing
    resp = await web.post(path, data={**data, "name": "", "website": "ftp://x"})
    html = await resp.text()
    assert resp.status == 422 and 'id="error-name"' in html and 'id="error-website"' in html
    assert 'value="Mi 14–16 Uhr"' in html
    assert store.scalar("SELECT count(*) FROM deliveries") == before
    assert actor_repo.get_actor(store, "tafel").name == "Tafel Musterstadt"


async def test_assign_and_unassign_editors(web, settings):
    add_account(settings, "neu@lesewelt.example", "editor", ["tafel"])
    await login(web, "staff@stadt.example")
    token = await page_csrf(web, NEW)
    assert (await web.post(NEW, data=new_org(token), allow_redirects=False)).status == 303
    resp = await web.post(f"{LIST}/lesewelt/redaktion", data={
        "csrf": token, "email": "neu@lesewelt.example"}, allow_redirects=False)
    assert resp.status == 303
    store = Store.open(settings.db_path)
    orgs = [r["username"] for r in store.all(
        "SELECT username FROM account_orgs JOIN accounts ON accounts.id = account_id "
        "WHERE email = 'neu@lesewelt.example' ORDER BY username")]
    assert orgs == ["lesewelt", "tafel"]
    html = await (await web.get(LIST, headers=HTML)).text()
    assert html.count("neu@lesewelt.example") >= 2

    account_id = store.scalar("SELECT id FROM accounts WHERE email = 'neu@lesewelt.example'")
    resp = await web.post(f"{LIST}/tafel/redaktion/entfernen", data={
        "csrf": token, "account": str(account_id)}, allow_redirects=False)
    assert resp.status == 303
    # the last organisation stays: a German message next to it, nothing changed
    resp = await web.post(f"{LIST}/lesewelt/redaktion/entfernen", data={
        "csrf": token, "account": str(account_id)})
    assert resp.status == 422 and "mindestens eine" in await resp.text()
    assert [r["username"] for r in store.all(
        "SELECT username FROM account_orgs WHERE account_id = ?", [account_id])] == ["lesewelt"]
    # adding, assigning and unassigning are in the audit log under the person's name
    assert [(e["actor"], e["action"], e["target"], e["details"].get("account"))
            for e in moderation.audit_entries(store) if e["actor"].startswith("web:")] == [
        ("web:staff@stadt.example", "organisation.add", "lesewelt", None),
        ("web:staff@stadt.example", "organisation.assign", "lesewelt", "neu@lesewelt.example"),
        ("web:staff@stadt.example", "organisation.unassign", "tafel", "neu@lesewelt.example")]
    # staff cannot be assigned, unknown people neither, and unknown organisations are 404
    resp = await web.post(f"{LIST}/tafel/redaktion", data={
        "csrf": token, "email": "chef@stadt.example"})
    assert resp.status == 422 and "schon alle Organisationen" in await resp.text()
    resp = await web.post(f"{LIST}/tafel/redaktion", data={"csrf": token, "email": "x@y.de"})
    assert resp.status == 422 and "Kein Konto" in await resp.text()
    resp = await web.post(f"{LIST}/tafel/redaktion/entfernen", data={
        "csrf": token, "account": "abc"})
    assert resp.status == 422
    resp = await web.post(f"{LIST}/gibtsnicht/redaktion", data={
        "csrf": token, "email": "neu@lesewelt.example"})
    assert resp.status == 404 and "Diese Organisation gibt es nicht." in await resp.text()
    resp = await web.get(f"{LIST}/musterstadt/profil", headers=HTML)
    assert resp.status == 404  # the city is no organisation of this page


async def test_editors_get_a_german_403_and_everyone_needs_csrf(web, settings):
    resp = await web.get(LIST, headers=HTML, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/anmelden")
    await login(web, "red@tafel.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert f'href="{LIST}"' not in html
    token = await page_csrf(web, "/verwaltung")
    for method, path in (("GET", LIST), ("GET", NEW), ("GET", f"{LIST}/tafel/profil"),
                         ("POST", NEW), ("POST", f"{LIST}/tafel/profil"),
                         ("POST", f"{LIST}/tafel/redaktion")):
        resp = await web.request(method, path, headers=HTML, data={"csrf": token, **new_org(
            token)} if method == "POST" else None)
        assert resp.status == 403, path
        assert "Organisationen verwalten die Anlaufstelle" in await resp.text()
    await web.post("/abmelden", data={"csrf": token})
    await login(web, "chef@stadt.example")
    for path in (NEW, f"{LIST}/tafel/profil", f"{LIST}/tafel/redaktion",
                 f"{LIST}/tafel/redaktion/entfernen"):
        resp = await web.post(path, data=new_org(""), allow_redirects=False)
        assert resp.status == 403, path
    store = Store.open(settings.db_path)
    assert actor_repo.get_actor(store, "lesewelt") is None
    assert actor_repo.get_actor(store, "tafel").name == "Tafel Musterstadt e.V."


async def test_an_assigned_editor_publishes_for_the_organisation_at_once(web, settings):
    await login(web, "staff@stadt.example")
    token = await page_csrf(web, NEW)
    assert (await web.post(NEW, data=new_org(token), allow_redirects=False)).status == 303
    assert (await web.post(f"{LIST}/lesewelt/redaktion", data={
        "csrf": token, "email": "red@tafel.example"}, allow_redirects=False)).status == 303
    await web.post("/abmelden", data={"csrf": token})

    await login(web, "red@tafel.example")
    html = await (await web.get("/verwaltung/angebote/neu", headers=HTML)).text()
    assert 'value="lesewelt"' in html and "Lesewelt e. V." in html
    # Unassigned (the same use case the page calls): the open session loses it on its next page
    store = Store.open(settings.db_path)
    account_id = store.scalar("SELECT id FROM accounts WHERE email = 'red@tafel.example'")
    Organisations(store, Urls("http://musterstadt.test"), lambda: datetime.now(UTC)).unassign(
        "lesewelt", account_id)
    html = await (await web.get("/verwaltung/angebote/neu", headers=HTML)).text()
    assert 'value="lesewelt"' not in html and "Lesewelt e. V." not in html


def documented_example() -> tuple[str, dict[str, str], str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "WEB.md").read_text("utf-8")
    section = text.split("## Organisations\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```text\n(.*?)```", section, re.S)
    assert block
    request, answer = block.group(1).strip().split("\n\n")
    first, *lines = request.splitlines()
    fields = dict(line.split("=", 1) for line in lines)
    location = answer.splitlines()[1].removeprefix("Location: ")
    return first.removeprefix("POST "), fields, location


async def test_the_documented_example_is_true(web, settings):
    path, fields, location = documented_example()
    await login(web, "staff@stadt.example")
    fields["csrf"] = await page_csrf(web, path)
    resp = await web.post(path, data=fields, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == location
    actor = actor_repo.get_actor(Store.open(settings.db_path), fields["username"])
    assert actor is not None and actor.address == fields["address"]
    assert actor.name == fields["name"] and actor.sector == fields["sector"]
