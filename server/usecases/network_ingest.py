"""The knowledge network: content from followed cities, kept with its origin and searchable.

Rules (security.md, interop.md §7): an object's `id` host must equal its actor's; `Update` and
`Delete` only by the stored owner; objects inside an `Announce` are fetched from their origin,
never trusted as embedded; HTML is sanitised by allow-list and lengths capped by the models; no
remote JSON-LD context is ever fetched. A `Delete` that arrives before its `Create` leaves a
tombstone so the object never comes back."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from mitwirken.federation.convert import article_to_practice, note_to_opportunity
from mitwirken.federation.fetch import Fetcher, FetchError
from mitwirken.federation.inbox import Activity, InboxContext, Reject, State, object_id
from mitwirken.federation.remote import RemoteActor, RemoteActors, host
from mitwirken.federation.urls import Urls
from mitwirken.models import (
    actor_blocks,
    content_store,
    domain_policy,
    follows,
    outbox,
    remote_content,
    search,
)
from mitwirken.models.content import Opportunity, Practice
from mitwirken.models.markdown import html_to_text, sanitize_html
from mitwirken.models.safe_json import parse_json
from mitwirken.models.store import Store, iso

log = logging.getLogger("mitwirken.network")
MAX_RAW = 256_000


def _handle(actor_id: str, cached: RemoteActor | None) -> str:
    user = cached.preferred_username if cached and cached.preferred_username else "unknown"
    return f"{user}@{host(actor_id)}"


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


class Network:
    """Ingests remote opportunities and practice posts; its `receive_*` methods are the last
    inbox handler for Create, Update, Delete and Announce (`server/inbox_table.py`)."""

    def __init__(self, store: Store, urls: Urls, actors: RemoteActors, fetcher: Fetcher,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.urls = urls
        self.actors = actors
        self.fetcher = fetcher
        self.clock = clock

    # --- policy -------------------------------------------------------------------------

    def followed(self, actor_id: str) -> bool:
        return follows.is_following(self.store, actor_id)

    def tombstoned(self, object_id_: str, actor_id: str | None = None) -> bool:
        """Deleted for good — by its own actor (a tombstone left by someone else on the same
        host must not suppress another actor's object). Without `actor_id`: any tombstone."""
        row = outbox.tombstone(self.store, object_id_)
        if row is None:
            return False
        return actor_id is None or row["actor"] in (None, actor_id)

    # --- handlers -----------------------------------------------------------------------

    async def receive_create(self, ctx: InboxContext, activity: Activity) -> State:
        return self.accept_create(activity)

    async def receive_update(self, ctx: InboxContext, activity: Activity) -> State:
        return self.accept_update(activity)

    async def receive_delete(self, ctx: InboxContext, activity: Activity) -> State:
        return self.accept_delete(activity)

    async def receive_announce(self, ctx: InboxContext, activity: Activity) -> State:
        """A followed actor (or relay) shares an object: fetch it from its origin."""
        fetched = await self.fetch_announced(activity)
        if fetched is None:
            return "ignored"
        obj, author = fetched
        return self.ingest(obj, actor_id=author, shared_by=activity["actor"])

    # --- the handlers' rules, without I/O (the backfill runs a page of them in one
    # transaction) ---------------------------------------------------------------------------

    def accept_create(self, activity: Activity) -> State:
        obj = activity.get("object")
        if not isinstance(obj, dict):
            return "ignored"
        actor = activity["actor"]
        if self._record_adoption(obj, actor) and not self.followed(actor):
            return "processed"
        if not self.followed(actor):
            log.info("content_ignored reason=not_followed actor=%s", actor)
            return "ignored"
        return self.ingest(obj, actor_id=actor)

    def accept_update(self, activity: Activity) -> State:
        obj = activity.get("object")
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            return "ignored"
        owner = remote_content.owner(self.store, obj["id"])
        if owner is None:
            return self.accept_create(activity)
        if owner != activity["actor"]:
            raise Reject("Update by someone other than the stored owner")
        return self.ingest(obj, actor_id=activity["actor"])

    def accept_delete(self, activity: Activity) -> State:
        target = object_id(activity.get("object"))
        if not target or host(target) != host(activity["actor"]):
            raise Reject("Delete of an object on another host")
        owner = remote_content.owner(self.store, target)
        if owner is not None and owner != activity["actor"]:
            raise Reject("Delete by someone other than the stored owner")
        with self.store.tx():
            outbox.add_tombstone(self.store, target, "Object", self.clock(), activity["actor"])
            remote_content.remove(self.store, target)
            remote_content.remove_adoptions_by(self.store, target, activity["actor"])
            search.remove(self.store, target)
        log.info("remote_deleted id=%s actor=%s known=%s", target, activity["actor"],
                 owner is not None)
        return "processed"

    async def fetch_announced(self, activity: Activity) -> tuple[dict, str] | None:
        """The object a followed actor's Announce shares, fetched from its origin, and its
        author (None: nothing to store — not followed, no object, gone at its origin)."""
        announcer = activity["actor"]
        if not self.followed(announcer):
            return None
        target = object_id(activity.get("object"))
        if not target:
            return None
        if isinstance(activity.get("object"), dict) and activity["object"].get("type") in (
                "Create", "Update"):
            target = object_id(activity["object"].get("object"))  # FEP-1b12 wrapping
            if not target:
                return None
        if domain_policy.is_refused(self.store, host(target)):
            # An allowed peer shares something of a blocked or unlisted domain: dropped
            # without fetching it (security.md E-03).
            log.info("content_ignored reason=origin_refused id=%s shared_by=%s", target,
                     announcer)
            return None
        try:
            obj = await self.fetcher.get_object(target)
        except FetchError as exc:
            if exc.status in (404, 410):
                return None
            raise
        author = object_id(_first(obj.get("attributedTo")))
        if not author or host(author) != host(target):
            raise Reject("announced object has no author on its own host")
        await self.actors.get(author)  # its name and handle, as for objects sent to us
        return obj, author

    # --- storing --------------------------------------------------------------------------

    def ingest(self, obj: dict, *, actor_id: str, shared_by: str | None = None) -> State:
        object_iri = obj.get("id")
        if not isinstance(object_iri, str) or host(object_iri) != host(actor_id):
            raise Reject("object on another host than its actor")
        author = object_id(_first(obj.get("attributedTo")))
        if author is not None and author != actor_id:
            raise Reject("attributedTo is not the actor")
        if self.tombstoned(object_iri, actor_id):
            return "ignored"
        if actor_blocks.is_blocked(self.store, actor_id, *([shared_by] if shared_by else [])):
            log.info("content_ignored reason=actor_blocked id=%s actor=%s", object_iri,
                     actor_id)
            return "ignored"
        stored = remote_content.owner_and_review(self.store, object_iri)
        if stored is not None and stored[0] != actor_id:
            raise Reject("object already stored for another actor")
        raw = json.dumps(obj, ensure_ascii=False)
        if len(raw) > MAX_RAW:
            raise Reject("object too large")
        cached = self.actors.cached(actor_id)  # read once: a backfill stores thousands
        kind, model = self._to_domain(obj, _handle(actor_id, cached))
        origin = host(actor_id)
        origin_name = cached.name if cached else None
        safe = dict(obj)
        for key in ("content", "summary"):
            if isinstance(safe.get(key), str):
                safe[key] = sanitize_html(safe[key])
        safe.pop("contentMap", None)
        now = self.clock()
        url = _url_of(obj, object_iri, origin)
        # A limited domain's content waits for an admin's review: stored, not searchable;
        # what an admin hid stays hidden whatever its author changes.
        review = "held" if domain_policy.verdict(self.store, origin) == "limited" else None
        if stored is not None and stored[1] == "hidden":
            review = "hidden"
        with self.store.tx():
            remote_content.save(self.store, remote_content.RemoteObject(
                id=object_iri, kind=kind, actor=actor_id, origin=origin,
                origin_name=origin_name,
                data=model.model_dump_json() if model is not None else None,
                raw=json.dumps(safe, ensure_ascii=False), shared_by=shared_by,
                published=str(obj.get("published"))[:40] if obj.get("published") else None,
                updated=str(obj.get("updated"))[:40] if obj.get("updated") else None,
                received_at=iso(now), review=review))
            if review is None:
                _index(self.store, model, object_iri, url, origin, origin_name, actor_id)
            else:
                search.remove(self.store, object_iri)
        log.info("remote_stored id=%s kind=%s actor=%s domain=%s shared_by=%s review=%s",
                 object_iri, kind, actor_id, origin, shared_by, review or "-")
        return "processed"

    def _to_domain(self, obj: dict, handle: str) -> tuple[str, Opportunity | Practice | None]:
        """Rebuild our domain object from `mw:` fields, or degrade plain Notes, Articles and
        Events of other software to something searchable."""
        type_ = obj.get("type")
        try:
            if type_ == "Note" and ("kind" in obj or "https://w3id.org/mitwirken/ns#kind" in obj):
                opp = note_to_opportunity(obj, org_username=handle)
                return "opportunity", opp.model_copy(update={"id": None})
            if type_ == "Article":
                if "sections" in obj or "https://w3id.org/mitwirken/ns#sections" in obj:
                    practice = article_to_practice(obj, org_username=handle)
                    return "practice", practice.model_copy(update={"id": None})
                return "practice", self._degraded_practice(obj, handle)
            if type_ == "Event":
                return "opportunity", self._degraded_event(obj, handle)
        except ValidationError as exc:
            log.info("remote_degraded id=%s reason=%s", obj.get("id"), exc.error_count())
        return "other", None

    @staticmethod
    def _degraded_practice(obj: dict, handle: str) -> Practice | None:
        text = html_to_text(sanitize_html(str(obj.get("content") or "")))
        summary = html_to_text(sanitize_html(str(obj.get("summary") or ""))) or text
        name = str(obj.get("name") or summary[:80] or "Beitrag")
        try:
            return Practice.model_validate({
                "org_username": handle, "title": name[:150], "summary": summary[:500] or name,
                "sections": {"ansatz": text[:10_000]} if text else {}})
        except ValidationError:
            return None

    @staticmethod
    def _degraded_event(obj: dict, handle: str) -> Opportunity | None:
        text = html_to_text(sanitize_html(str(obj.get("content") or obj.get("summary") or "")))
        url = obj.get("url") if isinstance(obj.get("url"), str) else obj.get("id")
        try:
            return Opportunity.model_validate({
                "org_username": handle, "title": str(obj.get("name") or "Termin")[:100],
                "description": text[:10_000] or str(obj.get("name") or "Termin"),
                "kind": "one-off", "start": obj.get("startTime"),
                "end": obj.get("endTime") or obj.get("startTime"),
                "contact": {"url": url}, "apply_channels": ["url"], "apply_url": url})
        except ValidationError:
            return None

    def _record_adoption(self, obj: dict, actor: str) -> bool:
        """A practice elsewhere says it was adapted from one of ours: remember it."""
        adapted = obj.get("adaptedFrom") or obj.get("https://w3id.org/mitwirken/ns#adaptedFrom")
        adapted = object_id(_first(adapted))
        if obj.get("type") != "Article" or not adapted or not adapted.startswith(
                self.urls.base + "/praxis/"):
            return False
        practice_id = adapted.rsplit("/", 1)[-1]
        if not content_store.practice_exists(self.store, practice_id):
            return False
        if not isinstance(obj.get("id"), str) or host(obj["id"]) != host(actor):
            raise Reject("adopting practice on another host than its actor")
        remote_content.record_adoption(self.store, practice_id, obj["id"], actor, self.clock())
        log.info("practice_adopted local=%s by=%s actor=%s", practice_id, obj["id"], actor)
        return True


def _url_of(obj: dict, object_iri: str, origin: str) -> str:
    """The object's page: its `url` when that is on its origin, else its id."""
    url = obj.get("url")
    return url if isinstance(url, str) and host(url) == origin else object_iri


def _index(store: Store, model: Opportunity | Practice | None, object_iri: str, url: str,
           origin: str, origin_name: str | None, actor_id: str) -> None:
    if isinstance(model, Opportunity):
        search.index(store, search.item_for_opportunity(
            model, ap_id=object_iri, url=url, local=False, origin=origin,
            origin_name=origin_name, actor=actor_id))
    elif isinstance(model, Practice):
        search.index(store, search.item_for_practice(
            model, ap_id=object_iri, url=url, local=False, origin=origin,
            origin_name=origin_name, actor=actor_id))


def index_stored(store: Store, row: remote_content.RemoteObject) -> None:
    """Make a stored remote object searchable (after an admin approved it)."""
    model: Opportunity | Practice | None = None
    if row["data"] is not None and row["kind"] == "opportunity":
        model = Opportunity.model_validate_json(row["data"])
    elif row["data"] is not None and row["kind"] == "practice":
        model = Practice.model_validate_json(row["data"])
    raw = parse_json(row["raw"])  # stored by `ingest` from a parsed, sanitised object
    _index(store, model, row["id"], _url_of(raw, row["id"], row["origin"]), row["origin"],
           row["origin_name"], row["actor"])


# --- unfollow / block -----------------------------------------------------------------------

def purge_actor(store: Store, actor_id: str) -> int:
    """Content only reachable through an actor we no longer follow disappears."""
    removed, after = 0, ""
    while rows := remote_content.reached_through(store, actor_id, after):
        for row in rows:
            if not follows.is_following(store, row["actor"]):
                _drop(store, row["id"])
                removed += 1
        after = rows[-1]["id"]
    return removed


def purge_blocked_actor(store: Store, actor_id: str) -> int:
    """A blocked actor: its own content goes, whoever shared it, and what it shared goes
    unless we follow the author."""
    removed, after = 0, ""
    while rows := remote_content.reached_through(store, actor_id, after):
        for row in rows:
            if row["actor"] == actor_id or not follows.is_following(store, row["actor"]):
                _drop(store, row["id"])
                removed += 1
        after = rows[-1]["id"]
    return removed


def purge_domain(store: Store, domain: str) -> int:
    """A blocked domain: its content goes, whoever shared it."""
    removed, after = 0, ""
    while ids := remote_content.ids_from_origin(store, domain, after):
        for object_iri in ids:
            _drop(store, object_iri)
        removed += len(ids)
        after = ids[-1]
    return removed + search.remove_origin(store, domain)


def _drop(store: Store, object_iri: str) -> None:
    with store.tx():
        remote_content.remove(store, object_iri)
        search.remove(store, object_iri)
