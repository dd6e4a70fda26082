"""Practice ⇄ ActivityStreams ``Article`` — the wire format of a good-practice write-up.

Why an ``Article``: Mastodon shows an Article as its ``name``, its ``summary`` and a link, and —
unlike on a Note — that summary is *not* a content warning (interop.md §6.1). So ``summary`` is
the self-contained abstract (problem → approach → result), ``content`` the full text for servers
that render it (GoToSocial, Misskey) and for our own instances. ``attributedTo`` lists the
publishing actor and the local partner actors: the cross-sector partnership is visible.

All structured fields ride along in ``mw:`` (``sections`` as Markdown keyed by section, partners,
sectors, themes, status, resources, licence IRI, adaptedFrom, contactPoint, languages); the city
and Bundesland travel as an AS2 ``location`` (``Place`` + ``PostalAddress``).
"""

from __future__ import annotations

from typing import Any

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.context import PUBLIC, object_context
from mitwirken.federation.convert_common import (
    contact_from_as,
    contact_line,
    contact_to_as,
    esc,
    hashtag_objects,
    hashtags_html,
    iso_utc,
    link,
    many,
    mastodon_html,
    normalise,
    object_fields,
    one,
    paragraphs_to_text,
    pick,
    reaction_collections,
    tag_names,
    text_to_paragraphs,
)
from mitwirken.federation.urls import Urls
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import Practice
from mitwirken.models.markdown import render_markdown
from mitwirken.models.vocab import Licence, PracticeSection, label

__all__ = ["article_to_practice", "practice_to_article"]

_RESOURCES = {  # wire key → model field
    "budgetRange": "budget_range",
    "staffHoursPerMonth": "staff_hours_per_month",
    "volunteersInvolved": "volunteers",
    "timeToImplementMonths": "time_to_implement_months",
}
_SCALARS = {"name": "title", "status": "status", "licence": "licence",
            "adaptedFrom": "adapted_from", "published": "published", "updated": "updated"}
_LISTS = {"sectorsInvolved": "sectors_involved", "themes": "themes", "languages": "languages"}


def _heading(text: str) -> str:
    return f"<p><strong>{esc(text)}</strong></p>"


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _partners_html(p: Practice) -> str:
    items = []
    for partner in p.partners:
        name = link(partner.actor_iri, partner.name) if partner.actor_iri else esc(partner.name)
        items.append(f"<li>{name} – {esc(label(partner.sector))}, {esc(label(partner.role))}</li>")
    return _heading("Beteiligte") + "<ul>" + "".join(items) + "</ul>" if items else ""


def _resources_html(p: Practice) -> str:
    r = p.resources
    items = []
    if r.budget_range:
        items.append(f"Budget: {label(r.budget_range)}")
    if r.staff_hours_per_month is not None:
        items.append(f"Personal: ca. {_number(r.staff_hours_per_month)} Std. pro Monat")
    if r.volunteers is not None:
        items.append(f"Freiwillige: {r.volunteers}")
    if r.time_to_implement_months is not None:
        items.append(f"Umsetzung: ca. {_number(r.time_to_implement_months)} Monate")
    if not items:
        return ""
    return _heading("Ressourcen") + "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _licence_html(p: Practice) -> str:
    known = {licence.value: licence for licence in Licence}
    url = p.licence_url
    name = known[p.licence].label_de if p.licence in known else p.licence
    return f"<p>Lizenz: {link(url, name) if url else esc(name)}</p>"


def _content(p: Practice, tags: list[str], urls: Urls) -> str:
    place = ", ".join(x for x in (p.city, label(p.region) if p.region else None) if x)
    meta = " · ".join(
        x for x in (f"Status: {label(p.status)}", place,
                    ", ".join(label(s) for s in p.sectors_involved)) if x
    )
    parts = [_heading(p.title), f"<p>{esc(meta)}</p>"]
    for section, markdown in p.sections.items():
        parts.append(_heading(label(section)) + mastodon_html(render_markdown(markdown)))
    parts.append(_partners_html(p))
    parts.append(_resources_html(p))
    if p.attachments:
        items = "".join(f"<li>{link(a.url, a.name)}</li>" for a in p.attachments)
        parts.append(_heading("Material") + f"<ul>{items}</ul>")
    if p.contact:
        parts.append(f"<p>Kontakt: {contact_line(p.contact, tel='Tel.')}</p>")
    if p.adapted_from:
        parts.append(f"<p>Angelehnt an: {link(p.adapted_from)}</p>")
    parts.append(_licence_html(p))
    parts.append(hashtags_html(tags, urls))
    return "".join(parts)


def _location(p: Practice) -> JsonObject | None:
    if not (p.city or p.region):
        return None
    doc: dict[str, Any] = {"type": "Place"}
    if p.city:
        doc["name"] = p.city
    address: dict[str, Any] = {"type": "PostalAddress"}
    if p.city:
        address["addressLocality"] = p.city
    if p.region:
        address["addressRegion"] = p.region.value
    address["addressCountry"] = "DE"
    doc["address"] = address
    return doc


