"""The OpenAPI 3.1 description of the editor API (served at ``/api/v1/openapi.json``).

Cities connect their own tools (a CMS plug-in, a Freiwilligenagentur database) to the editor
API; a machine-readable description lets them generate clients and see every field with its
limits. The request and response schemas are generated from the pydantic models, so a new model
field shows up here without anyone remembering to document it; the list of operations is written
out by hand (with summaries for humans) and ``tests/unit/test_openapi.py`` compares it with the
app's router in both directions, so the two cannot drift apart.

Deliberately free of aiohttp and of :mod:`server.web.api`: building the document needs only
the models (and which fields the server sets, from :mod:`server.content_service`).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from mitwirken.models import vocab
from mitwirken.models.content import Opportunity, Practice
from mitwirken.server.usecases.publishing import READ_ONLY

__all__ = ["build_openapi", "operations"]

REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    400: "Malformed JSON (also: nested deeper than 32 levels, a duplicate key, NaN), a body "
         "that is not a JSON object, or bad paging parameters.",
    401: "No bearer token, or an unknown one.",
    403: "The object belongs to another organisation (or the token may not do this).",
    404: "No such object (deleted objects are gone for the API); for responses also one of "
         "another organisation.",
    409: "The state change is not allowed from the current state.",
    413: "The request body is larger than the configured limit (`max_body_bytes`).",
    415: "The body is not sent as `Content-Type: application/json`.",
    422: "Validation failed: `detail` lists each field with a German message for editors; "
         "nothing was stored.",
}
KINDS = {"opportunities": ("Opportunity", "Engagement-Angebot"),
         "practices": ("Practice", "Praxisbeispiel")}


# ---------------------------------------------------------------------------- schemas


def _clean(node: Any) -> Any:
    """Strip Sphinx roles (``:func:`x` `` → ``x``) from docstring-derived descriptions."""
    if isinstance(node, dict):
        return {k: (re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", v) if k == "description"
                    and isinstance(v, str) else _clean(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _input_schema(full: dict[str, Any], *, create: bool) -> dict[str, Any]:
    schema = copy.deepcopy(full)
    for name in READ_ONLY:
        schema["properties"].pop(name, None)
    required = [r for r in schema.get("required", []) if r not in READ_ONLY]
    if create:
        schema["properties"]["org_username"] = {
            "type": "string", "description": "Only for city tokens: publish for this local "
            "organisation. Defaults to the token's own account."}
        schema["required"] = required
    else:
        schema.pop("required", None)
        schema["description"] = ("Partial update: top-level fields present in the body replace "
                                 "the stored ones (nested objects as a whole); `null` clears an "
                                 "optional field. Server-set fields are rejected with 422.")
    return schema


def _output_schema(full: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(full)
    for name in READ_ONLY:
        if name in schema["properties"]:
            schema["properties"][name]["readOnly"] = True
    for name, text in (("ap_id", "The ActivityPub id of the object (also its web page)."),
                       ("url", "The public web page (same as `ap_id`).")):
        schema["properties"][name] = {"type": "string", "format": "uri", "readOnly": True,
                                      "description": text}
    schema["required"] = sorted({*schema.get("required", []), "id", "ap_id", "url"})
    return schema


def _schemas() -> dict[str, Any]:
    _, generated = models_json_schema([(Opportunity, "validation"), (Practice, "validation")],
                                      ref_template=REF)
    defs: dict[str, Any] = _clean(generated["$defs"])
    for name, schema in defs.items():
        enum = getattr(vocab, name, None)
        if isinstance(enum, type) and issubclass(enum, vocab.VocabEnum):
            schema["x-enumDescriptions"] = {m.value: m.label_de for m in enum}
    for model in ("Opportunity", "Practice"):
        full = defs.pop(model)
        defs[f"{model}Create"] = _input_schema(full, create=True)
        defs[f"{model}Patch"] = _input_schema(full, create=False)
        defs[model] = _output_schema(full)
        defs[f"{model}List"] = {"type": "object", "required": ["items", "total", "limit",
                                                                "offset"], "properties": {
            "items": {"type": "array", "items": {"$ref": REF.format(model=model)}},
            "total": {"type": "integer", "description": "All objects of the organisation."},
            "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
    defs["Error"] = {"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string", "description": "Stable machine-readable code."},
        "detail": {"description": "Human-readable detail; for 422 a list of field problems."}}}
    defs["FieldProblem"] = {"type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": "string", "description": "Dotted path, e.g. `contact.email`; empty "
                  "for the object as a whole."},
        "message": {"type": "string", "description": "German message for the editor."}}}
    defs["ValidationFailed"] = {"allOf": [{"$ref": REF.format(model="Error")}, {
        "type": "object", "properties": {"error": {"const": "validation_failed"}, "detail": {
            "type": "array", "items": {"$ref": REF.format(model="FieldProblem")}}}}]}
    defs["Interactions"] = {"type": "object", "required": ["replies", "likes", "announces",
                                                           "totals"],
                            "properties": {
        "totals": {"type": "object", "description": "How many of each kind in all (the lists "
                   "hold the newest 200 of each)", "properties": {
                       k: {"type": "integer"} for k in ("replies", "likes", "announces")}},
        "replies": {"type": "array", "items": {"type": "object", "properties": {
            k: {"type": ["string", "null"]} for k in ("id", "actor", "content", "url",
                                                      "created_at")}}},
        "likes": {"type": "array", "items": {"type": "string", "description": "Actor IRI"}},
        "announces": {"type": "array", "items": {"type": "string", "description": "Actor IRI"}}}}
    defs.update(_response_schemas())
    defs["InboxItems"] = {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object"}}, "base": {"type": "string"}}}
    defs.update(_admin_schemas())
    return dict(sorted(defs.items()))


def _response_schemas() -> dict[str, Any]:
    """Volunteers' responses (issue 13): the fixed interface of docs/API.md."""
    nullable = {"type": ["string", "null"]}
    message = {"type": "object", "required": ["id", "direction", "content", "at"],
               "properties": {"id": {"type": "string"},
                              "direction": {"enum": ["in", "out"]},
                              "content": {"type": "string", "description": "Sanitised HTML."},
                              "at": {"type": "string", "format": "date-time"}}}
    response = {"type": "object", "required": [
        "id", "object", "organisation", "visibility", "state", "received_at", "due_at",
        "sender", "messages"], "properties": {
        "id": {"type": "string"},
        "object": {**nullable, "description": "Our object's ActivityPub id; null when the "
                   "message was addressed to the organisation alone."},
        "organisation": {"type": "string", "description": "Username of the organisation."},
        "visibility": {"enum": ["direct", "public", "form"], "description": "`direct`: an "
                       "expression of interest, seen only by the organisation and the city."},
        "state": {"enum": ["open", "answered", "handled"]},
        "moderation": {"enum": [None, "approved", "hidden"], "description": "An editor's "
                       "decision on a public comment (null: none yet)."},
        "received_at": {"type": "string", "format": "date-time"},
        "due_at": {**nullable, "description": "When the promised reply time (working days, "
                   "German public holidays not counted) runs out."},
        "first_answer_at": nullable,
        "sender": {"type": "object", "properties": {"id": nullable, "name": nullable,
                                                     "handle": nullable}},
        "messages": {"type": "array", "items": {"$ref": REF.format(model="ResponseMessage")}}}}
    return {
        "ResponseMessage": message, "Response": response,
        "ResponseList": {"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": REF.format(model="Response")}}}},
        "ResponseReply": {"type": "object", "required": ["content"], "properties": {
            "content": {"type": "string", "minLength": 1, "maxLength": 5000,
                        "description": "The answer in Markdown."}}},
        "ResponseStateChange": {"type": "object", "required": ["state"], "properties": {
            "state": {"enum": ["handled", "open"]}}},
        "ResponseStats": {"type": "object", "required": [
            "window_days", "responses", "answered_in_time", "median_first_answer_days"],
            "properties": {
                "window_days": {"type": "integer", "const": 90},
                "responses": {"type": "integer", "description": "Expressions of interest "
                              "received in the window."},
                "answered_in_time": {"type": ["integer", "null"], "description": "Answered "
                                     "within the promise; null below 5 responses."},
                "median_first_answer_days": {"type": ["number", "null"], "description":
                                             "Median working days to the first answer; null "
                                             "below 5 responses."}}},
    }


