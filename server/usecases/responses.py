"""Volunteers' answers (issue 13): a Note that replies to one of our objects, or is addressed
to or mentions one of our actors, becomes a response of the organisation concerned; the
organisation answers it with a direct Note and moves it along open → answered → handled.

A response addressed to nobody but us (no Public, no followers collection in `to`/`cc`) is an
expression of interest (`direct`): only the organisation and the city see it, and nothing of
it is ever public. Anything else is a public comment (`public`); a public reply to one of our
objects is counted as an interaction of the object, as before.

The `receive_*` functions are inbox handlers (listed in `server/inbox_table.py`): they return
None when the Note is none of ours, so the next handler is asked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import TypedDict

from mitwirken.federation.context import PUBLIC
from mitwirken.federation.direct import answer_note, direct_create
from mitwirken.federation.fetch import FetchError
from mitwirken.federation.inbox import Activity, InboxContext, Reject, State, object_id
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActor, RemoteActors, host
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, follows, mails
from mitwirken.models import responses as repo
from mitwirken.models.actors import LocalActor
from mitwirken.models.ids import new_id
from mitwirken.models.markdown import render_markdown, sanitize_html
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.responses import ResponseRow, ResponseState, Visibility
from mitwirken.models.store import Store, iso
from mitwirken.models.working_days import BERLIN, add_working_days, working_days_between
from mitwirken.server.usecases import interactions
from mitwirken.server.usecases.response_form import is_email

log = logging.getLogger("mitwirken.responses")
MAX_NOTE_CHARS = 20000  # of an incoming Note's HTML, before sanitising
MAX_ANSWER_CHARS = 5000  # of an editor's answer (Markdown)
DEFAULT_RESPONSE_DAYS = 5
STATS_WINDOW_DAYS = 90
STATS_MINIMUM = 5
FLOOD_LIMIT = 30  # messages of one actor within FLOOD_WINDOW; more are dropped (and logged)
FLOOD_WINDOW = timedelta(hours=1)
MAX_RECIPIENTS = 50
PUBLIC_NAMES = frozenset({PUBLIC, "as:Public", "Public"})


class NotFound(Exception):
    """No such response, or not one the asking actor may see."""


class BadAnswer(ValueError):
    """The editor's answer cannot be sent (German message)."""


class NotPublic(ValueError):
    """Only public comments are approved or hidden."""


# --- who sees what ------------------------------------------------------------------------


def may_see(actor: LocalActor, row: ResponseRow) -> bool:
    """An organisation sees its own responses; the city (the Anlaufstelle) sees all."""
    return actor.kind == "city" or row["organisation"] == actor.username


def visible(store: Store, actor: LocalActor, response_id: str) -> ResponseRow:
    row = repo.get(store, response_id)
    if row is None or not may_see(actor, row):
        raise NotFound(response_id)
    return row


def present(store: Store, row: ResponseRow) -> dict[str, object]:
    """A response as the API shows it."""
    return {
        "id": row["id"], "object": row["object_id"], "organisation": row["organisation"],
        "visibility": row["visibility"], "state": row["state"],
        "moderation": row["moderation"], "received_at": row["received_at"], "due_at": row["due_at"],
        "first_answer_at": row["first_answer_at"],
        "sender": _sender_of(row),
        "messages": [present_message(m) for m in repo.messages(store, row["id"])],
    }


def _sender_of(row: ResponseRow) -> dict[str, object]:
    if row["visibility"] == "form":
        key = "email" if is_email(row["sender_contact"]) else "phone"
        return {"name": row["sender_name"], key: row["sender_contact"]}
    return {"id": row["sender_id"], "name": row["sender_name"], "handle": row["sender_handle"]}


def present_message(m: repo.MessageRow) -> dict[str, object]:
    return {"id": m["id"], "direction": m["direction"], "content": m["content"], "at": m["at"]}


def list_for(store: Store, actor: LocalActor, *, state: str | None = None,
             object_: str | None = None) -> list[dict[str, object]]:
    """The responses an actor may see, newest first."""
    if state is not None and state not in {s.value for s in ResponseState}:
        raise ValueError(state)
    rows = repo.list_responses(store, organisation=None if actor.kind == "city"
                               else actor.username, state=state, object_id=object_)
    return [present(store, r) for r in rows]


