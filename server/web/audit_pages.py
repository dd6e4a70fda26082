"""`/verwaltung/protokoll` (admins only): the audit log — who did what, when and why, newest
first — through `usecases.moderation.audit_entries`, the use case of `GET /api/v1/admin/audit`
and `mitwirken audit`. `?seit=YYYY-MM-DD` starts at a day (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import STORE
from mitwirken.server.usecases import moderation
from mitwirken.server.web.admin_pages import NO_STORE
from mitwirken.server.web.admin_web import require_admin
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.templating import render

PAGE_LIMIT = 500


async def audit_page(request: web.Request) -> web.Response:
    require_admin(request)
    since_text = request.query.get("seit", "").strip()
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text[:10]).replace(tzinfo=UTC)
        except ValueError as exc:
            raise page_error(400, "bad_date", N_("Bitte ein Datum wie 2026-12-01 angeben.")) \
                from exc
    entries = moderation.audit_entries(request.app[STORE], since, PAGE_LIMIT)
    entries = sorted(entries, key=lambda e: (e["at"], e["id"]), reverse=True)
    return render(request, "audit.html", {"entries": entries, "since": since_text[:10],
                                          "limit": PAGE_LIMIT, "here": "protokoll"},
                  headers=NO_STORE)
