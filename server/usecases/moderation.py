"""Moderation and domain policy: whom this instance federates with, and the audit log of
every admin action. Shared by the CLI, the admin API and the inbox handlers.

- Federation mode `open` (everyone but blocked domains) or `allowlist` (only domains with an
  `allow` or `limit` rule). Switching takes effect at once: the inbox answers 403 to a
  refused domain without fetching anything (`federation.inbox` asks
  `models.domain_policy.is_refused`), the fetcher refuses its URLs, and the delivery worker
  keeps deliveries to it `held` (released when the domain is allowed or the mode is open).
- Blocking a domain has GoToSocial's documented effects, in one transaction: its followers go,
  our follows of its actors end, pending and held deliveries to it are cancelled, its content
  disappears with its actors' likes, boosts, replies, comments and responses on our objects,
  and its inbox requests get 403 from then on.
- Limiting a domain: its follows wait for approval, its content waits for review (stored,
  not searchable) until an admin approves it.

Every action takes `by` (who acts: `cli:<user>`, `token:<username>`) and writes its audit
entry in the same transaction."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from datetime import datetime
from typing import Any, Literal, TypedDict

from mitwirken.federation.remote import host
from mitwirken.models import (
    audit,
    deliveries,
    domain_policy,
    follows,
    interactions,
    outbox,
    remote_content,
    responses,
    search,
)
from mitwirken.models.domain_policy import DomainBlock, Mode, Policy, RuleFlags
from mitwirken.models.safe_json import parse_json
from mitwirken.models.store import Store
from mitwirken.models.text_marks import N_
from mitwirken.server.usecases.network_ingest import index_stored, purge_domain

log = logging.getLogger("mitwirken.moderation")

DeliveryDecision = Literal["send", "hold", "cancel"]


class BlockResult(TypedDict):
    """What a block removed, and the domain as stored (lower case, IDNA)."""

    domain: str
    followers: int
    following: int
    deliveries: int
    content: int
    interactions: int
    responses: int


class RuleResult(TypedDict):
    """A domain rule after it was set, and how many held deliveries it released."""

    domain: str
    policy: str
    reason: str
    released: int


class ModeResult(TypedDict):
    mode: str
    released: int
    held: int


# --- queries --------------------------------------------------------------------------


def domain_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked; a blocked domain also blocks its subdomains."""
    return domain_policy.is_blocked(store, *domains)


def domain_refused(store: Store, *domains: str) -> bool:
    """Blocked, or not listed in allow-list mode: no inbox posts, fetches or deliveries."""
    return domain_policy.is_refused(store, *domains)


def domain_limited(store: Store, *domains: str) -> bool:
    """A limit rule covers it: follows need approval, content waits for review."""
    return domain_policy.verdict(store, *domains) == "limited"


def delivery_decision(policy: domain_policy.PolicyCache, domain: str) -> DeliveryDecision:
    """What the delivery worker does with a due row to `domain` now (asked for every delivery:
    the rules' kept answers, see `PolicyCache`)."""
    if policy.is_blocked(domain):
        return "cancel"
    return "hold" if policy.is_refused(domain) else "send"


def normalised_domain(domain: str) -> str:
    """A domain as the rules store it; raises `WebNameError` for anything else."""
    return domain_policy.normalise(domain)


def federation_mode(store: Store) -> Mode:
    return domain_policy.mode(store)


def rule_view(rule: DomainBlock) -> dict[str, Any]:
    """A rule as the admin API and the CLI show it."""
    return {"domain": rule["domain"], "policy": rule["policy"], "reason": rule["reason"],
            "created_at": rule["created_at"], "reject_media": bool(rule["reject_media"]),
            "reject_reports": bool(rule["reject_reports"]),
            "obfuscate": bool(rule["obfuscate"])}


def domain_rules(store: Store, policy: Policy | None = None) -> list[dict[str, Any]]:
    return [rule_view(r) for r in domain_policy.list_rules(store, policy)]


def domain_rule(store: Store, domain: str) -> dict[str, Any] | None:
    rule = domain_policy.get_rule(store, domain_policy.normalise(domain))
    return rule_view(rule) if rule else None


def obfuscated(domain: str) -> str:
    """A domain with its middle starred (dots kept), for a public list that names it only
    so far that whoever knows it recognises it: `hetze.example` → `het**.****ple`."""
    keep = len(domain) // 4
    return "".join(c if i < keep or i >= len(domain) - keep or c == "." else "*"
                   for i, c in enumerate(domain))


