"""The OpenAPI description must match the app's real router — in both directions — and be a
self-consistent document, so client generators get what the server actually does."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mitwirken.server.app import create_app
from mitwirken.server.usecases.publishing import READ_ONLY
from mitwirken.server.web.openapi_spec import build_openapi

BASE = "https://engagiert.musterstadt.de"
METHODS = {"get", "post", "patch", "put", "delete"}


def router_operations(app) -> set[tuple[str, str]]:
    """``(method, "/api/v1/opportunities/{id}")`` for every API route of the router; a path
    parameter restricted to alternatives (``{kind:opportunities|practices}``) is expanded."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        if route.method in ("HEAD", "OPTIONS", "*"):
            continue
        if "path" in info:
            paths = [info["path"]]
        elif "formatter" in info:
            paths = [info["formatter"]]
            for name, regex in re.findall(r"\(\?P<(\w+)>([^)]*)\)", info["pattern"].pattern):
                if re.fullmatch(r"[\w.-]+(\|[\w.-]+)*", regex):
                    paths = [p.replace(f"{{{name}}}", alt) for p in paths
                             for alt in regex.split("|")]
        else:
            continue
        found |= {(route.method.lower(), p) for p in paths if p.startswith("/api/v1/")}
    return found


def documented_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in doc["paths"].items()
            for method in item if method in METHODS}


def test_paths_and_methods_match_the_router(settings):
    app = create_app(settings, start_workers=False)
    actual = router_operations(app)
    documented = documented_operations(build_openapi(BASE))
    assert ("post", "/api/v1/opportunities/{id}/confirm") in actual  # the expansion works
    assert ("delete", "/api/v1/practices/{id}") in actual
    assert sorted(documented - actual) == [], "documented but not routed"
    assert sorted(actual - documented) == [], "routed but not documented"


def test_router_expansion_sees_drift(settings):
    from aiohttp import web

    async def archive(request: web.Request) -> web.Response:
        return web.Response()

    app = create_app(settings, start_workers=False)
    app.router.add_put("/api/v1/{kind:opportunities|practices}/{id}/archive", archive)
    extra = router_operations(app) - documented_operations(build_openapi(BASE))
    assert extra == {("put", "/api/v1/opportunities/{id}/archive"),
                     ("put", "/api/v1/practices/{id}/archive")}


def test_document_is_valid_openapi_3_1():
    validator = pytest.importorskip("openapi_spec_validator")
    doc = build_openapi(BASE)
    assert doc["openapi"] == "3.1.0"
    validator.validate(doc)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves():
    doc = build_openapi(BASE)
    schemas = doc["components"]["schemas"]
    refs = set(_refs(doc))
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(schemas)


def test_security_and_error_responses():
    doc = build_openapi(BASE)
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http",
        "scheme": "bearer"}
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["servers"] == [{"url": BASE}]
    error = doc["components"]["schemas"]["Error"]
    assert set(error["properties"]) == set(error["required"]) == {"error", "detail"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            public = op.get("security") == []
            assert public == (path in ("/api/v1/openapi.json", "/api/v1/search",
                                       "/api/v1/organisations/{username}/stats",
                                       "/api/v1/instance/domain_blocks"))
            statuses = set(op["responses"])
            assert public or "401" in statuses, (method, path)
            if path.startswith("/api/v1/responses/"):  # another organisation's: 404, not 403
                assert "404" in statuses and "403" not in statuses
            elif "{id}" in path:
                assert {"403", "404"} <= statuses
            if "requestBody" in op:
                assert {"400", "413", "422"} <= statuses
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    expected = "ValidationFailed" if status == "422" else "Error"
                    assert ref.endswith("/" + expected)
    ops = {(m, p): op for p, item in doc["paths"].items() for m, op in item.items()}
    assert "201" in ops[("post", "/api/v1/opportunities")]["responses"]
    assert "204" in ops[("delete", "/api/v1/practices/{id}")]["responses"]


@pytest.mark.parametrize("model", ["Opportunity", "Practice"])
def test_request_bodies_come_from_the_models_without_server_fields(model):
    from mitwirken.models.content import Opportunity, Practice

    schemas = build_openapi(BASE)["components"]["schemas"]
    source = {"Opportunity": Opportunity, "Practice": Practice}[model].model_json_schema()
    create, patch, full = schemas[f"{model}Create"], schemas[f"{model}Patch"], schemas[model]
    editable = set(source["properties"]) - set(READ_ONLY)
    assert set(create["properties"]) == editable | {"org_username"}
    assert set(patch["properties"]) == editable and "required" not in patch
    assert set(create["required"]) == set(source["required"]) - set(READ_ONLY)
    assert create["additionalProperties"] is False
    for name in set(READ_ONLY) & set(source["properties"]):
        assert full["properties"][name]["readOnly"] is True
    assert {"ap_id", "url", "id"} <= set(full["required"])
    assert create["properties"]["title"]["maxLength"] == source["properties"]["title"]["maxLength"]


def test_vocabularies_carry_german_labels():
    schemas = build_openapi(BASE)["components"]["schemas"]
    assert schemas["CauseArea"]["x-enumDescriptions"]["kinder-jugend"] == "Kinder & Jugend"
    assert ":func:" not in str(schemas) and ":class:" not in str(schemas)  # no Sphinx roles


async def test_served_without_a_token(client):
    resp = await client.get("/api/v1/openapi.json")
    assert resp.status == 200 and resp.content_type == "application/json"
    doc = await resp.json()
    assert doc["servers"] == [{"url": "http://musterstadt.test"}]
    assert doc["paths"].keys() == build_openapi(BASE)["paths"].keys()
