"""schema.org JSON-LD for the HTML pages (federation/schemaorg.py)."""

from __future__ import annotations

import json

from mitwirken.federation.schemaorg import opportunity_jsonld, practice_jsonld, script_json
from tests.golden.examples import ACTORS, FLEXIBLE, ONE_OFF, PRACTICE, REGULAR, URLS


def test_dated_opportunity_is_a_volunteer_job_posting() -> None:
    doc = opportunity_jsonld(ONE_OFF, URLS, ACTORS["tafel"])
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "JobPosting"
    assert doc["employmentType"] == "VOLUNTEER" and doc["directApply"] is False
    assert doc["title"] == ONE_OFF.title
    assert doc["identifier"] == {"@type": "PropertyValue", "name": "Tafel Musterstadt e.V.",
                                 "value": "t4f3lw31hn4c"}
    assert doc["url"] == URLS.opportunity("t4f3lw31hn4c")
    assert doc["datePosted"] == "2026-11-02T09:00:00Z"
    assert doc["validThrough"] == "2026-12-05T14:00:00+01:00"
    assert doc["jobStartDate"] == "2026-12-05"
    assert doc["hiringOrganization"] == {"@type": "Organization", "name": "Tafel Musterstadt e.V.",
                                         "url": "https://tafel-musterstadt.de"}
    (place,) = doc["jobLocation"]
    assert place["address"] == {
        "@type": "PostalAddress", "streetAddress": "Lindenstraße 12", "postalCode": "12345",
        "addressLocality": "Musterstadt", "addressRegion": "DE-NW", "addressCountry": "DE"}
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 51.5136, "longitude": 7.4653}
    assert "jobLocationType" not in doc
    assert doc["totalJobOpenings"] == 12
    assert doc["image"] == ONE_OFF.image.url


def test_description_is_plain_text() -> None:
    doc = opportunity_jsonld(ONE_OFF, URLS, ACTORS["tafel"])
    assert "<" not in doc["description"] and "**" not in doc["description"]
    assert doc["description"].startswith("Am Samstag vor dem zweiten Advent packen wir "
                                         "Weihnachtstüten")


def test_ongoing_opportunity_has_no_expiry_but_hours_and_benefits() -> None:
    doc = opportunity_jsonld(REGULAR, URLS, ACTORS["gs_nord"])
    assert "validThrough" not in doc
    assert doc["workHours"] == "ca. 1,5 Std. pro Woche, Di oder Do, zwischen 8 und 12 Uhr"
    assert doc["jobBenefits"].startswith("Versicherungsschutz, Einarbeitung & Fortbildung")
    assert doc["qualifications"] == (
        "Mindestalter 18 Jahre, Erweitertes Führungszeugnis, Nachweis Masernschutz")
    assert doc["hiringOrganization"]["url"] == URLS.profile("gs_nord")


def test_fully_remote_is_telecommute() -> None:
    doc = opportunity_jsonld(FLEXIBLE, URLS, ACTORS["integrationsrat"])
    assert doc["jobLocationType"] == "TELECOMMUTE"
    assert doc["applicantLocationRequirements"] == {"@type": "Country", "name": "DE"}
    assert "jobLocation" not in doc


def test_practice_is_an_article() -> None:
    doc = practice_jsonld(PRACTICE, URLS, ACTORS["musterstadt"])
    assert doc["@type"] == "Article" and doc["headline"] == PRACTICE.title
    assert doc["abstract"] == PRACTICE.summary
    assert doc["author"] == {"@type": "Organization", "name": "Engagierte Stadt Musterstadt",
                             "url": "https://www.musterstadt.de/ehrenamt"}
    assert doc["datePublished"] == "2026-06-01T10:00:00Z"
    assert doc["dateModified"] == "2026-06-03T12:00:00Z"
    assert doc["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert doc["isBasedOn"] == PRACTICE.adapted_from
    assert doc["spatialCoverage"]["address"]["addressRegion"] == "DE-NW"
    assert [c["name"] for c in doc["contributor"]][-1] == "Hochschule Musterstadt"
    assert "url" not in doc["contributor"][-1]


def test_script_json_cannot_close_the_script_element() -> None:
    doc = opportunity_jsonld(
        ONE_OFF.model_copy(update={"title": "</script><script>alert(1)</script> & <!--"}),
        URLS, ACTORS["tafel"])
    text = script_json(doc)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == doc
