"""Errors as HTTP answers: JSON `{"error", "detail"}` for API/ActivityPub clients, a German HTML
page for browsers. One middleware maps them; nothing leaks a traceback."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.web.negotiation import wants_html
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.http")

MESSAGES_DE = {
    400: N_("Die Anfrage ist fehlerhaft."),
    401: N_("Anmeldung oder gültige Signatur erforderlich."),
    403: N_("Zugriff verweigert."),
    404: N_("Diese Seite gibt es nicht."),
    405: N_("Diese Methode ist hier nicht erlaubt."),
    406: N_("Dieses Format wird nicht angeboten."),
    410: N_("Dieser Inhalt wurde gelöscht."),
    413: N_("Die Anfrage ist zu groß."),
    415: N_("Dieses Datenformat wird nicht angenommen."),
    422: N_("Die Angaben sind unvollständig oder fehlerhaft."),
    429: N_("Zu viele Anfragen. Bitte später erneut versuchen."),
    500: N_("Ein interner Fehler ist aufgetreten. Wir kümmern uns darum."),
}


class ApiError(Exception):
    """Raise from handlers: becomes a JSON (or HTML) error with this status."""

    def __init__(self, status: int, error: str, detail: Any = None,
                 headers: dict[str, str] | None = None, page_message: str | None = None
                 ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers or {}
        # German (marked with N_ where it is a fixed text: the page translates it), shown on
        # the HTML page instead of the default
        self.page_message = page_message


def page_error(status: int, error: str, message: str,
               headers: dict[str, str] | None = None) -> ApiError:
    """An error of the web UI: the HTML page (for any Accept) says `message` in German."""
    return ApiError(status, error, message, headers, page_message=message)


def error_response(request: web.Request, status: int, error: str, detail: Any = None,
                   page_message: str | None = None) -> web.Response:
    if wants_html(request) or page_message is not None:
        return render(request, "error.html", {
            "status": status, "error": error,
            "message": page_message or MESSAGES_DE.get(status, error)}, status=status)
    return web.json_response({"error": error, "detail": detail}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        log.info("request_rejected status=%s path=%s error=%s", exc.status, request.path,
                 exc.error)
        resp = error_response(request, exc.status, exc.error, exc.detail, exc.page_message)
        resp.headers.update(exc.headers)
        return resp
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 413:
            log.warning("body_too_large path=%s remote=%s", request.path, request.remote)
        text = exc.reason or "error"
        resp = error_response(request, exc.status, text.lower().replace(" ", "_"))
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in exc.headers:
                resp.headers[header] = exc.headers[header]
        return resp
    except Exception:
        log.exception("internal_error path=%s", request.path)
        return error_response(request, 500, "internal_error")
