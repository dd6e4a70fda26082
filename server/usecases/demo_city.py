"""The demo city Musterstadt, used by `make run` and `mitwirken demo`: organisations from all
five sectors, dated and ongoing opportunities, and practice posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store
from mitwirken.models import responses as response_repo
from mitwirken.models.accounts import AccountError
from mitwirken.models.store import Store, utcnow
from mitwirken.models.working_days import add_working_days
from mitwirken.server.config import Settings
from mitwirken.server.usecases.accounts import Accounts
from mitwirken.server.usecases.instance import make_actor
from mitwirken.server.usecases.publishing import ContentService

DEMO_ORGS = [
    dict(username="tafel", name="Tafel Musterstadt e.V.", sector="civil-society",
         summary="Wir retten Lebensmittel und geben sie an Menschen mit wenig Geld weiter.",
         website="https://tafel.musterstadt.example", phone="0123 45678-0",
         office_hours="Di und Do 10–13 Uhr"),
    dict(username="stadtbibliothek", name="Stadtbibliothek Musterstadt", sector="administration",
         summary="Lesen, Lernen, Treffen – die Bibliothek für alle.",
         website="https://bibliothek.musterstadt.example", email="lesen@musterstadt.example"),
    dict(username="hochschule", name="Hochschule Musterstadt – Service Learning",
         sector="science", summary="Studierende engagieren sich in Projekten der Stadt."),
    dict(username="stadtwerke", name="Stadtwerke Musterstadt", sector="business",
         summary="Corporate Volunteering: Teams der Stadtwerke packen mit an."),
]


# One web account of each role, with known passwords (a demo only: never on a real instance).
DEMO_USERS = [
    ("admin@musterstadt.example", "admin", [], "Demo-Admin-2026"),
    ("anlaufstelle@musterstadt.example", "staff", [], "Demo-Anlaufstelle-2026"),
    ("redaktion@tafel.musterstadt.example", "editor", ["tafel"], "Demo-Tafel-2026"),
]


def demo_logins(base_url: str) -> str:
    """What `make run` prints: where to log in, and as whom."""
    lines = [f"Anmelden: {base_url}/anmelden"]
    lines += [f"  {role:<6}  {email}  Passwort: {password}"
              for email, role, _, password in DEMO_USERS]
    return "\n".join(lines)


def _seed_users(store: Store) -> int:
    accounts = Accounts(store, utcnow)
    added = 0
    for email, role, orgs, password in DEMO_USERS:
        try:
            accounts.add(email, role, orgs, password)
            added += 1
        except AccountError:
            pass  # there already (a second `demo` changes nothing)
    return added


def _next_saturday(now: datetime) -> datetime:
    day = now.astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return day + timedelta(days=(5 - day.weekday()) % 7 + 7)


def demo_opportunities(base: str, now: datetime) -> list[tuple[str, dict]]:
    saturday = _next_saturday(now)
    return [
        ("stadtbibliothek", {
            "original_id": "demo-lesepaten",
            "title": "Lesepat:in für Grundschulkinder",
            "description": "Einmal pro Woche lesen Sie mit zwei oder drei Kindern in der "
                           "Kinderbibliothek. Sie brauchen keine Vorkenntnisse – nur Freude am "
                           "Vorlesen und etwas Geduld.\n\nWir begleiten Sie mit einer "
                           "Einführung und einem Austauschtreffen im Monat.",
            "kind": "regular", "cause_areas": ["bildung", "kinder-jugend"],
            "activity_types": ["lernhilfe-lesen"],
            "time_budget": {"hours": 2, "unit": "per-week"},
            "schedule": "Dienstag oder Donnerstag, 15–17 Uhr",
            "places": [{"name": "Stadtbibliothek", "street": "Marktplatz 3",
                        "postal_code": "12345", "locality": "Musterstadt",
                        "latitude": 51.5, "longitude": 7.46}],
            "min_age": 16, "suitable_for": ["seniors", "no-experience-needed"],
            "required_documents": ["erweitertes-fuehrungszeugnis"],
            "offers": ["insurance", "training", "certificate"],
            "contact": {"name": "Leseförderung", "email": "lesen@musterstadt.example",
                        "phone": "0123 45678-20", "hours": "Mo–Fr 10–12 Uhr"},
            "volunteers_needed": 6, "places_left": 4,
            "image": {"url": f"{base}/static/demo.png",
                      "alt_text": "Ein Kind und eine ältere Frau lesen gemeinsam ein Buch."},
        }),
        ("tafel", {
            "original_id": "demo-ausgabe",
            "title": "Helfende Hände bei der Lebensmittelausgabe",
            "description": "Sortieren, Ausgeben, Gespräche führen: Bei der Ausgabe zählt "
                           "jede Hand. Auch ohne Deutschkenntnisse möglich.",
            "kind": "shifts", "cause_areas": ["armut-soziales", "nachbarschaft"],
            "activity_types": ["kochen-lebensmittel"],
            "schedule": "Di und Do, 10–13 Uhr – Sie wählen Ihre Schichten selbst",
            "places": [{"name": "Tafel-Laden", "street": "Bahnhofstraße 12",
                        "postal_code": "12345", "locality": "Musterstadt"}],
            "suitable_for": ["no-german-needed", "groups", "newcomers"],
            "offers": ["insurance", "expense-reimbursement", "ehrenamtskarte"],
            "contact": {"email": "mitmachen@tafel.musterstadt.example",
                        "phone": "0123 45678-0"},
        }),
        ("stadtwerke", {
            "original_id": "demo-pflanzaktion",
            "title": "Pflanzaktion im Stadtpark",
            "description": "Gemeinsam pflanzen wir 200 Bäume im Stadtpark. Werkzeug, "
                           "Handschuhe und Verpflegung sind da – bring gute Laune mit!",
            "kind": "one-off", "cause_areas": ["umwelt"], "activity_types": ["handwerk-garten"],
            "start": saturday.isoformat(), "end": (saturday + timedelta(hours=5)).isoformat(),
            "places": [{"name": "Stadtpark, Eingang Nord", "locality": "Musterstadt",
                        "postal_code": "12345"}],
            "suitable_for": ["families", "corporate-teams"], "min_age": 8,
            "contact": {"name": "Nachhaltigkeitsteam", "email": "gruen@stadtwerke.example"},
            "volunteers_needed": 40, "places_left": 25,
        }),
        ("hochschule", {
            "original_id": "demo-digitalpaten",
            "title": "Digitalpat:in für Seniorinnen und Senioren",
            "description": "Hilf älteren Menschen beim Umgang mit Smartphone und Tablet – "
                           "vor Ort oder per Videoanruf.",
            "kind": "flexible", "cause_areas": ["senioren"], "activity_types": ["digitales"],
            "time_budget": {"hours": 4, "unit": "per-month"}, "remote": "possible",
            "suitable_for": ["youth"],
            "contact": {"email": "servicelearning@hochschule.example"},
        }),
    ]


def demo_practices(base: str) -> list[tuple[str, dict]]:
    return [
        ("", {  # "" = the city actor
            "title": "Engagement-Lotsen im Stadtteilbüro",
            "summary": "Musterstadt hat in drei Stadtteilbüros Engagement-Lotsen eingesetzt: "
                       "Ehrenamtliche beraten Interessierte vor Ort und vermitteln in passende "
                       "Angebote. Ergebnis nach einem Jahr: 140 Vermittlungen, getragen von "
                       "Verwaltung, Wohlfahrtsverbänden und Wohnungsbaugesellschaft.",
            "sections": {
                "ausgangslage": "Viele Menschen wollten helfen, fanden aber nicht den Weg "
                                "zu den Organisationen.",
                "ansatz": "Geschulte Ehrenamtliche beraten **wöchentlich** im Stadtteilbüro.",
                "ergebnisse": "140 Vermittlungen im ersten Jahr, 12 aktive Lotsen.",
                "uebertragbarkeit": "Gut übertragbar, wo es Stadtteilbüros oder "
                                    "Quartiersmanagement gibt.",
            },
            "partners": [
                {"name": "Stadt Musterstadt – Sozialamt", "sector": "administration",
                 "role": "lead"},
                {"name": "Wohnungsbau Musterstadt eG", "sector": "business", "role": "funder"},
            ],
            "sectors_involved": ["administration", "civil-society", "business"],
            "themes": ["anlaufstelle", "engagementstrategie"], "status": "running",
            "resources": {"budget_range": "1000-10000", "staff_hours_per_month": 20,
                          "volunteers": 12, "time_to_implement_months": 6},
            "contact": {"name": "Anlaufstelle Engagement",
                        "email": "engagement@musterstadt.example"},
            "city": "Musterstadt", "region": "NRW",
        }),
        ("hochschule", {
            "title": "Service Learning: Studierende als Projektpartner",
            "summary": "Studierende der Hochschule bearbeiten in Lehrveranstaltungen echte "
                       "Aufgaben gemeinnütziger Organisationen – von der Website bis zur "
                       "Bedarfsanalyse. Ergebnis: 25 Projekte pro Jahr, Wissenschaft und "
                       "Zivilgesellschaft lernen voneinander.",
            "sections": {"ansatz": "Jedes Semester bringen Organisationen Fragen ein.",
                         "stolpersteine": "Semesterrhythmus und Vereinsalltag passen nicht "
                                          "immer zusammen."},
            "sectors_involved": ["science", "civil-society"],
            "themes": ["hochschulkooperation"], "status": "running",
            "city": "Musterstadt",
        }),
    ]


# Fictional volunteers who wrote to the Tafel (days ago, and after how many days it answered;
# None: still open), so the demo shows the responses inbox and the answer statistics.
DEMO_RESPONSES = [
    ("Mara", "mara", 2, None, "Ich hätte dienstags Zeit. Kann ich einfach vorbeikommen?"),
    ("Jonas", "jonas", 8, 1, "Ich möchte gern bei der Ausgabe helfen."),
    ("Selin", "selin", 15, 2, "Ich spreche Türkisch und Deutsch – brauchen Sie das?"),
    ("Peter", "peter", 22, 0, "Als Rentner habe ich vormittags Zeit."),
    ("Aylin", "aylin", 29, 9, "Gibt es auch Schichten am Samstag?"),
    ("Tom", "tom", 36, 3, "Ich würde gern mit meiner Klasse helfen."),
]


def _seed_responses(store: Store, urls: Urls, now: datetime) -> int:
    """Six expressions of interest for the Tafel's opportunity (once: not when it has any)."""
    opp = content_store.by_original_id(store, "tafel", "demo-ausgabe")
    if opp is None or opp.id is None or response_repo.list_responses(
            store, organisation="tafel", limit=1):
        return 0
    for name, user, days_ago, answered_after, text in DEMO_RESPONSES:
        actor = f"https://mastodon.example/users/{user}"
        received = now - timedelta(days=days_ago)
        rid = response_repo.create(
            store, organisation="tafel", object_id=urls.opportunity(opp.id),
            visibility="direct", sender_id=actor, sender_name=name,
            sender_handle=f"@{user}@mastodon.example", sender_inbox=f"{actor}/inbox",
            promise_days=opp.reply_time_days, received=received,
            due=add_working_days(received, opp.reply_time_days))
        response_repo.add_message(store, rid, direction="in", at=received,
                                  note_id=f"{actor}/statuses/{days_ago}", author=actor,
                                  content=f"<p>{text}</p>")
        if answered_after is not None:
            answered = add_working_days(received, answered_after) if answered_after else \
                received + timedelta(hours=3)
            response_repo.add_message(store, rid, direction="out", at=answered,
                                      author=urls.actor("tafel"),
                                      content="<p>Danke! Kommen Sie gern vorbei.</p>")
            response_repo.mark_answered(store, rid, answered)
    return len(DEMO_RESPONSES)


