"""`/verwaltung/foederation` (admins only): the mode switch, domain rules added, changed and
removed, Mastodon's CSV imported by upload and exported as a download — through the same use
case as the admin API, each action in the audit log as `web:<e-mail>` with its reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from mitwirken.models import deliveries
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.usecases import moderation
from tests.web_helpers import add_account, login, page_csrf

HTML = {"Accept": "text/html"}
PAGE = "/verwaltung/foederation"
CSV = Path(__file__).resolve().parents[1] / "data" / "mastodon_domain_blocks.csv"


@pytest.fixture
async def web(aiohttp_client, settings):
    add_account(settings, "chef@stadt.example", "admin")
    add_account(settings, "staff@stadt.example", "staff")
    add_account(settings, "anna@tafel.example", "editor", ["tafel"])
    return await aiohttp_client(create_app(settings, start_workers=False))


def store_of(settings) -> Store:
    return Store.open(settings.db_path)


async def test_only_admins_get_in(web):
    resp = await web.get(PAGE, headers=HTML, allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"].startswith("/anmelden?weiter=")
    for email in ("staff@stadt.example", "anna@tafel.example"):
        await login(web, email)
        resp = await web.get(PAGE, headers=HTML)
        assert resp.status == 403
        assert "nur für die Administration" in await resp.text()
        token = await page_csrf(web, "/verwaltung")
        resp = await web.post(PAGE + "/modus", data={"csrf": token, "mode": "allowlist"})
        assert resp.status == 403
        resp = await web.get(PAGE + "/export")
        assert resp.status == 403
        await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)


async def test_mode_switch_with_reason_is_audited(web, settings):
    await login(web, "chef@stadt.example")
    html = await (await web.get(PAGE, headers=HTML)).text()
    assert "Zurzeit: <strong>offen</strong>" in html
    token = await page_csrf(web, PAGE)
    resp = await web.post(PAGE + "/modus", data={"mode": "allowlist"})
    assert resp.status == 403  # no CSRF token
    resp = await web.post(PAGE + "/modus", data={"csrf": token, "mode": "zu"})
    assert resp.status == 422 and "Bitte »offen«" in await resp.text()
    resp = await web.post(PAGE + "/modus", data={"csrf": token, "mode": "allowlist",
                                                  "reason": "x" * 1001})
    assert resp.status == 422 and "höchstens 1000 Zeichen" in await resp.text()
    store = store_of(settings)
    assert moderation.federation_mode(store).value == "open"
    assert moderation.audit_entries(store) == []
    resp = await web.post(PAGE + "/modus", data={"csrf": token, "mode": "allowlist",
                                                  "reason": "Nur Engagierte Städte"},
                          allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == PAGE + "?hinweis=modus"
    assert moderation.federation_mode(store).value == "allowlist"
    (entry,) = moderation.audit_entries(store)
    assert (entry["actor"], entry["action"], entry["target"], entry["reason"]) == (
        "web:chef@stadt.example", "federation.mode", "allowlist", "Nur Engagierte Städte")
    html = await (await web.get(PAGE + "?hinweis=modus", headers=HTML)).text()
    assert "Zurzeit: <strong>nur erlaubte Domains</strong>" in html
    assert "gilt ab sofort" in html


async def test_the_switch_holds_and_releases_deliveries_at_once(web, settings):
    store = store_of(settings)
    deliveries.enqueue_deliveries(store, "http://musterstadt.test/activities/1", "musterstadt",
                                  "{}", ["https://andere.example/inbox"], datetime.now(UTC))
    await login(web, "chef@stadt.example")
    token = await page_csrf(web, PAGE)
    assert 'id="held"' not in await (await web.get(PAGE, headers=HTML)).text()
    await web.post(PAGE + "/modus", data={"csrf": token, "mode": "allowlist"})
    assert store.scalar("SELECT state FROM deliveries") == "held"
    html = await (await web.get(PAGE, headers=HTML)).text()
    assert '<span id="held">1 Zustellung(en) an nicht erlaubte Domains' in html
    await web.post(PAGE + "/modus", data={"csrf": token, "mode": "open"})
    assert store.scalar("SELECT state FROM deliveries") == "pending"
    assert [e["details"] for e in moderation.audit_entries(store)] == [
        {"previous": "open", "released": 0, "held": 1},
        {"previous": "allowlist", "released": 1, "held": 0}]


async def test_rules_are_added_changed_and_removed(web, settings):
    await login(web, "chef@stadt.example")
    token = await page_csrf(web, PAGE)
    store = store_of(settings)
    for data, message in (({"domain": "", "policy": "block"}, "Bitte einen Domainnamen"),
                          ({"domain": "spam.example", "policy": "weg"}, "Bitte »Sperren«"),
                          ({"domain": "kein domain!", "policy": "block"}, "")):
        resp = await web.post(PAGE + "/domains", data={"csrf": token, **data})
        assert resp.status == 422, data
        assert message in await resp.text()
    assert moderation.domain_rules(store) == []

    resp = await web.post(PAGE + "/domains", data={
        "csrf": token, "domain": "Spam.Example", "policy": "block", "reason": "Werbung"},
        allow_redirects=False)
    assert resp.status == 303
    assert [(r["domain"], r["policy"], r["reason"]) for r in moderation.domain_rules(store)] == [
        ("spam.example", "block", "Werbung")]
    html = await (await web.get(PAGE, headers=HTML)).text()
    assert "spam.example: Sperren" in html and "Begründung: Werbung" in html

    resp = await web.post(PAGE + "/domains", data={
        "csrf": token, "domain": "spam.example", "policy": "limit", "reason": "Nur prüfen"},
        allow_redirects=False)
    assert resp.status == 303
    assert moderation.domain_rule(store, "spam.example")["policy"] == "limit"

    resp = await web.post(PAGE + "/domains/entfernen", data={
        "csrf": token, "domain": "andere.example"})
    assert resp.status == 422 and "keine Regel" in await resp.text()
    resp = await web.post(PAGE + "/domains/entfernen", data={
        "csrf": token, "domain": "spam.example", "reason": "Hat sich gebessert"},
        allow_redirects=False)
    assert resp.status == 303
    assert moderation.domain_rules(store) == []
    assert [(e["actor"], e["action"], e["target"], e["reason"])
            for e in moderation.audit_entries(store)] == [
        ("web:chef@stadt.example", "domain.block", "spam.example", "Werbung"),
        ("web:chef@stadt.example", "domain.limit", "spam.example", "Nur prüfen"),
        ("web:chef@stadt.example", "domain.remove", "spam.example", "Hat sich gebessert")]


def upload(token: str, content: bytes, name: str = "domain_blocks.csv") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", content, filename=name, content_type="text/csv")
    return form


async def test_mastodon_csv_import_and_export(web, settings):
    await login(web, "chef@stadt.example")
    token = await page_csrf(web, PAGE)
    store = store_of(settings)
    resp = await web.post(PAGE + "/import", data=upload(token, b"domain;severity\nx;y\n"))
    assert resp.status == 422 and "keine Mastodon-Sperrliste" in await resp.text()
    resp = await web.post(PAGE + "/import", data=upload(
        token, b"#domain,#severity\nok.example,suspend\nbad.example,delete\n"))
    assert resp.status == 422 and "Zeile 3" in await resp.text()
    resp = await web.post(PAGE + "/import", data=upload(token, b"\xff\xfe\x00"))
    assert resp.status == 422 and "UTF-8" in await resp.text()
    resp = await web.post(PAGE + "/import", data={"csrf": token})
    assert resp.status == 422 and "CSV-Datei auswählen" in await resp.text()
    form = aiohttp.FormData()
    form.add_field("file", CSV.read_bytes(), filename="x.csv", content_type="text/csv")
    assert (await web.post(PAGE + "/import", data=form)).status == 403  # no CSRF token
    big = b"#domain,#severity\n" + b"x.example,suspend\n" * 70_000  # > max_body_bytes
    resp = await web.post(PAGE + "/import", data=upload(token, big), headers=HTML)
    assert resp.status == 413 and "zu groß" in await resp.text()
    assert moderation.domain_rules(store) == []

    resp = await web.post(PAGE + "/import", data=upload(token, CSV.read_bytes()))
    html = await resp.text()
    assert resp.status == 200, html
    expected = moderation.parse_mastodon_csv(CSV.read_text("utf-8"))
    assert "Die Sperrliste ist eingelesen" in html
    assert {r["domain"] for r in moderation.domain_rules(store)} == {d for d, *_ in expected}
    assert moderation.audit_entries(store)[-1]["actor"] == "web:chef@stadt.example"
    assert moderation.audit_entries(store)[-1]["action"] == "domain.import"

    resp = await web.get(PAGE + "/export")
    assert resp.status == 200
    assert resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    exported = await resp.text()
    assert exported == moderation.export_mastodon_csv(store)
    assert sorted(moderation.parse_mastodon_csv(exported)) == sorted(expected)


async def test_the_dashboard_links_the_admin_pages_for_admins_only(web):
    links = ('href="/verwaltung/foederation"', 'href="/verwaltung/meldungen"',
             'href="/verwaltung/zustellung"')
    await login(web, "chef@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert all(link in html for link in links)
    token = await page_csrf(web, "/verwaltung")
    await web.post("/abmelden", data={"csrf": token}, allow_redirects=False)
    await login(web, "staff@stadt.example")
    html = await (await web.get("/verwaltung", headers=HTML)).text()
    assert not any(link in html for link in links)


def documented_example() -> tuple[str, dict[str, str], str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "WEB.md").read_text("utf-8")
    section = text.split("## Administration: federation, reports, delivery\n", 1)[1].split(
        "\n## ", 1)[0]
    block = re.search(r"```text\n(.*?)```", section, re.S)
    assert block
    request, answer = block.group(1).strip().split("\n\n")
    first, *lines = request.splitlines()
    fields = dict(line.split("=", 1) for line in lines)
    location = answer.splitlines()[1].removeprefix("Location: ")
    return first.removeprefix("POST "), fields, location


async def test_the_documented_example_is_true(web, settings):
    path, fields, location = documented_example()
    await login(web, "chef@stadt.example")
    fields["csrf"] = await page_csrf(web, PAGE)
    resp = await web.post(path, data=fields, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == location
    store = store_of(settings)
    assert moderation.domain_rule(store, fields["domain"])["policy"] == fields["policy"]
    (entry,) = moderation.audit_entries(store)
    assert (entry["actor"], entry["target"], entry["reason"]) == (
        "web:chef@stadt.example", fields["domain"], fields["reason"])