def _response_operations() -> dict[str, dict[str, Any]]:
    rid = {**ID, "description": "The response's id."}
    item = "/api/v1/responses/{id}"
    return {
        "/api/v1/responses": {"get": _op(
            "list_responses", "Volunteers' responses: the organisation's own, all for the "
            "city's token (newest first)", 200, "ResponseList", (400,), tag="responses",
            params=(_query("state", "open, answered or handled (default: every state)",
                           {"enum": ["open", "answered", "handled"]}),
                    _query("object", "Only those answering this object (its ap_id)",
                           {"type": "string"})))},
        item: {"get": _op("get_response", "One response with its messages", 200, "Response",
                          (404,), params=(rid,), tag="responses")},
        f"{item}/reply": {"post": _op(
            "reply_to_response", "Answer the volunteer (a direct Note to them alone)", 201,
            "ResponseMessage", (400, 404, 413, 415, 422), body="ResponseReply", params=(rid,),
            tag="responses")},
        f"{item}/state": {"post": _op(
            "set_response_state", "Mark handled, or reopen", 200, "Response",
            (400, 404, 409, 413, 415, 422), body="ResponseStateChange", params=(rid,),
            tag="responses")},
        f"{item}/approve": {"post": _op(
            "approve_response", "Show a public comment under the object and in its `replies`",
            200, "Response", (404, 409, 422), params=(rid,), tag="responses")},
        f"{item}/hide": {"post": _op(
            "hide_response", "Hide a public comment", 200, "Response", (404, 422),
            params=(rid,), tag="responses")},
        "/api/v1/organisations/{username}/stats": {"get": _op(
            "organisation_stats", "How an organisation answers (public aggregates only)", 200,
            "ResponseStats", (404,), public=True, tag="responses", params=(
                {"name": "username", "in": "path", "required": True,
                 "schema": {"type": "string"}, "description": "The organisation."},))},
    }


