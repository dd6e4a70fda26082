"""Content negotiation between ActivityStreams JSON and HTML pages."""

from __future__ import annotations

from aiohttp import web

AP_TYPES = ("application/activity+json", "application/ld+json")
AP_CONTENT_TYPE = "application/activity+json"


def weighted(header: str) -> list[tuple[str, float]]:
    """The values of an `Accept`-style header with their quality (`q`, 1 when absent, 0 when
    unreadable), in the order given."""
    out = []
    for part in header.split(","):
        value, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        out.append((value, q))
    return out


def wants_activity_json(request: web.Request) -> bool:
    """True for `application/activity+json` and `application/ld+json` (with or without the
    ActivityStreams profile) unless the client prefers HTML."""
    best_ap, best_html = -1.0, -1.0
    for media, q in weighted(request.headers.get("Accept", "")):
        media = media.lower()
        if media in AP_TYPES or media == "application/json":
            best_ap = max(best_ap, q)
        elif media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, q)
    return best_ap > 0 and best_ap >= best_html


def wants_html(request: web.Request) -> bool:
    if request.path.startswith(("/api/", "/.well-known/", "/nodeinfo/")):
        return False
    if "text/html" not in request.headers.get("Accept", ""):
        return False
    return not wants_activity_json(request)


def ap_response(data: dict, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.json_response(
        data, status=status, content_type=AP_CONTENT_TYPE,
        headers={"Vary": "Accept", **(headers or {})},
    )