def set_state(store: Store, actor: LocalActor, response_id: str, state: str,
              now: datetime) -> dict[str, object]:
    """An editor closes a response (`handled`) or reopens it (`open`);
    `IllegalTransition` for a change the machine does not allow."""
    row = visible(store, actor, response_id)
    if state not in ("handled", "open"):
        raise ValueError(state)
    if row["state"] != state:
        repo.move(store, response_id, ResponseState(state), now)
        log.info("response_state id=%s state=%s by=%s", response_id, state, actor.username)
    return present(store, visible(store, actor, response_id))


def moderate(store: Store, actor: LocalActor, response_id: str, decision: repo.Moderation
             ) -> dict[str, object]:
    """An editor approves a public comment (it is shown under the object and in its
    `replies` collection) or hides it."""
    row = visible(store, actor, response_id)
    if row["visibility"] != "public" or not repo.moderate(store, response_id, decision):
        raise NotPublic(response_id)
    log.info("response_moderated id=%s decision=%s by=%s", response_id, decision,
             actor.username)
    return present(store, visible(store, actor, response_id))


def comments(store: Store, object_ap_id: str, public_replies: str, limit: int,
             offset: int = 0) -> list[repo.Comment]:
    """The public comments of an object that may be shown (setting `public_replies`:
    `hold` → only approved ones, `show` → all but hidden ones)."""
    return repo.shown_comments(store, object_ap_id, undecided_shown=public_replies == "show",
                               limit=limit, offset=offset)


def count_comments(store: Store, object_ap_id: str, public_replies: str) -> int:
    return repo.count_shown_comments(store, object_ap_id,
                                     undecided_shown=public_replies == "show")


# --- answering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answering:
    """What sending an answer needs (the API builds it from the services)."""

    store: Store
    urls: Urls
    actors: RemoteActors
    clock: Callable[[], datetime]
    wake: Callable[[], None]


async def answer(deps: Answering, actor: LocalActor, response_id: str, content: object
                 ) -> dict[str, object]:
    """Send the organisation's answer to the volunteer: a direct Note through the durable
    delivery queue, stored as an outgoing message. Returns the message."""
    store = deps.store
    row = visible(store, actor, response_id)
    if not isinstance(content, str) or not content.strip():
        raise BadAnswer("Bitte eine Antwort schreiben.")
    if len(content) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"Die Antwort darf höchstens {MAX_ANSWER_CHARS} Zeichen lang sein.")
    if row["visibility"] == "form":
        return _answer_by_mail(deps, actor, row, content)
    if row["sender_id"] is None:
        raise BadAnswer("Diese Rückmeldung kann nicht mehr beantwortet werden.")
    inbox = row["sender_inbox"]
    if inbox is None:
        try:
            inbox = (await deps.actors.get(row["sender_id"])).inbox
        except FetchError as exc:
            raise BadAnswer("Das Konto der Person ist gerade nicht erreichbar.") from exc
    now = deps.clock()
    incoming = [m for m in repo.messages(store, row["id"]) if m["direction"] == "in"]
    message_id = new_id()
    note = answer_note(deps.urls, row["organisation"], note_id=deps.urls.answer(message_id),
                       recipient=row["sender_id"], handle=row["sender_handle"],
                       in_reply_to=incoming[-1]["note_id"] if incoming else None,
                       content_html=render_markdown(content), published=now)
    create = direct_create(deps.urls, row["organisation"], note, now)
    with store.tx():
        message = repo.add_message(store, row["id"], direction="out", content=note["content"],
                                   at=now, note_id=note["id"],
                                   author=deps.urls.actor(row["organisation"]))
        publish(store, row["organisation"], create, now, to_followers=False,
                extra_inboxes=[inbox], public=False)
        repo.mark_answered(store, row["id"], now)
    deps.wake()
    log.info("response_answered id=%s organisation=%s by=%s", row["id"], row["organisation"],
             actor.username)
    assert message is not None  # a fresh note id
    return present_message(message)


def erase_expired(store: Store, now: datetime, retention_days: int, limit: int = 200) -> int:
    """Retention: one batch of responses handled more than `retention_days` ago loses its
    messages and who wrote it. Returns how many (the caller repeats while a full batch went)."""
    n = repo.erase_handled_before(store, now - timedelta(days=retention_days), limit)
    if n:
        log.info("responses_erased n=%d retention_days=%d", n, retention_days)
    return n