def _items(schema: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": REF.format(model=schema)}}}}


def _admin_schemas() -> dict[str, Any]:
    """The admin API's bodies (written out: they are small and not pydantic models)."""
    text, flag = {"type": "string"}, {"type": "boolean", "default": False}
    policy = {"type": "string", "enum": ["block", "limit", "allow"],
              "description": "block: refused; limit: follows need approval, content waits "
              "for review; allow: listed for the allow-list mode."}
    mode = {"type": "string", "enum": ["open", "allowlist"], "description": "open: everyone "
            "but blocked domains; allowlist: only domains with an allow or limit rule."}
    counts = {"type": "object", "properties": {k: {"type": "integer"}
                                               for k in ("block", "limit", "allow")}}
    federation = {"type": "object", "required": ["mode", "rules", "held_deliveries"],
                  "properties": {"mode": mode, "rules": counts,
                                 "held_deliveries": {"type": "integer"}}}
    flags = {k: flag for k in ("reject_media", "reject_reports", "obfuscate")}
    rule_input = {"type": "object", "required": ["domain", "policy"],
                  "additionalProperties": False, "properties": {
                      "domain": {"type": "string", "description": "A domain name; the rule "
                                 "covers its subdomains."},
                      "policy": policy, "reason": {"type": "string", "maxLength": 1000},
                      **flags}}
    rule = {"type": "object", "required": ["domain", "policy", "reason", "created_at"],
            "properties": {"domain": text, "policy": policy, "reason": text,
                           "created_at": {"type": "string", "format": "date-time"}, **flags}}
    nullable_int = {"type": ["integer", "null"]}
    delivery = {"type": "object", "properties": {
        "id": {"type": "integer"}, "activity_id": text, "inbox": text, "domain": text,
        "state": {"type": "string", "enum": ["pending", "held", "done", "failed"]},
        "attempts": {"type": "integer"}, "next_attempt_at": text, "last_status": nullable_int,
        "last_error": {"type": ["string", "null"]}}}
    summary = {"type": "object", "properties": {
        **{k: {"type": "integer"} for k in ("pending", "held", "done", "failed")},
        "unavailable_domains": {"type": "array", "items": text}}}
    entry = {"type": "object", "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string", "description": "Who acted: token:<username> or "
                  "cli:<login name>"},
        "action": {"type": "string", "description": "e.g. domain.block, federation.mode"},
        "target": text, "reason": text, "details": {"type": "object"}}}
    nullable = {"type": ["string", "null"]}
    report = {"type": "object", "properties": {
        "id": {"type": "integer"}, "activity_id": nullable,
        "direction": {"type": "string", "enum": ["incoming", "outgoing"]},
        "reporter": {"type": "string", "description": "The actor that sent the Flag (for "
                     "Mastodon its instance actor)"},
        "origin": text, "comment": text,
        "objects": {"type": "array", "items": text, "description": "Reported URLs of ours"},
        "state": {"type": "string", "enum": ["open", "resolved"]}, "action": nullable,
        "resolution": nullable, "resolved_by": nullable, "resolved_at": nullable,
        "created_at": {"type": "string", "format": "date-time"}}}
    return {
        "Federation": federation,
        "FederationChange": {"type": "object", "required": ["mode"],
                             "properties": {"mode": mode,
                                            "reason": {"type": "string", "maxLength": 1000}}},
        "FederationChanged": {"allOf": [{"$ref": REF.format(model="Federation")}, {
            "type": "object", "properties": {"released": {"type": "integer"},
                                             "held": {"type": "integer"}}}]},
        "DomainRuleInput": rule_input, "DomainRule": rule, "DomainRuleList": _items("DomainRule"),
        "Delivery": delivery, "DeliverySummary": summary,
        "DeliveryList": {**_items("Delivery"), "properties": {
            **_items("Delivery")["properties"],
            "summary": {"$ref": REF.format(model="DeliverySummary")}}},
        "AuditEntry": entry, "AuditList": _items("AuditEntry"),
        "Report": report, "ReportList": _items("Report"),
        "Instance": {"type": "object", "properties": {
            "domain": text, "software": nullable, "version": nullable,
            "nodeinfo_fetched_at": nullable, "nodeinfo_error": nullable,
            "followers": {"type": "integer", "description": "Accepted followers here"},
            "last_success_at": nullable, "last_failure_at": nullable,
            "unavailable": {"type": "boolean"}, "last_activity_at": nullable}},
        "InstanceList": _items("Instance"),
        "DomainRetry": {"type": "object", "required": ["domain"],
                        "properties": {"domain": text}},
        "DomainRetried": {"type": "object", "properties": {
            "domain": text, "requeued": {"type": "integer"}}},
        "DeliveryHealth": {"type": "object", "properties": {
            "queue": {"type": "object", "properties": {
                k: {"type": "integer"} for k in ("pending", "held")}},
            **{span: {"type": "object", "properties": {
                k: {"type": "integer"} for k in ("done", "failed")}}
               for span in ("last_24h", "last_7d")},
            "failing_domains": {"type": "array", "items": {"type": "object", "properties": {
                "domain": text, "failed": {"type": "integer"},
                "retrying": {"type": "integer"}, "last_status": {"type": ["integer", "null"]},
                "last_error": nullable, "unavailable": {"type": "boolean"}}}},
            "unavailable_domains": {"type": "array", "items": text}}},
        "OutgoingReport": {"type": "object", "required": ["object"], "properties": {
            "object": {"type": "string", "format": "uri", "description": "A stored remote "
                       "object or a known remote actor"},
            "comment": {"type": "string", "maxLength": 1000}}},
        "ReportResolution": {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "enum": ["dismiss", "hide", "remove", "block_actor",
                                                  "block_domain"],
                       "description": "dismiss; hide (our reported opportunities pause, "
                       "Update is sent; remote content and replies leave search and pages); "
                       "remove (our reported objects are deleted, Delete is sent; remote "
                       "content is deleted here); block_actor (the reported actor is "
                       "blocked, see /api/v1/admin/actors); block_domain (the reported "
                       "actor's domain gets a block rule). Blocking an actor of this "
                       "instance is refused (422)."},
            "reason": {"type": "string", "maxLength": 1000}}},
        "ReportResolved": {"allOf": [{"$ref": REF.format(model="Report")}, {
            "type": "object", "properties": {
                "removed": {"type": "array", "items": text},
                "hidden": {"type": "array", "items": text},
                "blocked": {"type": "object", "description": "With block_actor or "
                            "block_domain: the actor or domain and what the block removed"}}}]},
        "ActorBlockInput": {"type": "object", "required": ["actor"], "properties": {
            "actor": {"type": "string", "format": "uri", "description": "A remote actor's "
                      "id (not one of this instance)"},
            "reason": {"type": "string", "maxLength": 1000}}},
        "ActorBlock": {"type": "object", "properties": {
            "id": {"type": "integer"}, "actor": text, "domain": text, "reason": text,
            "blocked_by": text, "created_at": {"type": "string", "format": "date-time"}}},
        "ActorBlocked": {"allOf": [{"$ref": REF.format(model="ActorBlock")}, {
            "type": "object", "properties": {"removed": {"type": "object", "properties": {
                k: {"type": "integer"} for k in ("followers", "following", "deliveries",
                                                 "content", "interactions",
                                                 "responses")}}}}]},
        "ActorBlockList": _items("ActorBlock"),
    }


