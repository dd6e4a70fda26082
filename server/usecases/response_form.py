"""Responses without a fediverse account (issue 13): the short form on an opportunity's page
(name, e-mail or phone, message, consent). It stores a response of visibility `form` and
mails it to the organisation; nothing of it federates. Spam: a honeypot field (filled only by
bots: answered as if accepted, nothing stored) and a per-address limit."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, mails
from mitwirken.models import responses as repo
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.models.working_days import add_working_days

log = logging.getLogger("mitwirken.responses")
HONEYPOT = "website"  # the hidden field: people leave it empty
PER_ADDRESS_LIMIT = 3
PER_ADDRESS_WINDOW = timedelta(hours=24)
MAX_MESSAGE = 5000  # the message of "nachricht" below says so
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()/.-]{6,30}$")
PRIVACY_TEXT = N_(
    "Ihre Angaben (Name, Kontakt, Nachricht) gehen nur an die Organisation und die "
    "Anlaufstelle der Stadt und werden nur verwendet, um Ihnen zu antworten. Nach Erledigung "
    "werden sie gelöscht; Auskunft und Löschung jederzeit über die Anlaufstelle.")


class FormInvalid(ValueError):
    """The form is incomplete; `problems` maps each field to a German message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


class FormLimited(Exception):
    """Too many messages from one address."""


class NoSuchOpportunity(LookupError):
    pass


def _clean(data: Mapping[str, str], name: str, limit: int) -> str:
    return str(data.get(name, "")).strip()[:limit + 1]


def _validate(data: Mapping[str, str]) -> tuple[str, str, str]:
    name, contact = _clean(data, "name", 100), _clean(data, "kontakt", 254)
    message = _clean(data, "nachricht", MAX_MESSAGE)
    problems = {}
    if not name or len(name) > 100:
        problems["name"] = N_("Bitte Ihren Namen angeben (höchstens 100 Zeichen).")
    if not (_EMAIL.match(contact) or _PHONE.match(contact)):
        problems["kontakt"] = N_("Bitte eine E-Mail-Adresse oder Telefonnummer angeben.")
    if not message or len(message) > MAX_MESSAGE:
        problems["nachricht"] = N_("Bitte eine Nachricht schreiben (höchstens 5000 Zeichen).")
    if data.get("einwilligung") not in ("ja", "on"):
        problems["einwilligung"] = N_("Bitte der Verarbeitung Ihrer Angaben zustimmen.")
    if problems:
        raise FormInvalid(problems)
    return name, contact, message


def is_email(contact: str | None) -> bool:
    return bool(contact and _EMAIL.match(contact))


def text_html(text: str) -> str:
    """Plain text as the HTML a message is stored as (escaped, paragraphs and line breaks)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
                   for p in paragraphs)


def receive(store: Store, urls: Urls, object_id: str, data: Mapping[str, str],
            now: datetime) -> str | None:
    """Store the form as a response and queue its mail to the organisation. Returns the
    response id, or None for a bot (the honeypot was filled)."""
    opp = content_store.get(store, "opportunities", object_id)
    if not isinstance(opp, Opportunity):
        raise NoSuchOpportunity(object_id)
    if str(data.get(HONEYPOT, "")).strip():
        log.info("form_dropped reason=honeypot object=%s", object_id)
        return None
    name, contact, message = _validate(data)
    if repo.forms_since(store, contact, now - PER_ADDRESS_WINDOW) >= PER_ADDRESS_LIMIT:
        log.warning("form_dropped reason=rate_limit object=%s", object_id)
        raise FormLimited(object_id)
    ap_id = urls.opportunity(object_id)
    days = opp.reply_time_days
    org = actor_repo.get_actor(store, opp.org_username)
    to = (org.email if org and org.email else None) or actor_repo.city_actor(store).email
    with store.tx():
        response_id = repo.create(
            store, organisation=opp.org_username, object_id=ap_id, visibility="form",
            sender_id=None, sender_name=name, sender_handle=None, sender_inbox=None,
            sender_contact=contact, promise_days=days, received=now,
            due=add_working_days(now, days))
        repo.add_message(store, response_id, direction="in", content=text_html(message),
                         at=now)
        if to:
            mails.enqueue(store, to=to, key=f"form:{response_id}",
                          subject=f"Neue Rückmeldung: {opp.title}", now=now,
                          body=(f"Guten Tag,\n\n{name} ({contact}) hat sich über das Formular "
                                f"zum Angebot „{opp.title}“ gemeldet:\n\n{message}\n\n"
                                f"Bitte antworten Sie innerhalb von {days} Werktagen.\n"
                                f"Rückmeldung: {response_id}\n{ap_id}\n\n"
                                "Viele Grüße\nIhr Mitwirken-Server\n"))
        else:
            log.info("form_mail_skipped id=%s reason=no_address", response_id)
    log.info("response_received id=%s organisation=%s visibility=form object=%s",
             response_id, opp.org_username, ap_id)
    return response_id