def public_domain_blocks(store: Store) -> list[dict[str, str]]:
    """Blocked and limited domains as Mastodon's `/api/v1/instance/domain_blocks` lists
    them: `domain` (starred when obfuscated), `digest` (SHA-256 of the real name),
    `severity` (`suspend` or `silence`) and `comment` (the reason)."""
    out = []
    for rule in domain_policy.list_rules(store):
        if rule["policy"] == Policy.ALLOW:
            continue
        name = rule["domain"]
        out.append({"domain": obfuscated(name) if rule["obfuscate"] else name,
                    "digest": hashlib.sha256(name.encode("utf-8")).hexdigest(),
                    "severity": POLICY_SEVERITY[Policy(rule["policy"])],
                    "comment": rule["reason"]})
    return out


# --- actions --------------------------------------------------------------------------


def block_domain(store: Store, domain: str, reason: str, now: datetime, *,
                 by: str = "system", flags: RuleFlags | None = None) -> BlockResult:
    """Block a domain: its followers go, pending deliveries to it are cancelled, its content
    disappears with what its actors (and its subdomains') did with our objects (likes, boosts,
    replies, comments and responses), and its inbox requests get 403 from now on
    (GoToSocial's documented effects).
    Raises `WebNameError` (nothing written) for a name that is not a domain."""
    domain = domain_policy.normalise(domain)
    with store.tx():
        domain_policy.set_rule(store, domain, Policy.BLOCK, reason, now, flags)
        followers, following = follows.remove_domain(store, domain)
        cancelled = deliveries.cancel_pending_for_domain(store, domain, now, "domain blocked")
        content = purge_domain(store, domain)
        n_interactions = interactions.remove_all_from_domain(store, domain)
        n_responses = responses.remove_all_from_domain(store, domain)
        result = BlockResult(domain=domain, followers=followers, following=following,
                             deliveries=cancelled, content=content,
                             interactions=n_interactions, responses=n_responses)
        audit.record(store, actor=by, action="domain.block", target=domain, reason=reason,
                     details=dict(result), now=now)
    log.info("domain_blocked domain=%s by=%s followers=%d following=%d deliveries=%d "
             "content=%d interactions=%d responses=%d", domain, by, followers, following,
             cancelled, content, n_interactions, n_responses)
    return result


def limit_domain(store: Store, domain: str, reason: str, now: datetime, *,
                 by: str = "system", flags: RuleFlags | None = None) -> RuleResult:
    """Limit a domain: its follows need approval, its content waits for review. In allow-list
    mode it counts as listed (its held deliveries go out). Raises `WebNameError`."""
    return _set_rule(store, domain, Policy.LIMIT, reason, now, by, flags)


def allow_domain(store: Store, domain: str, reason: str, now: datetime, *,
                 by: str = "system", flags: RuleFlags | None = None) -> RuleResult:
    """List a domain for the allow-list mode; its held deliveries go out. Raises
    `WebNameError`."""
    return _set_rule(store, domain, Policy.ALLOW, reason, now, by, flags)


def _set_rule(store: Store, domain: str, policy: Policy, reason: str, now: datetime, by: str,
              flags: RuleFlags | None) -> RuleResult:
    domain = domain_policy.normalise(domain)
    with store.tx():
        domain_policy.set_rule(store, domain, policy, reason, now, flags)
        released = deliveries.release_held(store, now, domain)
        audit.record(store, actor=by, action=f"domain.{policy.value}", target=domain,
                     reason=reason, details={"released": released}, now=now)
    log.info("domain_rule domain=%s policy=%s by=%s released=%d", domain, policy.value, by,
             released)
    return RuleResult(domain=domain, policy=policy.value, reason=reason, released=released)


def set_domain_rule(store: Store, domain: str, policy: Policy, reason: str, now: datetime, *,
                    by: str = "system", flags: RuleFlags | None = None) -> dict[str, Any]:
    """Set any rule (the admin API's POST); returns the stored rule as `rule_view` shows it."""
    if policy == Policy.BLOCK:
        block_domain(store, domain, reason, now, by=by, flags=flags)
    else:
        _set_rule(store, domain, policy, reason, now, by, flags)
    stored = domain_rule(store, domain)
    assert stored is not None
    return stored


def unblock_domain(store: Store, domain: str, now: datetime | None = None, *,
                   by: str = "system", reason: str = "") -> bool:
    """Lift a block (nothing comes back by itself). Raises `WebNameError`."""
    return _remove(store, domain, Policy.BLOCK, now, by, reason)