# ---------------------------------------------------------------------------- operations


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=schema)}}}


def _op(op_id: str, summary: str, ok: int, ok_schema: str | None, errors: tuple[int, ...], *,
        body: str | None = None, params: tuple[dict[str, Any], ...] = (), public: bool = False,
        tag: str = "content") -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": summary}}
    if ok_schema:
        responses[str(ok)]["content"] = _json(ok_schema)
    for status in (*errors, *(() if public else (401,))):
        schema = "ValidationFailed" if status == 422 else "Error"
        responses[str(status)] = {"description": ERROR_STATUSES[status], "content": _json(schema)}
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag],
                          "responses": dict(sorted(responses.items()))}
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": True, "content": _json(body)}
    if public:
        op["security"] = []
    return op


def _query(name: str, text: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": text,
            "schema": schema}


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
      "description": "The object's id (last segment of its `ap_id`)."}
PAGING = (
    _query("org", "City tokens only: list this organisation's objects.", {"type": "string"}),
    _query("limit", "Page size (1–200).", {"type": "integer", "minimum": 1, "maximum": 200,
                                           "default": 50}),
    _query("offset", "Objects to skip.", {"type": "integer", "minimum": 0, "default": 0}),
)


def operations() -> dict[str, dict[str, Any]]:
    """The paths object: ``{path: {method: operation}}`` for every route of the editor API."""
    paths: dict[str, dict[str, Any]] = {}
    for kind, (model, german) in KINDS.items():
        item = f"/api/v1/{kind}/{{id}}"
        paths[f"/api/v1/{kind}"] = {
            "get": _op(f"list_{kind}", f"List your {kind} (newest first)", 200, f"{model}List",
                       (400, 403), params=PAGING, tag=kind),
            "post": _op(f"create_{model.lower()}", f"Publish a new {german} (sends Create)", 201,
                        model, (400, 403, 413, 415, 422), body=f"{model}Create", tag=kind),
        }
        paths[item] = {
            "get": _op(f"get_{model.lower()}", "Read one object", 200, model, (403, 404),
                       params=(ID,), tag=kind),
            "patch": _op(f"update_{model.lower()}", "Change fields (sends Update)", 200, model,
                         (400, 403, 404, 413, 415, 422), body=f"{model}Patch", params=(ID,),
                         tag=kind),
            "delete": _op(f"delete_{model.lower()}", "Delete (sends Delete; the URL answers "
                          "410 Gone)", 204, None, (403, 404), params=(ID,), tag=kind),
        }
        paths[f"{item}/interactions"] = {"get": _op(
            f"interactions_{model.lower()}", "Replies, likes and boosts from the fediverse",
            200, "Interactions", (403, 404), params=(ID,), tag=kind)}
    item = "/api/v1/opportunities/{id}"
    paths[f"{item}/confirm"] = {"post": _op(
        "confirm_opportunity", "Confirm it is still current (resets auto-pause; sends Update)",
        200, "Opportunity", (403, 404), params=(ID,), tag="opportunities")}
    paths[f"{item}/close"] = {"post": _op(
        "close_opportunity", "Close it (status `closed`; sends Update)", 200, "Opportunity",
        (403, 404), params=(ID,), tag="opportunities")}
    paths["/api/v1/admin/inbox"] = {"get": {**_op(
        "admin_inbox", "Recent incoming activities (the city's token or an admin's session)",
        200, "InboxItems", (400, 403), params=(_query("limit", "How many (1–500).", {
            "type": "integer", "default": 50}),), tag="admin"), "security": ADMIN_SECURITY}}
    for path, ops in _admin_operations().items():  # the city's token or an admin's session
        paths[path] = {method: {**op, "security": ADMIN_SECURITY} for method, op in ops.items()}
    text = {"type": "string"}
    paths["/api/v1/search"] = {"get": {
        **_op("search", "Search local and remote opportunities and practice posts (public; "
              "closed and paused opportunities hidden unless include_inactive=true)", 200,
              None, (400,), public=True, tag="network", params=(
                  _query("q", "Words (the first 8 count); each of three or more letters is "
                         "a prefix, shorter ones match whole words; umlauts and ß folded.",
                         text),
                  _query("kind", "opportunity or practice", text),
                  _query("opp_kind", "one-off, shifts, regular or flexible", text),
                  _query("cause_area", "A cause area key, e.g. bildung", text),
                  _query("activity_type", "An activity type key", text),
                  _query("theme", "A practice theme key", text),
                  _query("sector", "civil-society, administration, politics, business, "
                         "science", text),
                  _query("remote", "no, possible or full", text),
                  _query("suitable_for", "e.g. wheelchair-accessible, families", text),
                  _query("max_hours_per_week", "Upper bound of the time budget",
                         {"type": "number"}),
                  _query("date_from", "Dated items ending after (ISO 8601 with offset)", text),
                  _query("date_to", "Dated items starting before (ISO 8601 with offset)", text),
                  _query("age", "The volunteer's age (items with a higher minimum age are "
                         "hidden)", {"type": "integer"}),
                  _query("origin", "Origin domain", text),
                  _query("region", "Bundesland code, e.g. DE-NW", text),
                  _query("local", "true: only this instance; false: only the network", text),
                  _query("include_inactive", "true: also closed and paused", text),
                  _query("limit", "Page size (1–100)", {"type": "integer", "default": 20}),
                  _query("offset", "Items to skip", {"type": "integer", "default": 0})))}}
    paths.update(_response_operations())
    paths["/api/v1/instance/domain_blocks"] = {"get": {
        "operationId": "instance_domain_blocks", "summary": "Blocked and limited domains with "
        "their reasons, as Mastodon lists them (only when the setting publish_domain_blocks "
        "is on)", "tags": ["meta"], "security": [], "responses": {
            "200": {"description": "An array of {domain, digest, severity, comment}",
                    "content": {"application/json": {"schema": {"type": "array", "items": {
                        "type": "object", "properties": {
                            k: {"type": "string"} for k in ("domain", "digest", "severity",
                                                            "comment")}}}}}},
            "404": {"description": "Not published (the default)",
                    "content": _json("Error")}}}}
    paths["/api/v1/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This description", "tags": ["meta"],
        "security": [], "responses": {"200": {"description": "OpenAPI 3.1 document",
                                              "content": {"application/json": {}}}}}}
    return dict(sorted(paths.items()))


