"""`GET /sprache?lang=en&weiter=/angebote`: the language switch in every page's header.

Sets the `lang` cookie and sends the browser back to the page it came from — only ever a
path of this site (no open redirect); anything else goes to the start page. A plain link,
so it works without JavaScript."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web

from mitwirken.server.app_keys import SETTINGS
from mitwirken.server.web import i18n
from mitwirken.server.web.errors import page_error

log = logging.getLogger("mitwirken.web")

COOKIE_MAX_AGE = 365 * 24 * 3600
UNKNOWN_LANGUAGE = i18n.N_("Diese Sprache gibt es hier nicht. Die Seiten gibt es auf Deutsch "
                           "und auf Englisch.")


def local_path(value: str | None) -> str | None:
    """`value` if it is a path of this site ("/angebote?seite=2"), else None."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if any(c == "\\" or ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return None  # browsers read "/\evil" as "//evil"; no spaces or control characters
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


async def switch_language(request: web.Request) -> web.Response:
    lang = request.query.get("lang", "")
    if lang not in i18n.LOCALES:
        log.info("language_refused lang=%r", lang[:20])
        raise page_error(400, "unknown_language", UNKNOWN_LANGUAGE)
    wanted = request.query.get("weiter")
    target = local_path(wanted)
    if wanted and target is None:
        log.warning("language_next_refused next=%r remote=%s", wanted[:200], request.remote)
    response = web.Response(status=303, headers={"Location": target or "/",
                                                 "Cache-Control": "no-store"})
    response.set_cookie(i18n.COOKIE, lang, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="Lax",
                        secure=request.app[SETTINGS].base_url.startswith("https://"))
    log.info("language_set lang=%s", lang)
    return response
