"""Markdown → safe HTML for our own content, allow-list sanitising for remote HTML, HTML → text.

Two layers of defence for editor Markdown: markdown-it-py runs with raw HTML disabled (``<script>``
typed into a description comes out as visible text) and the result then passes the same nh3
allow-list that remote HTML goes through. The allow-list is close to what Mastodon keeps
(``p br a strong em b i u s del code pre blockquote ul ol li``) plus ``h3``/``h4`` for section
headings; links keep only ``http``, ``https`` and ``mailto`` targets and always get
``rel="nofollow noopener noreferrer"``; relative and protocol-relative links lose their ``href``.

Choices made here:

* Markdown headings are shifted into the allowed range (``#``/``##`` → ``h3``, ``####``… → ``h4``)
  so a heading never silently melts into the following paragraph.
* A single line break in the source is a line break in the output (``breaks=True``), which is what
  editors typing into a text box expect.
* ``~~strike~~`` is enabled; tables and images are not (an image becomes its alt text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

__all__ = ["ALLOWED_TAGS", "LINK_REL", "html_to_text", "render_markdown", "sanitize_html"]

# fmt: off
ALLOWED_TAGS = frozenset({
    "p", "br", "a", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4",
})
# fmt: on
LINK_REL = "nofollow noopener noreferrer"
_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with everything inside them (not just the tags).
# fmt: off
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "textarea", "select", "title",
})
# fmt: on


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={"a": {"href"}, "ol": {"start"}},
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    url_schemes=set(_URL_SCHEMES),
    url_relative="deny",
    strip_comments=True,
)

_HEADING_TAG = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}


def _render_heading(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    token.tag = _HEADING_TAG.get(token.tag, token.tag)
    return self.renderToken(tokens, idx, options, env)


def _render_image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return escapeHtml(self.renderInlineAsText(token.children or [], options, env))


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.enable("strikethrough")
    md.add_render_rule("heading_open", _render_heading)
    md.add_render_rule("heading_close", _render_heading)
    md.add_render_rule("image", _render_image)
    return md


_MARKDOWN = _make_parser()


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and link schemes (for remote content).

    ``h1``/``h2`` are mapped to ``h3`` and ``h5``/``h6`` to ``h4`` before cleaning, so remote
    headings keep their structure; everything else outside the allow-list is unwrapped to its
    text, and ``script``/``style``/``iframe``/``svg``… are removed with their content.
    """
    if not html:
        return ""
    html = re.sub(
        r"<(/?)h([1-6])(?=[\s/>])",
        lambda m: f"<{m.group(1)}{_HEADING_TAG['h' + m.group(2)]}",
        html,
        flags=re.IGNORECASE,
    )
    return _CLEANER.clean(html)


def render_markdown(src: str | None) -> str:
    """Editor Markdown (CommonMark, raw HTML off) → sanitised HTML."""
    if not src or not src.strip():
        return ""
    return _CLEANER.clean(_MARKDOWN.render(src)).strip()


# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})
# fmt: on
_SPACE = re.compile(r"[^\S\n]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # Line breaks in HTML source are just spaces, except inside <pre>.
            self.parts.append(data if self._pre_depth else data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, for search indexes and summaries.

    Block elements become line breaks, runs of spaces collapse, entities are decoded, and the
    content of ``script``/``style`` and similar elements is dropped. The result is *text*: it must
    still be escaped when put into HTML.
    """
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
