"""Display helpers for the German (and English) HTML pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from models.content import Opportunity, Practice
from models.markdown import render_markdown
from models.vocab import label

BERLIN = ZoneInfo("Europe/Berlin")
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
UNITS = {"per-week": "pro Woche", "per-month": "pro Monat", "total": "insgesamt"}
STATUS = {"open": "Offen", "paused": "Pausiert", "filled": "Besetzt", "closed": "Beendet"}


def date_de(dt: datetime, with_time: bool = True) -> str:
    local = dt.astimezone(BERLIN)
    text = f"{local.day}. {MONTHS[local.month - 1]} {local.year}"
    return f"{text}, {local:%H:%M} Uhr" if with_time else text


def hours_de(value: float) -> str:
    return (f"{value:g}").replace(".", ",")


def opportunity_facts(opp: Opportunity) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = [("Art", label(opp.kind))]
    if opp.start and opp.end:
        facts.append(("Wann", f"{date_de(opp.start)} bis {date_de(opp.end)}"))
    if opp.schedule:
        facts.append(("Zeit", opp.schedule))
    if opp.time_budget:
        facts.append(("Zeitaufwand", f"ca. {hours_de(opp.time_budget.hours)} Std. "
                                     f"{UNITS.get(opp.time_budget.unit.value, '')}"))
    for place in opp.places:
        parts = [p for p in (place.name, place.street,
                             " ".join(x for x in (place.postal_code, place.locality) if x)) if p]
        facts.append(("Ort", ", ".join(parts)))
    if opp.remote.value != "no":
        facts.append(("Von zu Hause", label(opp.remote)))
    if opp.min_age is not None:
        facts.append(("Mindestalter", f"{opp.min_age} Jahre"))
    if opp.suitable_for:
        facts.append(("Geeignet für", ", ".join(label(v) for v in opp.suitable_for)))
    if opp.required_documents:
        facts.append(("Benötigt", ", ".join(label(v) for v in opp.required_documents)))
    if opp.offers:
        facts.append(("Wir bieten", ", ".join(label(v) for v in opp.offers)))
    if opp.volunteers_needed is not None:
        left = f" (noch {opp.places_left} frei)" if opp.places_left is not None else ""
        facts.append(("Gesucht", f"{opp.volunteers_needed} Freiwillige{left}"))
    facts.append(("Antwort", f"innerhalb von {opp.reply_time_days} Werktagen"))
    return facts


def contact_lines(opp: Opportunity | Practice) -> list[tuple[str, str]]:
    c = opp.contact
    if c is None:
        return []
    rows = [("Kontakt", c.name)] if c.name else []
    rows += [(k, v) for k, v in (("E-Mail", c.email), ("Telefon", c.phone),
                                 ("Erreichbar", c.hours), ("Web", c.url)) if v]
    return rows


def markdown(text: str | None) -> str:
    return render_markdown(text or "")