def _answer_by_mail(deps: Answering, actor: LocalActor, row: ResponseRow, content: str
                    ) -> dict[str, object]:
    """A form response is answered by e-mail (queued like every mail); a phone number is
    for the editor to call."""
    contact = row["sender_contact"]
    if not is_email(contact):
        raise BadAnswer(f"Bitte rufen Sie an: {contact or 'keine Angabe'}.")
    store, now = deps.store, deps.clock()
    org = actor_repo.get_actor(store, row["organisation"])
    org_name = org.name if org else row["organisation"]
    found = _our_object(store, deps.urls, row["object_id"]) if row["object_id"] else None
    title = getattr(found[1], "title", None) if found else None
    with store.tx():
        message = repo.add_message(store, row["id"], direction="out", at=now,
                                   content=render_markdown(content),
                                   author=deps.urls.actor(row["organisation"]))
        assert message is not None
        mails.enqueue(store, to=str(contact), key=f"answer:{message['id']}", now=now,
                      subject=f"Antwort von {org_name}" + (f": {title}" if title else ""),
                      body=f"{content.strip()}\n\n-- \n{org_name}\n"
                      f"{row['object_id'] or deps.urls.profile(row['organisation'])}\n")
        repo.mark_answered(store, row["id"], now)
    log.info("response_answered id=%s organisation=%s by=%s via=mail", row["id"],
             row["organisation"], actor.username)
    return present_message(message)


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
    found = _our_object(store, urls, row["object_id"]) if row["object_id"] else None
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


# --- the promise --------------------------------------------------------------------------


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


def reply_rate(store: Store, organisation: str, now: datetime) -> tuple[str, str] | None:
    """The statistics as a profile field, e.g. ("Antwortet", "9 von 10 in 5 Werktagen");
    None below five responses."""
    figures = stats(store, organisation, now)
    if figures["answered_in_time"] is None:
        return None
    promises = {r["promise_days"] for r in repo.timings(
        store, organisation, now - timedelta(days=STATS_WINDOW_DAYS))}
    promise = f"in {promises.pop()} Werktagen" if len(promises) == 1 \
        else "in der zugesagten Zeit"
    return "Antwortet", f"{figures['answered_in_time']} von {figures['responses']} {promise}"


def promise_days(store: Store, urls: Urls, object_ap_id: str | None) -> int:
    """The reply time an opportunity promises (`reply_time_days`), else the default."""
    found = _our_object(store, urls, object_ap_id) if object_ap_id else None
    if found and isinstance(found[1], Opportunity):
        return found[1].reply_time_days
    return DEFAULT_RESPONSE_DAYS


# --- receiving ----------------------------------------------------------------------------


def _our_object(store: Store, urls: Urls, ap_id: str
                ) -> tuple[str, content_store.Opportunity | content_store.Practice] | None:
    """(owner, object) of a live local opportunity or practice post with this id."""
    for kind, prefix in (("opportunities", urls.opportunity("")),
                         ("practices", urls.practice(""))):
        if ap_id.startswith(prefix) and len(ap_id) > len(prefix):
            obj = content_store.get(store, kind, ap_id[len(prefix):])  # type: ignore[arg-type]
            return (obj.org_username, obj) if obj else None
    return None


def _addresses(obj: dict) -> list[str]:
    out: list[str] = []
    for key in ("to", "cc"):
        value = obj.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                out.append(item)
    return out


def _mentions(obj: dict) -> list[str]:
    tags = obj.get("tag")
    return [t["href"] for t in (tags if isinstance(tags, list) else [])[:MAX_RECIPIENTS]
            if isinstance(t, dict) and t.get("type") == "Mention"
            and isinstance(t.get("href"), str)]


def _our_recipients(ctx: InboxContext, obj: dict) -> list[str]:
    """Our actors a Note is addressed to or mentions (only the first addresses are looked
    at: a Note for thousands of recipients is no message to one organisation)."""
    candidates = [a for a in _addresses(obj) + _mentions(obj) if ctx.urls.is_local(a)]
    return [u for u in (ctx.local_username(a) for a in candidates[:MAX_RECIPIENTS]) if u]


def visibility_of(obj: dict, sender: RemoteActor | None) -> Visibility:
    """Mastodon's rule: `direct` when neither Public nor a followers collection is addressed."""
    followers = sender.data.get("followers") if sender else None
    for address in _addresses(obj):
        if address in PUBLIC_NAMES or address == followers or address.endswith("/followers"):
            return "public"
    return "direct"


def _content(value: object) -> str:
    return sanitize_html(value[:MAX_NOTE_CHARS]) if isinstance(value, str) else ""


async def _sender(ctx: InboxContext, actor_id: str) -> RemoteActor | None:
    try:
        return await ctx.actors.get(actor_id)
    except (FetchError, ValueError, KeyError):
        log.info("response_sender_unknown actor=%s", actor_id)
        return None


