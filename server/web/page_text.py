"""Display helpers for the German (and English) HTML pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from mitwirken.federation.convert_facts import date_span, time_budget_text, when_dated
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import html_to_text, render_markdown
from mitwirken.models.values import Place
from mitwirken.models.vocab import ApplyChannel, OpportunityStatus, label
from mitwirken.server.web.i18n import number_text, translations


def number_de(n: int) -> str:
    """"1 000": German digit groups, joined by a no-break space."""
    return f"{n:,}".replace(",", "\u00a0")


def hits_de(total: int, exact: bool, lang: str = "de") -> str:
    """"23 Treffer", or "mehr als 1 000 Treffer" where the search stopped counting (`total`
    is then one more than it counted exactly); in English "23 results", "more than 1,000
    results"."""
    tr = translations(lang)
    shown = total if exact else total - 1
    num = number_de(shown) if lang == "de" else number_text(shown, lang)
    if exact:
        return tr.ngettext("%(num)s Treffer", "%(num)s Treffer", shown) % {"num": num}
    return tr.ngettext("mehr als %(num)s Treffer", "mehr als %(num)s Treffer",
                       shown) % {"num": num}


def date_de(dt: datetime, lang: str = "de") -> str:
    """"6. Dezember 2026" ("6 December 2026") — the same wording as in the federated posts."""
    return date_span(dt, dt, lang)


class ContactLine(NamedTuple):
    """One line of the contact box: a label, the text, and a link where there is one."""

    name: str
    value: str
    href: str | None = None