ADMIN_SECURITY = [{"bearerAuth": []}, {"adminSession": []}]


def _admin_operations() -> dict[str, dict[str, Any]]:
    """The admin API (the city's token or an admin's session; others get 403)."""
    body_errors = (400, 403, 413, 415, 422)
    domain = {"name": "domain", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "The domain of the rule."}
    delivery_id = {**ID, "schema": {"type": "integer"}, "description": "The delivery's id."}
    block_id = {**ID, "schema": {"type": "integer"}, "description": "The block's id."}
    text = {"type": "string"}
    return {
        "/api/v1/admin/federation": {
            "get": _op("admin_federation", "The federation mode and the number of rules",
                       200, "Federation", (403,), tag="admin"),
            "post": _op("admin_set_federation", "Switch the federation mode (at once)", 200,
                        "FederationChanged", body_errors, body="FederationChange",
                        tag="admin")},
        "/api/v1/admin/domains": {
            "get": _op("admin_domains", "Every domain rule", 200, "DomainRuleList", (400, 403),
                       params=(_query("policy", "block, limit or allow", text),), tag="admin"),
            "post": _op("admin_set_domain", "Set a domain's rule (replaces its previous one)",
                        200, "DomainRule", body_errors, body="DomainRuleInput", tag="admin")},
        "/api/v1/admin/domains/{domain}": {
            "get": _op("admin_domain", "One domain's rule", 200, "DomainRule", (400, 403, 404),
                       params=(domain,), tag="admin"),
            "delete": _op("admin_remove_domain", "Remove a domain's rule", 204, None,
                          (400, 403, 404), params=(domain, _query(
                              "reason", "Why (for the audit log)", text)), tag="admin")},
        "/api/v1/admin/actors": {
            "get": _op("admin_actor_blocks", "Every blocked remote actor, newest first", 200,
                       "ActorBlockList", (400, 403), tag="admin"),
            "post": _op("admin_block_actor", "Block one remote actor (its follows, content, "
                        "interactions and responses go; its inbox posts get 403)", 201,
                        "ActorBlocked", body_errors, body="ActorBlockInput", tag="admin")},
        "/api/v1/admin/actors/{id}": {
            "get": _op("admin_actor_block", "One actor block", 200, "ActorBlock", (403, 404),
                       params=(block_id,), tag="admin"),
            "delete": _op("admin_unblock_actor", "Lift an actor block", 204, None, (403, 404),
                          params=(block_id, _query("reason", "Why (for the audit log)",
                                                   text)), tag="admin")},
        "/api/v1/admin/audit": {"get": _op(
            "admin_audit", "The audit log, oldest first", 200, "AuditList", (400, 403),
            params=(_query("since", "ISO 8601 date or time", text),
                    _query("limit", "How many (1–10000)", {"type": "integer",
                                                           "default": 1000})), tag="admin")},
        "/api/v1/admin/reports": {"post": _op(
            "admin_send_report", "Report a remote object to its origin (a Flag from the "
            "instance actor, queued for delivery)", 202, "Report", (*body_errors, 404),
            body="OutgoingReport", tag="admin"), "get": _op(
            "admin_reports", "Reports in the moderation queue, newest first", 200,
            "ReportList", (400, 403), params=(_query("state", "open or resolved", text),
                                              _query("limit", "How many (1–1000)", {
                                                  "type": "integer", "default": 200})),
            tag="admin")},
        "/api/v1/admin/reports/{id}/resolve": {"post": _op(
            "admin_resolve_report", "Resolve a report with an action and a reason", 200,
            "ReportResolved", (*body_errors, 404), body="ReportResolution",
            params=({**ID, "schema": {"type": "integer"}, "description": "The report's id."},),
            tag="admin")},
        "/api/v1/admin/instances": {"get": _op(
            "admin_instances", "Known instances: software (NodeInfo), followers here, "
            "delivery health, last activity", 200, "InstanceList", (400, 403), params=(
                _query("limit", "How many (1–5000)", {"type": "integer", "default": 1000}),),
            tag="admin")},
        "/api/v1/admin/deliveries": {"get": _op(
            "admin_deliveries", "Deliveries, newest first, with the counts per state", 200,
            "DeliveryList", (400, 403), params=(
                _query("state", "pending, held, done or failed", text),
                _query("domain", "A domain (with its subdomains)", text),
                _query("limit", "How many (1–500)", {"type": "integer", "default": 50})),
            tag="admin")},
        "/api/v1/admin/deliveries/retry": {"post": _op(
            "admin_retry_domain", "Send every failed or waiting delivery to a domain (and its "
            "subdomains) again now", 200, "DomainRetried", body_errors, body="DomainRetry",
            tag="admin")},
        "/api/v1/admin/delivery-health": {"get": _op(
            "admin_delivery_health", "Queue depth, outcomes over 24 hours and 7 days, failing "
            "and unavailable domains", 200, "DeliveryHealth", (403,), tag="admin")},
        "/api/v1/admin/deliveries/{id}/retry": {"post": _op(
            "admin_retry_delivery", "Send a failed, held or waiting delivery again now", 200,
            "Delivery", (403, 404), params=(delivery_id,), tag="admin")},
    }


