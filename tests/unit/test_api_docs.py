"""docs/API.md is executable: every curl example runs against a real app, in document order,
and must answer the documented status, headers and JSON — so the guide cannot lie.

Documented JSON is compared as a subset (every documented key must be present with the same
value; lists must match element by element), except values that differ per run: ids,
addresses and timestamps. Error bodies (``{"error", "detail"}``) are documented in full, so they
are compared exactly.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mitwirken.federation.remote import parse_actor
from mitwirken.models import actors as actor_repo
from mitwirken.models import deliveries
from mitwirken.server.app import create_app
from mitwirken.server.app_keys import LOGIN, SERVICES, STORE
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.login import LoggedIn
from mitwirken.server.usecases.reports import receive_flag
from mitwirken.server.usecases.responses import receive_create
from tests.web_helpers import PASSWORD

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "API.md"
VOLATILE = {"id", "ap_id", "url", "published", "updated", "last_confirmed", "base", "deleted",
            "received_at", "due_at", "first_answer_at", "at"}
EXAMPLE = re.compile(
    r"```sh\n(?P<cmd>curl .*?)```\s*\n"
    r"Response: \*\*(?P<status>\d{3})[^*]*\*\*(?: \(with `(?P<header>[\w-]+): (?P<value>[^`]+)`\))?"
    r"[^\n]*\n(?:\s*```json\n(?P<body>.*?)```)?", re.S)


@dataclass
class Example:
    line: int
    method: str
    url: str
    headers: dict[str, str]
    data: str | None
    status: int
    header: tuple[str, str] | None
    body: Any


def parse_curl(command: str) -> tuple[str, str, dict[str, str], str | None]:
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "curl"
    method, url, headers, data = "GET", None, {}, None
    it = iter(args[1:])
    for arg in it:
        if arg == "-X":
            method = next(it)
        elif arg == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif arg in ("-d", "--data"):
            data = next(it)
            method = "POST" if method == "GET" else method
        else:
            assert url is None, f"unexpected curl argument {arg!r}"
            url = arg
    assert url is not None
    return method, url, headers, data


def examples() -> list[Example]:
    text = GUIDE.read_text("utf-8")
    found = []
    for match in EXAMPLE.finditer(text):
        method, url, headers, data = parse_curl(match["cmd"])
        body = json.loads(match["body"]) if match["body"] else None
        header = (match["header"], match["value"]) if match["header"] else None
        found.append(Example(text[:match.start()].count("\n") + 1, method, url, headers, data,
                             int(match["status"]), header, body))
    assert len(found) == text.count("```sh\ncurl"), "every curl example needs a Response line"
    return found


def assert_matches(documented: Any, actual: Any, where: str = "") -> None:
    if isinstance(documented, dict):
        assert isinstance(actual, dict), where
        for key, value in documented.items():
            assert key in actual, f"{where}.{key} missing"
            if key not in VOLATILE:
                assert_matches(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list) and len(actual) == len(documented), where
        for index, (doc_item, item) in enumerate(zip(documented, actual, strict=True)):
            assert_matches(doc_item, item, f"{where}[{index}]")
    else:
        assert documented == actual, f"{where}: documented {documented!r}, got {actual!r}"


def test_guide_has_the_examples_it_promises():
    found = examples()
    calls = {(e.method, re.sub(r"\?.*", "", e.url)) for e in found}
    for needed in [("POST", "$BASE/api/v1/opportunities"), ("GET", "$BASE/api/v1/opportunities"),
                   ("GET", "$BASE/api/v1/opportunities/$ID"),
                   ("PATCH", "$BASE/api/v1/opportunities/$ID"),
                   ("DELETE", "$BASE/api/v1/opportunities/$ID"),
                   ("POST", "$BASE/api/v1/opportunities/$ID/confirm"),
                   ("POST", "$BASE/api/v1/opportunities/$ID/close"),
                   ("GET", "$BASE/api/v1/opportunities/$ID/interactions"),
                   ("POST", "$BASE/api/v1/practices"),
                   ("PATCH", "$BASE/api/v1/practices/$PRACTICE_ID"),
                   ("DELETE", "$BASE/api/v1/practices/$PRACTICE_ID"),
                   ("GET", "$BASE/api/v1/admin/inbox"), ("GET", "$BASE/api/v1/openapi.json"),
                   ("GET", "$BASE/api/v1/responses"),
                   ("GET", "$BASE/api/v1/responses/$RESPONSE_ID"),
                   ("POST", "$BASE/api/v1/responses/$RESPONSE_ID/reply"),
                   ("POST", "$BASE/api/v1/responses/$RESPONSE_ID/state"),
                   ("POST", "$BASE/api/v1/responses/$COMMENT_ID/approve"),
                   ("POST", "$BASE/api/v1/responses/$COMMENT_ID/hide"),
                   ("GET", "$BASE/api/v1/organisations/tafel/stats"),
                   ("GET", "$BASE/api/v1/admin/federation"),
                   ("POST", "$BASE/api/v1/admin/federation"),
                   ("GET", "$BASE/api/v1/admin/domains"), ("POST", "$BASE/api/v1/admin/domains"),
                   ("GET", "$BASE/api/v1/admin/domains/spam.example"),
                   ("DELETE", "$BASE/api/v1/admin/domains/laut.example"),
                   ("GET", "$BASE/api/v1/admin/audit"), ("GET", "$BASE/api/v1/admin/deliveries"),
                   ("POST", "$BASE/api/v1/admin/deliveries/999999/retry"),
                   ("GET", "$BASE/api/v1/admin/reports"), ("POST", "$BASE/api/v1/admin/reports"),
                   ("GET", "$BASE/api/v1/admin/instances"),
                   ("GET", "$BASE/api/v1/admin/delivery-health"),
                   ("POST", "$BASE/api/v1/admin/deliveries/retry"),
                   ("POST", "$BASE/api/v1/admin/reports/999999/resolve"),
                   ("POST", "$BASE/api/v1/admin/reports/$REPORT_ID/resolve"),
                   ("POST", "$BASE/api/v1/admin/deliveries/$DELIVERY_ID/retry"),
                   ("GET", "$BASE/api/v1/admin/actors"), ("POST", "$BASE/api/v1/admin/actors"),
                   ("GET", "$BASE/api/v1/admin/actors/$BLOCK_ID"),
                   ("DELETE", "$BASE/api/v1/admin/actors/$BLOCK_ID")]:
        assert needed in calls, needed
    minimal = {"title": "Lesepat:in gesucht", "description": "Markdown …", "kind": "regular",
               "contact": {"email": "info@example.org"}}
    assert any(e.data and json.loads(e.data) == minimal for e in found)
    assert {e.status for e in found} >= {200, 201, 204, 400, 401, 403, 404, 422}


class TickingClock:
    """Each reading is a minute later: "newest first" must not depend on the same second."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
