"""DSGVO: what we hold about one person, and erasing it (issue 13).

A person is named by their actor id (`https://…`), their handle (`@name@host` or `name@host`)
or an e-mail address; they are resolved to the remote actor ids we know them by. `export`
gathers everything held about them — responses with their messages, interactions with our
objects, follows both ways, the cached actor document and the unlisted activities we sent
them (our answers, Accepts). `erase` removes all of it in one transaction and cancels what is
still queued for their own inbox, so an erased follower gets no more deliveries."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from mitwirken.federation.remote import host
from mitwirken.models import (
    audit,
    deliveries,
    follows,
    interactions,
    mails,
    outbox,
    remote_actors,
)
from mitwirken.models import responses as repo
from mitwirken.models.ids import hash_token
from mitwirken.models.store import Store

log = logging.getLogger("mitwirken.privacy")


def resolve(store: Store, who: str) -> list[str]:
    """The remote actor ids behind an actor id, a handle or an e-mail address."""
    who = who.strip()
    if who.startswith(("https://", "http://")):
        return [who]
    name, _, domain = who.lstrip("@").partition("@")
    if not name or not domain:
        return []
    handle = f"@{name}@{domain}"
    ids = repo.senders_with_handle(store, handle)
    ids += [i for i in remote_actors.ids_named(store, name) if host(i) == domain.lower()]
    return list(dict.fromkeys(ids))


def export(store: Store, who: str) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready data."""
    people = []
    for actor in resolve(store, who):
        cached = remote_actors.document(store, actor)
        people.append({
            "actor": actor,
            "cached_actor": json.loads(cached["data"]) if cached else None,
            "responses": [{**row, "messages": repo.messages(store, row["id"])}
                          for row in repo.of_sender(store, actor)],
            "interactions": interactions.by_actor(store, actor),
            "follows": follows.rows_of_actor(store, actor),
            "sent_to_them": outbox.private_to(store, actor),
        })
    contact = _contact(who)
    forms = [{**row, "messages": repo.messages(store, row["id"])}
             for row in repo.of_contact(store, contact)] if contact else []
    return {"who": who, "people": people, "form_responses": forms,
            "mails": mails.about(store, contact) if contact else []}


def _contact(who: str) -> str | None:
    """An e-mail address (or phone number) as left in the form, if `who` is one."""
    who = who.strip()
    if who.startswith(("http://", "https://", "@")):
        return None
    return who if "@" in who or who.replace(" ", "").lstrip("+").isdigit() else None


def erase(store: Store, who: str, now: datetime, *, by: str = "system") -> dict[str, Any]:
    """Remove everything held about a person; returns what was removed, per kind. The audit
    entry (`privacy.erase`) names who acted and what was removed, never the person (only a
    hash of how they were named, to answer "was my request carried out?")."""
    removed = {"responses": 0, "interactions": 0, "follows": 0, "cached_actors": 0,
               "sent_activities": 0, "deliveries": 0, "form_responses": 0, "mails": 0}
    actors = resolve(store, who)
    contact = _contact(who)
    with store.tx():
        if contact:
            removed["form_responses"] += repo.remove_by_contact(store, contact)
            removed["mails"] += mails.forget_about(store, contact)
        for actor in actors:
            inboxes = remote_actors.inboxes(store, actor)
            personal = {str(f["inbox"]) for f in follows.rows_of_actor(store, actor)["followers"]}
            if inboxes:
                personal.add(inboxes["inbox"])
                removed["cached_actors"] += 1
            removed["responses"] += repo.remove_all_by(store, actor)
            removed["interactions"] += interactions.remove_all_by(store, actor)
            removed["follows"] += follows.remove_actor(store, actor)
            sent = outbox.remove_private_to(store, actor)
            removed["sent_activities"] += len(sent)
            removed["deliveries"] += deliveries.forget_activities(store, sent)
            for inbox in sorted(personal):
                removed["deliveries"] += deliveries.cancel_pending_for_inbox(
                    store, inbox, now, "erased (privacy)")
            remote_actors.forget(store, actor)
        audit.record(store, actor=by, action="privacy.erase",
                     target=f"sha256:{hash_token(who.strip())[:16]}",
                     details={"actors": len(actors), **removed}, now=now)
    log.info("privacy_erased actors=%d by=%s %s", len(actors), by,
             " ".join(f"{k}={v}" for k, v in removed.items()))
    return {"who": who, "actors": actors, "removed": removed,
            "found": bool(actors) or any(removed.values())}
