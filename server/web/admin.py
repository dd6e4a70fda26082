"""The admin JSON API under `/api/v1/admin/`: federation mode, domain rules, reports, the
audit log and the delivery queue. The city's token may use it, and an admin's web session
(other tokens and sessions: 403; a session's POST and DELETE need the session's CSRF token in
the `X-CSRF-Token` header); every action is recorded in the audit log as `token:<username>`
or `web:<e-mail>`. Every list answers
`{"items": [...]}`. The handlers parse and present; the rules live in
`usecases.moderation`, `usecases.reports` and `usecases.operations`."""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from mitwirken.models.deliveries import DeliveryState
from mitwirken.models.domain_policy import Mode, Policy, RuleFlags
from mitwirken.models.web_names import WebNameError
from mitwirken.server.app_keys import CLOCK, SERVICES, STORE, URLS
from mitwirken.server.usecases import actor_blocks, moderation, operations, reports
from mitwirken.server.web.admin_web import audit_name
from mitwirken.server.web.api import authenticate, json_body
from mitwirken.server.web.errors import ApiError
from mitwirken.server.web.request_keys import SESSION
from mitwirken.server.web.security_headers import mark_token_route

log = logging.getLogger("mitwirken.web")

MAX_REASON = 1000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
FLAGS = ("reject_media", "reject_reports", "obfuscate")


def admin(request: web.Request) -> str:
    """Who may act, as the audit log names them: the city's token (`token:<username>`), or
    without an `Authorization` header an admin's web session (`web:<e-mail>`). Other tokens
    and sessions get 403; a session's unsafe request needs its CSRF token in `X-CSRF-Token`
    (the browser sends the cookie to any request, the header only this site's scripts)."""
    session = request.get(SESSION)
    if "Authorization" in request.headers or session is None:
        actor = authenticate(request)
        if actor.kind != "city":
            raise ApiError(403, "forbidden", "Nur für die Anlaufstelle (Administration).")
        return f"token:{actor.username}"
    mark_token_route(request)  # an answer for one person is never cached
    if session.account.role != "admin":
        log.warning("admin_api_forbidden account=%d path=%s", session.account.id,
                    request.path)
        raise ApiError(403, "forbidden", "Nur für die Administration der Instanz.")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            log.warning("admin_api_csrf_refused account=%d path=%s", session.account.id,
                        request.path)
            raise ApiError(403, "csrf_refused", "Die Sicherheitsprüfung ist fehlgeschlagen: "
                           f"Bitte das CSRF-Token der Sitzung im Kopf {CSRF_HEADER} senden.")
    return audit_name(session)


