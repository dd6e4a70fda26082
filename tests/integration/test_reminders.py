"""Reminders (issue 13) on a controlled clock, through a real SMTP server on loopback
(aiosmtpd): past half its promise an open expression of interest reminds the organisation,
past the whole promise the organisation and the city's Anlaufstelle — each once, also across a
restart; a failed send is tried again; without `smtp_host` the queue waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from mitwirken.federation.remote import parse_actor
from mitwirken.models import actors as actor_repo
from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.config import load_settings
from mitwirken.server.usecases import instance_check as doctor
from mitwirken.server.usecases.instance import init_instance
from mitwirken.server.usecases.responses import receive_create
from tests.fediverse import free_port


class Inbox:
    """An aiosmtpd handler that keeps what it received."""

    def __init__(self) -> None:
        self.mails: list[dict[str, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        msg = message_from_bytes(envelope.content)
        self.mails.append({"to": ",".join(envelope.rcpt_tos), "from": envelope.mail_from,
                           "subject": str(make_header(decode_header(msg["Subject"]))),
                           "body": msg.get_payload(decode=True).decode("utf-8")})
        return "250 OK"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SmtpServer:
    """A local SMTP server that can be stopped and started again on its port."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.port = inbox, free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer(Inbox())
    server.start()
    yield server.inbox, server.port, server
    server.stop()


def app_for(settings, clock, **overrides):
    cfg = load_settings(settings.data_dir, env={
        f"MITWIRKEN_{k.upper()}": str(v) for k, v in overrides.items()})
    return create_app(cfg, start_workers=False, clock=clock)


async def write(client, n: int, in_reply_to: str) -> None:
    services = client.app[SERVICES]
    actor = f"https://mastodon.example/users/geheim{n}"
    services.remote_actors.save(parse_actor({
        "id": actor, "type": "Person", "inbox": f"{actor}/inbox",
        "preferredUsername": f"geheim{n}"}))
    note = {"id": f"{actor}/statuses/{n}", "type": "Note", "attributedTo": actor,
            "to": [services.urls.actor("tafel")], "cc": [], "inReplyTo": in_reply_to,
            "content": "<p>Vertraulicher Text</p>"}
    assert await receive_create(services.inbox_context, {
        "id": note["id"] + "/activity", "type": "Create", "actor": actor,
        "object": note}) == "processed"


@pytest.fixture
def with_addresses(settings):
    store = Store.open(settings.db_path)
    actor_repo.update_actor(store, "tafel", email="info@tafel.example")
    actor_repo.update_actor(store, "musterstadt", email="anlaufstelle@musterstadt.example")
    store.close()
    return settings


