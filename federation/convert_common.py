"""Pieces shared by the Opportunity and Practice converters (see :mod:`federation.convert`).

Why a separate module: both directions of both converters need the same small translations —
timestamps, places, contact points, hashtags, Mastodon-safe HTML — and they must agree exactly,
or a round trip would lose data. Nothing here knows which object type it is working on.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from mitwirken.federation.as_types import Hashtag, JsonObject
from mitwirken.federation.context import AS, MASTODON_TERMS, MW_NS, MW_TERMS
from mitwirken.federation.urls import Urls
from mitwirken.models.markdown import html_to_text
from mitwirken.models.values import ContactPoint, Place
from mitwirken.models.vocab import hashtag

__all__ = [
    "MASTODON_TAGS",
    "attr",
    "contact_from_as",
    "contact_line",
    "contact_to_as",
    "esc",
    "hashtag_objects",
    "hashtags_html",
    "iso_offset",
    "iso_utc",
    "link",
    "local_id",
    "many",
    "mastodon_html",
    "normalise",
    "one",
    "paragraphs_to_text",
    "pick",
    "place_from_as",
    "place_label",
    "place_to_as",
    "shorten_html",
    "tag_names",
    "text_to_paragraphs",
]

MASTODON_TAGS = frozenset(
    {"p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i",
     "em", "ul", "ol", "li"}
)
"""What Mastodon 4.x's sanitizer keeps (interop.md §6.2); our content uses nothing else."""

SCHEMA = "http://schema.org#"  # Mastodon's (and Mobilizon's) spelling, see context.py


def esc(value: object) -> str:
    """Text → HTML text (``& < >``; quotes stay readable: "city's", not "city&#x27;s")."""
    return html.escape(str(value), quote=False)


def attr(value: object) -> str:
    """Text → a double-quoted HTML attribute value."""
    return html.escape(str(value), quote=True)


# ------------------------------------------------------------------------------- timestamps


def iso_utc(dt: datetime) -> str:
    """``published``/``updated``/``lastConfirmed``: UTC with ``Z``, whole seconds, as Mastodon
    emits them (every server parses this form)."""
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_offset(dt: datetime) -> str:
    """``startTime``/``endTime``: keep the editor's UTC offset — it is information (local time)."""
    return dt.isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------------ reading tolerantly


def _expanded_names() -> dict[str, str]:
    prefixes = {"mw": MW_NS, "schema": SCHEMA, "as": AS + "#", "toot": "http://joinmastodon.org/ns#"}
    names: dict[str, str] = {}
    for term, definition in {**MASTODON_TERMS, **MW_TERMS}.items():
        iri = definition if isinstance(definition, str) else definition.get("@id", "")
        prefix, _, local = iri.partition(":")
        if prefix in prefixes and not iri.startswith("http"):
            names[iri] = term
            names[prefixes[prefix] + local] = term
    return names


_EXPANDED = _expanded_names()