def _problem(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_failed", [{"field": field, "message": message}])


def _reason(data: dict[str, Any]) -> str:
    reason = data.get("reason", "")
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise _problem("reason", f"Die Begründung muss ein Text mit höchstens {MAX_REASON} "
                       "Zeichen sein.")
    return reason


def _limit(request: web.Request, default: int, most: int) -> int:
    try:
        return min(max(int(request.query.get("limit", default)), 1), most)
    except ValueError as exc:
        raise ApiError(400, "bad_paging", "limit must be an integer") from exc


async def admin_inbox(request: web.Request) -> web.Response:
    """Recent incoming activities (the city's token or an admin's session)."""
    admin(request)
    try:
        limit = min(max(int(request.query.get("limit", 50)), 1), 500)
    except ValueError as exc:
        raise ApiError(400, "bad_paging", "limit muss eine ganze Zahl sein.") from exc
    rows = operations.received_activities(request.app[STORE], limit)
    return web.json_response({"items": rows, "base": request.app[URLS].base})


# --- the federation mode ----------------------------------------------------------------


def _federation(request: web.Request) -> dict[str, Any]:
    store = request.app[STORE]
    counts = {p.value: len(moderation.domain_rules(store, p)) for p in Policy}
    return {"mode": moderation.federation_mode(store).value, "rules": counts,
            "held_deliveries": operations.delivery_queue(store, None, 0)["summary"]["held"]}


async def get_federation(request: web.Request) -> web.Response:
    admin(request)
    return web.json_response(_federation(request))


async def set_federation(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    if data.get("mode") not in [m.value for m in Mode]:
        raise _problem("mode", "Erlaubt sind »open« (alle außer blockierten Domains) und "
                       "»allowlist« (nur erlaubte Domains).")
    result = moderation.set_federation_mode(request.app[STORE], Mode(data["mode"]),
                                            request.app[CLOCK](), by=by, reason=_reason(data))
    return web.json_response({**_federation(request), "released": result["released"],
                              "held": result["held"]})


# --- domain rules -----------------------------------------------------------------------


async def list_domains(request: web.Request) -> web.Response:
    admin(request)
    policy = request.query.get("policy")
    if policy is not None and policy not in [p.value for p in Policy]:
        raise ApiError(400, "bad_query", "policy must be block, limit or allow")
    items = moderation.domain_rules(request.app[STORE], Policy(policy) if policy else None)
    return web.json_response({"items": items})


async def set_domain(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    domain, policy = data.get("domain"), data.get("policy")
    if not isinstance(domain, str) or not domain.strip():
        raise _problem("domain", "Bitte einen Domainnamen angeben, z. B. »spam.example«.")
    if policy not in [p.value for p in Policy]:
        raise _problem("policy", "Erlaubt sind »block«, »limit« und »allow«.")
    flags = RuleFlags()
    for name in FLAGS:
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise _problem(name, "Hier wird true oder false erwartet.")
        flags[name] = value  # type: ignore[literal-required]
    unknown = set(data) - {"domain", "policy", "reason", *FLAGS}
    if unknown:
        raise _problem(sorted(unknown)[0], "Dieses Feld gibt es nicht.")
    try:
        rule = moderation.set_domain_rule(request.app[STORE], domain, Policy(policy),
                                          _reason(data), request.app[CLOCK](), by=by,
                                          flags=flags)
    except WebNameError as exc:
        raise _problem("domain", f"{exc}") from exc
    return web.json_response(rule)


def _domain(request: web.Request) -> str:
    try:
        return moderation.normalised_domain(request.match_info["domain"])
    except WebNameError as exc:
        raise ApiError(400, "bad_domain", str(exc)) from exc


async def get_domain(request: web.Request) -> web.Response:
    admin(request)
    rule = moderation.domain_rule(request.app[STORE], _domain(request))
    if rule is None:
        raise ApiError(404, "not_found", "Für diese Domain gibt es keine Regel.")
    return web.json_response(rule)


async def delete_domain(request: web.Request) -> web.Response:
    by = admin(request)
    reason = request.query.get("reason", "")[:MAX_REASON]
    if not moderation.remove_domain_rule(request.app[STORE], _domain(request),
                                         request.app[CLOCK](), by=by, reason=reason):
        raise ApiError(404, "not_found", "Für diese Domain gibt es keine Regel.")
    return web.Response(status=204)


# --- blocked actors -----------------------------------------------------------------------


async def list_actor_blocks(request: web.Request) -> web.Response:
    admin(request)
    return web.json_response({"items": actor_blocks.list_blocks(
        request.app[STORE], _limit(request, 500, 5000))})


async def block_actor(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    unknown = set(data) - {"actor", "reason"}
    if unknown:
        raise _problem(sorted(unknown)[0], "Unbekanntes Feld: erlaubt sind »actor« und "
                       "»reason«.")
    actor = data.get("actor")
    services = request.app[SERVICES]
    try:
        if not isinstance(actor, str):
            raise actor_blocks.ActorBlockError("Bitte die Adresse (URL) des Kontos angeben, "
                                               "z. B. »https://social.example/users/name«.")
        block = actor_blocks.block_actor(request.app[STORE], services.urls, actor,
                                         _reason(data), request.app[CLOCK](), by=by)
    except actor_blocks.ActorBlockError as exc:
        raise _problem("actor", str(exc)) from exc
    return web.json_response(block, status=201)


def _block_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError as exc:
        raise ApiError(404, "not_found", "Keine Sperre mit dieser id.") from exc


async def get_actor_block(request: web.Request) -> web.Response:
    admin(request)
    block = actor_blocks.get_block(request.app[STORE], _block_id(request))
    if block is None:
        raise ApiError(404, "not_found", "Keine Sperre mit dieser id.")
    return web.json_response(block)


async def delete_actor_block(request: web.Request) -> web.Response:
    by = admin(request)
    reason = request.query.get("reason", "")[:MAX_REASON]
    if actor_blocks.unblock_actor(request.app[STORE], _block_id(request),
                                  request.app[CLOCK](), by=by, reason=reason) is None:
        raise ApiError(404, "not_found", "Keine Sperre mit dieser id.")
    return web.Response(status=204)


# --- the audit log and the delivery queue -------------------------------------------------


async def audit_log(request: web.Request) -> web.Response:
    admin(request)
    since = None
    if "since" in request.query:
        try:
            since = datetime.fromisoformat(request.query["since"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise ApiError(400, "bad_query", "since must be an ISO 8601 date or time") from exc
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
    items = moderation.audit_entries(request.app[STORE], since, _limit(request, 1000, 10_000))
    return web.json_response({"items": items})


STATES = {s.value for s in DeliveryState}


async def list_deliveries(request: web.Request) -> web.Response:
    admin(request)
    state = request.query.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(400, "bad_query", "state must be one of " + ", ".join(sorted(STATES)))
    domain = request.query.get("domain") or None
    if domain is not None:
        try:
            domain = moderation.normalised_domain(domain)
        except WebNameError as exc:
            raise ApiError(400, "bad_domain", str(exc)) from exc
    queue = operations.delivery_queue(request.app[STORE], state, _limit(request, 50, 500),
                                      domain=domain)
    return web.json_response({"items": queue["deliveries"], "summary": queue["summary"]})


async def retry_delivery(request: web.Request) -> web.Response:
    by = admin(request)
    try:
        delivery_id = int(request.match_info["id"])
    except ValueError as exc:
        raise ApiError(404, "not_found", "Keine solche Zustellung.") from exc
    store = request.app[STORE]
    if not operations.retry_delivery(store, delivery_id, request.app[CLOCK](), by=by):
        raise ApiError(404, "not_found", "Keine offene oder fehlgeschlagene Zustellung mit "
                       "dieser id.")
    return web.json_response(operations.delivery(store, delivery_id))


# --- reports ----------------------------------------------------------------------------


async def list_reports(request: web.Request) -> web.Response:
    admin(request)
    state = request.query.get("state") or None
    if state is not None and state not in ("open", "resolved"):
        raise ApiError(400, "bad_query", "state must be open or resolved")
    return web.json_response({"items": reports.list_reports(request.app[STORE], state,
                                                            _limit(request, 200, 1000))})


async def resolve_report(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    action = data.get("action")
    if action not in reports.ACTIONS:
        raise _problem("action", "Erlaubt sind dismiss, hide, remove, block_actor und "
                       "block_domain.")
    try:
        report_id = int(request.match_info["id"])
    except ValueError as exc:
        raise ApiError(404, "not_found", "Keine offene Meldung mit dieser id.") from exc
    try:
        result = reports.resolve(request.app[STORE], request.app[SERVICES].content, report_id,
                                 action, _reason(data), request.app[CLOCK](), by=by)
    except reports.ReportError as exc:
        raise _problem("action", str(exc)) from exc
    if result is None:
        raise ApiError(404, "not_found", "Keine offene Meldung mit dieser id.")
    return web.json_response(result)


async def send_report(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    url = data.get("object")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise _problem("object", "Bitte die Adresse (URL) des gemeldeten Inhalts angeben.")
    comment = data.get("comment", "")
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > MAX_REASON:
        raise _problem("comment", f"Der Kommentar muss ein Text mit höchstens {MAX_REASON} "
                       "Zeichen sein.")
    services = request.app[SERVICES]
    try:
        report = reports.send(request.app[STORE], services.urls, url, comment,
                              request.app[CLOCK](), by=by)
    except reports.UnknownObject as exc:
        raise ApiError(404, "not_found", "Dieser Inhalt ist hier nicht bekannt.") from exc
    services.workers.delivery.wake()
    return web.json_response(report, status=202)


async def list_instances(request: web.Request) -> web.Response:
    admin(request)
    return web.json_response({"items": operations.known_instances(
        request.app[STORE], _limit(request, 1000, 5000))})


async def delivery_health(request: web.Request) -> web.Response:
    admin(request)
    return web.json_response(operations.delivery_health(request.app[STORE],
                                                        request.app[CLOCK]()))


async def retry_domain(request: web.Request) -> web.Response:
    by = admin(request)
    data = await json_body(request)
    domain = data.get("domain")
    if not isinstance(domain, str):
        raise _problem("domain", "Bitte einen Domainnamen angeben, z. B. »spam.example«.")
    try:
        domain = moderation.normalised_domain(domain)
    except WebNameError as exc:
        raise _problem("domain", str(exc)) from exc
    n = operations.retry_domain(request.app[STORE], domain, request.app[CLOCK](), by=by)
    request.app[SERVICES].workers.delivery.wake()
    return web.json_response({"domain": domain, "requeued": n})
