"""The fixed example objects behind the golden files (fixed ids, timestamps and base URL).

One opportunity of each kind with (nearly) every optional field set, and one practice. Changing
anything here changes a golden file: regenerate on purpose (see README.md in this folder).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mitwirken.federation.urls import Urls
from mitwirken.models.actors import LocalActor
from mitwirken.models.content import Opportunity, Practice

BASE = "https://engagiert.musterstadt.de"
URLS = Urls(BASE)
CITY_USERNAME = "musterstadt"
CITY_NAME = "Musterstadt"
CET = timezone(timedelta(hours=1))  # winter time in Germany
CEST = timezone(timedelta(hours=2))  # summer time
CREATED = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def actor(username: str, name: str, kind: str = "org", **extra: object) -> LocalActor:
    return LocalActor(username=username, kind=kind, name=name, public_key_pem="(test)",
                      private_key_pem="(test)", created_at=CREATED, updated_at=CREATED, **extra)


ACTORS = {
    "tafel": actor("tafel", "Tafel Musterstadt e.V.", website="https://tafel-musterstadt.de"),
    "buergerstiftung": actor("buergerstiftung", "Bürgerstiftung Musterstadt"),
    "gs_nord": actor("gs_nord", "Förderverein Grundschule Nord e.V."),
    "integrationsrat": actor("integrationsrat", "Integrationsrat Musterstadt"),
    "musterstadt": actor("musterstadt", "Engagierte Stadt Musterstadt", kind="city",
                         website="https://www.musterstadt.de/ehrenamt"),
}

ONE_OFF = Opportunity.model_validate({
    "id": "t4f3lw31hn4c",
    "org_username": "tafel",
    "mediated_by_city": True,
    "title": "Helfer:innen für die Weihnachtsaktion der Tafel",
    "description": (
        "Am Samstag vor dem zweiten Advent packen wir **Weihnachtstüten** für 400 Haushalte "
        "und geben sie in der Ausgabestelle Nord aus.\n\n"
        "## Ihre Aufgaben\n\n"
        "- Tüten packen und ausgeben\n- Kaffee und Kuchen für die Wartenden\n\n"
        "Fragen vorab gern an [unser Büro](mailto:ehrenamt@tafel-musterstadt.de) oder auf "
        "[unserer Website](https://tafel-musterstadt.de/weihnachten)."
    ),
    "kind": "one-off",
    "cause_areas": ["armut-soziales", "nachbarschaft"],
    "activity_types": ["kochen-lebensmittel", "veranstaltungen"],
    "time_budget": {"hours": 4, "unit": "total"},
    "schedule": "Aufbau ab 9:30 Uhr",
    "start": datetime(2026, 12, 5, 10, 0, tzinfo=CET),
    "end": datetime(2026, 12, 5, 14, 0, tzinfo=CET),
    "places": [{
        "name": "Tafel-Ausgabestelle Nord", "street": "Lindenstraße 12",
        "postal_code": "12345", "locality": "Musterstadt", "region": "DE-NW",
        "latitude": 51.5136, "longitude": 7.4653,
    }],
    "remote": "no",
    "min_age": 16,
    "suitable_for": ["families", "groups", "no-german-needed"],
    "required_documents": ["ifsg-belehrung"],
    "offers": ["insurance", "team-events"],
    "contact": {
        "name": "Ehrenamtskoordination", "email": "ehrenamt@tafel-musterstadt.de",
        "phone": "0221 123456", "hours": "Mo–Do 9–12 Uhr",
        "url": "https://tafel-musterstadt.de/mitmachen",
    },
    "apply_channels": ["fediverse-reply", "email", "phone", "url", "anlaufstelle"],
    "apply_url": "https://tafel-musterstadt.de/mitmachen/weihnachten",
    "apply_email": "weihnachten@tafel-musterstadt.de",
    "apply_phone": "0221 123457",
    "reply_time_days": 3,
    "volunteers_needed": 12,
    "places_left": 5,
    "image": {
        "url": f"{BASE}/media/tafel-weihnachten.jpg",
        "alt_text": "Ehrenamtliche packen an einem langen Tisch Tüten mit Lebensmitteln.",
        "media_type": "image/jpeg",
    },
    "languages": ["de", "en", "ar"],
    "title_en": "Volunteers for the Tafel Christmas campaign",
    "description_en": (
        "On the Saturday before the second Sunday of Advent we pack **Christmas bags** for "
        "400 households and hand them out at our Nord branch."
    ),
    "status": "open",
    "last_confirmed": datetime(2026, 11, 10, 16, 30, tzinfo=UTC),
    "published": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    "updated": datetime(2026, 11, 10, 16, 30, tzinfo=UTC),
    "original_id": "freinet:4711",
})

SHIFTS = Opportunity.model_validate({
    "id": "w4rm3c4f3sch",
    "org_username": "buergerstiftung",
    "title": "Schichten im Wärmecafé",
    "description": (
        "Im Wärmecafé finden Menschen im Winter einen warmen Platz, ein Heißgetränk und ein "
        "offenes Ohr. Sie übernehmen eine oder mehrere Schichten – allein oder zu zweit.\n\n"
        "Vor der ersten Schicht gibt es eine kurze Einweisung."
    ),
    "kind": "shifts",
    "cause_areas": ["armut-soziales", "senioren"],
    "activity_types": ["begleiten-besuchen"],
    "time_budget": {"hours": 3, "unit": "per-week"},
    "schedule": "Mo–Fr 15–18 Uhr\nSa 10–13 Uhr",
    "start": datetime(2026, 12, 1, 15, 0, tzinfo=CET),
    "end": datetime(2026, 12, 23, 18, 0, tzinfo=CET),
    "places": [
        {"name": "Stadtteilzentrum Süd", "street": "Am Markt 4", "postal_code": "12347",
         "locality": "Musterstadt"},
        {"name": "Gemeindehaus St. Marien", "street": "Kirchplatz 1", "postal_code": "12345",
         "locality": "Musterstadt", "latitude": 51.5101, "longitude": 7.4589},
    ],
    "remote": "no",
    "min_age": 18,
    "suitable_for": ["seniors", "no-experience-needed"],
    "required_documents": ["fuehrungszeugnis"],
    "offers": ["insurance", "expense-reimbursement", "training"],
    "contact": {"name": "Freiwilligenbüro der Bürgerstiftung",
                "email": "freiwillig@buergerstiftung-musterstadt.de"},
    "apply_channels": ["fediverse-reply", "email", "url"],
    "apply_url": "https://buergerstiftung-musterstadt.de/waermecafe",
    "apply_email": "schichten@buergerstiftung-musterstadt.de",
    "apply_phone": "0221 777888",  # set, but phone is not a chosen channel: not shown
    "reply_time_days": 5,
    "volunteers_needed": 20,
    "places_left": 4,
    "image": {
        "url": f"{BASE}/media/waermecafe.jpg",
        "alt_text": "Zwei Frauen unterhalten sich an einem Tisch mit Teetassen.",
        "media_type": "image/jpeg",
    },
    "languages": ["de"],
    "title_en": "Shifts at the warming café",
    "description_en": "Give people a warm place, a hot drink and a listening ear this winter.",
    "status": "paused",
    "last_confirmed": datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
    "published": datetime(2026, 10, 20, 7, 45, tzinfo=UTC),
    "updated": datetime(2026, 11, 15, 10, 0, tzinfo=UTC),
    "original_id": "buergerstiftung-2026-17",
})

REGULAR = Opportunity.model_validate({
    "id": "l3s3p4t3nrd2",
    "org_username": "gs_nord",
    "title": "Lesepat:in an der Grundschule Nord",
    "description": (
        "Einmal pro Woche lesen Sie mit Kindern der **2. Klasse** – in kleinen Gruppen oder "
        "eins zu eins. Viele Kinder sprechen zu Hause kein Deutsch; mit Ihnen üben sie in Ruhe.\n\n"
        "Sie brauchen keine pädagogische Ausbildung, nur Geduld und Freude am Lesen."
    ),
    "kind": "regular",
    "cause_areas": ["bildung", "kinder-jugend"],
    "activity_types": ["lernhilfe-lesen"],
    "time_budget": {"hours": 1.5, "unit": "per-week"},
    "schedule": "Di oder Do, zwischen 8 und 12 Uhr",
    "start": datetime(2027, 2, 1, 8, 0, tzinfo=CET),
    "end": datetime(2027, 7, 16, 12, 0, tzinfo=CEST),
    "places": [{"name": "Grundschule Nord", "street": "Schulweg 1", "postal_code": "12349",
                "locality": "Musterstadt", "region": "DE-NW",
                "latitude": 51.5302, "longitude": 7.4711}],
    "remote": "no",
    "min_age": 18,
    "suitable_for": ["seniors", "newcomers", "no-experience-needed"],
    "required_documents": ["erweitertes-fuehrungszeugnis", "masernschutz"],
    "offers": ["insurance", "training", "certificate", "ehrenamtskarte"],
    "contact": {"name": "Förderverein Grundschule Nord", "email": "lesen@gs-nord.de",
                "phone": "+49 231 987654", "hours": "Di und Do 8–12 Uhr"},
    "apply_channels": ["fediverse-reply", "email", "anlaufstelle"],
    "apply_url": "https://gs-nord.de/lesepaten",
    "apply_email": "lesen@gs-nord.de",  # same as the contact: shown once
    "apply_phone": "+49 231 987654",
    "reply_time_days": 5,
    "volunteers_needed": 6,
    "places_left": 2,
    "image": {"url": f"{BASE}/media/lesepaten.jpg",
              "alt_text": "Ein älterer Mann liest zwei Kindern aus einem Bilderbuch vor.",
              "media_type": "image/jpeg"},
    "languages": ["de"],
    "title_en": "Reading mentor at Nord primary school",
    "description_en": "Read with year-2 children once a week.",
    "status": "open",
    "last_confirmed": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    "published": datetime(2026, 9, 1, 6, 0, tzinfo=UTC),
    "updated": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    "original_id": "fwa-musterstadt:lesen-2027",
})

FLEXIBLE = Opportunity.model_validate({
    "id": "0nl1n3ub3rs7",
    "org_username": "integrationsrat",
    "title": "Infoblätter übersetzen – von zu Hause aus",
    "description": (
        "Wir übersetzen kurze Infoblätter der Stadt (Anmeldung, Kita, Schule) in die "
        "Sprachen unserer neuen Nachbar:innen. Sie bekommen einen Text von etwa einer Seite "
        "und geben die Übersetzung ab, wann es Ihnen passt."
    ),
    "kind": "flexible",
    "cause_areas": ["integration"],
    "activity_types": ["uebersetzen-schreiben", "digitales"],
    "time_budget": {"hours": 10, "unit": "total"},
    "schedule": "Wann es Ihnen passt – Abgabe nach Absprache",
    "start": datetime(2026, 11, 1, 0, 0, tzinfo=CET),
    "end": datetime(2027, 3, 31, 23, 59, tzinfo=CEST),
    "remote": "full",
    "min_age": 16,
    "suitable_for": ["people-with-disabilities", "newcomers"],
    "required_documents": ["sonstiges"],
    "offers": ["certificate"],
    "contact": {"name": "Geschäftsstelle Integrationsrat",
                "email": "integrationsrat@musterstadt.de",
                "url": "https://www.musterstadt.de/integrationsrat"},
    "apply_channels": ["fediverse-reply", "email", "url"],
    "apply_url": "https://www.musterstadt.de/integrationsrat/uebersetzen",
    "apply_email": "uebersetzen@musterstadt.de",
    "apply_phone": "0221 555111",
    "reply_time_days": 1,
    "volunteers_needed": 1,
    "places_left": 1,
    "image": {"url": f"{BASE}/media/infoblaetter.png",
              "alt_text": "Stapel mehrsprachiger Informationsblätter auf einem Schreibtisch.",
              "media_type": "image/png"},
    "languages": ["de", "uk", "ar", "tr"],
    "title_en": "Translate information leaflets – from home",
    "description_en": "Translate one-page leaflets of the city into the languages of newcomers.",
    "status": "open",
    "last_confirmed": datetime(2026, 11, 5, 14, 0, tzinfo=UTC),
    "published": datetime(2026, 11, 5, 14, 0, tzinfo=UTC),
    "updated": datetime(2026, 11, 6, 8, 15, tzinfo=UTC),
    "original_id": "ir-2026-uebersetzen",
})

OPPORTUNITIES = {"one-off": ONE_OFF, "shifts": SHIFTS, "regular": REGULAR,
                 "flexible": FLEXIBLE}

PRACTICE = Practice.model_validate({
    "id": "3hr3n4mtsb0r",
    "org_username": "musterstadt",
    "title": "Ehrenamtsbörse im Rathausfoyer",
    "summary": (
        "Vereine fanden kaum noch Nachwuchs, Interessierte wussten nicht, wo sie anfangen "
        "sollten. Seit 2024 stellen sich zweimal im Jahr 40 Vereine im Rathausfoyer vor; die "
        "Freiwilligenagentur vermittelt vor Ort.\n\n"
        "Ergebnis: 180 neue Engagierte im ersten Jahr. Musterstadt, gemeinsam mit Verwaltung, "
        "Sparkasse und Vereinen."
    ),
    "sections": {
        "ausgangslage": "Viele Vereine in Musterstadt suchten **vergeblich** Nachwuchs.",
        "ansatz": "Eine Börse an einem Ort, den alle kennen: das Rathaus.",
        "umsetzung": (
            "1. Termin mit dem Bürgermeister festlegen\n2. Vereine einladen\n"
            "3. Stände und Plakate\n\nMehr im [Leitfaden](https://engagiert.musterstadt.de/"
            "media/leitfaden-boerse.pdf)."
        ),
        "ergebnisse": "180 neue Engagierte, 35 Vereine mit neuen Mitgliedern.",
        "stolpersteine": "Ohne feste Ansprechperson im Rathaus verzögert sich alles.",
        "uebertragbarkeit": (
            "Funktioniert in jeder Stadt mit einem zentralen öffentlichen Gebäude. "
            "Fragen? [Schreib uns](mailto:ehrenamt@musterstadt.de)."
        ),
    },
    "partners": [
        {"name": "Engagierte Stadt Musterstadt", "sector": "administration", "role": "lead",
         "actor_iri": f"{BASE}/actors/musterstadt"},
        {"name": "Tafel Musterstadt e.V.", "sector": "civil-society", "role": "partner",
         "actor_iri": f"{BASE}/actors/tafel"},
        {"name": "Sparkasse Musterstadt", "sector": "business", "role": "funder",
         "actor_iri": "https://social.sparkasse.example/users/musterstadt"},
        {"name": "Hochschule Musterstadt", "sector": "science", "role": "partner"},
    ],
    "sectors_involved": ["civil-society", "administration", "business", "science"],
    "themes": ["anlaufstelle", "nachwuchs-jugend", "anerkennungskultur"],
    "status": "running",
    "resources": {"budget_range": "1000-10000", "staff_hours_per_month": 12.5,
                  "volunteers": 25, "time_to_implement_months": 4},
    "licence": "CC-BY-SA-4.0",
    "contact": {"name": "Freiwilligenagentur Musterstadt", "email": "ehrenamt@musterstadt.de",
                "phone": "0221 555000", "hours": "Mo–Fr 9–13 Uhr"},
    "adapted_from": "https://engagiert.beispielstadt.de/praxis/k3x9m2p4q7rt",
    "attachments": [
        {"url": f"{BASE}/media/leitfaden-boerse.pdf", "name": "Leitfaden Ehrenamtsbörse",
         "media_type": "application/pdf"},
        {"url": f"{BASE}/media/einladung-vereine.docx", "name": "Einladungsschreiben (Vorlage)",
         "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ],
    "city": "Musterstadt",
    "region": "DE-NW",
    "languages": ["de"],
    "published": datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
    "updated": datetime(2026, 6, 3, 12, 0, tzinfo=UTC),
})
PRACTICE_PARTNER_ACTOR_IDS = [
    f"{BASE}/actors/musterstadt",
    f"{BASE}/actors/tafel",
    "https://social.sparkasse.example/users/musterstadt",  # remote: never in attributedTo
]


def golden_documents() -> dict[str, dict]:
    """Golden file stem → the document our converters build from the examples."""
    from mitwirken.federation.convert import opportunity_to_note, practice_to_article

    docs = {
        f"opportunity-{kind}": opportunity_to_note(
            opp, URLS, org=ACTORS[opp.org_username], city_username=CITY_USERNAME,
            city_name=CITY_NAME,
        )
        for kind, opp in OPPORTUNITIES.items()
    }
    docs["practice"] = practice_to_article(
        PRACTICE, URLS, actor=ACTORS["musterstadt"], partner_actor_ids=PRACTICE_PARTNER_ACTOR_IDS
    )
    return docs