def seed_demo(store: Store, settings: Settings) -> str:
    """Create the demo organisations and content; running it again changes nothing."""
    created = []
    for org in DEMO_ORGS:
        if actor_repo.get_actor(store, org["username"]) is None:
            fields = {k: v for k, v in org.items() if k not in ("username", "name")}
            actor_repo.create_actor(store, make_actor(org["username"], "org", org["name"],
                                                      **fields))
            created.append(org["username"])
    service = ContentService(store, Urls(settings.base_url), utcnow)
    new_opps = 0
    for username, data in demo_opportunities(settings.base_url, utcnow()):
        if content_store.by_original_id(store, username, data["original_id"]) is None:
            service.create("opportunities", username, data)
            new_opps += 1
    new_practices = 0
    if content_store.count(store, "practices") == 0:
        for username, data in demo_practices(settings.base_url):
            username = username or settings.city_username
            if actor_repo.get_actor(store, username) is not None:
                service.create("practices", username, data)
                new_practices += 1
    users = _seed_users(store)
    answers = _seed_responses(store, Urls(settings.base_url), utcnow())
    return (f"Demo: {len(created)} Organisationen, {new_opps} Angebote, "
            f"{new_practices} Praxisbeispiele, {answers} Rückmeldungen, {users} Konten "
            "angelegt.\n"
            + demo_logins(settings.base_url))