def remove_domain_rule(store: Store, domain: str, now: datetime, *, by: str = "system",
                       reason: str = "") -> bool:
    """Remove a domain's rule, whatever it is (in allow-list mode the domain is then refused
    again). Raises `WebNameError`."""
    return _remove(store, domain, None, now, by, reason)


def _remove(store: Store, domain: str, policy: Policy | None, now: datetime | None, by: str,
            reason: str) -> bool:
    with store.tx():
        removed = domain_policy.remove_rule(store, domain, policy)
        if removed and now is not None:
            audit.record(store, actor=by, action="domain.remove", target=domain.lower(),
                         reason=reason, details={"policy": policy.value if policy else None},
                         now=now)
    if removed:
        log.info("domain_rule_removed domain=%s by=%s", domain.lower(), by)
    return removed


def set_federation_mode(store: Store, mode: Mode, now: datetime, *, by: str = "system",
                        reason: str = "") -> ModeResult:
    """Switch the mode. To `allowlist`: pending deliveries to domains not listed are held at
    once. To `open`: every held delivery goes out again (except to blocked domains)."""
    with store.tx():
        previous = domain_policy.mode(store)
        domain_policy.set_mode(store, mode)
        released = held = 0
        if mode == Mode.OPEN:
            released = deliveries.release_held(store, now)
        else:
            for domain in deliveries.pending_domains(store):
                if domain_policy.is_refused(store, domain):
                    held += deliveries.hold_pending_for_domain(store, domain,
                                                               "allow-list mode")
        audit.record(store, actor=by, action="federation.mode", target=mode.value,
                     reason=reason, details={"previous": previous.value, "released": released,
                                             "held": held}, now=now)
    log.info("federation_mode mode=%s previous=%s by=%s released=%d held=%d", mode.value,
             previous.value, by, released, held)
    return ModeResult(mode=mode.value, released=released, held=held)


# --- content of limited domains -----------------------------------------------------------


def held_content(store: Store, limit: int = 200) -> list[remote_content.HeldObject]:
    """Remote objects of limited domains waiting for review (or hidden), then the public
    comments of limited domains waiting for review (kind `comment`), oldest first."""
    comments = [remote_content.HeldObject(id=c["id"], kind="comment", actor=c["actor"],
                                          origin=host(c["actor"]), received_at=c["received_at"],
                                          review="held")
                for c in responses.held_comments(store, limit)]
    return (remote_content.held(store, limit) + comments)[:limit]


def approve_content(store: Store, object_iri: str, now: datetime, *, by: str = "system",
                    reason: str = "") -> bool:
    """A held or hidden object becomes visible (searchable); False if no such object is
    held or hidden."""
    with store.tx():
        row = remote_content.get(store, object_iri)
        if row is None or row["review"] is None:
            released = responses.decide_held(store, object_iri, "approved")
            if not interactions.show_reply(store, object_iri) and not released:
                return False
        else:
            remote_content.set_review(store, object_iri, None)
            index_stored(store, row)
        audit.record(store, actor=by, action="content.approve", target=object_iri,
                     reason=reason, now=now)
    log.info("content_approved id=%s by=%s", object_iri, by)
    return True


def hide_content(store: Store, object_iri: str, now: datetime, *, by: str = "system",
                 reason: str = "") -> bool:
    """A remote object leaves the search and the pages at once, and stays hidden when its
    author updates it; a public reply to one of ours is no longer listed or counted. False
    if neither is stored."""
    with store.tx():
        if remote_content.set_review(store, object_iri, "hidden"):
            search.remove(store, object_iri)
        elif not (interactions.hide_reply(store, object_iri, now)
                  | responses.decide_held(store, object_iri, "hidden")):
            return False
        audit.record(store, actor=by, action="content.hide", target=object_iri,
                     reason=reason, now=now)
    log.info("content_hidden id=%s by=%s", object_iri, by)
    return True


def remove_content(store: Store, object_iri: str, now: datetime, *, by: str = "system",
                   reason: str = "") -> bool:
    """A remote object is deleted here, and a tombstone keeps it from coming back (a public
    reply is deleted); False if neither is stored."""
    with store.tx():
        stored = remote_content.owner_and_review(store, object_iri)
        if stored is None:
            if not (interactions.remove_reply(store, object_iri)
                    | responses.decide_held(store, object_iri, "hidden")):
                return False
        else:
            outbox.add_tombstone(store, object_iri, "Object", now, stored[0])
            remote_content.remove(store, object_iri)
            search.remove(store, object_iri)
        audit.record(store, actor=by, action="content.remove", target=object_iri,
                     reason=reason, now=now)
    log.info("content_removed id=%s by=%s", object_iri, by)
    return True


