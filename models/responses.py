"""Volunteers' answers (tables `responses` and `response_messages`), and nothing else writes them.

A response is one conversation between a remote person and one of our organisations about one
of its objects (or the organisation itself): the first message arrived, the organisation
answers, later messages of either side join it. Its `state` follows `RESPONSE`: `open` until
the first answer is sent (`answered`), `handled` when an editor closes it, and a handled
response can be reopened. Messages carry the ActivityPub id of their Note (`note_id`), so a
reply in the thread finds its response, and an Update or Delete finds its message — only when
it comes from the message's own author."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal, TypedDict

from mitwirken.models.ids import new_id
from mitwirken.models.states import IllegalTransition, StateMachine, update_state
from mitwirken.models.store import Store, iso
from mitwirken.models.web_names import in_domain

TABLE = "responses"
Visibility = Literal["direct", "public", "form"]
Direction = Literal["in", "out"]
Moderation = Literal["approved", "hidden", "held"]  # held: from a limited domain, for admins


class ResponseState(StrEnum):
    OPEN = "open"  # waiting for the organisation's first answer (or reopened)
    ANSWERED = "answered"  # the first answer was sent
    HANDLED = "handled"  # closed by an editor


RESPONSE = StateMachine(
    name="responses",
    states=ResponseState,
    initial=ResponseState.OPEN,
    terminal=frozenset(),  # a handled response can always be reopened
    transitions={
        ResponseState.OPEN: frozenset({ResponseState.ANSWERED, ResponseState.HANDLED}),
        ResponseState.ANSWERED: frozenset({ResponseState.HANDLED}),
        ResponseState.HANDLED: frozenset({ResponseState.OPEN}),
    },
)


class ResponseRow(TypedDict):
    """A row of `responses` (`sender_*`: the remote person, as far as known)."""

    id: str
    organisation: str
    object_id: str | None
    visibility: str
    state: str
    moderation: str | None
    sender_id: str | None
    sender_name: str | None
    sender_handle: str | None
    sender_inbox: str | None
    sender_contact: str | None
    promise_days: int
    received_at: str
    due_at: str | None
    remind_at: str | None
    reminded: int
    first_answer_at: str | None
    handled_at: str | None


class MessageRow(TypedDict):
    """A row of `response_messages` (`content`: sanitised HTML)."""

    id: str
    response_id: str
    note_id: str | None
    direction: str
    author: str | None
    content: str
    at: str


class Thread(TypedDict):
    """Where a Note id sits: its response, and who started that response."""

    response_id: str
    sender_id: str | None
    organisation: str


def create(store: Store, *, organisation: str, object_id: str | None, visibility: Visibility,
           sender_id: str | None, sender_name: str | None, sender_handle: str | None,
           sender_inbox: str | None, promise_days: int, received: datetime,
           due: datetime | None, sender_contact: str | None = None,
           moderation: Moderation | None = None) -> str:
    """Store a new open response (a public comment from a limited domain `held`, shown
    only once an admin approved it); returns its id."""
    row: ResponseRow = {
        "id": new_id(), "organisation": organisation, "object_id": object_id,
        "visibility": visibility, "state": RESPONSE.initial.value, "moderation": moderation,
        "sender_id": sender_id,
        "sender_name": sender_name, "sender_handle": sender_handle,
        "sender_inbox": sender_inbox, "sender_contact": sender_contact,
        "promise_days": promise_days,
        "received_at": iso(received),
        "due_at": iso(due) if due else None,
        "remind_at": iso(received + (due - received) / 2) if due else None, "reminded": 0,
        "first_answer_at": None, "handled_at": None}
    store.db.table(TABLE).insert(dict(row))
    return row["id"]


def add_message(store: Store, response_id: str, *, direction: Direction, content: str,
                at: datetime, note_id: str | None = None, author: str | None = None
                ) -> MessageRow | None:
    """Add a message to a response; a Note already stored (a repeated delivery) adds nothing
    and gives None."""
    row: MessageRow = {"id": new_id(), "response_id": response_id, "note_id": note_id,
                       "direction": direction, "author": author, "content": content,
                       "at": iso(at)}
    cur = store.execute(
        "INSERT OR IGNORE INTO response_messages (id, response_id, note_id, direction, author, "
        "content, at) VALUES (:id, :response_id, :note_id, :direction, :author, :content, :at)",
        dict(row))
    return row if cur.rowcount == 1 else None


def thread_of(store: Store, note_id: str) -> Thread | None:
    """The response a Note (incoming or one of our answers) belongs to."""
    row = store.one(
        "SELECT r.id AS response_id, r.sender_id, r.organisation FROM response_messages m "
        "JOIN responses r ON r.id = m.response_id WHERE m.note_id = ?", [note_id])
    return Thread(**row) if row else None  # type: ignore[typeddict-item]


def messages_since(store: Store, author: str, since: datetime) -> int:
    """How many messages an actor sent us since then (for the flood limit)."""
    return int(store.scalar("SELECT count(*) FROM response_messages WHERE author = ? "
                            "AND direction = 'in' AND at >= ?", [author, iso(since)]) or 0)


def update_message(store: Store, note_id: str, author: str, content: str) -> bool:
    """An incoming message edited by its own author."""
    return store.execute(
        "UPDATE response_messages SET content = ? WHERE note_id = ? AND author = ? "
        "AND direction = 'in'", [content, note_id, author]).rowcount > 0


def remove_message(store: Store, note_id: str, author: str) -> bool:
    """An incoming message deleted by its own author. A response left without any message of
    the sender goes as a whole (our answers to it with it)."""
    row = store.one("SELECT response_id FROM response_messages WHERE note_id = ? AND author = ? "
                    "AND direction = 'in'", [note_id, author])
    if row is None:
        return False
    with store.tx():
        store.execute("DELETE FROM response_messages WHERE note_id = ?", [note_id])
        left = store.scalar("SELECT count(*) FROM response_messages WHERE response_id = ? "
                            "AND direction = 'in'", [row["response_id"]])
        if not left:
            _remove(store, [row["response_id"]])
    return True


def _remove(store: Store, ids: list[str]) -> None:
    marks = ",".join("?" * len(ids))
    store.execute(f"DELETE FROM response_messages WHERE response_id IN ({marks})", ids)
    store.execute(f"DELETE FROM responses WHERE id IN ({marks})", ids)


def remove_all_by(store: Store, sender_id: str) -> int:
    """A remote actor was deleted: every response it started goes, with all its messages."""
    ids = [r["id"] for r in store.all("SELECT id FROM responses WHERE sender_id = ?",
                                      [sender_id])]
    if ids:
        with store.tx():
            _remove(store, ids)
    return len(ids)


def remove_all_from_domain(store: Store, domain: str) -> int:
    """A blocked domain: every response its actors (and its subdomains') started goes, with
    all its messages. Returns how many responses."""
    ids = [r["id"] for r in store.all("SELECT id, sender_id FROM responses "
                                      "WHERE sender_id IS NOT NULL")
           if in_domain(r["sender_id"], domain)]
    if ids:
        with store.tx():
            for start in range(0, len(ids), 500):
                _remove(store, ids[start:start + 500])
    return len(ids)


def erase_handled_before(store: Store, cutoff: datetime, limit: int = 200) -> int:
    """Retention: responses handled before `cutoff` lose their messages and who wrote them;
    what the statistics count (dates, promise, organisation) stays. Returns how many."""
    ids = [r["id"] for r in store.all(
        "SELECT id FROM responses WHERE state = 'handled' AND handled_at < ? "
        "AND (sender_id IS NOT NULL OR sender_name IS NOT NULL OR sender_contact IS NOT NULL) "
        "LIMIT ?",
        [iso(cutoff), limit])]
    if ids:
        marks = ",".join("?" * len(ids))
        with store.tx():
            store.execute(f"DELETE FROM response_messages WHERE response_id IN ({marks})", ids)
            store.execute("UPDATE responses SET sender_id = NULL, sender_name = NULL, "
                          "sender_handle = NULL, sender_inbox = NULL, sender_contact = NULL "
                          f"WHERE id IN ({marks})", ids)
    return len(ids)


def of_sender(store: Store, sender_id: str) -> list[ResponseRow]:
    """Every response a remote actor started (for a privacy export)."""
    rows = store.all("SELECT * FROM responses WHERE sender_id = ? ORDER BY received_at",
                     [sender_id])
    return [ResponseRow(**r) for r in rows]  # type: ignore[typeddict-item]


def of_contact(store: Store, contact: str) -> list[ResponseRow]:
    """Every form response left with this e-mail address or phone number."""
    rows = store.all("SELECT * FROM responses WHERE lower(sender_contact) = lower(?) "
                     "ORDER BY received_at", [contact])
    return [ResponseRow(**r) for r in rows]  # type: ignore[typeddict-item]


def remove_by_contact(store: Store, contact: str) -> int:
    """Erase every form response left with this contact (with its messages)."""
    ids = [r["id"] for r in of_contact(store, contact)]
    if ids:
        with store.tx():
            _remove(store, ids)
    return len(ids)


def forms_since(store: Store, contact: str, since: datetime) -> int:
    """How many form responses were left with this contact since then (rate limit)."""
    return int(store.scalar("SELECT count(*) FROM responses WHERE visibility = 'form' "
                            "AND lower(sender_contact) = lower(?) AND received_at >= ?",
                            [contact, iso(since)]) or 0)


def senders_with_handle(store: Store, handle: str) -> list[str]:
    """The actor ids that wrote to us under this handle (`@name@host`)."""
    return [r["sender_id"] for r in store.all(
        "SELECT DISTINCT sender_id FROM responses WHERE lower(sender_handle) = lower(?) "
        "AND sender_id IS NOT NULL", [handle])]


def get(store: Store, response_id: str) -> ResponseRow | None:
    row = store.one("SELECT * FROM responses WHERE id = ?", [response_id])
    return ResponseRow(**row) if row else None  # type: ignore[typeddict-item]


def messages(store: Store, response_id: str) -> list[MessageRow]:
    """The messages of one response, oldest first."""
    rows = store.all("SELECT * FROM response_messages WHERE response_id = ? "
                     "ORDER BY at, rowid", [response_id])
    return [MessageRow(**r) for r in rows]  # type: ignore[typeddict-item]


def list_responses(store: Store, *, organisation: str | None = None, state: str | None = None,
                   object_id: str | None = None, limit: int = 200) -> list[ResponseRow]:
    """Responses newest first; `organisation` None lists every organisation's."""
    sql, params = "SELECT * FROM responses WHERE 1 = 1", []
    for column, value in (("organisation", organisation), ("state", state),
                          ("object_id", object_id)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    rows = store.all(sql + " ORDER BY received_at DESC, rowid DESC LIMIT ?", [*params, limit])
    return [ResponseRow(**r) for r in rows]  # type: ignore[typeddict-item]


def move(store: Store, response_id: str, dst: ResponseState, now: datetime) -> None:
    """Change a response's state (`IllegalTransition` when the machine does not allow it)."""
    assignments, values = ("handled_at = ?", [iso(now)]) if dst == ResponseState.HANDLED \
        else ("handled_at = NULL", [])
    if update_state(store, TABLE, RESPONSE, dst, where="id = ?", params=[response_id],
                    assignments=assignments, values=values):
        return
    current = store.scalar("SELECT state FROM responses WHERE id = ?", [response_id])
    raise IllegalTransition(RESPONSE.name, str(current), dst.value)


def mark_answered(store: Store, response_id: str, now: datetime) -> None:
    """An answer was sent: the first one is remembered and moves an open response on."""
    store.execute("UPDATE responses SET first_answer_at = ? WHERE id = ? "
                  "AND first_answer_at IS NULL", [iso(now), response_id])
    update_state(store, TABLE, RESPONSE, ResponseState.ANSWERED, where="id = ?",
                 params=[response_id], sources=[ResponseState.OPEN])


def moderate(store: Store, response_id: str, decision: Moderation) -> bool:
    """An editor's decision on a public comment (only public ones can be shown)."""
    return store.execute("UPDATE responses SET moderation = ? WHERE id = ? "
                         "AND visibility = 'public'", [decision, response_id]).rowcount > 0


def decide_held(store: Store, note_id: str, decision: Moderation) -> bool:
    """An admin's review of a held public comment (found by one of its Notes): `approved`
    shows it, `hidden` keeps it from the pages for good. False unless one was held."""
    return store.execute(
        "UPDATE responses SET moderation = ? WHERE moderation = 'held' AND visibility = "
        "'public' AND id IN (SELECT response_id FROM response_messages WHERE note_id = ?)",
        [decision, note_id]).rowcount > 0


class HeldComment(TypedDict):
    """A held public comment as the admins' review lists it."""

    id: str  # the Note's id
    actor: str
    received_at: str


def held_comments(store: Store, limit: int = 200) -> list[HeldComment]:
    """Public comments of limited domains waiting for an admin's review, oldest first."""
    return [HeldComment(**r) for r in store.all(  # type: ignore[typeddict-item]
        "SELECT m.note_id AS id, r.sender_id AS actor, r.received_at FROM responses r "
        "JOIN response_messages m ON m.response_id = r.id WHERE r.moderation = 'held' "
        "AND r.visibility = 'public' AND m.direction = 'in' AND m.note_id IS NOT NULL "
        "AND r.sender_id IS NOT NULL ORDER BY r.received_at, m.rowid LIMIT ?", [limit])]


class Comment(TypedDict):
    """A public comment as the object's page and `replies` collection show it."""

    note_id: str
    content: str
    at: str
    sender_id: str | None
    sender_name: str | None
    sender_handle: str | None


def _shown(undecided_shown: bool) -> str:
    return "r.moderation = 'approved'" if not undecided_shown else \
        "(r.moderation IS NULL OR r.moderation = 'approved')"


def shown_comments(store: Store, object_id: str, *, undecided_shown: bool, limit: int,
                   offset: int = 0) -> list[Comment]:
    """The messages of the public comments on one object that may be shown, oldest first."""
    rows = store.all(
        "SELECT m.note_id, m.content, m.at, r.sender_id, r.sender_name, r.sender_handle "
        "FROM responses r JOIN response_messages m ON m.response_id = r.id "
        f"WHERE r.object_id = ? AND r.visibility = 'public' AND {_shown(undecided_shown)} "
        "AND m.direction = 'in' AND m.note_id IS NOT NULL ORDER BY m.at, m.rowid "
        "LIMIT ? OFFSET ?", [object_id, limit, offset])
    return [Comment(**r) for r in rows]  # type: ignore[typeddict-item]


def count_shown_comments(store: Store, object_id: str, *, undecided_shown: bool) -> int:
    return int(store.scalar(
        "SELECT count(*) FROM responses r JOIN response_messages m ON m.response_id = r.id "
        f"WHERE r.object_id = ? AND r.visibility = 'public' AND {_shown(undecided_shown)} "
        "AND m.direction = 'in' AND m.note_id IS NOT NULL", [object_id]) or 0)


def due_reminders(store: Store, now: datetime, limit: int = 200) -> list[ResponseRow]:
    """Open expressions of interest owed a reminder: past half their promise and none sent
    (`reminded` 0), or past the whole promise and only the first sent (`reminded` 1)."""
    rows = store.all(
        "SELECT * FROM responses WHERE state = 'open' AND visibility IN ('direct', 'form') "
        "AND ((reminded = 0 AND remind_at <= ?) OR (reminded < 2 AND due_at <= ?)) "
        "ORDER BY remind_at, rowid LIMIT ?", [iso(now), iso(now), limit])
    return [ResponseRow(**r) for r in rows]  # type: ignore[typeddict-item]


def mark_reminded(store: Store, response_id: str, level: int) -> bool:
    """Remember that reminders up to `level` (1: half, 2: whole promise) were queued; False
    when they had been already (another pass got there first)."""
    return store.execute("UPDATE responses SET reminded = ? WHERE id = ? AND reminded < ?",
                         [level, response_id, level]).rowcount > 0


def overdue(store: Store, now: datetime, limit: int = 500) -> list[ResponseRow]:
    """Open responses whose promised reply time has run out, the longest overdue first."""
    rows = store.all("SELECT * FROM responses WHERE state = 'open' AND due_at < ? "
                     "ORDER BY due_at, rowid LIMIT ?", [iso(now), limit])
    return [ResponseRow(**r) for r in rows]  # type: ignore[typeddict-item]


class Timing(TypedDict):
    """What the statistics need of one expression of interest."""

    promise_days: int
    received_at: str
    due_at: str | None
    first_answer_at: str | None


def timings(store: Store, organisation: str, since: datetime) -> list[Timing]:
    """The expressions of interest (direct and form responses) an organisation received since
    then, for its statistics."""
    rows = store.all(
        "SELECT promise_days, received_at, due_at, first_answer_at FROM responses "
        "WHERE organisation = ? AND visibility IN ('direct', 'form') AND received_at >= ? "
        "ORDER BY received_at",
        [organisation, iso(since)])
    return [Timing(**r) for r in rows]  # type: ignore[typeddict-item]


def in_time_shares(store: Store, since: datetime, minimum: int) -> dict[str, float]:
    """Per organisation with at least `minimum` expressions of interest since then: the share
    answered within their promise — the figure of its public statistics, for the search's
    ranking (one query for every organisation)."""
    rows = store.all(
        "SELECT organisation, count(*) AS n, sum(first_answer_at IS NOT NULL AND due_at IS NOT "
        "NULL AND first_answer_at <= due_at) AS in_time FROM responses "
        "WHERE visibility IN ('direct', 'form') AND received_at >= ? GROUP BY organisation",
        [iso(since)])
    return {r["organisation"]: r["in_time"] / r["n"] for r in rows if r["n"] >= minimum}
