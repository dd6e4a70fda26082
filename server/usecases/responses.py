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

from mitwirken.federation.context import PUBLIC
from mitwirken.federation.direct import answer_note, direct_create
from mitwirken.federation.fetch import FetchError
from mitwirken.federation.inbox import Activity, InboxContext, Reject, State, object_id
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import RemoteActor, RemoteActors, host
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import audit, domain_policy, follows, mails
from mitwirken.models import responses as repo
from mitwirken.models.accounts import Account
from mitwirken.models.actors import LocalActor
from mitwirken.models.ids import new_id
from mitwirken.models.markdown import render_markdown, sanitize_html
from mitwirken.models.responses import ResponseRow, ResponseState, Visibility
from mitwirken.models.store import Store, utcnow
from mitwirken.models.text_marks import N_
from mitwirken.models.working_days import add_working_days
from mitwirken.server.usecases import interactions
from mitwirken.server.usecases.response_form import is_email
from mitwirken.server.usecases.response_promise import our_object, promise_days

log = logging.getLogger("mitwirken.responses")
MAX_NOTE_CHARS = 20000  # of an incoming Note's HTML, before sanitising
MAX_ANSWER_CHARS = 5000  # of an editor's answer (Markdown)
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


class HeldForAdmins(ValueError):
    """A limited domain's comment is approved only by an admin, in the review."""


HELD_TEXT = ("Dieser Kommentar kommt von einer eingeschränkten Domain: freigeben kann ihn nur "
             "die Administration (unter „Inhalte prüfen“). Verbergen können Sie ihn.")


# --- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who asks: an organisation sees its own responses; the city (the Anlaufstelle) sees
    all. An API token is one local actor; a web account may edit several organisations."""

    name: str  # for the logs
    orgs: frozenset[str]
    sees_all: bool = False
    by: str = "system"  # for the audit log: `token:<username>` or `web:<e-mail>`

    @classmethod
    def of_actor(cls, actor: LocalActor) -> Viewer:
        return cls(actor.username, frozenset({actor.username}), actor.kind == "city",
                   f"token:{actor.username}")

    @classmethod
    def of_account(cls, account: Account) -> Viewer:
        return cls(f"account:{account.id}", frozenset(account.orgs), account.sees_all,
                   f"web:{account.email}")

    def may_see(self, row: ResponseRow) -> bool:
        return self.sees_all or row["organisation"] in self.orgs


Who = Viewer | LocalActor
"""Who asks: a Viewer, or an API token's local actor (the organisation, or the city)."""


def viewer_of(who: Who) -> Viewer:
    return who if isinstance(who, Viewer) else Viewer.of_actor(who)


def may_see(who: Who, row: ResponseRow) -> bool:
    return viewer_of(who).may_see(row)


def visible(store: Store, who: Who, response_id: str) -> ResponseRow:
    row = repo.get(store, response_id)
    if row is None or not may_see(who, row):
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


def list_for(store: Store, who: Who, *, state: str | None = None,
             object_: str | None = None) -> list[dict[str, object]]:
    """The responses someone may see, newest first."""
    viewer = viewer_of(who)
    if state is not None and state not in {s.value for s in ResponseState}:
        raise ValueError(state)
    rows: list[ResponseRow] = []
    for org in [None] if viewer.sees_all else sorted(viewer.orgs):
        rows += repo.list_responses(store, organisation=org, state=state, object_id=object_)
    rows.sort(key=lambda r: r["received_at"], reverse=True)
    return [present(store, r) for r in rows]


def set_state(store: Store, who: Who, response_id: str, state: str,
              now: datetime) -> dict[str, object]:
    """An editor closes a response (`handled`) or reopens it (`open`);
    `IllegalTransition` for a change the machine does not allow."""
    actor = viewer_of(who)
    row = visible(store, actor, response_id)
    if state not in ("handled", "open"):
        raise ValueError(state)
    if row["state"] != state:
        repo.move(store, response_id, ResponseState(state), now)
        log.info("response_state id=%s state=%s by=%s", response_id, state, actor.name)
    return present(store, visible(store, actor, response_id))


