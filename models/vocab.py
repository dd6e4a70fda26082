"""Controlled vocabularies of the domain.

Every vocabulary is a :class:`StrEnum` whose *value* is the stable, language-neutral key that is
stored in the database and sent over the wire (kebab-case ASCII, never translated). Each member
also carries a German label, an English label and a hashtag form (CamelCase, ASCII-folded German)
for the ``Hashtag`` objects that make posts findable on Mastodon.

    >>> CauseArea.KINDER_JUGEND.value
    'kinder-jugend'
    >>> label(CauseArea.KINDER_JUGEND)
    'Kinder & Jugend'
    >>> hashtag(CauseArea.KINDER_JUGEND)
    'KinderUndJugend'
    >>> hashtag("Mönchengladbach")
    'Moenchengladbach'

Values are kebab-case (``"one-off"``, ``"no-german-needed"``) rather than the camelCase of the
research notes (domain.md §6); the federation layer maps them to IRIs of our namespace.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any

__all__ = [
    "ActivityType",
    "ApplyChannel",
    "BudgetRange",
    "Bundesland",
    "CauseArea",
    "Licence",
    "Offer",
    "OpportunityKind",
    "OpportunityStatus",
    "PartnerRole",
    "PracticeSection",
    "PracticeStatus",
    "PracticeTheme",
    "Remote",
    "RequiredDocument",
    "Sector",
    "SuitableFor",
    "TimeBudgetUnit",
    "VOCABULARIES",
    "VocabEnum",
    "fold_hashtag",
    "hashtag",
    "label",
    "parse_bundesland",
]


_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}
_UPPER_UMLAUT_IN_CAPS = re.compile(r"([ÄÖÜ])(?=[A-ZÄÖÜẞ])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def fold_hashtag(text: str) -> str:
    """Turn any German text into a CamelCase ASCII hashtag name (without ``#``).

    ``&`` and ``+`` become "Und", umlauts become ae/oe/ue, ß becomes ss, other accents are
    dropped (é → e), and every word starts with a capital letter:
    ``"Kinder & Jugend"`` → ``"KinderUndJugend"``, ``"Straßenfest Görlitz"`` →
    ``"StrassenfestGoerlitz"``.
    """
    text = _UPPER_UMLAUT_IN_CAPS.sub(lambda m: _UMLAUTS[m.group(1)].upper(), text)
    text = "".join(_UMLAUTS.get(ch, ch) for ch in text)
    text = text.replace("&", " und ").replace("+", " und ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _WORD_SPLIT.split(text) if w]
    return "".join(w[0].upper() + w[1:] for w in words)


class VocabEnum(StrEnum):
    """Base of all vocabularies: ``MEMBER = value, German label, English label[, hashtag]``.

    When no hashtag is given it is derived from the German label with :func:`fold_hashtag`.
    """

    label_de: str
    label_en: str
    tag: str

    def __new__(cls, value: str, de: str, en: str, tag: str | None = None) -> VocabEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_de = de
        obj.label_en = en
        obj.tag = tag or fold_hashtag(de)
        return obj

    def label(self, lang: str = "de") -> str:
        """The human label in ``lang`` (English for ``en*``, German otherwise)."""
        return self.label_en if lang.lower().startswith("en") else self.label_de


# --------------------------------------------------------------------------------------------
# Opportunities
# --------------------------------------------------------------------------------------------


class OpportunityKind(VocabEnum):
    """How an opportunity is organised in time."""

    ONE_OFF = "one-off", "Einmaliger Einsatz", "One-off", "EinmaligHelfen"
    SHIFTS = "shifts", "Schichten", "Shifts"
    REGULAR = "regular", "Regelmäßig", "Regular"
    FLEXIBLE = "flexible", "Flexibel nach Absprache", "Flexible", "Flexibel"


class CauseArea(VocabEnum):
    """Engagementbereich: the field the opportunity serves."""

    KINDER_JUGEND = "kinder-jugend", "Kinder & Jugend", "Children & youth"
    SENIOREN = "senioren", "Senior:innen", "Older people", "Senioren"
    BILDUNG = "bildung", "Bildung", "Education"
    UMWELT = "umwelt", "Umwelt & Natur", "Environment & nature", "Umweltschutz"
    TIERE = "tiere", "Tierschutz", "Animal welfare"
    SPORT = "sport", "Sport", "Sport"
    KULTUR = "kultur", "Kultur", "Culture"
    INTEGRATION = (
        "integration",
        "Integration & Geflüchtete",
        "Integration & refugees",
        "Integration",
    )
    GESUNDHEIT_PFLEGE = "gesundheit-pflege", "Gesundheit & Pflege", "Health & care"
    MENSCHEN_MIT_BEHINDERUNG = (
        "menschen-mit-behinderung",
        "Menschen mit Behinderung",
        "People with disabilities",
        "Inklusion",
    )
    ARMUT_SOZIALES = "armut-soziales", "Armut & Soziales", "Poverty & social services"
    KATASTROPHENSCHUTZ = (
        "katastrophenschutz",
        "Rettung & Katastrophenschutz",
        "Rescue & civil protection",
        "Katastrophenschutz",
    )
    NACHBARSCHAFT = "nachbarschaft", "Nachbarschaft", "Neighbourhood", "Nachbarschaftshilfe"
    DEMOKRATIE = (
        "demokratie",
        "Demokratie & Beteiligung",
        "Democracy & participation",
        "Demokratie",
    )
    KIRCHE_RELIGION = "kirche-religion", "Kirche & Religion", "Church & faith"


class ActivityType(VocabEnum):
    """Tätigkeit: what a volunteer actually does."""

    BEGLEITEN_BESUCHEN = "begleiten-besuchen", "Begleiten & Besuchen", "Accompanying & visiting"
    LERNHILFE_LESEN = "lernhilfe-lesen", "Lernhilfe & Lesen", "Tutoring & reading"
    HANDWERK_GARTEN = "handwerk-garten", "Handwerk & Garten", "Crafts & gardening"
    ORGANISATION_VERWALTUNG = (
        "organisation-verwaltung",
        "Organisation & Verwaltung",
        "Organisation & administration",
    )
    BERATUNG_COACHING = "beratung-coaching", "Beratung & Coaching", "Advice & coaching"
    SPORT_BEWEGUNG = "sport-bewegung", "Sport & Bewegung", "Sport & exercise"
    KREATIV_GESTALTEN = "kreativ-gestalten", "Kreativ gestalten", "Creative work"
    UEBERSETZEN_SCHREIBEN = (
        "uebersetzen-schreiben",
        "Übersetzen & Schreiben",
        "Translating & writing",
    )
    FAHRDIENST = "fahrdienst", "Fahrdienst", "Driving"
    VERANSTALTUNGEN = "veranstaltungen", "Veranstaltungen", "Events"
    DIGITALES = "digitales", "Digitales & Technik", "Digital & tech"
    KOCHEN_LEBENSMITTEL = "kochen-lebensmittel", "Kochen & Lebensmittel", "Cooking & food"
    OEFFENTLICHKEITSARBEIT = "oeffentlichkeitsarbeit", "Öffentlichkeitsarbeit", "Public relations"
    VORSTAND_LEITUNG = "vorstand-leitung", "Vorstand & Leitung", "Board & leadership"


class Remote(VocabEnum):
    """Whether the opportunity can be done from home."""

    NO = "no", "Vor Ort", "On site", "VorOrt"
    POSSIBLE = "possible", "Teilweise online möglich", "Partly remote", "TeilweiseOnline"
    FULL = "full", "Komplett online", "Fully remote", "OnlineEngagement"


class SuitableFor(VocabEnum):
    """Who can join easily (not a restriction: a hint for people searching)."""

    FAMILIES = "families", "Familien", "Families"
    GROUPS = "groups", "Gruppen", "Groups"
    CORPORATE_TEAMS = "corporate-teams", "Firmenteams", "Corporate teams", "CorporateVolunteering"
    NO_GERMAN_NEEDED = "no-german-needed", "Ohne Deutschkenntnisse", "No German needed"
    NO_EXPERIENCE_NEEDED = "no-experience-needed", "Ohne Vorkenntnisse", "No experience needed"
    NEWCOMERS = "newcomers", "Neu Zugezogene", "Newcomers"
    SENIORS = "seniors", "Senior:innen", "Older people", "Senioren"
    YOUTH = "youth", "Jugendliche", "Young people"
    PEOPLE_WITH_DISABILITIES = (
        "people-with-disabilities",
        "Menschen mit Behinderung",
        "People with disabilities",
        "Inklusion",
    )
    WHEELCHAIR_ACCESSIBLE = (
        "wheelchair-accessible",
        "Rollstuhlgerecht",
        "Wheelchair accessible",
        "Barrierefrei",
    )


class Offer(VocabEnum):
    """What the organisation offers its volunteers."""

    INSURANCE = "insurance", "Versicherungsschutz", "Insurance cover"
    EXPENSE_REIMBURSEMENT = "expense-reimbursement", "Auslagenerstattung", "Expense reimbursement"
    ALLOWANCE = "allowance", "Aufwandsentschädigung", "Allowance"
    TRAINING = "training", "Einarbeitung & Fortbildung", "Induction & training"
    SUPERVISION = "supervision", "Begleitung & Supervision", "Support & supervision"
    CERTIFICATE = "certificate", "Engagementnachweis", "Certificate of volunteering"
    EHRENAMTSKARTE = (
        "ehrenamtskarte",
        "Zählt für die Ehrenamtskarte",
        "Counts towards the Ehrenamtskarte",
        "Ehrenamtskarte",
    )
    TEAM_EVENTS = "team-events", "Teamtreffen & Feste", "Team meetings & celebrations"


class RequiredDocument(VocabEnum):
    """Documents a volunteer has to show before starting."""

    ERWEITERTES_FUEHRUNGSZEUGNIS = (
        "erweitertes-fuehrungszeugnis",
        "Erweitertes Führungszeugnis",
        "Extended criminal record certificate",
    )
    FUEHRUNGSZEUGNIS = "fuehrungszeugnis", "Führungszeugnis", "Criminal record certificate"
    MASERNSCHUTZ = (
        "masernschutz",
        "Nachweis Masernschutz",
        "Proof of measles immunity",
        "Masernschutz",
    )
    IFSG_BELEHRUNG = (
        "ifsg-belehrung",
        "Belehrung nach § 43 IfSG (Lebensmittel)",
        "Food hygiene instruction (§ 43 IfSG)",
        "IfSGBelehrung",
    )
    FUEHRERSCHEIN = "fuehrerschein", "Führerschein", "Driving licence"
    ERSTE_HILFE = "erste-hilfe", "Erste-Hilfe-Kurs", "First-aid course"
    SONSTIGES = (
        "sonstiges",
        "Sonstiges (siehe Beschreibung)",
        "Other (see description)",
        "Sonstiges",
    )


class ApplyChannel(VocabEnum):
    """How people get in touch about an opportunity."""

    URL = "url", "Über die Website", "Via the website", "Website"
    EMAIL = "email", "Per E-Mail", "By e-mail", "EMail"
    PHONE = "phone", "Per Telefon", "By phone", "Telefon"
    ANLAUFSTELLE = (
        "anlaufstelle",
        "Über die Anlaufstelle (Freiwilligenagentur)",
        "Via the volunteer centre",
        "Anlaufstelle",
    )
    FEDIVERSE_REPLY = (
        "fediverse-reply",
        "Antwort im Fediverse",
        "Reply in the Fediverse",
        "Fediverse",
    )


class OpportunityStatus(VocabEnum):
    OPEN = "open", "Offen", "Open"
    PAUSED = "paused", "Pausiert", "Paused"
    FILLED = "filled", "Besetzt", "Filled"
    CLOSED = "closed", "Beendet", "Closed"


class TimeBudgetUnit(VocabEnum):
    PER_WEEK = "per-week", "pro Woche", "per week", "ProWoche"
    PER_MONTH = "per-month", "pro Monat", "per month", "ProMonat"
    TOTAL = "total", "insgesamt", "in total", "Insgesamt"


# --------------------------------------------------------------------------------------------
# Good practice
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------


class Bundesland(VocabEnum):
    """German federal states; values are ISO 3166-2:DE codes."""

    BW = "DE-BW", "Baden-Württemberg", "Baden-Württemberg"
    BY = "DE-BY", "Bayern", "Bavaria"
    BE = "DE-BE", "Berlin", "Berlin"
    BB = "DE-BB", "Brandenburg", "Brandenburg"
    HB = "DE-HB", "Bremen", "Bremen"
    HH = "DE-HH", "Hamburg", "Hamburg"
    HE = "DE-HE", "Hessen", "Hesse"
    MV = "DE-MV", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"
    NI = "DE-NI", "Niedersachsen", "Lower Saxony"
    NW = "DE-NW", "Nordrhein-Westfalen", "North Rhine-Westphalia"
    RP = "DE-RP", "Rheinland-Pfalz", "Rhineland-Palatinate"
    SL = "DE-SL", "Saarland", "Saarland"
    SN = "DE-SN", "Sachsen", "Saxony"
    ST = "DE-ST", "Sachsen-Anhalt", "Saxony-Anhalt"
    SH = "DE-SH", "Schleswig-Holstein", "Schleswig-Holstein"
    TH = "DE-TH", "Thüringen", "Thuringia"


def _norm_key(text: str) -> str:
    return fold_hashtag(text).lower()


_BUNDESLAND_LOOKUP: dict[str, Bundesland] = {}
for _land in Bundesland:
    for _key in (_land.value, _land.value[3:], _land.label_de, _land.label_en):
        _BUNDESLAND_LOOKUP[_norm_key(_key)] = _land
_BUNDESLAND_LOOKUP["nrw"] = Bundesland.NW


def parse_bundesland(text: str) -> Bundesland | None:
    """Accept ``"DE-BY"``, ``"BY"``, ``"Bayern"``, ``"bavaria"``, ``"NRW"``; ``None`` if unknown."""
    return _BUNDESLAND_LOOKUP.get(_norm_key(text)) if text else None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

VOCABULARIES: tuple[type[VocabEnum], ...] = (
    OpportunityKind,
    CauseArea,
    ActivityType,
    Remote,
    SuitableFor,
    Offer,
    RequiredDocument,
    ApplyChannel,
    OpportunityStatus,
    TimeBudgetUnit,
    PracticeStatus,
    Sector,
    PartnerRole,
    PracticeTheme,
    PracticeSection,
    BudgetRange,
    Licence,
    Bundesland,
)


def label(value: Any, lang: str = "de") -> str:
    """The human label of a vocabulary member (German by default, English for ``"en"``).

    Plain strings that are not vocabulary members are returned unchanged, so templates can call
    ``label()`` on anything without guarding.
    """
    if isinstance(value, VocabEnum):
        return value.label(lang)
    return str(value)


def hashtag(value: Any) -> str:
    """The hashtag name (without ``#``) of a vocabulary member, or of any text (e.g. a city)."""
    if isinstance(value, VocabEnum):
        return value.tag
    return fold_hashtag(str(value))
