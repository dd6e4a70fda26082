"""Vocabularies of good-practice posts (domain.md §7)."""

from __future__ import annotations

from mitwirken.models.vocab_base import VocabEnum


class PracticeStatus(VocabEnum):
    IDEA = "idea", "Idee", "Idea"
    PILOT = "pilot", "Pilotphase", "Pilot"
    RUNNING = "running", "Läuft", "Running"
    COMPLETED = "completed", "Abgeschlossen", "Completed"
    DISCONTINUED = "discontinued", "Eingestellt", "Discontinued"


class Sector(VocabEnum):
    """The sectors of an Engagierte-Stadt 'Verantwortungsgemeinschaft'."""

    CIVIL_SOCIETY = "civil-society", "Zivilgesellschaft", "Civil society"
    ADMINISTRATION = "administration", "Verwaltung", "Public administration"
    POLITICS = "politics", "Politik", "Politics"
    BUSINESS = "business", "Wirtschaft", "Business"
    SCIENCE = "science", "Wissenschaft", "Science"


class PartnerRole(VocabEnum):
    LEAD = "lead", "Federführung", "Lead"
    PARTNER = "partner", "Partner", "Partner"
    FUNDER = "funder", "Förderer", "Funder"


class PracticeTheme(VocabEnum):
    """Themes of the Engagierte Stadt programme (domain.md §6.2)."""

    ENGAGEMENTSTRATEGIE = "engagementstrategie", "Engagementstrategie", "Volunteering strategy"
    ANLAUFSTELLE = (
        "anlaufstelle",
        "Anlaufstelle & Infrastruktur",
        "Volunteer centre & infrastructure",
        "Anlaufstelle",
    )
    ANERKENNUNGSKULTUR = "anerkennungskultur", "Anerkennungskultur", "Recognition"
    DIGITALISIERUNG = "digitalisierung", "Digitalisierung", "Digitalisation"
    NACHWUCHS_JUGEND = "nachwuchs-jugend", "Nachwuchs & Jugend", "Young volunteers"
    DEMOKRATIE_BETEILIGUNG = (
        "demokratie-beteiligung",
        "Demokratie & Beteiligung",
        "Democracy & participation",
    )
    INTEGRATION = "integration", "Integration & Vielfalt", "Integration & diversity"
    KRISENRESILIENZ = "krisenresilienz", "Krisenresilienz", "Crisis resilience"
    NACHHALTIGKEIT_KLIMA = (
        "nachhaltigkeit-klima",
        "Nachhaltigkeit & Klima",
        "Sustainability & climate",
    )
    HOCHSCHULKOOPERATION = (
        "hochschulkooperation",
        "Hochschulkooperation",
        "University partnerships",
    )
    UNTERNEHMENSENGAGEMENT = (
        "unternehmensengagement",
        "Unternehmensengagement",
        "Corporate volunteering",
    )
    LAENDLICHER_RAUM = "laendlicher-raum", "Ländlicher Raum", "Rural areas"
    QUALIFIZIERUNG = "qualifizierung", "Qualifizierung", "Training & qualification"


class PracticeSection(VocabEnum):
    """The fixed sections of a practice write-up, in reading order."""

    AUSGANGSLAGE = "ausgangslage", "Ausgangslage", "Starting point"
    ANSATZ = "ansatz", "Ansatz", "Approach"
    UMSETZUNG = "umsetzung", "Umsetzung", "Implementation"
    ERGEBNISSE = "ergebnisse", "Ergebnisse & Wirkung", "Results & impact"
    STOLPERSTEINE = "stolpersteine", "Stolpersteine", "Pitfalls"
    UEBERTRAGBARKEIT = "uebertragbarkeit", "Übertragbarkeit", "Transferability"


class BudgetRange(VocabEnum):
    """Rough total budget of a practice, in euros."""

    NONE = "none", "Ohne eigenes Budget", "No dedicated budget", "OhneBudget"
    UNDER_1000 = "under-1000", "unter 1.000 €", "under €1,000", "Unter1000Euro"
    FROM_1000_TO_10000 = "1000-10000", "1.000 – 10.000 €", "€1,000 – 10,000", "Bis10000Euro"
    FROM_10000_TO_50000 = "10000-50000", "10.000 – 50.000 €", "€10,000 – 50,000", "Bis50000Euro"
    OVER_50000 = "over-50000", "über 50.000 €", "over €50,000", "Ueber50000Euro"


class Licence(VocabEnum):
    """Licences offered to editors for practice texts and material (SPDX identifiers)."""

    CC_BY_SA_4_0 = (
        "CC-BY-SA-4.0",
        "CC BY-SA 4.0 (Namensnennung, Weitergabe unter gleichen Bedingungen)",
        "CC BY-SA 4.0 (Attribution-ShareAlike)",
        "CCBYSA",
    )
    CC_BY_4_0 = "CC-BY-4.0", "CC BY 4.0 (Namensnennung)", "CC BY 4.0 (Attribution)", "CCBY"
    CC0_1_0 = "CC0-1.0", "CC0 1.0 (gemeinfrei)", "CC0 1.0 (public domain)", "CC0"

    @property
    def url(self) -> str:
        return _LICENCE_URLS[self]


_LICENCE_URLS: dict[Licence, str] = {
    Licence.CC_BY_SA_4_0: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_4_0: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0_1_0: "https://creativecommons.org/publicdomain/zero/1.0/",
}