def moderate(store: Store, who: Who, response_id: str, decision: repo.Moderation,
             now: datetime | None = None) -> dict[str, object]:
    """An editor approves a public comment (it is shown under the object and in its
    `replies` collection) or hides it; in the audit log (`response.approved`,
    `response.hidden`). A limited domain's held comment is approved only in the admins'
    review (`HeldForAdmins`)."""
    actor = viewer_of(who)
    row = visible(store, actor, response_id)
    if row["moderation"] == "held" and decision == "approved":
        log.info("response_moderation_refused id=%s reason=held by=%s", response_id, actor.name)
        raise HeldForAdmins(response_id)
    with store.tx():
        if row["visibility"] != "public" or not repo.moderate(store, response_id, decision):
            raise NotPublic(response_id)
        audit.record(store, actor=actor.by, action=f"response.{decision}", target=response_id,
                     details={"organisation": row["organisation"]}, now=now or utcnow())
    log.info("response_moderated id=%s decision=%s by=%s", response_id, decision,
             actor.name)
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


async def answer(deps: Answering, who: Who, response_id: str, content: object
                 ) -> dict[str, object]:
    """Send the organisation's answer to the volunteer: a direct Note through the durable
    delivery queue, stored as an outgoing message. Returns the message."""
    actor = viewer_of(who)
    store = deps.store
    row = visible(store, actor, response_id)
    if not isinstance(content, str) or not content.strip():
        raise BadAnswer(N_("Bitte eine Antwort schreiben."))
    if len(content) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"Die Antwort darf höchstens {MAX_ANSWER_CHARS} Zeichen lang sein.")
    if row["visibility"] == "form":
        return _answer_by_mail(deps, actor, row, content)
    if row["sender_id"] is None:
        raise BadAnswer(N_("Diese Rückmeldung kann nicht mehr beantwortet werden."))
    inbox = row["sender_inbox"]
    if inbox is None:
        try:
            inbox = (await deps.actors.get(row["sender_id"])).inbox
        except FetchError as exc:
            raise BadAnswer(N_("Das Konto der Person ist gerade nicht erreichbar.")) from exc
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
             actor.name)
    assert message is not None  # a fresh note id
    return present_message(message)


def _answer_by_mail(deps: Answering, actor: Viewer, row: ResponseRow, content: str
                    ) -> dict[str, object]:
    """A form response is answered by e-mail (queued like every mail); a phone number is
    for the editor to call."""
    contact = row["sender_contact"]
    if not is_email(contact):
        raise BadAnswer(f"Bitte rufen Sie an: {contact or 'keine Angabe'}.")
    store, now = deps.store, deps.clock()
    org = actor_repo.get_actor(store, row["organisation"])
    org_name = org.name if org else row["organisation"]
    found = our_object(store, deps.urls, row["object_id"]) if row["object_id"] else None
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
             row["organisation"], actor.name)
    return present_message(message)


# --- receiving ----------------------------------------------------------------------------


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
    target = our_object(ctx.store, ctx.urls, parent) if parent and ctx.urls.is_local(parent) \
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
    # A limited domain's public comment waits for an admin's review (not listed, not
    # counted); its expressions of interest reach the organisation as everyone's do.
    held = visibility == "public" and domain_policy.verdict(ctx.store, host(actor)) == "limited"
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
            due=due, moderation="held" if held else None)
        repo.add_message(ctx.store, response_id, direction="in",
                         content=_content(obj.get("content")), at=now, note_id=note_id,
                         author=actor)
        if visibility == "public" and target:
            _as_interaction(ctx, activity, parent, held=held)  # type: ignore[arg-type]
    log.info("response_received id=%s organisation=%s visibility=%s object=%s held=%s",
             response_id, organisation, visibility, object_ap_id, held)
    return "processed"


def _flooding(ctx: InboxContext, actor: str, note_id: str, now: datetime) -> bool:
    """More than FLOOD_LIMIT messages of one actor within the hour: the Note is dropped."""
    if repo.messages_since(ctx.store, actor, now - FLOOD_WINDOW) < FLOOD_LIMIT:
        return False
    log.warning("response_dropped reason=flood actor=%s note=%s", actor, note_id)
    return True


def _as_interaction(ctx: InboxContext, activity: Activity, parent: str, *,
                    held: bool = False) -> State:
    """A public reply to one of our objects is counted with the object, as before (a `held`
    one only once an admin approved it)."""
    obj = activity["object"]
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    interactions.record(ctx.store, "reply", obj["id"], parent, activity["actor"], ctx.clock(),
                        _content(obj.get("content")), url, held=held)
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
