"""What the admin's web screens share (`/verwaltung/foederation`, `/meldungen`,
`/zustellung`): only role `admin` gets in (staff and editors: 403 German page, logged out: the
login) — except the form that reports remote content, which staff may use too — how the audit
log names the person (`web:<e-mail>`), and reading a reason field."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from mitwirken.models.text_marks import N_
from mitwirken.server.usecases.login import Session
from mitwirken.server.usecases.reports import REPORTER_ROLES
from mitwirken.server.web.auth import require_session
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.forms import text_value

log = logging.getLogger("mitwirken.web")

ADMIN_ONLY = N_("Diese Seite ist nur für die Administration der Instanz.")
REPORTERS_ONLY = (N_("Inhalte aus dem Netzwerk melden können nur die Administration und die "
                  "Anlaufstelle der Instanz."))
MAX_REASON = 1000  # as the admin API (server/web/admin.py)


def require_admin(request: web.Request) -> Session:
    session = require_session(request)
    if session.account.role != "admin":
        log.warning("web_forbidden account=%d path=%s", session.account.id, request.path)
        raise page_error(403, "forbidden", ADMIN_ONLY)
    return session


def require_reporter(request: web.Request) -> Session:
    """Admins and staff (the Anlaufstelle) report remote content; editors get 403."""
    session = require_session(request)
    if session.account.role not in REPORTER_ROLES:
        log.warning("web_forbidden account=%d path=%s", session.account.id, request.path)
        raise page_error(403, "forbidden", REPORTERS_ONLY)
    return session


def audit_name(session: Session) -> str:
    """Who acted, as the audit log records a web action."""
    return f"web:{session.account.email}"


def reason_of(form: MultiDictProxy[Any], name: str = "reason") -> str | None:
    """The reason (or comment) field; None when it is longer than the API allows."""
    reason = text_value(form, name)
    return None if len(reason) > MAX_REASON else reason


REASON_TOO_LONG = N_(f"Die Begründung darf höchstens {MAX_REASON} Zeichen lang sein.")
