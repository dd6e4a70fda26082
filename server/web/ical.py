"""Dated opportunities as iCalendar (RFC 5545), for "In den Kalender" and an organisation's
calendar subscription. Built with the `icalendar` library; times in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vGeo

from mitwirken.federation.urls import Urls
from mitwirken.models.content import Opportunity
from mitwirken.models.markdown import html_to_text, render_markdown
from mitwirken.server.web import page_text

PRODID = "-//Mitwirken//Engagement-Angebote//DE"


def place_text(opp: Opportunity) -> str:
    lines = page_text.places(opp)
    if not lines:
        return "Von zu Hause aus" if opp.remote.value == "full" else ""
    return lines[0].value


def event(opp: Opportunity, urls: Urls, organiser: str) -> Event:
    """One VEVENT: the opportunity's dates, what it is, where, and the link to its page."""
    assert opp.start is not None and opp.end is not None and opp.id is not None
    url = urls.opportunity(opp.id)
    ev = Event()
    ev.add("uid", url)
    ev.add("dtstamp", (opp.updated or opp.published or datetime.now(UTC)).astimezone(UTC))
    ev.add("dtstart", opp.start.astimezone(UTC))
    ev.add("dtend", opp.end.astimezone(UTC))
    ev.add("summary", opp.title)
    text = html_to_text(render_markdown(opp.description)).strip()
    ev.add("description", f"{text}\n\n{organiser}\nMehr und Kontakt: {url}")
    ev.add("url", url)
    if where := place_text(opp):
        ev.add("location", where)
    place = opp.places[0] if opp.places else None
    if place is not None and place.latitude is not None and place.longitude is not None:
        ev.add("geo", vGeo((place.latitude, place.longitude)))
    return ev


def calendar(name: str, events: list[Event]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()
