"""Reports: the moderation queue. A `Flag` (Mastodon sends it from its instance actor, its
`object` the reported actor and objects, its `content` the comment) becomes an open report
when it names something of ours; an admin resolves it with an action and a reason, which
goes into the audit log with the action's effect.

Actions today: `dismiss` (nothing to do) and `remove` (the reported objects of ours are
deleted: Delete is sent, the URLs answer 410). `hide`, `block_actor` and `block_domain` are
part of the fixed admin API; for reports about our own content they have no target yet, so
they are refused with a clear message.

Admins also report remote content to its origin (`send`): a `Flag` from the instance actor,
with an optional comment, delivered to the reported actor's inbox, signed like every
delivery; the report is kept as `outgoing`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal, get_args

from mitwirken.federation import activities
from mitwirken.federation.inbox import Activity, InboxContext, State, object_id
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import host
from mitwirken.federation.urls import Urls
from mitwirken.models import audit, content_store, remote_actors, remote_content
from mitwirken.models import reports as report_repo
from mitwirken.models.markdown import html_to_text, sanitize_html
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.safe_json import parse_json
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.server.usecases.publishing import ContentService, Kind, NotFound

log = logging.getLogger("mitwirken.moderation")

Action = Literal["dismiss", "hide", "remove", "block_actor", "block_domain"]
ACTIONS: tuple[str, ...] = get_args(Action)
SUPPORTED = ("dismiss", "hide", "remove")
HIDDEN = (OpportunityStatus.PAUSED, OpportunityStatus.CLOSED)  # already off the public lists
MAX_OBJECTS = 50
MAX_COMMENT = 5000


class ReportError(ValueError):
    """An action that cannot be taken on this report; the message is German."""


def _local_objects(urls: Urls, value: object) -> list[str]:
    """The reported URLs that are ours (actors and objects), at most `MAX_OBJECTS`."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items[:MAX_OBJECTS]:
        ident = object_id(item)
        if ident and ident.startswith(urls.base + "/") and ident not in out:
            out.append(ident)
    return out


async def receive_flag(ctx: InboxContext, activity: Activity) -> State | None:
    """Inbox handler for `Flag`: a report about our actors or objects is recorded (once per
    Flag id); one naming nothing of ours is ignored."""
    objects = _local_objects(ctx.urls, activity.get("object"))
    if not objects:
        log.info("report_ignored reason=nothing_of_ours actor=%s", activity["actor"])
        return "ignored"
    content = activity.get("content")
    comment = html_to_text(sanitize_html(content))[:MAX_COMMENT] if isinstance(
        content, str) else ""
    report_id = report_repo.add_incoming(
        ctx.store, activity_id=activity["id"], reporter=activity["actor"],
        origin=host(activity["actor"]), comment=comment, objects=objects, now=ctx.clock())
    log.info("report_received id=%s actor=%s domain=%s objects=%d", report_id,
             activity["actor"], host(activity["actor"]), len(objects))
    return "processed"


def view(report: report_repo.Report) -> dict[str, Any]:
    """A report as the admin API and the CLI show it (`objects` as a list)."""
    return {**report, "objects": parse_json(report["objects"])}


def list_reports(store: Store, state: str | None = None, limit: int = 200
                 ) -> list[dict[str, Any]]:
    return [view(r) for r in report_repo.list_reports(store, state, limit)]


def get_report(store: Store, report_id: int) -> dict[str, Any] | None:
    """One report as `view` shows it, or None."""
    report = report_repo.get(store, report_id)
    return view(report) if report is not None else None


def _our_content(urls: Urls, url: str) -> tuple[Kind, str] | None:
    for prefix, kind in ((urls.base + "/angebote/", "opportunities"),
                         (urls.base + "/praxis/", "practices")):
        if url.startswith(prefix) and "/" not in url[len(prefix):]:
            return kind, url[len(prefix):]  # type: ignore[return-value]
    return None


def resolve(store: Store, content: ContentService, report_id: int, action: str, reason: str,
            now: datetime, *, by: str) -> dict[str, Any] | None:
    """Resolve an open report; None if there is no open report with this id. Raises
    `ReportError` (nothing changed) for an action that cannot be taken."""
    report = report_repo.get(store, report_id)
    if report is None or report["state"] != report_repo.ReportState.OPEN:
        return None
    if action not in ACTIONS:
        raise ReportError(N_("Erlaubt sind dismiss, hide, remove, block_actor und block_domain."))
    if action not in SUPPORTED:
        raise ReportError(N_("Diese Meldung betrifft eigene Inhalte: möglich sind »dismiss«, "
                          "»hide« und »remove«."))
    removed: list[str] = []
    hidden: list[str] = []
    with store.tx():
        if action == "hide":  # our opportunities pause: off the lists and the search, an
            for url in parse_json(report["objects"]):  # Update tells the followers
                target = _our_content(content.urls, url)
                obj = content_store.get(store, *target) if target else None
                if isinstance(obj, Opportunity) and obj.status not in HIDDEN and target:
                    content.set_status(target[1], OpportunityStatus.PAUSED)
                    hidden.append(url)
        if action == "remove":
            for url in parse_json(report["objects"]):
                target = _our_content(content.urls, url)
                if target is None or content_store.get(store, *target) is None:
                    continue
                try:
                    content.delete(*target)
                except NotFound:
                    continue
                removed.append(url)
        if not report_repo.resolve(store, report_id, action=action, reason=reason, by=by,
                                   now=now):
            return None
        audit.record(store, actor=by, action="report.resolve", target=str(report_id),
                     reason=reason, details={"action": action, "removed": removed,
                                             "hidden": hidden}, now=now)
    log.info("report_resolved id=%s action=%s by=%s removed=%d hidden=%d", report_id, action,
             by, len(removed), len(hidden))
    resolved = report_repo.get(store, report_id)
    assert resolved is not None
    return {**view(resolved), "removed": removed, "hidden": hidden}


class UnknownObject(LookupError):
    """Neither a stored remote object nor a known remote actor."""


def send(store: Store, urls: Urls, object_url: str, comment: str, now: datetime, *,
         by: str) -> dict[str, Any]:
    """Report a remote object (or actor) to its origin: a `Flag` from the instance actor to
    the reported actor's inbox. Raises `UnknownObject` (nothing sent) for a URL this
    instance does not know."""
    owner = remote_content.owner(store, object_url)
    actor = owner if owner is not None else object_url
    inboxes = remote_actors.inboxes(store, actor)
    if inboxes is None:
        raise UnknownObject(object_url)
    objects = [object_url] if owner is not None else []
    activity = activities.flag(urls, actor, objects, comment)
    targets = activity["object"]
    assert isinstance(targets, list)
    with store.tx():
        publish(store, "instance", activity, now, to_followers=False,
                extra_inboxes=[inboxes["inbox"]], public=False)
        report_id = report_repo.add_outgoing(
            store, activity_id=activity["id"], reporter=urls.instance_actor,
            origin=host(actor), comment=comment, objects=targets, by=by, now=now)
        audit.record(store, actor=by, action="report.send", target=object_url,
                     reason=comment, details={"report": report_id, "to": inboxes["inbox"]},
                     now=now)
    log.info("report_sent id=%s object=%s to=%s by=%s", report_id, object_url,
             inboxes["inbox"], by)
    report = report_repo.get(store, report_id)
    assert report is not None
    return view(report)