def practice_to_article(
    p: Practice,
    urls: Urls,
    *,
    actor: LocalActor,
    partner_actor_ids: list[str] | tuple[str, ...] = (),
    lang: str = "de",
) -> JsonObject:
    """The ``Article`` for ``p``, published by ``actor``.

    ``partner_actor_ids`` are local partner actors to list in ``attributedTo`` as co-authors;
    IRIs on other hosts are left out (servers reject objects attributed to actors of another
    host than the one that delivered them).
    """
    if p.id is None:
        raise ValueError("practice_to_article needs a stored practice (id is None)")
    if p.org_username != actor.username:
        raise ValueError(f"practice of {p.org_username!r} attributed to {actor.username!r}")
    object_id = urls.practice(p.id)
    authors = list(dict.fromkeys([urls.actor(actor.username),
                                  *(i for i in partner_actor_ids if urls.is_local(i))]))
    tags = tag_names(["EngagierteStadt", *([p.city] if p.city else []), *p.themes,
                      *p.sectors_involved])
    content = _content(p, tags, urls)
    doc: JsonObject = {
        "@context": object_context(),
        "id": object_id,
        "type": "Article",
        "attributedTo": authors[0] if len(authors) == 1 else authors,
        "url": object_id,
        **reaction_collections(object_id),
        "name": p.title,
        "summary": text_to_paragraphs(p.summary),
        "content": content,
        "contentMap": {lang: content},
    }
    if p.published:
        doc["published"] = iso_utc(p.published)
    if p.updated and p.updated != p.published:
        doc["updated"] = iso_utc(p.updated)
    doc.update(to=[PUBLIC], cc=[urls.followers(actor.username)], sensitive=False,
               tag=hashtag_objects(tags, urls))
    if p.attachments:
        doc["attachment"] = [
            {"type": "Document", **({"mediaType": a.media_type} if a.media_type else {}),
             "url": a.url, "name": a.name}
            for a in p.attachments
        ]
    location = _location(p)
    if location:
        doc["location"] = location
    doc.update(_structured(p))
    return doc


def _structured(p: Practice) -> JsonObject:
    # `sections` is always there (maybe empty): peers recognise a Mitwirken practice by it.
    data: dict[str, Any] = {
        "status": p.status.value,
        "sections": {section.value: text for section, text in p.sections.items()},
    }
    if p.partners:
        data["partners"] = [
            {"type": "Organization", **({"id": x.actor_iri} if x.actor_iri else {}),
             "name": x.name, "sector": x.sector.value, "role": x.role.value}
            for x in p.partners
        ]
    if p.sectors_involved:
        data["sectorsInvolved"] = [s.value for s in p.sectors_involved]
    if p.themes:
        data["themes"] = [t.value for t in p.themes]
    resources = {
        key: getattr(p.resources, field) for key, field in _RESOURCES.items()
        if getattr(p.resources, field) is not None
    }
    if resources:
        data["resources"] = {
            k: v.value if hasattr(v, "value") else v for k, v in resources.items()
        }
    data["licence"] = p.licence_url or p.licence
    if p.adapted_from:
        data["adaptedFrom"] = p.adapted_from
    if p.contact:
        data["contactPoint"] = contact_to_as(p.contact)
    data["languages"] = list(p.languages)
    return data


def _partner(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    data = pick(doc, {"name": "name", "sector": "sector", "role": "role"})
    if isinstance(one(doc.get("id")), str):
        data["actor_iri"] = one(doc["id"])
    return data


def _attachment(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    data = pick(doc, {"name": "name", "mediaType": "media_type"})
    url = one(doc.get("url"))
    data["url"] = url.get("href") if isinstance(url, dict) else url
    return data


def article_to_practice(article: JsonObject, *, org_username: str) -> Practice:
    """Rebuild the Practice from an Article written by :func:`practice_to_article`.

    Tolerant like :func:`~federation.convert_opportunity.note_to_opportunity`: unknown keys are
    ignored, expanded ``mw:`` IRIs accepted, invalid data raises pydantic's ``ValidationError``.
    """
    if not isinstance(article, dict):
        return Practice.model_validate(article)  # raises the ValidationError
    doc = normalise(article)
    data = object_fields(doc, org_username, _SCALARS, _LISTS)
    if doc.get("summary") is not None:
        data["summary"] = paragraphs_to_text(one(doc["summary"]))
    sections = one(doc.get("sections"))
    if sections is not None:
        data["sections"] = (
            {k: v for k, v in sections.items() if k in {s.value for s in PracticeSection}}
            if isinstance(sections, dict) else sections
        )
    if doc.get("partners") is not None:
        data["partners"] = [_partner(x) for x in many(doc["partners"])]
    if doc.get("resources") is not None:
        data["resources"] = pick(one(doc["resources"]), _RESOURCES)
    if doc.get("contactPoint") is not None:
        data["contact"] = contact_from_as(one(doc["contactPoint"]))
    attachments = [a for a in many(doc.get("attachment"))
                   if not isinstance(a, dict) or one(a.get("type")) in ("Document", None)]
    if attachments:
        data["attachments"] = [_attachment(a) for a in attachments]
    location = one(doc.get("location"))
    if isinstance(location, dict):
        address = one(location.get("address"))
        address = address if isinstance(address, dict) else {}
        city = address.get("addressLocality") or location.get("name")
        if city is not None:
            data["city"] = one(city)
        if address.get("addressRegion") is not None:
            data["region"] = one(address["addressRegion"])
    return Practice.model_validate(data)
