"""Vocabularies of volunteer opportunities (domain.md §6)."""

from __future__ import annotations

from mitwirken.models.vocab_base import VocabEnum


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
    NEWCOMERS = "newcomers", "Neuzugezogene", "Newcomers"
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
