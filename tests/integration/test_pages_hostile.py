# ruff: noqa: F811  (the `world` fixture is imported from test_network_forgery)
"""Hostile remote content on our pages: a followed city (C) sends an Update of its own
opportunity whose title, summary and text carry `<script>`, `javascript:` links and event
handlers. B accepts it (C owns the object) — and B's search page, tag page and search feed show the
words, and the markup only as harmless text."""

from __future__ import annotations

import re
from datetime import timedelta

from mitwirken.federation import activities
from mitwirken.server.app_keys import SERVICES, URLS
from tests.fediverse import drain
from tests.integration.test_network import get_text, publish_opportunity
from tests.integration.test_network_forgery import World, c_activity, world  # noqa: F401

HOSTILE_TITLE = 'Laubfest <script>alert("titel")</script>'
HOSTILE_HTML = ('<p>Komm zum Laubfest <a href="javascript:alert(1)">hier klicken</a>'
                '<img src="x" onerror="alert(2)"><iframe src="https://evil.example"></iframe>'
                '<a href="https://ok.example/" onclick="alert(3)">Infos</a></p>')
HOSTILE_MARKDOWN = ("Komm zum Laubfest [hier klicken](javascript:alert(1)) "
                    '<img src="x" onerror="alert(2)"> <script>alert(4)</script>')
# What would run or load in a browser (escaped text such as "&lt;script&gt;" is harmless);
# our own JSON-LD block is the one script element a page may have.
MARKUP = (re.compile(r"<script(?![^>]*application/ld\+json)", re.I),
          re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.I),
          re.compile(r"<(?:img|iframe|object|embed)\b", re.I),
          re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I))


async def test_hostile_markup_from_a_followed_city_never_reaches_our_pages(world, fediverse):
    w: World = world
    opp = publish_opportunity(w.c, "verein", title="Laubfest im Park")
    await drain(w.a, w.b, w.c)  # C's city passes its organisation's post on to B
    iri = w.c.app[URLS].opportunity(opp.id)
    doc = {**w.c.app[SERVICES].content.to_ap(opp), "title": HOSTILE_TITLE,
           "source": {"content": HOSTILE_MARKDOWN, "mediaType": "text/markdown"},
           "content": HOSTILE_HTML, "summary": HOSTILE_HTML,
           "contentMap": {"de": HOSTILE_HTML},
           "updated": (opp.published + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")}
    update = c_activity(w, activities.update, doc, username="verein")
    await w.send_from_c(update, username="verein")
    assert w.outcome(update) == ("processed", None)
    stored = w.b.app[SERVICES].store.one("SELECT title FROM search_items WHERE ap_id = ?",
                                         [iri])
    assert stored is not None and "alert" in stored["title"]  # the Update was taken

    pages = {
        "search page": "/suche?q=Laubfest",
        "tag page": "/tags/laubfest",
        "search feed": "/suche/feed.atom?q=Laubfest",
    }
    for what, path in pages.items():
        status, text = await get_text(fediverse, w.b.base + path,
                                      Accept="text/html" if "page" in what else "*/*")
        assert status == 200, what
        assert "Laubfest" in text, f"{what} lost the words"
        for markup in MARKUP:
            assert not markup.search(text), f"{what} carries {markup.pattern!r}"
        assert "&lt;script&gt;" in text  # the title is shown, as text