# The three decisions on remote content, for the adapters that let a person choose one.
REVIEW_DECISIONS = {"approve": approve_content, "hide": hide_content, "remove": remove_content}


# --- Mastodon's domain-block CSV ----------------------------------------------------------

CSV_HEADER = ("#domain", "#severity", "#reject_media", "#reject_reports", "#public_comment",
              "#obfuscate")
SEVERITY_POLICY = {"suspend": Policy.BLOCK, "silence": Policy.LIMIT, "noop": Policy.ALLOW}
POLICY_SEVERITY = {policy: severity for severity, policy in SEVERITY_POLICY.items()}


class CsvError(ValueError):
    """The file is not a Mastodon domain-block CSV; the message is German, for the admin."""


class ImportResult(TypedDict):
    blocked: int
    limited: int
    allowed: int
    domains: list[str]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def parse_mastodon_csv(text: str) -> list[tuple[str, Policy, str, RuleFlags]]:
    """The rows of a Mastodon domain-block export (domain, policy, comment, flags); headers
    with or without `#`, booleans in any case. Checks everything before anything is written:
    raises `CsvError` naming the first bad line."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [c.strip().lstrip("#").lower() for c in rows[0]] if rows else []
    if header[:2] != ["domain", "severity"]:
        raise CsvError(N_("Die Datei ist keine Mastodon-Sperrliste: die erste Zeile muss mit "
                       "»#domain,#severity« beginnen. Nichts wurde verändert."))
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values, strict=False))
        domain = (record.get("domain") or "").strip()
        severity = (record.get("severity") or "").strip().lower()
        if severity not in SEVERITY_POLICY:
            raise CsvError(f"Zeile {number}: unbekannte Stufe »{severity[:40]}« (erwartet: "
                           "suspend, silence oder noop). Nichts wurde verändert.")
        try:
            name = domain_policy.normalise(domain)
        except ValueError as exc:
            raise CsvError(f"Zeile {number}: »{domain[:80]}« ist kein Domainname. "
                           "Nichts wurde verändert.") from exc
        flags = RuleFlags(reject_media=_flag(record.get("reject_media")),
                          reject_reports=_flag(record.get("reject_reports")),
                          obfuscate=_flag(record.get("obfuscate")))
        out.append((name, SEVERITY_POLICY[severity], record.get("public_comment") or "",
                    flags))
    return out


def import_mastodon_csv(store: Store, text: str, now: datetime, *,
                        by: str = "system") -> ImportResult:
    """Apply a Mastodon domain-block export: suspend → block, silence → limit, noop → allow
    with its comment as the reason. All or nothing."""
    rows = parse_mastodon_csv(text)
    counts = {Policy.BLOCK: 0, Policy.LIMIT: 0, Policy.ALLOW: 0}
    with store.tx():
        for domain, policy, comment, flags in rows:
            set_domain_rule(store, domain, policy, comment, now, by=by, flags=flags)
            counts[policy] += 1
        audit.record(store, actor=by, action="domain.import", target=f"{len(rows)} domains",
                     details={p.value: n for p, n in counts.items()}, now=now)
    return ImportResult(blocked=counts[Policy.BLOCK], limited=counts[Policy.LIMIT],
                        allowed=counts[Policy.ALLOW], domains=[r[0] for r in rows])


def export_mastodon_csv(store: Store) -> str:
    """Every domain rule as Mastodon exports its domain blocks (the reason is the public
    comment)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for rule in domain_policy.list_rules(store):
        writer.writerow([rule["domain"], POLICY_SEVERITY[Policy(rule["policy"])],
                         _bool(rule["reject_media"]), _bool(rule["reject_reports"]),
                         rule["reason"], _bool(rule["obfuscate"])])
    return buffer.getvalue()


def _bool(value: int) -> str:
    return "true" if value else "false"


# --- the audit log ------------------------------------------------------------------------


def audit_entries(store: Store, since: datetime | None = None,
                  limit: int = 1000) -> list[dict[str, Any]]:
    """Audit entries (details parsed), oldest first."""
    return [_entry(e) for e in audit.entries(store, since, limit)]


def _entry(entry: audit.AuditEntry) -> dict[str, Any]:
    return {**entry, "details": parse_json(entry["details"])}


def record_action(store: Store, *, by: str, action: str, target: str, reason: str,
                  now: datetime, details: dict[str, Any] | None = None) -> None:
    """An admin action of another use case (a delivery retried, a follow approved)."""
    audit.record(store, actor=by, action=action, target=target, reason=reason,
                 details=details, now=now)
