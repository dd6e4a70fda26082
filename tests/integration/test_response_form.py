"""The response form for people without a fediverse account (issue 13): stored as a response
of visibility `form`, mailed to the organisation through a real SMTP server on loopback,
answered by e-mail; honeypot, per-address limit and bad input answered in German; nothing of
it federates or appears on a public page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models import actors as actor_repo
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.cli import main
from tests.integration.test_reminders import Clock, Inbox, SmtpServer, app_for

NAME, EMAIL, TEXT = "Kanarienvogel Meier", "kanari@example.org", "Ich kann dienstags helfen."


@pytest.fixture
async def form(aiohttp_client, settings):
    smtp = SmtpServer(Inbox())
    smtp.start()
    clock = Clock(datetime(2026, 12, 18, 10, tzinfo=UTC))
    client = await aiohttp_client(app_for(settings, clock, smtp_host="127.0.0.1",
                                          smtp_port=smtp.port, smtp_starttls="false"))
    store = client.app[STORE]
    actor_repo.update_actor(store, "tafel", email="info@tafel.example")
    auth = {"Authorization": f"Bearer {actor_repo.create_token(store, 'tafel')}"}
    resp = await client.post("/api/v1/opportunities", headers=auth, json={
        "title": "Lesepat:in", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}})
    opp = await resp.json()
    yield client, clock, auth, opp, smtp.inbox
    smtp.stop()


def fields(**changes: str) -> dict[str, str]:
    return {"name": NAME, "kontakt": EMAIL, "nachricht": TEXT, "einwilligung": "ja",
            "website": "", **changes}


async def post(client, opp: dict, data: dict[str, str]):
    resp = await client.post(f"/angebote/{opp['id']}/rueckmeldung", data=data,
                             headers={"Accept": "text/html"})
    return resp.status, await resp.text()


async def test_the_form_is_stored_mailed_and_answered_by_mail(form):
    client, clock, auth, opp, inbox = form
    page = await (await client.get(f"/angebote/{opp['id']}",
                                   headers={"Accept": "text/html"})).text()
    assert f'action="{opp["ap_id"]}/rueckmeldung"' in page and 'name="website"' in page
    assert "Anlaufstelle der Stadt" in page  # the privacy text by the consent box

    status, text = await post(client, opp, fields(nachricht=TEXT + "\n<script>x</script>"))
    assert status == 200 and "Danke!" in text
    [item] = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    assert (item["visibility"], item["state"], item["object"]) == ("form", "open",
                                                                    opp["ap_id"])
    assert item["sender"] == {"name": NAME, "email": EMAIL}
    assert item["messages"][0]["content"] == (
        "<p>Ich kann dienstags helfen.<br>&lt;script&gt;x&lt;/script&gt;</p>")
    assert item["due_at"] == "2026-12-28T10:00:00Z"  # 5 working days: Christmas skipped

    mail = client.app[SERVICES].workers.mail
    await mail.tick()
    [to_org] = inbox.mails
    assert to_org["to"] == "info@tafel.example"
    assert to_org["subject"] == "Neue Rückmeldung: Lesepat:in"
    assert NAME in to_org["body"] and TEXT in to_org["body"] and EMAIL in to_org["body"]

    resp = await client.post(f"/api/v1/responses/{item['id']}/reply", headers=auth,
                             json={"content": "Danke, kommen Sie gern vorbei!"})
    assert resp.status == 201
    await mail.tick()
    answer = inbox.mails[-1]
    assert answer["to"] == EMAIL and answer["subject"] == "Antwort von Tafel Musterstadt e.V.: " \
        "Lesepat:in"
    assert "kommen Sie gern vorbei" in answer["body"]
    got = await (await client.get(f"/api/v1/responses/{item['id']}", headers=auth)).json()
    assert got["state"] == "answered"

    # nothing of it federates or is public
    store = client.app[STORE]
    for table, column in (("outbox", "activity"), ("deliveries", "body")):
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?",
                            ["%Kanarienvogel%"]) == 0
    for path in (f"/angebote/{opp['id']}", f"/angebote/{opp['id']}/replies?page=1",
                 "/actors/tafel/outbox?page=1", "/@tafel", "/angebote"):
        body = await (await client.get(path)).text()
        assert "Kanarienvogel" not in body and "dienstags" not in body, path


async def test_a_phone_number_is_for_calling(form):
    client, _, auth, opp, _ = form
    assert (await post(client, opp, fields(kontakt="0351 123456")))[0] == 200
    [item] = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    assert item["sender"] == {"name": NAME, "phone": "0351 123456"}
    resp = await client.post(f"/api/v1/responses/{item['id']}/reply", headers=auth,
                             json={"content": "Hallo"})
    assert resp.status == 422
    assert (await resp.json())["detail"][0]["message"] == "Bitte rufen Sie an: 0351 123456."


async def test_honeypot_limit_and_bad_input(form):
    client, clock, auth, opp, inbox = form
    store = client.app[STORE]
    status, text = await post(client, opp, fields(website="http://spam.example"))
    assert status == 200 and "Danke!" in text  # a bot learns nothing
    assert store.scalar("SELECT count(*) FROM responses") == 0

    status, text = await post(client, opp, fields(einwilligung="", kontakt="kaputt"))
    assert status == 422
    assert "Bitte der Verarbeitung Ihrer Angaben zustimmen." in text
    assert "Bitte eine E-Mail-Adresse oder Telefonnummer angeben." in text
    assert f'value="{NAME}"' in text  # what was typed stays in the form
    status, _ = await post(client, opp, fields(nachricht="x" * 5001))
    assert status == 422
    assert store.scalar("SELECT count(*) FROM responses") == 0

    for _ in range(3):
        assert (await post(client, opp, fields()))[0] == 200
    status, text = await post(client, opp, fields(kontakt=EMAIL.upper()))
    assert status == 429 and "Zu viele Anfragen" in text
    assert store.scalar("SELECT count(*) FROM responses") == 3
    clock.now += timedelta(hours=25)
    assert (await post(client, opp, fields()))[0] == 200

    resp = await client.post(f"/angebote/{opp['id']}/rueckmeldung", json=fields())
    assert resp.status == 415
    resp = await client.post("/angebote/gibtsnicht/rueckmeldung", data=fields())
    assert resp.status == 404


async def test_privacy_export_and_erase_by_e_mail_address(form, settings, capsys):
    client, _, auth, opp, _ = form
    assert (await post(client, opp, fields()))[0] == 200
    data = ["--data", str(settings.data_dir)]
    assert main(["privacy", "export", EMAIL, *data]) == 0
    exported = json.loads(capsys.readouterr().out)
    [held] = exported["form_responses"]
    assert held["sender_name"] == NAME and TEXT in held["messages"][0]["content"]
    assert [m["to_addr"] for m in exported["mails"]] == ["info@tafel.example"]
    assert main(["privacy", "erase", EMAIL, *data]) == 0
    removed = json.loads(capsys.readouterr().out)["removed"]
    assert (removed["form_responses"], removed["mails"]) == (1, 1)
    store = client.app[STORE]
    assert store.scalar("SELECT count(*) FROM responses") == 0
    assert store.scalar("SELECT count(*) FROM mails WHERE body LIKE ?", [f"%{NAME}%"]) == 0


async def test_one_address_may_send_ten_forms_in_ten_minutes(form):
    client, _, _, opp, _ = form
    for n in range(10):
        assert (await post(client, opp, fields(kontakt=f"p{n}@example.org")))[0] == 200
    resp = await client.post(f"/angebote/{opp['id']}/rueckmeldung", headers={
        "Accept": "text/html"}, data=fields(kontakt="neu@example.org"))
    assert resp.status == 429 and int(resp.headers["Retry-After"]) > 0
    assert "Zu viele Anfragen" in await resp.text()
    assert client.app[STORE].scalar("SELECT count(*) FROM responses") == 10


async def test_a_post_from_another_site_is_refused_and_nothing_stored(form):
    """No per-visitor token on the shared page: the browser's Origin / Sec-Fetch-Site decide."""
    client, clock, auth, opp, inbox = form
    url = f"/angebote/{opp['id']}/rueckmeldung"
    for headers in ({"Origin": "http://evil.example"},
                    {"Sec-Fetch-Site": "cross-site", "Origin": "http://musterstadt.test"},
                    {"Origin": "null"}):
        resp = await client.post(url, data=fields(), headers={"Accept": "text/html", **headers})
        assert resp.status == 403, headers
        page = await resp.text()
        assert "nur auf unserer eigenen Seite" in page and 'lang="de"' in page
    items = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    assert items == []
    # our own page (behind the proxy the Origin is the public base_url, not the Host header)
    for headers in ({"Origin": "http://musterstadt.test", "Sec-Fetch-Site": "same-origin"},
                    {"Origin": "http://musterstadt.test:80"}, {}):
        resp = await client.post(url, data=fields(), headers={"Accept": "text/html", **headers})
        assert resp.status == 200 and "Danke!" in await resp.text(), headers
    items = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    assert len(items) == 3