async def guide_client(aiohttp_client, settings):
    app = create_app(settings, start_workers=False, clock=TickingClock())
    client = await aiohttp_client(app)
    store = client.app[STORE]
    Accounts(store, lambda: datetime.now(UTC)).add("chef@musterstadt.example", "admin", [],
                                                   PASSWORD)
    logged_in = await client.app[LOGIN].login("chef@musterstadt.example", PASSWORD, "127.0.0.1")
    assert isinstance(logged_in, LoggedIn)
    variables = {"$BASE": "", "$TOKEN": actor_repo.create_token(store, "tafel"),
                 "$SESSION": logged_in.cookie_value, "$CSRF": logged_in.session.csrf,
                 "$CITY_TOKEN": actor_repo.create_token(store, "musterstadt"),
                 "$RESPONSE_ID": await _a_note(client, "alice", "<p>Ich möchte helfen!</p>"),
                 "$COMMENT_ID": await _a_note(client, "bob", "<p>Super Sache!</p>",
                                              public=True)}
    return client, variables


async def _a_note(client, user: str, content: str, public: bool = False) -> str:
    """Someone on mastodon.example writes to `tafel`: alice directly, bob publicly
    (through the inbox's handler, as the inbox worker would hand it over)."""
    services = client.app[SERVICES]
    actor = f"https://mastodon.example/users/{user}"
    services.remote_actors.save(parse_actor({
        "id": actor, "type": "Person", "inbox": f"{actor}/inbox", "name": user.title(),
        "preferredUsername": user}))
    tafel = services.urls.actor("tafel")
    note = {"id": f"{actor}/statuses/1", "type": "Note", "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"] if public else [tafel],
            "cc": [tafel] if public else [], "content": content}
    state = await receive_create(services.inbox_context, {
        "id": note["id"] + "/activity", "type": "Create", "actor": actor, "object": note})
    assert state == "processed"
    return str(client.app[STORE].scalar("SELECT id FROM responses WHERE sender_id = ?",
                                        [actor]))


async def _prepare(client, variables: dict[str, str], url: str) -> None:
    """What the report and delivery examples act on, made just before the first of them (so
    the lists documented before stay as they are): a Flag from mastodon.example's instance
    actor about `tafel` (through the inbox's handler), and a delivery to alice's inbox that
    failed with 410."""
    services, store = client.app[SERVICES], client.app[STORE]
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    if "$REPORT_ID" in url and "$REPORT_ID" not in variables:
        state = await receive_flag(services.inbox_context, {
            "id": "https://mastodon.example/flags/1", "type": "Flag",
            "actor": "https://mastodon.example/actor", "content": "Spam-Verdacht",
            "object": [services.urls.actor("tafel")]})
        assert state == "processed"
        variables["$REPORT_ID"] = str(store.scalar("SELECT max(id) FROM reports"))
    if "$DELIVERY_ID" in url and "$DELIVERY_ID" not in variables:
        inbox = "https://mastodon.example/users/alice/inbox"
        deliveries.enqueue_deliveries(store, "https://example/activity/1", "tafel", "{}",
                                      [inbox], now)
        row_id = int(store.scalar("SELECT id FROM deliveries WHERE inbox = ?", [inbox]))
        deliveries.fail_delivery(store, row_id, 410, "Gone", now)
        variables["$DELIVERY_ID"] = str(row_id)


async def test_every_example_answers_as_documented(guide_client):
    client, variables = guide_client
    for ex in examples():
        def fill(text: str) -> str:
            for name in sorted(variables, key=len, reverse=True):
                text = text.replace(name, variables[name])
            return text

        await _prepare(client, variables, ex.url)
        where = f"docs/API.md line {ex.line}: {ex.method} {ex.url}"
        resp = await client.request(ex.method, fill(ex.url), data=ex.data,
                                    headers={k: fill(v) for k, v in ex.headers.items()})
        raw = await resp.read()
        assert resp.status == ex.status, f"{where}: {resp.status} {raw[:300]!r}"
        actual = json.loads(raw) if raw else None
        if ex.status == 201 and "/responses/" not in ex.url:
            key = ("$ID" if "/opportunities" in ex.url else
                   "$BLOCK_ID" if "/admin/actors" in ex.url else "$PRACTICE_ID")
            variables[key] = str(actual["id"])
        if ex.header:
            assert resp.headers.get(ex.header[0]) == fill(ex.header[1]), where
        if ex.body is None:
            continue
        if ex.status >= 400 and "error" in ex.body:
            assert actual == ex.body, where
        else:
            assert_matches(ex.body, actual, where)
