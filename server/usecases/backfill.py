"""Sharing the past: after a followed city or organisation accepts our Follow, its existing
public opportunities and practice posts arrive too (issue 16).

The backfill worker (`server/workers/backfill.py`) calls `Backfiller.step` for each due row of
`backfills`: one signed outbox page per step, paced by `backfill_page_interval_seconds`, newest
first, until the outbox ends, an activity is older than `backfill_months` before the follow,
or `backfill_max_objects` objects were seen. Each activity goes through the rules of the live
inbox handlers (`Network.accept_create`, `accept_update`, `accept_delete`, and for an
`Announce` `fetch_announced` + `ingest`, which is `receive_announce`): the same origin and
forgery checks, the same storing. So a city's outbox `Announce`s of its organisations' posts
are fetched from their origin (a few at a time) and stored as shared by the city, exactly as
live delivery does it. A page's objects are stored in one transaction with the cursor's move.

Idempotent: an object already stored is skipped (the outbox is newest first, so the first
state seen is the current one, and a live delivery that came meanwhile is newer still).
Resumable: the cursor (the next page's URL) moves in the transaction that stores the page's
objects; after a crash the page is read again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mitwirken.federation.delivery import backoff
from mitwirken.federation.fetch import Fetcher, FetchError
from mitwirken.federation.inbox import Activity, InboxContext, Reject, State, object_id
from mitwirken.federation.outbox_pages import OutboxPage, read_page
from mitwirken.federation.remote import RemoteActors, host
from mitwirken.models import backfills, follows, remote_content
from mitwirken.models.backfills import Backfill, BackfillState
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store
from mitwirken.server.usecases.network_ingest import Network

log = logging.getLogger("mitwirken.backfill")

MAX_PAGE_ATTEMPTS = 5
FETCH_CONCURRENCY = 4  # announced objects of one page fetched at once
OBJECT_TYPES = ("Create", "Update", "Announce")
Fetched = tuple[dict, str] | None | Exception  # an Announce's object and author, or why not


@dataclass(frozen=True)
class Limits:
    """How far back a backfill goes (the `backfill_*` settings)."""

    max_objects: int = 2000
    months: int = 12
    page_interval: timedelta = timedelta(seconds=0.5)


def start(store: Store, username: str, actor_id: str, now: datetime) -> None:
    """Our Follow of `actor_id` was accepted: its past is to be fetched (relays have none)."""
    if username == "instance":
        return
    backfills.start(store, username, actor_id, now)
    log.info("backfill_started local=%s actor=%s", username, actor_id)


def stop(store: Store, username: str, actor_id: str, now: datetime) -> None:
    """An unfollow: the backfill of that actor, if running, stops."""
    if backfills.stop(store, username, actor_id, now):
        log.info("backfill_stopped local=%s actor=%s reason=unfollowed", username, actor_id)


def _published(activity: Activity) -> datetime | None:
    obj = activity.get("object")
    value = activity.get("published") or (obj.get("published") if isinstance(obj, dict)
                                          else None)
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None


def _target(activity: Activity) -> str | None:
    """The id of the object an activity brings (inside an FEP-1b12 Announce(Create) too)."""
    obj = activity.get("object")
    if activity.get("type") == "Announce" and isinstance(obj, dict) and obj.get("type") in (
            "Create", "Update"):
        obj = obj.get("object")
    return object_id(obj)


class Backfiller:
    """One step of one backfill: read a page, ingest what it brings, move the cursor."""

    def __init__(self, store: Store, network: Network, ctx: InboxContext, fetcher: Fetcher,
                 actors: RemoteActors, clock: Callable[[], datetime], limits: Limits) -> None:
        self.store = store
        self.network = network
        self.ctx = ctx
        self.fetcher = fetcher
        self.actors = actors
        self.clock = clock
        self.limits = limits

    async def step(self, row: Backfill) -> None:
        try:
            await self._step(row)
        except IllegalTransition as exc:  # stopped by an unfollow while the page was read
            log.info("backfill_moved_meanwhile local=%s actor=%s reason=%s", row["username"],
                     row["actor"], exc)

    async def _step(self, row: Backfill) -> None:
        now = self.clock()
        following = follows.get_following(self.store, row["username"], row["actor"])
        if following is None or following["state"] != "accepted":
            backfills.finish(self.store, row["id"], BackfillState.STOPPED, now)
            log.info("backfill_stopped local=%s actor=%s reason=not_following",
                     row["username"], row["actor"])
            return
        if row["seen"] >= self.limits.max_objects:
            self._done(row, now, 0, 0, "limit")
            return
        try:
            page = await self._page(row)
        except FetchError as exc:
            self._page_failed(row, now, exc)
            return
        since = datetime.fromisoformat(row["started_at"]) - timedelta(
            days=round(30.44 * self.limits.months))
        chosen: list[Activity] = []
        seen = 0  # objects of the followed actor on this page, new or known already
        reason = None
        for activity in page.items:
            if row["seen"] + seen >= self.limits.max_objects:
                reason = "limit"
                break
            published = _published(activity)
            if published is not None and published < since:
                reason = "time_window"
                break
            verdict = self._admissible(activity, row["actor"])
            seen += verdict in ("new", "known") and activity["type"] != "Delete"
            if verdict == "new":
                chosen.append(activity)
        fetched = await self._fetch_announced(chosen)
        if reason is None and page.next is None:
            reason = "end"
        with self.store.tx():  # the page's objects and the cursor move together
            stored = sum(self._ingest(a, fetched.get(id(a))) == "processed"
                         and a["type"] != "Delete" for a in chosen)
            now = self.clock()
            if reason is not None:
                self._done(row, now, seen, stored, reason)
                return
            backfills.advance(self.store, row["id"], cursor=page.next, seen=seen,
                              stored=stored, next_at=now + self.limits.page_interval)
        log.info("backfill_page local=%s actor=%s page=%s seen=%d stored=%d", row["username"],
                 row["actor"], page.url, seen, stored)

    async def _page(self, row: Backfill) -> OutboxPage:
        url = row["cursor"]
        if url is None:
            actor = await self.actors.get(row["actor"])
            outbox = actor.data.get("outbox")
            if not isinstance(outbox, str):
                raise FetchError("actor has no outbox")
            url = outbox
        return await read_page(self.fetcher, url, row["actor"])

    def _page_failed(self, row: Backfill, now: datetime, exc: FetchError) -> None:
        attempts = row["attempts"] + 1
        if attempts >= MAX_PAGE_ATTEMPTS or exc.status in (401, 403, 404, 410):
            backfills.finish(self.store, row["id"], BackfillState.FAILED, now, error=exc.reason)
            log.warning("backfill_failed local=%s actor=%s reason=%s", row["username"],
                        row["actor"], exc.reason)
            return
        backfills.retry(self.store, row["id"], exc.reason, now + backoff(attempts))
        log.info("backfill_retry local=%s actor=%s attempt=%d reason=%s", row["username"],
                 row["actor"], attempts, exc.reason)

    def _done(self, row: Backfill, now: datetime, seen: int, stored: int, reason: str) -> None:
        backfills.finish(self.store, row["id"], BackfillState.DONE, now, seen=seen,
                         stored=stored)
        log.info("backfill_done local=%s actor=%s reason=%s seen=%d stored=%d",
                 row["username"], row["actor"], reason, row["seen"] + seen,
                 row["stored"] + stored)

    def _admissible(self, activity: Activity, followed: str) -> str | None:
        """"new" for an activity that brings (or deletes) an object, by the followed actor on
        its host; "known" when that object is stored already (arrived live, or by an earlier
        backfill: skipped); None for anything else."""
        type_ = activity.get("type")
        if type_ not in (*OBJECT_TYPES, "Delete"):
            return None
        if object_id(activity.get("actor")) != followed or \
                host(str(activity.get("id"))) != host(followed):
            log.warning("backfill_item_refused id=%s actor=%s reason=not_the_followed_actor",
                        str(activity.get("id"))[:200], followed)
            return None
        activity["actor"] = followed
        target = _target(activity)
        if type_ != "Delete" and target and remote_content.owner(self.store, target):
            return "known"
        return "new"

    async def _fetch_announced(self, chosen: list[Activity]) -> dict[int, Fetched]:
        """The objects the page's Announces share, fetched from their origin (a few at a
        time), as the inbox does for a live Announce."""
        gate = asyncio.Semaphore(FETCH_CONCURRENCY)

        async def one(activity: Activity) -> tuple[int, Fetched]:
            async with gate:
                try:
                    return id(activity), await self.network.fetch_announced(activity)
                except (Reject, FetchError) as exc:
                    return id(activity), exc

        pairs = await asyncio.gather(*(one(a) for a in chosen if a["type"] == "Announce"))
        return dict(pairs)

    def _ingest(self, activity: Activity, fetched: Fetched) -> State | None:
        """Store one activity's object with the rules of a live delivery."""
        try:
            if isinstance(fetched, Exception):
                raise fetched
            if activity["type"] == "Announce":
                if fetched is None:
                    return "ignored"
                obj, author = fetched
                return self.network.ingest(obj, actor_id=author, shared_by=activity["actor"])
            if activity["type"] == "Delete":
                return self.network.accept_delete(activity)
            if activity["type"] == "Update":
                return self.network.accept_update(activity)
            return self.network.accept_create(activity)
        except Reject as exc:
            log.warning("backfill_item_rejected id=%s actor=%s reason=%s",
                        str(activity.get("id"))[:200], activity["actor"], exc)
        except FetchError as exc:
            log.info("backfill_item_unreachable id=%s actor=%s reason=%s",
                     str(activity.get("id"))[:200], activity["actor"], exc.reason)
        except Exception:  # a broken object must not block the page (it would forever)
            log.exception("backfill_item_failed id=%s actor=%s",
                          str(activity.get("id"))[:200], activity["actor"])
        return "rejected"
