"""Use cases for publishing: validate, store, record the activity and queue its delivery — one
transaction each, so nothing is half-written. Shared by the API, import, demo and workers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from pydantic import ValidationError

from mitwirken.federation import activities
from mitwirken.federation.convert import opportunity_to_note, practice_to_article
from mitwirken.federation.outbox import publish, restate_object, withdraw_object
from mitwirken.federation.urls import Urls
from mitwirken.models import actors as actor_repo
from mitwirken.models import content_store, follows, remote_content, search
from mitwirken.models.content import Opportunity, Practice, german_errors
from mitwirken.models.fields import validate_input
from mitwirken.models.german_errors import problem, raise_errors
from mitwirken.models.store import Store
from mitwirken.models.vocab import OpportunityStatus

log = logging.getLogger("mitwirken.content")

Kind = Literal["opportunities", "practices"]
READ_ONLY = ("id", "org_username", "published", "updated", "last_confirmed")


class NotFound(Exception):
    pass


class ReadOnlyField(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def model_for(kind: Kind) -> type[Opportunity] | type[Practice]:
    return Opportunity if kind == "opportunities" else Practice


class ContentService:
    def __init__(self, store: Store, urls: Urls, clock: Callable[[], datetime],
                 wake: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.urls = urls
        self.clock = clock
        self.wake = wake

    # --- reading ------------------------------------------------------------------------

    @cached_property
    def city(self) -> str:
        """The city actor's username: fixed at `init`, so read once, not on every publish."""
        return actor_repo.city_actor(self.store).username

    @property
    def city_display_name(self) -> str:
        return actor_repo.city_actor(self.store).name

    def ap_id(self, obj: Opportunity | Practice) -> str:
        if isinstance(obj, Opportunity):
            return self.urls.opportunity(obj.id)
        return self.urls.practice(obj.id)

    def to_ap(self, obj: Opportunity | Practice) -> dict:
        actor = actor_repo.get_actor(self.store, obj.org_username)
        if isinstance(obj, Opportunity):
            return opportunity_to_note(obj, self.urls, org=actor, city_username=self.city,
                                       city_name=self.city_name(self.city_display_name))
        partners = [p.actor_iri for p in obj.partners
                    if p.actor_iri and self.urls.is_local(p.actor_iri)]
        doc = practice_to_article(obj, self.urls, actor=actor, partner_actor_ids=partners)
        # The adoption trail: practices elsewhere that build on this one (a collection).
        doc["adoptedBy"] = f"{doc['id']}/adoptedBy"
        return doc

    @staticmethod
    def city_name(instance_name: str) -> str:
        """"Engagierte Stadt Musterstadt" → "Musterstadt" (for the city hashtag)."""
        return instance_name.removeprefix("Engagierte Stadt").strip() or instance_name

    def get(self, kind: Kind, object_id: str) -> Opportunity | Practice:
        obj = content_store.get(self.store, kind, object_id)
        if obj is None:
            raise NotFound(object_id)
        return obj

    # --- writing ------------------------------------------------------------------------

    def create(self, kind: Kind, username: str, data: dict[str, Any], *,
               allow_read_only: bool = False, strict: bool = False) -> Opportunity | Practice:
        """``strict``: numbers and booleans must be JSON ones (the editor API)."""
        if not allow_read_only:
            self._check_read_only(data)
        now = self.clock()
        obj = validate_input(model_for(kind), {**data, "org_username": username}, strict=strict)
        if isinstance(obj, Opportunity) and obj.last_confirmed is None:
            obj = obj.model_copy(update={"last_confirmed": now})
        self._check_original_id(obj)
        with self.store.tx():
            stored = content_store.save(self.store, obj, now)
            self._publish(stored, "Create", now)
        log.info("published kind=%s id=%s actor=%s", kind, stored.id, username)
        return stored

    def preview(self, kind: Kind, username: str, data: dict[str, Any],
                object_id: str | None = None) -> tuple[Opportunity | Practice, dict]:
        """What `create` (or, with `object_id`, `update`) would publish — validated by the same
        rules, converted by the same converter — without storing anything. Raises the same
        `ValidationError`. A new object gets the placeholder id `vorschau`."""
        self._check_read_only(data)
        now = self.clock()
        if object_id is None:
            obj = validate_input(model_for(kind), {**data, "org_username": username})
            obj = obj.model_copy(update={"id": "vorschau", "published": now, "updated": now})
        else:
            current = self.get(kind, object_id)
            obj = validate_input(model_for(kind), {**current.model_dump(mode="json"), **data})
            obj = obj.model_copy(update={"updated": now})
        if isinstance(obj, Opportunity) and obj.last_confirmed is None:
            obj = obj.model_copy(update={"last_confirmed": now})
        return obj, self.to_ap(obj)

    def update(self, kind: Kind, object_id: str, patch: dict[str, Any], *,
               allow_read_only: bool = False, strict: bool = False) -> Opportunity | Practice:
        if not allow_read_only:
            self._check_read_only(patch)
        current = self.get(kind, object_id)
        merged = {**current.model_dump(mode="json"), **patch}
        obj = validate_input(model_for(kind), merged, strict=strict)
        return self._replace(obj)

    def confirm(self, object_id: str) -> Opportunity:
        """The organisation says the opportunity is still current (resets auto-pause)."""
        opp = self.get("opportunities", object_id)
        changes: dict[str, Any] = {"last_confirmed": self.clock()}
        if opp.status == OpportunityStatus.PAUSED:
            changes["status"] = OpportunityStatus.OPEN
        return self._replace(opp.model_copy(update=changes))

    def set_status(self, object_id: str, status: OpportunityStatus) -> Opportunity:
        opp = self.get("opportunities", object_id)
        return self._replace(opp.model_copy(update={"status": status}))

    def delete(self, kind: Kind, object_id: str) -> None:
        obj = self.get(kind, object_id)
        now = self.clock()
        ap_id = self.ap_id(obj)
        former = "Note" if kind == "opportunities" else "Article"
        with self.store.tx():
            content_store.mark_deleted(self.store, kind, object_id, ap_id, former, now)
            search.remove(self.store, ap_id)
            publish(self.store, obj.org_username,
                    activities.delete(self.urls, obj.org_username, ap_id, former, now), now,
                    extra_inboxes=self._extra_inboxes(obj))
            withdraw_object(self.store, ap_id)
        self.wake()
        log.info("deleted kind=%s id=%s actor=%s", kind, object_id, obj.org_username)

    def _replace(self, obj: Opportunity | Practice) -> Opportunity | Practice:
        self._check_original_id(obj)
        now = self.clock()
        with self.store.tx():
            stored = content_store.save(self.store, obj, now)
            self._publish(stored, "Update", now)
        return stored

    def _publish(self, obj: Opportunity | Practice, verb: str, now: datetime) -> None:
        """Record the activity for the author's followers. An organisation's post also goes
        to the city's followers, and on creation the city boosts it: following the city is
        enough to see everything the city's organisations publish."""
        doc = self.to_ap(obj)
        self._index(obj, doc)
        build = activities.create if verb == "Create" else activities.update
        author = obj.org_username
        publish(self.store, author, build(self.urls, author, doc, now), now,
                extra_inboxes=self._extra_inboxes(obj))
        if verb == "Update":
            restate_object(self.store, doc)  # earlier activities serve no removed detail
        if verb == "Create" and author != self.city:
            publish(self.store, self.city, activities.announce(
                self.urls, self.city, doc["id"], self.urls.actor(author), now), now)
        if verb == "Create" and follows.follower_inboxes(self.store, "instance"):
            publish(self.store, "instance", activities.relay_announce(self.urls, doc["id"], now),
                    now)  # subscribed LitePub relays follow the instance actor
        self.wake()

    def _extra_inboxes(self, obj: Opportunity | Practice) -> list[str]:
        inboxes = []
        if obj.org_username != self.city:
            inboxes += follows.follower_inboxes(self.store, self.city)
        if isinstance(obj, Practice) and obj.adapted_from and not self.urls.is_local(
                obj.adapted_from):
            origin = remote_content.owner_inbox(self.store, obj.adapted_from)
            if origin:
                inboxes.append(origin)
            else:
                log.warning("adoption_origin_unknown adapted_from=%s", obj.adapted_from)
        return inboxes

    def _index(self, obj: Opportunity | Practice, doc: dict) -> None:
        actor = actor_repo.get_actor(self.store, obj.org_username)
        common = {"ap_id": doc["id"], "url": doc["id"], "local": True,
                  "origin": self.urls.hostname, "origin_name": actor.name if actor else None,
                  "actor": self.urls.actor(obj.org_username)}
        if isinstance(obj, Opportunity):
            search.index(self.store, search.item_for_opportunity(obj, **common))
        else:
            search.index(self.store, search.item_for_practice(obj, **common))

    def share(self, username: str, object_iri: str) -> str:
        """Boost a remote object (e.g. another city's practice) to our own followers;
        receivers fetch it from its origin."""
        owner = remote_content.owner(self.store, object_iri)
        if owner is None:
            raise NotFound(object_iri)
        now = self.clock()
        activity = activities.announce(self.urls, username, object_iri, owner, now)
        extra = [inbox] if (inbox := remote_content.owner_inbox(self.store, object_iri)) else []
        publish(self.store, username, activity, now, extra_inboxes=extra)
        self.wake()
        log.info("shared object=%s by=%s", object_iri, username)
        return activity["id"]

    def _check_original_id(self, obj: Opportunity | Practice) -> None:
        """`original_id` is unique per organisation (imports match on it, deleted rows
        included): a clash is the editor's 422, not a database error's 500."""
        if not isinstance(obj, Opportunity) or not obj.original_id:
            return
        if content_store.original_id_taken(self.store, obj.org_username, obj.original_id,
                                           obj.id):
            raise_errors("Opportunity", [problem(
                "original_id", "original_id_taken",
                "Diese Kennung aus dem Ursprungssystem ist bei dieser Organisation schon "
                "vergeben (auch gelöschte Einträge zählen).")])

    @staticmethod
    def _check_read_only(data: dict[str, Any]) -> None:
        bad = [f for f in READ_ONLY if f in data]
        if bad:
            raise ReadOnlyField(bad)


def validation_detail(exc: ValidationError) -> list[dict[str, str]]:
    return german_errors(exc)