async def test_reminders_at_half_and_whole_promise_once_each(aiohttp_client, with_addresses,
                                                             smtp):
    inbox, port, controller = smtp
    clock = Clock(datetime(2026, 12, 18, 10, tzinfo=UTC))  # a Friday
    smtp_settings = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": "false",
                     "mail_from": "mitwirken@musterstadt.test"}
    client = await aiohttp_client(app_for(with_addresses, clock, **smtp_settings))
    token = actor_repo.create_token(client.app[STORE], "tafel")
    resp = await client.post("/api/v1/opportunities", headers={
        "Authorization": f"Bearer {token}"}, json={
        "title": "Lesepat:in", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}, "reply_time_days": 2})
    opp = (await resp.json())["ap_id"]
    await write(client, 1, opp)  # due Tuesday 10:00, halfway: Sunday 10:00
    await write(client, 2, opp)
    answered_id = client.app[STORE].scalar(
        "SELECT id FROM responses WHERE sender_id LIKE '%geheim2'")
    clock.now += timedelta(hours=1)
    resp = await client.post(f"/api/v1/responses/{answered_id}/reply",
                             headers={"Authorization": f"Bearer {token}"},
                             json={"content": "Danke!"})
    assert resp.status == 201  # the answered one is never reminded
    mail = client.app[SERVICES].workers.mail

    clock.now = datetime(2026, 12, 20, 9, tzinfo=UTC)
    await mail.tick()
    assert inbox.mails == []
    clock.now = datetime(2026, 12, 20, 10, 30, tzinfo=UTC)
    assert await mail.tick() == 2  # queued and sent
    [first] = inbox.mails
    assert first["to"] == "info@tafel.example" and first["from"] == "mitwirken@musterstadt.test"
    assert first["subject"] == "Bitte antworten: Lesepat:in"
    assert "22.12.2026, 11:00 Uhr" in first["body"] and opp in first["body"]
    assert "geheim" not in str(first) and "Vertraulich" not in str(first)
    await mail.tick()
    assert len(inbox.mails) == 1

    # a restart (a new app on the same data) sends nothing twice
    await client.close()
    client = await aiohttp_client(app_for(with_addresses, clock, **smtp_settings))
    mail = client.app[SERVICES].workers.mail
    await mail.tick()
    assert len(inbox.mails) == 1

    # the whole promise: the organisation and the city; while the SMTP server is down the
    # mails wait and are sent once it is back
    controller.stop()
    clock.now = datetime(2026, 12, 22, 10, 5, tzinfo=UTC)
    await mail.tick()
    assert len(inbox.mails) == 1
    rows = client.app[STORE].all("SELECT state, attempts, last_error FROM mails "
                                 "WHERE state = 'pending'")
    assert len(rows) == 2 and all(r["attempts"] == 1 and r["last_error"] for r in rows)
    controller.start()
    await mail.tick()
    assert len(inbox.mails) == 1  # not yet: the next attempt waits
    clock.now += timedelta(minutes=3)
    await mail.tick()
    assert sorted(m["to"] for m in inbox.mails[1:]) == [
        "anlaufstelle@musterstadt.example", "info@tafel.example"]
    city_mail = next(m for m in inbox.mails if m["to"].startswith("anlaufstelle"))
    assert city_mail["subject"] == "Unbeantwortete Rückmeldung bei Tafel Musterstadt e.V."
    tafel_mail = next(m for m in inbox.mails[1:] if m["to"].startswith("info"))
    assert tafel_mail["subject"] == "Antwortzeit abgelaufen: Lesepat:in"
    clock.now += timedelta(days=3)
    await mail.tick()
    assert len(inbox.mails) == 3


async def test_without_smtp_host_reminders_wait_in_the_queue(aiohttp_client, with_addresses,
                                                             smtp):
    inbox, _, _ = smtp
    clock = Clock(datetime(2026, 12, 18, 10, tzinfo=UTC))
    client = await aiohttp_client(app_for(with_addresses, clock))
    services = client.app[SERVICES]
    await write(client, 1, None)  # to the organisation alone: the default 5 working days
    clock.now += timedelta(days=30)
    assert await services.workers.mail.tick() == 2  # both reminders queued at once
    assert inbox.mails == []
    assert [r["state"] for r in client.app[STORE].all("SELECT state FROM mails")] == [
        "pending", "pending"]


def test_check_reports_the_mail_server(tmp_path, smtp):
    _, port, server = smtp
    data = tmp_path / "d"
    init_instance(data, "http://127.0.0.1:9", "Stadt", "stadt")
    assert doctor.check_mail(load_settings(data, env={})).level == "WARN"
    env = {"MITWIRKEN_SMTP_HOST": "127.0.0.1", "MITWIRKEN_SMTP_PORT": str(port),
           "MITWIRKEN_SMTP_STARTTLS": "false"}
    ok = doctor.check_mail(load_settings(data, env=env))
    assert ok.level == "OK" and "nimmt Mails an" in ok.de
    server.stop()
    down = doctor.check_mail(load_settings(data, env=env))
    assert down.level == "FAIL" and "nicht nutzbar" in down.de
    assert doctor.check_mail(load_settings(data, env=env), connect=False).level == "OK"
