# ruff: noqa: F811  (pytest fixtures imported from their home module)
"""Hostile editor-API bodies over real HTTP (issue 17 §2): every one is a 4xx with the usual
error shape, never a 5xx, and a refused write stores nothing (no object, no outbox row, no
delivery). Hand-picked cases first, then Hypothesis variants of a valid body (derandomized)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import api_bodies
from tests.integration.test_api import MINIMAL, api  # noqa: F401  (the fixture)

JSON = {"Content-Type": "application/json"}


async def post_raw(api, body: bytes, headers: dict[str, str] | None = None, path: str =
                   "/api/v1/opportunities"):
    chosen = JSON if headers is None else headers
    resp = await api.client.post(path, data=body, headers={**api.auth(), **chosen})
    return resp.status, await resp.json()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/octet-stream", ""])
async def test_a_json_body_needs_a_json_content_type(api, content_type):
    before = api.counts()
    headers = {"Content-Type": content_type} if content_type else {}
    status, body = await post_raw(api, json.dumps(MINIMAL).encode(), headers)
    assert (status, body["error"]) == (415, "unsupported_media_type")
    assert api.counts() == before


@pytest.mark.parametrize(("field", "value"), [
    ("min_age", "16"), ("min_age", True), ("min_age", 16.5), ("mediated_by_city", 1),
    ("mediated_by_city", "true"), ("volunteers_needed", "3"),
])
async def test_numbers_and_booleans_must_be_json_ones(api, field, value):
    before = api.counts()
    status, body = await post_raw(api, json.dumps({**MINIMAL, field: value}).encode())
    assert status == 422, body
    assert [e["field"] for e in body["detail"]] == [field]
    assert api.counts() == before


async def test_json_numbers_and_booleans_are_taken(api):
    status, body = await post_raw(api, json.dumps(
        {**MINIMAL, "min_age": 16, "mediated_by_city": True}).encode())
    assert status == 201, body
    assert (body["min_age"], body["mediated_by_city"]) == (16, True)


@pytest.mark.parametrize("when", [
    "9999-12-31T23:59:59+23:59", "0001-01-01T00:00:00-23:59", "1899-12-31T23:00:00+00:00",
    "2200-12-31T23:30:00-01:00", "1900-01-01T00:30:00+01:00",
])
async def test_dates_outside_1900_to_2200_are_a_field_error(api, when):
    before = api.counts()
    body = {**MINIMAL, "kind": "one-off", "start": when, "end": "2030-01-01T10:00:00+01:00"}
    status, answer = await post_raw(api, json.dumps(body).encode())
    assert status == 422, answer
    assert "start" in [e["field"] for e in answer["detail"]]
    assert any("1900" in e["message"] for e in answer["detail"])
    assert api.counts() == before


async def test_lone_surrogate_is_a_field_error_on_create_and_patch(api):
    before = api.counts()
    status, body = await post_raw(api, b'{"title": "Lese\\ud800pate", "description": "x", '
                                       b'"kind": "regular", "contact": {"email": "a@b.de"}}')
    assert status == 422 and [e["field"] for e in body["detail"]] == ["title"]
    assert api.counts() == before
    opp = await api.create()
    resp = await api.client.patch(f"/api/v1/opportunities/{opp['id']}", headers={
        **api.auth(), **JSON}, data=b'{"contact": {"email": "\\udfffa@b.de"}}')
    assert resp.status == 422
    assert [e["field"] for e in (await resp.json())["detail"]] == ["contact.email"]
    stored = await (await api.client.get(f"/api/v1/opportunities/{opp['id']}",
                                         headers=api.auth())).json()
    assert stored["contact"] == opp["contact"]


@pytest.mark.parametrize("body", [
    b"[" * 100_000, b'{"title": "a", "title": "b"}', b'{"min_age": NaN}',
    b'{"org_username": "\\ud800"}', b'{"org_username": 5}',
])
async def test_hostile_json_is_4xx(api, body):
    before = api.counts()
    status, answer = await post_raw(api, body)
    assert 400 <= status < 500 and set(answer) == {"error", "detail"}, answer
    assert api.counts() == before


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=api_bodies(MINIMAL), patch=st.booleans())
async def test_generated_hostile_bodies_never_5xx_nor_half_store(api, case, patch):
    body, _ = case
    if patch:
        opp = await api.create() if not api.counts()["opportunities"] else None
        target = opp["id"] if opp else api.store.scalar("SELECT id FROM opportunities LIMIT 1")
        before = api.counts()
        resp = await api.client.patch(f"/api/v1/opportunities/{target}",
                                      headers={**api.auth(), **JSON}, data=body)
    else:
        before = api.counts()
        resp = await api.client.post("/api/v1/opportunities", headers={**api.auth(), **JSON},
                                     data=body)
    answer = await resp.json()
    assert resp.status < 500, (resp.status, body[:200], answer)
    after = api.counts()
    if resp.status >= 400:
        assert set(answer) == {"error", "detail"}
        assert after == before, body[:200]
    elif patch:  # an accepted edit is one Update, nothing else
        assert after["outbox"] == before["outbox"] + 1
        assert after["opportunities"] == before["opportunities"]
    else:
        assert after["opportunities"] == before["opportunities"] + 1