async def receive_create(ctx: InboxContext, activity: Activity) -> State | None:
    """Create of a Note for us (`only_own_create` has checked that it is the actor's)."""
    obj = activity["object"]
    if obj.get("type") != "Note":  # an Article is a practice post: the network's
        return None
    actor, note_id = activity["actor"], obj["id"]
    parent = object_id(obj.get("inReplyTo"))
    now = ctx.clock()
    thread = repo.thread_of(ctx.store, parent) if parent else None
    if thread and thread["sender_id"] == actor:
        if _flooding(ctx, actor, note_id, now):
            return "ignored"
        added = repo.add_message(ctx.store, thread["response_id"], direction="in",
                                 content=_content(obj.get("content")), at=now, note_id=note_id,
                                 author=actor)
        log.info("response_message id=%s actor=%s new=%s", thread["response_id"], actor,
                 added is not None)
        return "processed"
    target = _our_object(ctx.store, ctx.urls, parent) if parent and ctx.urls.is_local(parent) \
        else None
    organisation = target[0] if target else None
    if organisation is None:
        addressed = _our_recipients(ctx, obj)
        if addressed and not follows.is_following(ctx.store, actor):  # not the network's
            organisation = addressed[0]
    if organisation is None:
        if parent and ctx.urls.is_local(parent):
            log.info("response_ignored reason=unknown_object object=%s actor=%s", parent, actor)
            return _as_interaction(ctx, activity, parent)
        return None
    if _flooding(ctx, actor, note_id, now):
        return "ignored"
    sender = await _sender(ctx, actor)
    visibility = visibility_of(obj, sender)
    object_ap_id = parent if target else None
    days = promise_days(ctx.store, ctx.urls, object_ap_id)
    due = add_working_days(now, days)
    with ctx.store.tx():
        if repo.thread_of(ctx.store, note_id):  # a repeated delivery of the same Note
            return "processed"
        response_id = repo.create(
            ctx.store, organisation=organisation, object_id=object_ap_id,
            visibility=visibility, sender_id=actor,
            sender_name=sender.name if sender else None,
            sender_handle=sender.handle if sender and sender.preferred_username else None,
            sender_inbox=sender.inbox if sender else None, promise_days=days, received=now,
            due=due)
        repo.add_message(ctx.store, response_id, direction="in",
                         content=_content(obj.get("content")), at=now, note_id=note_id,
                         author=actor)
        if visibility == "public" and target:
            _as_interaction(ctx, activity, parent)  # type: ignore[arg-type]
    log.info("response_received id=%s organisation=%s visibility=%s object=%s", response_id,
             organisation, visibility, object_ap_id)
    return "processed"


def _flooding(ctx: InboxContext, actor: str, note_id: str, now: datetime) -> bool:
    """More than FLOOD_LIMIT messages of one actor within the hour: the Note is dropped."""
    if repo.messages_since(ctx.store, actor, now - FLOOD_WINDOW) < FLOOD_LIMIT:
        return False
    log.warning("response_dropped reason=flood actor=%s note=%s", actor, note_id)
    return True


def _as_interaction(ctx: InboxContext, activity: Activity, parent: str) -> State:
    """A public reply to one of our objects is counted with the object, as before."""
    obj = activity["object"]
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    interactions.record(ctx.store, "reply", obj["id"], parent, activity["actor"], ctx.clock(),
                        _content(obj.get("content")), url)
    return "processed"


async def receive_update(ctx: InboxContext, activity: Activity) -> State | None:
    """Update of a Note we hold as a message (or a public reply), by its own actor. A Note
    on another host than its actor is a forgery, whether or not we hold it."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") != "Note" or not obj.get("id"):
        return None
    if host(obj["id"]) != host(activity["actor"]):
        raise Reject("object on another host than its actor")
    changed = repo.update_message(ctx.store, obj["id"], activity["actor"],
                                  _content(obj.get("content")))
    edited = interactions.edit_reply(ctx.store, obj["id"], activity["actor"], obj.get("content"))
    if changed:
        log.info("response_message_edited note=%s actor=%s", obj["id"], activity["actor"])
    return "processed" if changed or edited else None


async def receive_delete(ctx: InboxContext, activity: Activity) -> State | None:
    """Delete of a Note we hold as a message (or a public reply), by its actor."""
    target = object_id(activity.get("object"))
    if not target or host(target) != host(activity["actor"]):
        return None
    removed = repo.remove_message(ctx.store, target, activity["actor"])
    taken = interactions.take_back(ctx.store, target, activity["actor"])
    if removed:
        log.info("response_message_deleted note=%s actor=%s", target, activity["actor"])
    return "processed" if removed or taken else None