def tel_href(phone: str) -> str:
    """`tel:` link of a written phone number ("0421 / 12 34-5" → "tel:0421123445")."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def contact_lines(obj: Opportunity | Practice, lang: str = "de") -> list[ContactLine]:
    """The contact; for an opportunity also the application channels its editor chose
    (`apply_channels`): e-mail and phone are `mailto:`/`tel:` links."""
    _ = translations(lang).gettext
    c = obj.contact
    if c is None:
        return []
    channels = obj.apply_channels if isinstance(obj, Opportunity) else list(ApplyChannel)
    rows = [ContactLine(_("Kontakt"), c.name)] if c.name else []
    email = obj.application_email if isinstance(obj, Opportunity) else c.email
    phone = obj.application_phone if isinstance(obj, Opportunity) else c.phone
    if email and (ApplyChannel.EMAIL in channels or email == c.email):
        rows.append(ContactLine(_("E-Mail"), email, f"mailto:{email}"))
    if phone and (ApplyChannel.PHONE in channels or phone == c.phone):
        rows.append(ContactLine(_("Telefon"), phone, tel_href(phone)))
    if c.hours:
        rows.append(ContactLine(_("Erreichbar"), c.hours))
    if c.url:
        rows.append(ContactLine(_("Web"), c.url, c.url))
    return rows


def map_url(place: Place) -> str | None:
    """OpenStreetMap at the place's coordinates, or a search for its address (a link only:
    nothing of the map is loaded before the visitor follows it)."""
    if place.latitude is not None and place.longitude is not None:
        return (f"https://www.openstreetmap.org/?mlat={place.latitude}&mlon={place.longitude}"
                f"#map=17/{place.latitude}/{place.longitude}")
    address = ", ".join(x for x in (place.street, " ".join(
        y for y in (place.postal_code, place.locality) if y)) if x)
    return f"https://www.openstreetmap.org/search?query={quote(address)}" if address else None


def places(opp: Opportunity, lang: str = "de") -> list[ContactLine]:
    """Each place with its map link."""
    _ = translations(lang).gettext
    rows = []
    for place in opp.places:
        parts = [p for p in (place.name, place.street,
                             " ".join(x for x in (place.postal_code, place.locality) if x)) if p]
        rows.append(ContactLine(_("Ort"), ", ".join(parts), map_url(place)))
    return rows


def opportunity_facts(opp: Opportunity, lang: str = "de") -> list[ContactLine]:
    """What, when, where (with a map link), who: the facts box of the page."""
    tr = translations(lang)
    _ = tr.gettext
    facts = [ContactLine(_("Art"), label(opp.kind, lang))]
    if opp.start and opp.end:
        facts.append(ContactLine(_("Wann"), when_dated(opp.start, opp.end, lang)))
    if opp.schedule:
        facts.append(ContactLine(_("Zeit"), opp.schedule))
    budget = time_budget_text(opp, lang)
    if budget:
        facts.append(ContactLine(_("Zeitaufwand"), budget))
    facts += places(opp, lang)
    if opp.remote.value != "no":
        facts.append(ContactLine(_("Von zu Hause"), label(opp.remote, lang)))
    if opp.min_age is not None:
        facts.append(ContactLine(_("Mindestalter"), _("%(age)s Jahre") % {"age": opp.min_age}))
    for name, values in ((_("Geeignet für"), opp.suitable_for),
                         (_("Benötigt"), opp.required_documents),
                         (_("Wir bieten"), opp.offers)):
        if values:
            facts.append(ContactLine(name, ", ".join(label(v, lang) for v in values)))
    if opp.volunteers_needed is not None:
        needed = tr.ngettext("%(num)s Freiwillige", "%(num)s Freiwillige",
                             opp.volunteers_needed) % {"num": opp.volunteers_needed}
        if opp.places_left is not None:
            needed += " " + tr.ngettext("(noch %(num)s frei)", "(noch %(num)s frei)",
                                        opp.places_left) % {"num": opp.places_left}
        facts.append(ContactLine(_("Gesucht"), needed))
    facts.append(ContactLine(_("Antwort"), tr.ngettext(
        "innerhalb von %(num)s Werktag", "innerhalb von %(num)s Werktagen",
        opp.reply_time_days) % {"num": opp.reply_time_days}))
    return facts


def accepts_replies(opp: Opportunity) -> bool:
    """Whether the page invites an answer from the fediverse (the editor's channel choice)."""
    return ApplyChannel.FEDIVERSE_REPLY in opp.apply_channels


def is_over(opp: Opportunity) -> bool:
    """Closed or filled: the page says so and no longer invites anyone to apply."""
    return opp.status in (OpportunityStatus.CLOSED, OpportunityStatus.FILLED)


def tag_links(values: list[Any], lang: str = "de") -> list[tuple[str, str]]:
    """(label, hashtag) of vocabulary values, for links to their `/tags/` pages."""
    return [(label(v, lang), v.tag.lower()) for v in values]


def plain(markdown_text: str | None) -> str:
    """The text of a Markdown description without markup, on one line (meta descriptions)."""
    return " ".join(html_to_text(render_markdown(markdown_text or "")).split())


def markdown(text: str | None) -> str:
    return render_markdown(text or "")


def _number(value: float, lang: str) -> str:
    """12.0 → "12", 12.5 → "12,5" (German) or "12.5" (English)."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "de" else text


def practice_resources(practice: Practice, lang: str = "de") -> list[ContactLine]:
    """What the practice took (the "Aufwand" box): only what the editor filled in."""
    tr = translations(lang)
    _ = tr.gettext
    res = practice.resources
    rows = []
    if res.budget_range is not None:
        rows.append(ContactLine(_("Budget"), label(res.budget_range, lang)))
    if res.staff_hours_per_month is not None:
        rows.append(ContactLine(_("Personalstunden pro Monat"),
                                _number(res.staff_hours_per_month, lang)))
    if res.volunteers is not None:
        rows.append(ContactLine(_("Freiwillige"), str(res.volunteers)))
    months = res.time_to_implement_months
    if months is not None:
        rows.append(ContactLine(_("Umsetzungsdauer"), tr.ngettext(
            "%(num)s Monat", "%(num)s Monate", 1 if months == 1 else 2)
            % {"num": _number(months, lang)}))
    return rows