def normalise(value: Any) -> Any:
    """Our compacted shape from whatever a peer sent: ``mw:kind`` and
    ``https://w3id.org/mitwirken/ns#kind`` become ``kind``, AS2 IRIs their short name, and
    JSON-LD value objects (``{"@value": …}``, ``{"@id": …}``, ``{"@list": …}``) their value,
    ``@id``/``@type`` become ``id``/``type`` — so even a fully expanded document reads back.
    Everything else passes unchanged (unknown keys are simply never read)."""
    if isinstance(value, list):
        if value and all(isinstance(item, dict) and "@index" in item for item in value):
            return {item["@index"]: normalise({k: v for k, v in item.items() if k != "@index"})
                    for item in value}  # an index map (our `sections`) after expansion
        return [normalise(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        return normalise(value["@value"])
    if "@list" in value:
        return normalise(value["@list"])
    if set(value) == {"@id"}:
        return value["@id"]
    out: dict[str, Any] = {}
    for key, item in value.items():
        short = _EXPANDED.get(key) or {"@id": "id", "@type": "type"}.get(key)
        if short is None and key.startswith(AS + "#"):
            short = key[len(AS) + 1 :]
        if key == "@type":
            item = [_EXPANDED.get(t, t.removeprefix(AS + "#")) if isinstance(t, str) else t
                    for t in many(item)]
        out.setdefault(short or key, normalise(item))
    return out


def one(value: Any) -> Any:
    """A single value (JSON-LD tools turn one-element lists into arrays and back)."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def many(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def local_id(iri: Any) -> Any:
    """Our object id from its IRI (``…/angebote/abc`` → ``abc``); non-strings go to pydantic."""
    if not isinstance(iri, str):
        return iri
    return unquote(urlsplit(iri).path.rstrip("/").rsplit("/", 1)[-1]) or None


def pick(obj: Any, mapping: dict[str, str]) -> Any:
    """``{model_field: value}`` for the wire keys in ``mapping`` present in ``obj``; anything
    that is not an object goes through unchanged so pydantic reports it."""
    if not isinstance(obj, dict):
        return obj
    return {field: one(obj[key]) for key, field in mapping.items() if obj.get(key) is not None}


def object_fields(doc: JsonObject, org_username: str, scalars: dict[str, str],
                  lists: dict[str, str]) -> JsonObject:
    """The model fields every one of our objects carries: owner, id from the IRI, the scalar
    and list fields of `scalars`/`lists` (wire key → model field) present in `doc`."""
    data: dict[str, Any] = {"org_username": org_username}
    if doc.get("id") is not None:
        data["id"] = local_id(one(doc["id"]))
    data.update(pick(doc, scalars))
    for key, field in lists.items():
        if doc.get(key) is not None:
            data[field] = many(doc[key])
    return data


# ---------------------------------------------------------------------------------- places

_ADDRESS = {
    "street": "streetAddress",
    "postal_code": "postalCode",
    "locality": "addressLocality",
    "region": "addressRegion",
    "country": "addressCountry",
}


def place_to_as(place: Place) -> JsonObject:
    """An AS2 ``Place`` with a schema.org ``PostalAddress`` — the shape Mobilizon emits and
    parses (interop.md §6.3), so event-aware software can read where it happens."""
    doc: dict[str, Any] = {"type": "Place"}
    if place.name:
        doc["name"] = place.name
    address: dict[str, Any] = {"type": "PostalAddress"}
    for field, key in _ADDRESS.items():
        value = getattr(place, field)
        if value:
            address[key] = str(value)
    doc["address"] = address
    if place.latitude is not None and place.longitude is not None:
        doc["latitude"] = place.latitude
        doc["longitude"] = place.longitude
    return doc


def place_from_as(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    data = pick(doc, {"name": "name", "latitude": "latitude", "longitude": "longitude"})
    address = one(doc.get("address"))
    if isinstance(address, dict):
        data.update(pick(address, {key: field for field, key in _ADDRESS.items()}))
    return data


def place_label(place: Place, *, full: bool) -> str:
    """"Gemeindezentrum, Kirchplatz 3, 12345 Musterstadt" (full) or a short name."""
    town = " ".join(part for part in (place.postal_code, place.locality) if part)
    if full:
        return ", ".join(part for part in (place.name, place.street, town) if part)
    return place.name or place.locality or place.street or town


# ------------------------------------------------------------------------------- contacts

_CONTACT = {"name": "name", "email": "email", "telephone": "phone",
            "hoursAvailable": "hours", "url": "url"}


def contact_to_as(contact: ContactPoint) -> JsonObject:
    """A schema.org-style ``ContactPoint`` (a role mailbox, never a volunteer's data)."""
    doc: dict[str, Any] = {"type": "ContactPoint"}
    for key, field in _CONTACT.items():
        value = getattr(contact, field)
        if value:
            doc[key] = value
    return doc


def contact_from_as(doc: Any) -> Any:
    return pick(doc, _CONTACT)


def contact_line(contact: ContactPoint, *, tel: str, url_text: str | None = None) -> str:
    """"Ehrenamtskoordination · info@x.de · Tel. 0221 1234 (Mo–Do 9–12 Uhr) · <a>…</a>".

    E-mail and phone stay plain text: Mastodon turns ``mailto:``/``tel:`` links into text
    anyway, and half a link is worse than none.
    """
    parts = [esc(v) for v in (contact.name, contact.email) if v]
    if contact.phone:
        parts.append(f"{esc(tel)} {esc(contact.phone)}")
    if contact.hours:
        hours = f"({esc(contact.hours)})"
        parts[-1:] = [f"{parts[-1]} {hours}"] if parts else [hours]
    if contact.url:
        parts.append(link(contact.url, url_text))
    return " · ".join(parts)


def link(url: str, text: str | None = None) -> str:
    shown = text or url.split("://", 1)[-1].rstrip("/")
    return f'<a href="{attr(url)}">{esc(shown)}</a>'


# ------------------------------------------------------------------------------- hashtags


def tag_names(names: Iterable[str]) -> list[str]:
    """Hashtag names, CamelCase ASCII, without duplicates — Mastodon lower-cases and
    ASCII-folds tags, so ``Senioren`` and ``senioren`` are one tag (interop.md §6.1)."""
    seen: dict[str, str] = {}
    for name in names:
        tag = hashtag(name)
        if tag:
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def hashtag_objects(names: list[str], urls: Urls) -> list[Hashtag]:
    return [{"type": "Hashtag", "href": urls.tag(n.lower()), "name": f"#{n}"} for n in names]


def hashtags_html(names: list[str], urls: Urls) -> str:
    """The hashtag links exactly as Mastodon writes them, so it recognises them as tags."""
    links = (
        f'<a href="{attr(urls.tag(n.lower()))}" class="mention hashtag" rel="tag">'
        f"#<span>{esc(n)}</span></a>"
        for n in names
    )
    return f"<p>{' '.join(links)}</p>" if names else ""


# ---------------------------------------------------------------------------- HTML shaping

_VOID = frozenset({"br"})
_KEEP_ATTRS = {"a": ("href", "rel"), "ol": ("start",)}


class _Blocks(HTMLParser):
    """Splits sanitised HTML into top-level blocks, rewriting what Mastodon would mangle:
    ``h3``/``h4`` become ``<p><strong>`` (what Mastodon does itself, but then our content is
    already what it shows) and links other than http(s) — ``mailto:``, ``tel:`` — lose their
    tag but keep the text, as Mastodon would show them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[list[str], list[str]]] = []  # (html parts, text parts)
        self._closers: list[str] = []
        self._parents: list[str] = []

    def _emit(self, piece: str, text: str = "") -> None:
        if not self._parents and not self.blocks:
            self.blocks.append(([], []))
        self.blocks[-1][0].append(piece)
        self.blocks[-1][1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._emit("<br>", "\n")
            return
        if not self._parents:
            self.blocks.append(([], []))
        values = {k: v or "" for k, v in attrs}
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            opener, closer = "<p><strong>", "</strong></p>"
        elif tag == "a" and not values.get("href", "").lower().startswith(("http:", "https:")):
            opener, closer = "", ""  # mailto:, tel:, or a link the sanitizer took the href of
        else:
            kept = "".join(
                f' {k}="{attr(values[k])}"' for k in _KEEP_ATTRS.get(tag, ()) if k in values
            )
            opener, closer = f"<{tag}{kept}>", f"</{tag}>"
        self._parents.append(tag)
        self._closers.append(closer)
        self._emit(opener)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self._parents:
            return
        self._parents.pop()
        self._emit(self._closers.pop())

    def handle_data(self, data: str) -> None:
        if not data.strip() and (not self._parents or self._parents[-1] in ("ul", "ol",
                                                                            "blockquote")):
            return  # layout whitespace between blocks
        if self.blocks and self.blocks[-1][0] and self.blocks[-1][0][-1] == "<br>":
            data = data.lstrip("\n")
        if not self._parents:
            self.blocks.append((["<p>", esc(data), "</p>"], ["", data, ""]))
            return
        self._emit(html.escape(data, quote=False), data)


def _blocks(fragment: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(fragment)
    parser.close()
    return [("".join(h).strip(), "".join(t).strip()) for h, t in parser.blocks if "".join(h)]


def mastodon_html(fragment: str) -> str:
    """Sanitised HTML → HTML made only of tags Mastodon keeps (see :class:`_Blocks`)."""
    return "".join(block for block, _ in _blocks(fragment))


def shorten_html(fragment: str, *, at_least: int = 200, at_most: int = 500) -> str:
    """The opening of a description for a post: whole blocks until about ``at_least``
    characters of text (never more than ``at_most``); a first block longer than that becomes
    plain text cut at a word boundary with "…". The full text is one click away."""
    chosen: list[str] = []
    total = 0
    blocks = _blocks(fragment)
    for block, text in blocks:
        if chosen and (total >= at_least or total + len(text) > at_most):
            break
        chosen.append(block)
        total += len(text)
    if total <= at_most:
        return "".join(chosen)
    text = html_to_text(blocks[0][0]).replace("\n", " ")
    cut = text[: at_most + 1].rsplit(" ", 1)[0].rstrip(" ,;:.–-")
    return f"<p>{esc(cut)} …</p>"


def text_to_paragraphs(text: str) -> str:
    """Plain multi-line text → ``<p>`` per paragraph and ``<br>`` per line break."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(
        "<p>" + "<br>".join(esc(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def paragraphs_to_text(fragment: Any) -> Any:
    """The inverse of :func:`text_to_paragraphs` (other HTML degrades to its text)."""
    if not isinstance(fragment, str):
        return fragment
    fragment = re.sub(r"<br\s*/?>", "\n", fragment, flags=re.IGNORECASE)
    fragment = re.sub(r"</p\s*>\s*<p[^>]*>", "\n\n", fragment, flags=re.IGNORECASE)
    fragment = re.sub(r"<[^>]*>", "", fragment)
    return html.unescape(fragment).strip()


def reaction_collections(object_id: str) -> JsonObject:
    """Where Mastodon finds an object's approved public replies and its like and boost counts
    (`OrderedCollection`s served under the object's id)."""
    return {"replies": f"{object_id}/replies", "likes": f"{object_id}/likes",
            "shares": f"{object_id}/shares"}
