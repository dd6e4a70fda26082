"""Reports: the moderation queue. A `Flag` (Mastodon sends it from its instance actor, its
`object` the reported actor and objects, its `content` the comment) becomes an open report
when it names something of ours, or something we hold of others (a remote actor we know,
their content, a reply to one of ours, a response); an admin resolves it with an action and
a reason, which goes into the audit log with the action's effect.

Actions: `dismiss` (nothing to do), `hide` (our reported opportunities pause; remote content
and replies leave the search and the pages), `remove` (our reported objects are deleted:
Delete is sent, the URLs answer 410; remote content and replies are deleted here),
`block_actor` (the reported actor is blocked, `usecases.actor_blocks`) and `block_domain`
(the reported actor's domain gets a `block` rule, `usecases.moderation.block_domain`). The
reported actor is the first named URL that is an actor or has an author (Mastodon lists the
actor first, then its statuses); one of ours cannot be blocked.

Admins and staff also report remote content to its origin (`send`): a `Flag` from the
instance actor, with an optional comment, delivered to the reported actor's inbox, signed
like every delivery; the report is kept as `outgoing`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal, get_args

from mitwirken.federation import activities
from mitwirken.federation.inbox import Activity, InboxContext, State, object_id
from mitwirken.federation.outbox import publish
from mitwirken.federation.remote import host
from mitwirken.federation.urls import Urls
from mitwirken.models import (
    audit,
    content_store,
    domain_policy,
    interactions,
    remote_actors,
    remote_content,
    responses,
)
from mitwirken.models import reports as report_repo
from mitwirken.models.markdown import html_to_text, sanitize_html
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.safe_json import parse_json
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import OpportunityStatus
from mitwirken.models.web_names import WebNameError
from mitwirken.server.usecases import actor_blocks, moderation
from mitwirken.server.usecases.publishing import ContentService, Kind, NotFound

log = logging.getLogger("mitwirken.moderation")

Action = Literal["dismiss", "hide", "remove", "block_actor", "block_domain"]
ACTIONS: tuple[str, ...] = get_args(Action)
BLOCKS = ("block_actor", "block_domain")
HIDDEN = (OpportunityStatus.PAUSED, OpportunityStatus.CLOSED)  # already off the public lists
MAX_OBJECTS = 50
REPORTER_ROLES = ("admin", "staff")  # web accounts that may report remote content (`send`)
MAX_COMMENT = 5000


class ReportError(ValueError):
    """An action that cannot be taken on this report; the message is German."""


def _is_ours(urls: Urls, url: str) -> bool:
    return url == urls.base or url.startswith(urls.base + "/")


def _content_owner(store: Store, url: str) -> str | None:
    """The author of a stored remote object, a public reply or a response message."""
    owner = remote_content.owner(store, url) or interactions.actor_of(store, url)
    if owner is None and (thread := responses.thread_of(store, url)) is not None:
        owner = thread["sender_id"]
    return owner


def author_of(store: Store, urls: Urls, url: str) -> str | None:
    """Who a reported URL is or belongs to: one of ours (the URL itself), a remote actor we
    know, the owner of remote content, the author of a reply or of a response; None for
    something this instance does not hold."""
    if _is_ours(urls, url) or remote_actors.inboxes(store, url) is not None:
        return url
    return _content_owner(store, url)


def _held_objects(store: Store, urls: Urls, value: object) -> list[str]:
    """The reported URLs that this instance holds (ours, or others' that we keep), at most
    `MAX_OBJECTS`."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items[:MAX_OBJECTS]:
        ident = object_id(item)
        if ident and ident not in out and author_of(store, urls, ident) is not None:
            out.append(ident)
    return out


def reported_actor(store: Store, urls: Urls, objects: list[str]) -> str | None:
    """The actor a report is about: the first named URL that is an actor or has an author."""
    for url in objects:
        if (author := author_of(store, urls, url)) is not None:
            return author
    return None


async def receive_flag(ctx: InboxContext, activity: Activity) -> State | None:
    """Inbox handler for `Flag`: a report about what this instance holds is recorded (once
    per Flag id); one naming nothing held here, or sent from a domain whose rule rejects
    reports (Mastodon's `reject_reports`), is ignored."""
    origin = host(activity["actor"])
    if domain_policy.rejects_reports(ctx.store, origin):
        log.info("report_ignored reason=reject_reports actor=%s domain=%s id=%s",
                 activity["actor"], origin, activity.get("id"))
        return "ignored"
    objects = _held_objects(ctx.store, ctx.urls, activity.get("object"))
    if not objects:
        log.info("report_ignored reason=nothing_held_here actor=%s", activity["actor"])
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


def _block_target(store: Store, urls: Urls, report: report_repo.Report) -> str:
    """The remote actor a block acts on; raises `ReportError` for one of ours or none."""
    actor = reported_actor(store, urls, parse_json(report["objects"]))
    if actor is None:
        raise ReportError(N_("Die Meldung nennt kein bekanntes Konto, das blockiert werden "
                          "könnte."))
    if _is_ours(urls, actor):
        raise ReportError(N_("Das gemeldete Konto gehört zu dieser Instanz und kann nicht "
                          "blockiert werden: möglich sind »dismiss«, »hide« und »remove«."))
    return actor


def _domain_of(actor: str) -> str:
    """The domain a `block_domain` rule names; raises `ReportError` for a host that is no
    domain name."""
    try:
        return moderation.normalised_domain(host(actor))
    except WebNameError as exc:
        raise ReportError(f"Die Domain des gemeldeten Kontos lässt sich nicht sperren: "
                          f"{exc}") from exc


def _act_on_content(store: Store, content: ContentService, objects: list[str], action: str,
                    now: datetime, by: str, reason: str) -> list[str]:
    """`hide` or `remove` each reported object; the URLs acted on."""
    done: list[str] = []
    for url in objects:
        target = _our_content(content.urls, url)
        if target is None:
            decide = moderation.REVIEW_DECISIONS[action]
            if not _is_ours(content.urls, url) and decide(store, url, now, by=by,
                                                          reason=reason):
                done.append(url)
            continue
        obj = content_store.get(store, *target)
        if action == "hide":  # our opportunities pause: off the lists and the search, an
            if isinstance(obj, Opportunity) and obj.status not in HIDDEN:  # Update tells
                content.set_status(target[1], OpportunityStatus.PAUSED)  # the followers
                done.append(url)
            continue
        if obj is None:
            continue
        try:
            content.delete(*target)
        except NotFound:
            continue
        done.append(url)
    return done


def resolve(store: Store, content: ContentService, report_id: int, action: str, reason: str,
            now: datetime, *, by: str) -> dict[str, Any] | None:
    """Resolve an open report; None if there is no open report with this id. Raises
    `ReportError` (nothing changed) for an action that cannot be taken."""
    report = report_repo.get(store, report_id)
    if report is None or report["state"] != report_repo.ReportState.OPEN:
        return None
    if action not in ACTIONS:
        raise ReportError(N_("Erlaubt sind dismiss, hide, remove, block_actor und block_domain."))
    objects = parse_json(report["objects"])
    target = _block_target(store, content.urls, report) if action in BLOCKS else None
    domain = _domain_of(target) if action == "block_domain" and target else ""
    removed: list[str] = []
    hidden: list[str] = []
    blocked: dict[str, Any] = {}
    with store.tx():
        if action == "hide":
            hidden = _act_on_content(store, content, objects, action, now, by, reason)
        if action == "remove":
            removed = _act_on_content(store, content, objects, action, now, by, reason)
        if action == "block_actor" and target:
            blocked = {"actor": target, **actor_blocks.block_actor(
                store, content.urls, target, reason, now, by=by)["removed"]}
        if domain:
            blocked = {**moderation.block_domain(store, domain, reason, now, by=by)}
        if not report_repo.resolve(store, report_id, action=action, reason=reason, by=by,
                                   now=now):
            return None
        details: dict[str, Any] = {"action": action, "removed": removed, "hidden": hidden}
        if blocked:
            details["blocked"] = blocked
        audit.record(store, actor=by, action="report.resolve", target=str(report_id),
                     reason=reason, details=details, now=now)
    log.info("report_resolved id=%s action=%s by=%s removed=%d hidden=%d blocked=%s",
             report_id, action, by, len(removed), len(hidden), target or "-")
    resolved = report_repo.get(store, report_id)
    assert resolved is not None
    out = {**view(resolved), "removed": removed, "hidden": hidden}
    return {**out, "blocked": blocked} if blocked else out


class UnknownObject(LookupError):
    """Neither a stored remote object nor a known remote actor."""


def send(store: Store, urls: Urls, object_url: str, comment: str, now: datetime, *,
         by: str) -> dict[str, Any]:
    """Report a remote object, public reply or response (or an actor) to its origin: a `Flag`
    from the instance actor to the reported actor's inbox. Raises `UnknownObject` (nothing
    sent) for a URL this instance does not know."""
    owner = _content_owner(store, object_url)
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
