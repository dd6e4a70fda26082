"""Cross-site request refusal for the anonymous POST forms (`/folgen`, the response form).

Those forms sit on pages kept as shared bytes for every anonymous visitor
(`server/web/representations.py`), so they cannot carry a per-visitor CSRF token. Instead the
browser's own headers are checked (OWASP "verify origin with standard headers"):

* `Sec-Fetch-Site` present: only `same-origin` and `none` (typed URL, bookmark) pass;
* else `Origin` present: it must be this instance's public origin, taken from `base_url` —
  never from the Host header, which behind the reverse proxy names the internal address;
* neither header (old browsers, curl, scripts): allowed; honeypot and rate limits still apply.

A refusal is a 403 with the German error page; nothing is read from the form or stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from aiohttp import web

from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import SETTINGS
from mitwirken.server.web.errors import page_error

log = logging.getLogger("mitwirken.web")

CROSS_SITE_REFUSED = (N_("Dieses Formular kann nur auf unserer eigenen Seite abgeschickt werden. "
                      "Bitte öffnen Sie die Seite direkt und senden Sie es dort noch einmal."))
SAME_SITE_VALUES = ("same-origin", "none")
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]`, lower case, default port dropped; None for anything else
    (including the literal `null` a sandboxed or privacy-redirected page sends)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def cross_site_reason(headers: Mapping[str, str], own_origin: str) -> str | None:
    """Why a request with these headers (case-insensitive mapping) is cross-site, or None when
    it may pass."""
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        value = fetch_site.strip().lower()
        return None if value in SAME_SITE_VALUES else f"sec_fetch_site:{value or '-'}"
    origin = headers.get("Origin")
    if origin is not None:
        return None if origin_of(origin) == own_origin else "origin"
    return None


def refuse_cross_site(request: web.Request) -> None:
    """Raise 403 (German page) when the browser says this POST came from another site."""
    own = origin_of(request.app[SETTINGS].base_url) or ""
    reason = cross_site_reason(request.headers, own)
    if reason is not None:
        log.warning("cross_site_refused path=%s remote=%s reason=%s origin=%s", request.path,
                    request.remote, reason, request.headers.get("Origin", "-")[:200])
        raise page_error(403, "cross_site_refused", CROSS_SITE_REFUSED)
