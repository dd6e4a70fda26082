"""schema.org JSON-LD for the HTML pages (``<script type="application/ld+json">``).

Why: search engines and job/volunteering aggregators read schema.org, not ActivityStreams. An
Opportunity is a ``JobPosting`` with ``employmentType: "VOLUNTEER"`` (domain.md §6.1: the form
Google's job search and the big volunteering portals understand), a Practice an ``Article``.
This is the *only* other place that shapes our content as JSON; it sits beside the AS2
converter so the two stay in step. Uses the canonical ``https://schema.org`` context (not
Mastodon's ``http://schema.org#`` quirk, which only matters inside ActivityStreams documents).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mitwirken.federation.as_types import JsonObject
from mitwirken.federation.convert_common import iso_offset, iso_utc
from mitwirken.federation.convert_facts import BERLIN
from mitwirken.federation.urls import Urls
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import html_to_text, render_markdown
from mitwirken.models.values import Place
from mitwirken.models.vocab import Remote, label

__all__ = ["opportunity_jsonld", "practice_jsonld", "script_json"]

SCHEMA_CONTEXT = "https://schema.org"


def _organisation(actor: LocalActor, urls: Urls) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@type": "Organization",
        "name": actor.name,
        "url": actor.website or urls.profile(actor.username),
    }
    if actor.icon_url:
        doc["logo"] = actor.icon_url
    return doc


def _place(place: Place) -> dict[str, Any]:
    address: dict[str, Any] = {"@type": "PostalAddress"}
    for key, value in (
        ("streetAddress", place.street),
        ("postalCode", place.postal_code),
        ("addressLocality", place.locality),
        ("addressRegion", place.region.value if place.region else None),
        ("addressCountry", place.country),
    ):
        if value:
            address[key] = value
    doc: dict[str, Any] = {"@type": "Place"}
    if place.name:
        doc["name"] = place.name
    doc["address"] = address
    if place.latitude is not None and place.longitude is not None:
        doc["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
    return doc


def _work_hours(opp: Opportunity) -> str | None:
    parts = []
    if opp.time_budget:
        hours = f"{opp.time_budget.hours:g}".replace(".", ",")
        parts.append(f"ca. {hours} Std. {opp.time_budget.unit.label_de}")
    if opp.schedule:
        parts.append(" ".join(opp.schedule.split()))
    return ", ".join(parts) or None


def opportunity_jsonld(opp: Opportunity, urls: Urls, org: LocalActor) -> JsonObject:
    """A schema.org ``JobPosting`` for the opportunity's page.

    ``directApply`` is false: applying happens by message, mail or phone, not on the page.
    ``validThrough`` is the end of dated opportunities; ongoing ones carry none (they are paused,
    not expired, when nobody confirms them). Fully remote ones get ``jobLocationType:
    TELECOMMUTE`` with Germany as applicant location, as Google requires.
    """
    page = urls.opportunity(opp.id) if opp.id else urls.base
    doc: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": org.name, "value": opp.id},
        "title": opp.title,
        "description": html_to_text(render_markdown(opp.description)),
        "url": page,
        "employmentType": "VOLUNTEER",
        "hiringOrganization": _organisation(org, urls),
        "directApply": False,
    }
    if opp.published:
        doc["datePosted"] = iso_utc(opp.published)
    if opp.is_dated and opp.end:
        doc["validThrough"] = iso_offset(opp.end)
    if opp.start:
        doc["jobStartDate"] = opp.start.astimezone(BERLIN).date().isoformat()
    if opp.places:
        doc["jobLocation"] = [_place(place) for place in opp.places]
    if opp.remote is Remote.FULL:
        doc["jobLocationType"] = "TELECOMMUTE"
        doc["applicantLocationRequirements"] = {"@type": "Country", "name": "DE"}
    work_hours = _work_hours(opp)
    if work_hours:
        doc["workHours"] = work_hours
    if opp.offers:
        doc["jobBenefits"] = ", ".join(label(offer) for offer in opp.offers)
    requirements = [label(d) for d in opp.required_documents]
    if opp.min_age is not None:
        requirements.insert(0, f"Mindestalter {opp.min_age} Jahre")
    if requirements:
        doc["qualifications"] = ", ".join(requirements)
    if opp.volunteers_needed is not None:
        doc["totalJobOpenings"] = opp.volunteers_needed
    if opp.cause_areas:
        doc["industry"] = ", ".join(label(area) for area in opp.cause_areas)
    if opp.image and opp.image.url:
        doc["image"] = opp.image.url
    return doc


def practice_jsonld(p: Practice, urls: Urls, actor: LocalActor) -> JsonObject:
    """A schema.org ``Article`` for a practice page: headline, abstract, author, dates, licence
    (the reuse terms are the point of sharing a practice), the place and what it was based on."""
    page = urls.practice(p.id) if p.id else urls.base
    doc: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Article",
        "headline": p.title,
        "abstract": p.summary,
        "url": page,
        "mainEntityOfPage": page,
        "author": _organisation(actor, urls),
        "inLanguage": p.languages[0],
    }
    if p.published:
        doc["datePublished"] = iso_utc(p.published)
    if p.updated:
        doc["dateModified"] = iso_utc(p.updated)
    doc["license"] = p.licence_url or p.licence
    if p.partners:
        doc["contributor"] = [
            {"@type": "Organization", "name": x.name}
            | ({"url": x.actor_iri} if x.actor_iri else {})
            for x in p.partners
        ]
    if p.themes:
        doc["keywords"] = ", ".join(label(theme) for theme in p.themes)
    if p.city or p.region:
        place: dict[str, Any] = {"@type": "Place"}
        if p.city:
            place["name"] = p.city
        address = {"@type": "PostalAddress", "addressCountry": "DE"}
        if p.city:
            address["addressLocality"] = p.city
        if p.region:
            address["addressRegion"] = p.region.value
        place["address"] = address
        doc["spatialCoverage"] = place
    if p.adapted_from:
        doc["isBasedOn"] = p.adapted_from
    doc["creativeWorkStatus"] = label(p.status)
    return doc


def script_json(data: Mapping[str, Any]) -> str:
    """JSON safe to put between ``<script type="application/ld+json">`` tags: ``<``, ``>`` and
    ``&`` are written as ``\\u003c``… so no text (``</script>``, ``<!--``) can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
