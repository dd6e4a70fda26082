"""The promise (issue 13): each response is due after the opportunity's reply time in working
days (weekends and German public holidays do not count); an organisation's statistics over 90
days, published only from five responses on — through the API and as a profile field of its
actor. On a controlled clock, across a weekend and Christmas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.federation.remote import parse_actor
from mitwirken.models import actors as actor_repo
from mitwirken.models.working_days import add_working_days, working_days_between
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import SERVICES, STORE
from mitwirken.server.usecases.responses import receive_create

AP = {"Accept": "application/activity+json"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_working_days_skip_weekends_and_public_holidays():
    # Wednesday + 3 → Monday, same time of day
    assert add_working_days(utc(2026, 11, 25, 12), 3) == utc(2026, 11, 30, 12)
    # Friday + 5 → next Friday; Saturday + 5 → the Friday after (the weekend never counts)
    assert add_working_days(utc(2026, 11, 27, 9), 5) == utc(2026, 12, 4, 9)
    assert add_working_days(utc(2026, 11, 28, 9), 5) == utc(2026, 12, 4, 9)
    # Christmas Eve (a working day) + 5: Christmas, New Year's Day and weekends skipped
    assert add_working_days(utc(2026, 12, 24, 9), 5) == utc(2027, 1, 4, 9)
    # Maundy Thursday + 2: Good Friday and Easter Monday are holidays
    assert add_working_days(utc(2026, 4, 2, 8), 2) == utc(2026, 4, 8, 8)
    # the same local time across the change to summer time: 10:00 CET → 10:00 CEST
    assert add_working_days(utc(2026, 3, 27, 9), 1) == utc(2026, 3, 30, 8)
    assert working_days_between(utc(2026, 12, 18, 10), utc(2026, 12, 18, 17)) == 0
    assert working_days_between(utc(2026, 12, 18, 10), utc(2026, 12, 28, 10)) == 5
    # a day counts by the calendar of Berlin: 23:30 UTC on Friday is already Saturday there
    assert working_days_between(utc(2026, 12, 17, 12), utc(2026, 12, 18, 23, 30)) == 1


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def promise(aiohttp_client, settings):
    clock = Clock(utc(2026, 12, 18, 10))  # a Friday before Christmas
    client = await aiohttp_client(create_app(settings, start_workers=False, clock=clock))
    token = actor_repo.create_token(client.app[STORE], "tafel")
    return client, clock, {"Authorization": f"Bearer {token}"}


async def write(client, n: int, to: str, in_reply_to: str | None, public: bool = False) -> None:
    services = client.app[SERVICES]
    actor = f"https://mastodon.example/users/v{n}"
    services.remote_actors.save(parse_actor({
        "id": actor, "type": "Person", "inbox": f"{actor}/inbox", "preferredUsername": f"v{n}"}))
    note = {"id": f"{actor}/statuses/{n}", "type": "Note", "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"] if public else [to],
            "cc": [], "inReplyTo": in_reply_to, "content": f"<p>Ich helfe ({n})</p>"}
    assert await receive_create(services.inbox_context, {
        "id": note["id"] + "/activity", "type": "Create", "actor": actor,
        "object": note}) == "processed"


async def stats(client) -> dict:
    resp = await client.get("/api/v1/organisations/tafel/stats")
    assert resp.status == 200
    return await resp.json()


async def profile_values(client) -> list[str]:
    resp = await client.get("/actors/tafel", headers=AP)
    return [f"{f['name']}: {f['value']}" for f in (await resp.json())["attachment"]]


async def test_statistics_on_a_controlled_clock(promise):
    client, clock, auth = promise
    resp = await client.post("/api/v1/opportunities", headers=auth, json={
        "title": "Lesepat:in", "description": "Vorlesen", "kind": "regular",
        "contact": {"email": "info@example.org"}, "reply_time_days": 2})
    opp = (await resp.json())["ap_id"]
    tafel = f"{client.app[SERVICES].urls.actor('tafel')}"
    assert await stats(client) == {"window_days": 90, "responses": 0, "answered_in_time": None,
                                   "median_first_answer_days": None}
    for n in range(1, 5):
        await write(client, n, tafel, opp)
    await write(client, 9, tafel, opp, public=True)  # a public comment is no expression
    assert await stats(client) == {"window_days": 90, "responses": 4, "answered_in_time": None,
                                   "median_first_answer_days": None}
    assert not any(v.startswith("Antwortet") for v in await profile_values(client))

    await write(client, 5, tafel, opp)
    items = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    direct = sorted((i for i in items if i["visibility"] == "direct"),
                    key=lambda i: i["sender"]["id"])
    assert {i["due_at"] for i in direct} == {"2026-12-22T10:00:00Z"}  # Friday + 2: Tuesday

    async def answer(item: dict, when: datetime) -> None:
        clock.now = when
        resp = await client.post(f"/api/v1/responses/{item['id']}/reply", headers=auth,
                                 json={"content": "Danke!"})
        assert resp.status == 201

    await answer(direct[0], utc(2026, 12, 18, 15))  # the same day: 0, in time
    await answer(direct[1], utc(2026, 12, 22, 9))  # Tuesday: 2, in time
    await answer(direct[2], utc(2026, 12, 23, 9))  # Wednesday: 3, late
    await answer(direct[3], utc(2026, 12, 28, 9))  # Monday after Christmas: 5, late
    clock.now = utc(2026, 12, 28, 12)  # the fifth still waits: 5 working days so far
    assert await stats(client) == {"window_days": 90, "responses": 5, "answered_in_time": 2,
                                   "median_first_answer_days": 3.0}
    assert "Antwortet: 2 von 5 in 2 Werktagen" in await profile_values(client)
    page = await (await client.get("/@tafel", headers={"Accept": "text/html"})).text()
    assert "2 von 5 in 2 Werktagen" in page

    # 90 days later they are out of the window
    clock.now += timedelta(days=91)
    assert (await stats(client))["responses"] == 0


async def test_retention_erases_handled_responses_but_keeps_their_dates(promise):
    client, clock, auth = promise
    tafel = client.app[SERVICES].urls.actor("tafel")
    await write(client, 1, tafel, None)
    await write(client, 2, tafel, None)
    items = (await (await client.get("/api/v1/responses", headers=auth)).json())["items"]
    handled, still_open = sorted(items, key=lambda i: i["sender"]["id"])
    resp = await client.post(f"/api/v1/responses/{handled['id']}/state", headers=auth,
                             json={"state": "handled"})
    assert resp.status == 200
    maintenance = client.app[SERVICES].workers.maintenance

    async def read(item: dict) -> dict:
        return await (await client.get(f"/api/v1/responses/{item['id']}", headers=auth)).json()

    clock.now += timedelta(days=179)
    await maintenance.tick()
    assert (await read(handled))["messages"]  # not yet: 180 days after handled
    clock.now += timedelta(days=2)
    await maintenance.tick()
    erased = await read(handled)
    assert erased["messages"] == [] and erased["sender"] == {"id": None, "name": None,
                                                             "handle": None}
    assert erased["received_at"] == handled["received_at"] and erased["state"] == "handled"
    assert erased["due_at"] == handled["due_at"]
    kept = await read(still_open)  # an open one is never erased
    assert kept["messages"] and kept["sender"]["id"]
    assert client.app[STORE].scalar(
        "SELECT count(*) FROM response_messages WHERE content LIKE '%Ich helfe (1)%'") == 0
