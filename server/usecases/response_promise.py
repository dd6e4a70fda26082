"""The promise of a reply (issue 13): when a response is due (the opportunity's
`reply_time_days` in German working days), the reminders when it is not answered in time,
the list of overdue ones, retention, and an organisation's public statistics — aggregates
only, none below five responses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from statistics import median
from typing import TypedDict

from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, mails
from mitwirken.models import responses as repo
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.responses import ResponseRow
from mitwirken.models.store import Store, iso
from mitwirken.models.text_marks import N_
from mitwirken.models.working_days import BERLIN, working_days_between

log = logging.getLogger("mitwirken.responses")
DEFAULT_RESPONSE_DAYS = 5
STATS_WINDOW_DAYS = 90
STATS_MINIMUM = 5


def our_object(store: Store, urls: Urls, ap_id: str
               ) -> tuple[str, content_store.Opportunity | content_store.Practice] | None:
    """(owner, object) of a live local opportunity or practice post with this id."""
    for kind, prefix in (("opportunities", urls.opportunity("")),
                         ("practices", urls.practice(""))):
        if ap_id.startswith(prefix) and len(ap_id) > len(prefix):
            obj = content_store.get(store, kind, ap_id[len(prefix):])  # type: ignore[arg-type]
            return (obj.org_username, obj) if obj else None
    return None


class Stats(TypedDict):
    window_days: int
    responses: int
    answered_in_time: int | None
    median_first_answer_days: float | None


def stats(store: Store, organisation: str, now: datetime) -> Stats:
    """Expressions of interest of the last 90 days: how many, how many were answered within
    their promise, the median working days to the first answer (unanswered ones count with
    the days so far). Below five responses only the count is given."""
    rows = repo.timings(store, organisation, now - timedelta(days=STATS_WINDOW_DAYS))
    if len(rows) < STATS_MINIMUM:
        return Stats(window_days=STATS_WINDOW_DAYS, responses=len(rows),
                     answered_in_time=None, median_first_answer_days=None)
    in_time, days = 0, []
    for r in rows:
        received = datetime.fromisoformat(r["received_at"])
        answered = datetime.fromisoformat(r["first_answer_at"]) if r["first_answer_at"] \
            else None
        if answered and r["due_at"] and answered <= datetime.fromisoformat(r["due_at"]):
            in_time += 1
        days.append(working_days_between(received, answered or now))
    return Stats(window_days=STATS_WINDOW_DAYS, responses=len(rows), answered_in_time=in_time,
                 median_first_answer_days=float(median(days)))


class Overdue(TypedDict):
    """An open response past its promise, as `mitwirken responses overdue` lists it (no
    personal data: who wrote and what stays in the API)."""

    id: str
    organisation: str
    object: str | None
    visibility: str
    received_at: str
    due_at: str | None
    working_days_over: int


def overdue(store: Store, now: datetime) -> list[Overdue]:
    """Open responses past their promise, the longest overdue first."""
    return [Overdue(id=r["id"], organisation=r["organisation"], object=r["object_id"],
                    visibility=r["visibility"], received_at=r["received_at"],
                    due_at=r["due_at"], working_days_over=working_days_between(
                        datetime.fromisoformat(str(r["due_at"])), now))
            for r in repo.overdue(store, now)]


def reply_rate(store: Store, organisation: str, now: datetime,
               tr: Callable[[str], str] = N_) -> tuple[str, str] | None:
    """The statistics as a profile field, e.g. ("Antwortet", "9 von 10 in 5 Werktagen");
    None below five responses. `tr` translates the value's text (the profile page's
    language; the actor document stays German)."""
    figures = stats(store, organisation, now)
    if figures["answered_in_time"] is None:
        return None
    promises = {r["promise_days"] for r in repo.timings(
        store, organisation, now - timedelta(days=STATS_WINDOW_DAYS))}
    values = {"answered": figures["answered_in_time"], "total": figures["responses"]}
    if len(promises) == 1:
        text = tr(N_("%(answered)s von %(total)s in %(days)s Werktagen")) % {
            **values, "days": promises.pop()}
    else:
        text = tr(N_("%(answered)s von %(total)s in der zugesagten Zeit")) % values
    return N_("Antwortet"), text


def promise_days(store: Store, urls: Urls, object_ap_id: str | None) -> int:
    """The reply time an opportunity promises (`reply_time_days`), else the default."""
    found = our_object(store, urls, object_ap_id) if object_ap_id else None
    if found and isinstance(found[1], Opportunity):
        return found[1].reply_time_days
    return DEFAULT_RESPONSE_DAYS



def erase_expired(store: Store, now: datetime, retention_days: int, limit: int = 200) -> int:
    """Retention: one batch of responses handled more than `retention_days` ago loses its
    messages and who wrote it. Returns how many (the caller repeats while a full batch went)."""
    n = repo.erase_handled_before(store, now - timedelta(days=retention_days), limit)
    if n:
        log.info("responses_erased n=%d retention_days=%d", n, retention_days)
    return n



# --- reminders --------------------------------------------------------------------------


def _local(ts: str | None) -> str:
    if not ts:
        return "?"
    return datetime.fromisoformat(ts).astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def _reminder(store: Store, urls: Urls, row: ResponseRow, to_city: bool, late: bool
              ) -> tuple[str, str]:
    """Subject and German text of one reminder; nothing in it names the volunteer."""
    org = actor_repo.get_actor(store, row["organisation"])
    org_name = org.name if org else row["organisation"]
    found = our_object(store, urls, row["object_id"]) if row["object_id"] else None
    title = getattr(found[1], "title", None) if found else None
    about = f" zum Angebot „{title}“" if title else ""
    link = row["object_id"] or urls.profile(row["organisation"])
    if to_city:
        subject = f"Unbeantwortete Rückmeldung bei {org_name}"
        lead = (f"eine Rückmeldung an {org_name}{about} ist seit {_local(row['due_at'])} "
                "unbeantwortet; die zugesagte Antwortzeit ist vorbei. Bitte fragen Sie bei der "
                "Organisation nach oder antworten Sie als Anlaufstelle.")
    else:
        subject = ("Antwortzeit abgelaufen: " if late else "Bitte antworten: ") + \
            (title or "Rückmeldung an " + org_name)
        lead = (f"jemand hat sich am {_local(row['received_at'])}{about} gemeldet. Die "
                f"zugesagte Antwortzeit endet am {_local(row['due_at'])}. Bitte antworten Sie "
                "über die Redaktions-Schnittstelle.")
    body = (f"Guten Tag,\n\n{lead}\n\nRückmeldung: {row['id']}\n{link}\n\n"
            "Viele Grüße\nIhr Mitwirken-Server\n")
    return subject, body


def queue_reminders(store: Store, urls: Urls, now: datetime, limit: int = 200) -> int:
    """Queue the reminders that are due: past half the promise the organisation's contact,
    past the whole promise the organisation and the city's Anlaufstelle. Each is queued once
    (the response remembers it in the same transaction). Returns how many mails were queued."""
    city = actor_repo.city_actor(store)
    queued = 0
    for row in repo.due_reminders(store, now, limit):
        late = row["due_at"] is not None and row["due_at"] <= iso(now)
        level = 2 if late else 1
        org = actor_repo.get_actor(store, row["organisation"])
        targets = [(org.email if org else None, False, "org")]
        if late:
            targets.append((city.email, True, "city"))
        with store.tx():
            if not repo.mark_reminded(store, row["id"], level):
                continue
            for address, to_city, who in targets:
                if not address:
                    log.info("reminder_skipped id=%s to=%s reason=no_address", row["id"], who)
                    continue
                subject, body = _reminder(store, urls, row, to_city, late)
                if mails.enqueue(store, to=address, subject=subject, body=body, now=now,
                                 key=f"reminder:{row['id']}:{level}:{who}"):
                    queued += 1
        log.info("reminder_queued id=%s level=%d organisation=%s", row["id"], level,
                 row["organisation"])
    return queued
