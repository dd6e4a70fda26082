"""How Mastodon shows a post's `content`: its sanitiser's allowlist, applied to our HTML, so
the editor's preview shows what a Mastodon timeline will show.

This follows Mastodon 4.x's `Sanitize::Config::MASTODON_STRICT` (lib/sanitize_ext/
sanitize_config.rb): the tags of `convert_common.MASTODON_TAGS`; on `a` only `href`, `rel`,
`class`, `translate`; on `span` `class` and `translate`; on `ol` `start` and `reversed`; on
`li` `value`; classes only the microformats ones (`h-`, `p-`, `u-`, `dt-`, `e-` prefixes) and
`mention`, `hashtag`, `ellipsis`, `invisible`; link schemes http(s) and a few peer-to-peer
ones; every link gets `rel="nofollow noopener"` and opens in a new tab. (Mastodon turns a link
with another scheme into a `span`; here its `href` is dropped, which shows the same.)"""

from __future__ import annotations

import html
import re

import nh3

from mitwirken.federation.convert_common import MASTODON_TAGS

ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "class", "translate"},  # `rel` is set (see below), never taken
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
SCHEMES = {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet",
           "gemini"}
_CLASS = re.compile(r"^(?:[hpue]-|dt-)[\w-]+$|^(?:mention|hashtag|ellipsis|invisible)$")


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if _CLASS.match(c)]
        return " ".join(kept) or None
    return value


def mastodon_sanitise(content: str) -> str:
    """`content` as Mastodon keeps it (the HTML its web interface renders)."""
    return nh3.clean(content, tags=set(MASTODON_TAGS), attributes=ATTRIBUTES,
                     attribute_filter=_filter, url_schemes=SCHEMES,
                     link_rel=None, strip_comments=True,
                     set_tag_attribute_values={"a": {"target": "_blank",
                                                     "rel": "nofollow noopener"}})


CONVERTED_TYPES = ("Image", "Audio", "Video", "Article", "Page", "Event")
"""Mastodon shows the `content` of a `Note` (and `Question`); of these types it shows only
`<h2>name</h2>`, the `summary` and a link to the `url` (interop.md §6.1)."""


def mastodon_status_html(doc: dict[str, object]) -> str:
    """The text of the status Mastodon makes of the object `doc`, sanitised as it does."""
    if doc.get("type") in CONVERTED_TYPES:
        url = doc.get("url") or doc.get("id") or ""
        parts = [f"<h2>{html.escape(str(doc['name']))}</h2>" if doc.get("name") else "",
                 str(doc.get("summary") or ""),
                 f'<p><a href="{html.escape(str(url))}">{html.escape(str(url))}</a></p>']
        return mastodon_sanitise("".join(p for p in parts if p))
    return mastodon_sanitise(str(doc.get("content") or ""))
