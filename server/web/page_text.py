"""Display helpers for the German (and English) HTML pages."""

from __future__ import annotations

from datetime import datetime

from mitwirken.federation.convert_facts import date_span, time_budget_text, when_dated
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import render_markdown
from mitwirken.models.vocab import label


def date_de(dt: datetime) -> str:
    """"6. Dezember 2026" — the same wording as in the federated posts."""
    return date_span(dt, dt)


def opportunity_facts(opp: Opportunity) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = [("Art", label(opp.kind))]
    if opp.start and opp.end:
        facts.append(("Wann", when_dated(opp.start, opp.end)))
    if opp.schedule:
        facts.append(("Zeit", opp.schedule))
    budget = time_budget_text(opp)
    if budget:
        facts.append(("Zeitaufwand", budget))
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
