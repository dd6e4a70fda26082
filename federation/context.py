"""JSON-LD contexts. Mastodon reads compacted short names without JSON-LD processing, so we
emit exactly the terms it emits (interop.md §2.2) and declare our own `mw:` terms inline —
nobody ever needs to fetch a context to understand us."""

from __future__ import annotations

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
WEBFINGER = "https://purl.archive.org/socialweb/webfinger"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MW_NS = "https://w3id.org/mitwirken/ns#"

TermDefinition = str | dict[str, str]
"""A JSON-LD term: an IRI, or an expanded definition (`{"@id": …, "@type": "@id"}`)."""

MASTODON_TERMS: dict[str, TermDefinition] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    # Mastodon's quirk: schema maps to http://schema.org# (interop.md §2.2); keep it.
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}

# Our vocabulary: every structured field of an Opportunity or Practice.
MW_TERMS: dict[str, TermDefinition] = {
    "mw": MW_NS,
    "Opportunity": "mw:Opportunity",
    "Practice": "mw:Practice",
    "kind": "mw:kind",
    "causeAreas": "mw:causeAreas",
    "activityTypes": "mw:activityTypes",
    "timeBudget": "mw:timeBudget",
    "schedule": "mw:schedule",
    "places": "mw:places",
    "remote": "mw:remote",
    "minAge": "mw:minAge",
    "suitableFor": "mw:suitableFor",
    "requiredDocuments": "mw:requiredDocuments",
    "offers": "mw:offers",
    "contactPoint": "mw:contactPoint",
    "applyVia": "mw:applyVia",
    "replyTimeDays": "mw:replyTimeDays",
    "volunteersNeeded": "mw:volunteersNeeded",
    "placesLeft": "mw:placesLeft",
    "status": "mw:status",
    "lastConfirmed": "mw:lastConfirmed",
    "mediatedBy": {"@id": "mw:mediatedBy", "@type": "@id"},
    # A JSON object keyed by section name ("ausgangslage": Markdown): an index map.
    "sections": {"@id": "mw:sections", "@container": "@index"},
    "partners": "mw:partners",
    "sectorsInvolved": "mw:sectorsInvolved",
    "themes": "mw:themes",
    "resources": "mw:resources",
    "licence": {"@id": "mw:licence", "@type": "@id"},
    "adaptedFrom": {"@id": "mw:adaptedFrom", "@type": "@id"},
    "adoptedBy": {"@id": "mw:adoptedBy", "@type": "@id"},
    "mwData": "mw:data",
    # Added with federation/convert*.py: the rest of the Opportunity/Practice fields, so a
    # Mitwirken instance can rebuild the object from the JSON alone (FEDERATION.md lists them).
    "title": "mw:title",
    "titleEn": "mw:titleEn",
    "descriptionEn": "mw:descriptionEn",
    "hours": "mw:hours",
    "unit": "mw:unit",
    "periodStart": {"@id": "mw:periodStart", "@type": "xsd:dateTime"},
    "periodEnd": {"@id": "mw:periodEnd", "@type": "xsd:dateTime"},
    "applyUrl": {"@id": "mw:applyUrl", "@type": "@id"},
    "applyEmail": "mw:applyEmail",
    "applyPhone": "mw:applyPhone",
    "languages": "mw:languages",
    "originalId": "mw:originalId",
    "hoursAvailable": "mw:hoursAvailable",
    "sector": "mw:sector",
    "role": "mw:role",
    "budgetRange": "mw:budgetRange",
    "staffHoursPerMonth": "mw:staffHoursPerMonth",
    "volunteersInvolved": "mw:volunteersInvolved",
    "timeToImplementMonths": "mw:timeToImplementMonths",
    # schema.org terms for addresses and contacts, spelled like Mobilizon's context (with
    # Mastodon's `schema` prefix from MASTODON_TERMS) so Mobilizon-style parsers read them.
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "PostalAddress": "schema:PostalAddress",
    "address": "schema:address",
    "streetAddress": "schema:streetAddress",
    "postalCode": "schema:postalCode",
    "addressLocality": "schema:addressLocality",
    "addressRegion": "schema:addressRegion",
    "addressCountry": "schema:addressCountry",
    "ContactPoint": "schema:ContactPoint",
    "email": "schema:email",
    "telephone": "schema:telephone",
}


def actor_context() -> list[object]:
    return [AS, SECURITY, WEBFINGER, dict(MASTODON_TERMS)]


def object_context() -> list[object]:
    return [AS, {**MASTODON_TERMS, **MW_TERMS}]


def activity_context() -> list[object]:
    return [AS, SECURITY, {**MASTODON_TERMS, **MW_TERMS}]


def ns_document() -> dict[str, object]:
    """The document served at /ns: our terms, for people and JSON-LD processors."""
    return {"@context": {**MW_TERMS}}