@lru_cache(maxsize=4)
def _build(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Mitwirken editor API", "version": "1",
            "description": "Publish volunteering opportunities (Engagement-Angebote) and "
            "good-practice posts (Praxisbeispiele) of a city's organisations; every change is "
            "sent to fediverse followers. Field names are snake_case; error messages for "
            "editors are German. Guide with examples: docs/API.md.",
            "license": {"name": "AGPL-3.0-or-later",
                        "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": base_url}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "opportunities", "description": "Engagement-Angebote (AS2 `Note`)"},
                 {"name": "practices", "description": "Praxisbeispiele (AS2 `Article`)"},
                 {"name": "responses", "description": "Volunteers' answers and replies"},
                 {"name": "admin"}, {"name": "meta"}],
        "paths": operations(),
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "description": "A token from "
                "`mitwirken token create --org USERNAME`: an organisation's token manages its "
                "own objects, the city's token those of every local organisation."},
                "adminSession": {
                "type": "apiKey", "in": "cookie", "name": "mw_session", "description":
                "The web UI's session of an admin (admin API only; staff and editor sessions "
                "get 403). POST and DELETE need the session's CSRF token in `X-CSRF-Token`."}},
            "schemas": _schemas(),
        },
    }


def build_openapi(base_url: str) -> dict[str, Any]:
    """The whole OpenAPI document for an instance at ``base_url`` (a fresh copy each call)."""
    return copy.deepcopy(_build(base_url))
