"""`/sitemap.xml` and `/robots.txt`: what a search engine may index — the public pages of this
instance (never the API, the inbox or the editor area), with their last change."""

from __future__ import annotations

from xml.sax.saxutils import escape

from aiohttp import web

from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.server.app_keys import STORE, URLS
from mitwirken.server.web.representations import serve

STATIC_PAGES = ("/", "/angebote", "/praxis", "/suche", "/about", "/impressum", "/datenschutz")
MAX_URLS = 50_000  # the sitemap protocol's limit for one file


def sitemap_xml(urls: list[tuple[str, str]]) -> bytes:
    rows = "".join(
        f"<url><loc>{escape(loc)}</loc>"
        + (f"<lastmod>{escape(changed[:10])}</lastmod>" if changed else "") + "</url>\n"
        for loc, changed in urls[:MAX_URLS])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{rows}</urlset>\n").encode()


async def sitemap(request: web.Request) -> web.Response:
    def build() -> web.Response:
        store, urls = request.app[STORE], request.app[URLS]
        entries = [(urls.base + path, "") for path in STATIC_PAGES]
        entries += [(urls.profile(a.username), "") for a in actor_repo.list_actors(store)
                    if a.kind != "instance"]
        entries += [(urls.opportunity(i), c) for i, c in
                    content_store.page_index(store, "opportunities")]
        entries += [(urls.practice(i), c) for i, c in content_store.page_index(store, "practices")]
        return web.Response(body=sitemap_xml(entries), content_type="application/xml",
                            charset="utf-8")
    return serve(request, ("sitemap",), ("instance", "actors", "opportunities", "practices"),
                 build)


async def robots(request: web.Request) -> web.Response:
    base = request.app[URLS].base
    text = ("User-agent: *\nDisallow: /api/\nDisallow: /verwaltung\nDisallow: /anmelden\n"
            "Disallow: /sprache\n"
            f"Sitemap: {base}/sitemap.xml\n")
    return web.Response(text=text, content_type="text/plain")
