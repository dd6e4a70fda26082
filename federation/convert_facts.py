"""The short lines a volunteer scans on Mastodon: what, when / how much time, where, who, what
the organisation offers, how to get in touch — in German (and English for ``contentMap.en``).

Why it lives apart from the wire mapping: this is wording, and wording changes for other reasons
than the JSON shape. Dates are shown in German local time (Europe/Berlin), the way a volunteer in
a German city reads them: "Sa., 6. Dezember 2026, 10:00–14:00 Uhr".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from mitwirken.federation.convert_common import contact_line, esc, link, place_label
from mitwirken.models.content import Opportunity
from mitwirken.models.vocab import ApplyChannel, OpportunityKind, OpportunityStatus, Remote

__all__ = ["BERLIN", "PHRASES", "contact_lines", "fact_lines", "status_line", "when_dated"]

BERLIN = ZoneInfo("Europe/Berlin")

PHRASES: dict[str, dict[str, str]] = {
    "de": {
        "weekdays": "Mo.,Di.,Mi.,Do.,Fr.,Sa.,So.",
        "months": "Januar,Februar,März,April,Mai,Juni,Juli,August,September,Oktober,November,"
        "Dezember",
        "day": "{weekday}, {day}. {month} {year}",
        "day_no_year": "{weekday}, {day}. {month}",
        "date": "{day}. {month} {year}",
        "date_no_year": "{day}. {month}",
        "same_day": "{day}, {t1}–{t2} Uhr",
        "two_days": "{d1}, {t1} Uhr – {d2}, {t2} Uhr",
        "span_same_month": "{d1}.–{d2}. {month} {year}",
        "from": "ab {date}",
        "until": "bis {date}",
        "hours": "ca. {hours} Std. {unit}",
        "shifts_dated": "Schichten: {span}",
        "remote_possible": "auch von zu Hause möglich",
        "remote_full": "online, von zu Hause aus",
        "more_places": "und {n} weitere Orte",
        "min_age": "Ab {n} Jahren",
        "languages": "Sprachen: {list}",
        "wanted_one": "1 Person gesucht",
        "wanted": "{n} Freiwillige gesucht",
        "left_none": "alle Plätze vergeben",
        "left_one": "noch 1 Platz frei",
        "left": "noch {n} Plätze frei",
        "offers": "Das bieten wir: {list}",
        "document": "{list} nötig",
        "documents": "Nötig: {list}",
        "paused": "⏸ Pausiert – zurzeit keine neuen Anmeldungen",
        "filled": "✅ Besetzt – alle Plätze sind vergeben",
        "closed": "⏹ Beendet",
        "more": "Mehr erfahren",
        "contact": "Kontakt: {line}",
        "tel": "Tel.",
        "reply": "Antworten Sie einfach auf diesen Beitrag – gern auch als private Erwähnung.",
        "apply_email": "Bewerbung per E-Mail: {value}",
        "apply_phone": "Anmeldung per Telefon: {value}",
        "apply_url": "Anmeldung: {value}",
        "anlaufstelle": "Auch über die Anlaufstelle (Freiwilligenagentur) möglich.",
        "mediated": "Die Anlaufstelle der Stadt vermittelt den ersten Kontakt.",
        "reply_time_one": "Antwort innerhalb eines Werktags",
        "reply_time": "Antwort innerhalb von {n} Werktagen",
    },
    "en": {
        "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
        "months": "January,February,March,April,May,June,July,August,September,October,"
        "November,December",
        "day": "{weekday} {day} {month} {year}",
        "day_no_year": "{weekday} {day} {month}",
        "date": "{day} {month} {year}",
        "date_no_year": "{day} {month}",
        "same_day": "{day}, {t1}–{t2}",
        "two_days": "{d1}, {t1} – {d2}, {t2}",
        "span_same_month": "{d1}–{d2} {month} {year}",
        "from": "from {date}",
        "until": "until {date}",
        "hours": "about {hours} hrs {unit}",
        "shifts_dated": "Shifts: {span}",
        "remote_possible": "also possible from home",
        "remote_full": "online, from home",
        "more_places": "and {n} more places",
        "min_age": "Aged {n}+",
        "languages": "Languages: {list}",
        "wanted_one": "1 volunteer wanted",
        "wanted": "{n} volunteers wanted",
        "left_none": "no places left",
        "left_one": "1 place left",
        "left": "{n} places left",
        "offers": "We offer: {list}",
        "document": "{list} required",
        "documents": "Required: {list}",
        "paused": "⏸ Paused – not taking new volunteers right now",
        "filled": "✅ Filled – all places are taken",
        "closed": "⏹ Closed",
        "more": "Learn more",
        "contact": "Contact: {line}",
        "tel": "Phone",
        "reply": "Just reply to this post – a private mention is fine too.",
        "apply_email": "Apply by e-mail: {value}",
        "apply_phone": "Sign up by phone: {value}",
        "apply_url": "Sign up: {value}",
        "anlaufstelle": "Also possible via the volunteer centre (Freiwilligenagentur).",
        "mediated": "The city's volunteer centre arranges the first contact.",
        "reply_time_one": "Reply within 1 working day",
        "reply_time": "Reply within {n} working days",
    },
}

_LANGUAGE_NAMES = {
    "de": ("Deutsch", "German"), "en": ("Englisch", "English"), "tr": ("Türkisch", "Turkish"),
    "ar": ("Arabisch", "Arabic"), "uk": ("Ukrainisch", "Ukrainian"), "ru": ("Russisch", "Russian"),
    "fr": ("Französisch", "French"), "es": ("Spanisch", "Spanish"),
    "it": ("Italienisch", "Italian"), "pl": ("Polnisch", "Polish"), "fa": ("Persisch", "Persian"),
    "ro": ("Rumänisch", "Romanian"), "gsg": ("Deutsche Gebärdensprache", "German Sign Language"),
}


def _p(lang: str) -> dict[str, str]:
    return PHRASES["en" if lang.startswith("en") else "de"]


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text if lang.startswith("en") else text.replace(".", ",")


def _parts(dt: datetime, lang: str) -> dict[str, object]:
    local = dt.astimezone(BERLIN)
    p = _p(lang)
    return {
        "weekday": p["weekdays"].split(",")[local.weekday()],
        "day": local.day,
        "month": p["months"].split(",")[local.month - 1],
        "year": local.year,
        "time": f"{local:%H:%M}",
        "date": local.date(),
    }


def when_dated(start: datetime, end: datetime, lang: str = "de") -> str:
    """"Sa., 6. Dezember 2026, 10:00–14:00 Uhr" or, across days,
    "Sa., 6. Dezember 2026, 10:00 Uhr – So., 7. Dezember 2026, 16:00 Uhr"."""
    p, a, b = _p(lang), _parts(start, lang), _parts(end, lang)
    if a["date"] == b["date"]:
        return p["same_day"].format(day=p["day"].format(**a), t1=a["time"], t2=b["time"])
    first = p["day"] if a["year"] != b["year"] else p["day_no_year"]
    return p["two_days"].format(
        d1=first.format(**a), t1=a["time"], d2=p["day"].format(**b), t2=b["time"]
    )


def date_span(start: datetime, end: datetime, lang: str = "de") -> str:
    """"1.–14. Dezember 2026", "28. November – 14. Dezember 2026" (dates only)."""
    p, a, b = _p(lang), _parts(start, lang), _parts(end, lang)
    if a["date"] == b["date"]:
        return p["date"].format(**a)
    if (a["year"], a["month"]) == (b["year"], b["month"]):
        return p["span_same_month"].format(
            d1=a["day"], d2=b["day"], month=a["month"], year=a["year"]
        )
    first = p["date"] if a["year"] != b["year"] else p["date_no_year"]
    return f"{first.format(**a)} – {p['date'].format(**b)}"


def time_budget_text(opp: Opportunity, lang: str = "de") -> str | None:
    if opp.time_budget is None:
        return None
    unit = opp.time_budget.unit.label(lang)
    return _p(lang)["hours"].format(hours=_number(opp.time_budget.hours, lang), unit=unit)


def _schedule(opp: Opportunity) -> str | None:
    if not opp.schedule:
        return None
    return "; ".join(line.strip() for line in opp.schedule.split("\n") if line.strip())


def _when(opp: Opportunity, lang: str) -> str:
    p = _p(lang)
    extras = [x for x in (time_budget_text(opp, lang), _schedule(opp)) if x]
    if opp.kind is OpportunityKind.ONE_OFF and opp.start and opp.end:
        return "📅 " + " · ".join([when_dated(opp.start, opp.end, lang), *extras])
    if opp.kind is OpportunityKind.SHIFTS and opp.start and opp.end:
        span = date_span(opp.start, opp.end, lang)
        return "📅 " + " · ".join([p["shifts_dated"].format(span=span), *extras])
    period = None
    if opp.start and opp.end:
        period = date_span(opp.start, opp.end, lang)
    elif opp.start:
        period = p["from"].format(date=p["date"].format(**_parts(opp.start, lang)))
    elif opp.end:
        period = p["until"].format(date=p["date"].format(**_parts(opp.end, lang)))
    return "⏱ " + " · ".join([opp.kind.label(lang), *extras, *([period] if period else [])])


def _where(opp: Opportunity, lang: str) -> str | None:
    p = _p(lang)
    parts: list[str] = []
    if len(opp.places) == 1:
        parts.append(place_label(opp.places[0], full=True))
    elif opp.places:
        names = [place_label(place, full=False) for place in opp.places[:3]]
        more = len(opp.places) - len(names)
        parts.append(", ".join(names) + (" " + p["more_places"].format(n=more) if more else ""))
    icon = "📍 "
    if opp.remote is Remote.FULL:
        icon = "📍 " if parts else "💻 "
        parts.append(p["remote_full"])
    elif opp.remote is Remote.POSSIBLE:
        parts.append(p["remote_possible"])
    line = " · ".join(parts)
    return icon + line[0].upper() + line[1:] if line else None


def _who(opp: Opportunity, lang: str) -> str | None:
    p = _p(lang)
    parts: list[str] = []
    if opp.min_age is not None:
        parts.append(p["min_age"].format(n=opp.min_age))
    parts.extend(v.label(lang) for v in opp.suitable_for)
    if opp.languages != ["de"]:
        index = 1 if lang.startswith("en") else 0
        names = [_LANGUAGE_NAMES.get(code, (code, code))[index] for code in opp.languages]
        parts.append(p["languages"].format(list=", ".join(names)))
    return "🙋 " + " · ".join(parts) if parts else None


def _numbers(opp: Opportunity, lang: str) -> str | None:
    p = _p(lang)
    parts: list[str] = []
    if opp.volunteers_needed is not None:
        n = opp.volunteers_needed
        parts.append(p["wanted_one"] if n == 1 else p["wanted"].format(n=n))
    if opp.places_left is not None:
        n = opp.places_left
        key = "left_none" if n == 0 else "left_one" if n == 1 else "left"
        parts.append(p[key].format(n=n))
    if not parts:
        return None
    line = ", ".join(parts)
    return "👥 " + line[0].upper() + line[1:]


def status_line(opp: Opportunity, lang: str = "de") -> str | None:
    """Shown right under the title, so nobody applies to something paused or filled."""
    if opp.status is OpportunityStatus.OPEN:
        return None
    return _p(lang)[opp.status.value]


def fact_lines(opp: Opportunity, lang: str = "de") -> list[str]:
    """The decision facts as escaped HTML lines (join them with ``<br>``)."""
    p = _p(lang)
    lines = [_when(opp, lang), _where(opp, lang), _who(opp, lang), _numbers(opp, lang)]
    if opp.offers:
        lines.append("🎁 " + p["offers"].format(list=", ".join(v.label(lang) for v in opp.offers)))
    if opp.required_documents:
        labels = [v.label(lang) for v in opp.required_documents]
        key = "document" if len(labels) == 1 else "documents"
        lines.append("📄 " + p[key].format(list=", ".join(labels)))
    return [esc(line) for line in lines if line]


def contact_lines(opp: Opportunity, lang: str = "de") -> list[str]:
    """How to get in touch, as escaped HTML lines: the contact, the application channels not
    already visible in it, and the promised reply time."""
    p = _p(lang)
    lines = ["✉️ " + p["contact"].format(line=contact_line(opp.contact, tel=p["tel"]))]
    channels = opp.apply_channels
    if ApplyChannel.FEDIVERSE_REPLY in channels:
        lines.append("💬 " + esc(p["reply"]))
    if ApplyChannel.EMAIL in channels and opp.application_email != opp.contact.email:
        lines.append("📧 " + esc(p["apply_email"].format(value=opp.application_email)))
    if ApplyChannel.PHONE in channels and opp.application_phone != opp.contact.phone:
        lines.append("☎️ " + esc(p["apply_phone"].format(value=opp.application_phone)))
    if ApplyChannel.URL in channels and opp.apply_url:
        lines.append("🔗 " + p["apply_url"].format(value=link(opp.apply_url)))
    if opp.mediated_by_city:
        lines.append("🤝 " + esc(p["mediated"]))
    elif ApplyChannel.ANLAUFSTELLE in channels:
        lines.append("🤝 " + esc(p["anlaufstelle"]))
    n = opp.reply_time_days
    lines.append("⏳ " + esc(p["reply_time_one"] if n == 1 else p["reply_time"].format(n=n)))
    return lines
