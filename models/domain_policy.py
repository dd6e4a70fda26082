"""Whom this instance federates with: the federation mode and the domain rules (tables
`domain_blocks` and `federation_settings`).

A rule names a domain and a policy: `block` (refused: no inbox posts, no fetches, no
deliveries), `limit` (federates, but follows need approval and content waits for review) or
`allow` (listed for the allow-list mode). A rule also covers the domain's subdomains
(`spam.example` covers `a.spam.example`), as Takahē's `recursively_blocked()` and Mastodon
do; where several rules cover a host the strictest wins (block, then limit, then allow).

The mode is `open` (everyone but blocked domains) or `allowlist` (only domains with an `allow`
or `limit` rule). Domains are stored lower-case without a trailing dot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypedDict, TypeVar

from mitwirken.models import actor_blocks
from mitwirken.models.change_counters import ChangeCounters
from mitwirken.models.store import Store, iso
from mitwirken.models.web_names import WebNameError, check_host, normalise_domain

TABLE = "domain_blocks"


class Policy(StrEnum):
    BLOCK = "block"
    LIMIT = "limit"
    ALLOW = "allow"


class Mode(StrEnum):
    OPEN = "open"
    ALLOWLIST = "allowlist"


Verdict = Literal["refused", "limited", "federates"]
"""What the rules and the mode say about one host."""

_T = TypeVar("_T")

STRICTNESS = {Policy.BLOCK: 3, Policy.LIMIT: 2, Policy.ALLOW: 1}


class DomainBlock(TypedDict):
    """A row of `domain_blocks`: one domain rule (named for the table's first use)."""

    domain: str
    reason: str
    created_at: str
    policy: str
    reject_media: int
    reject_reports: int
    obfuscate: int


DomainRule = DomainBlock


class RuleFlags(TypedDict, total=False):
    """The flags of Mastodon's domain-block CSV, kept for the export."""

    reject_media: bool
    reject_reports: bool
    obfuscate: bool


def normalise(domain: str) -> str:
    """`Spam.Example.` → `spam.example`; raises `WebNameError` for anything that is not a
    domain name or IP literal (`export`, `https://spam.example`), before anything is written."""
    return normalise_domain(domain)


def _host_form(host: str) -> str:
    """A host as the rules are stored: lower case, no trailing dot, IDNA for Unicode names."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return check_host(host)
    except WebNameError:
        return host


def _candidates(*domains: str) -> list[str]:
    """Each host and its parent domains (the names whose rules cover it)."""
    out: set[str] = set()
    for domain in domains:
        host = _host_form(domain)
        parts = host.split(".")
        out.add(host)  # also an IPv6 literal, which has no dot
        out.update(".".join(parts[i:]) for i in range(len(parts) - 1))
    return sorted(out)


def set_rule(store: Store, domain: str, policy: Policy, reason: str, now: datetime,
             flags: RuleFlags | None = None) -> str:
    """Create or replace the rule of one domain; returns the domain as stored."""
    name = normalise(domain)
    flags = flags or {}
    store.execute(
        "INSERT OR REPLACE INTO domain_blocks (domain, reason, created_at, policy, "
        "reject_media, reject_reports, obfuscate) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [name, reason, iso(now), policy.value, int(flags.get("reject_media", False)),
         int(flags.get("reject_reports", False)), int(flags.get("obfuscate", False))])
    return name


def block(store: Store, domain: str, reason: str, now: datetime) -> None:
    set_rule(store, domain, Policy.BLOCK, reason, now)


def _stored_name(store: Store, domain: str) -> str:
    """The stored name for `domain`. A malformed name is refused, unless an older version
    stored exactly that name (a block of `export`): then that row is meant."""
    try:
        return normalise(domain)
    except WebNameError:
        legacy = domain.lower().strip().rstrip(".")
        if store.one("SELECT 1 FROM domain_blocks WHERE domain = ?", [legacy]) is None:
            raise
        return legacy


def remove_rule(store: Store, domain: str, policy: Policy | None = None) -> bool:
    """Remove a domain's rule (only if it has `policy`, when given)."""
    name = _stored_name(store, domain)
    if policy is None:
        return store.execute("DELETE FROM domain_blocks WHERE domain = ?", [name]).rowcount > 0
    return store.execute("DELETE FROM domain_blocks WHERE domain = ? AND policy = ?",
                         [name, policy.value]).rowcount > 0


def unblock(store: Store, domain: str) -> bool:
    """Lift a block (a limit or allow rule of the domain stays)."""
    return remove_rule(store, domain, Policy.BLOCK)


def get_rule(store: Store, domain: str) -> DomainBlock | None:
    row = store.one("SELECT * FROM domain_blocks WHERE domain = ?", [_host_form(domain)])
    return DomainBlock(**row) if row else None  # type: ignore[typeddict-item]


def strictest(store: Store, *domains: str) -> Policy | None:
    """The strictest rule covering any of these hosts, directly or through a parent domain."""
    names = _candidates(*domains)
    if not names:
        return None
    marks = ",".join("?" * len(names))
    found = {Policy(r["policy"]) for r in store.all(
        f"SELECT DISTINCT policy FROM domain_blocks WHERE domain IN ({marks})", names)}
    return max(found, key=STRICTNESS.__getitem__) if found else None


def rejects_reports(store: Store, *domains: str) -> bool:
    """Whether a rule covering any of these hosts (directly or through a parent domain) has
    Mastodon's `reject_reports` flag: reports from there are ignored."""
    names = _candidates(*domains)
    if not names:
        return False
    marks = ",".join("?" * len(names))
    return bool(store.scalar(f"SELECT count(*) FROM domain_blocks WHERE domain IN ({marks}) "
                             "AND reject_reports = 1", names))


def is_blocked(store: Store, *domains: str) -> bool:
    """Whether any of these domains is blocked, directly or through a parent domain."""
    return strictest(store, *domains) == Policy.BLOCK


def verdict(store: Store, *domains: str) -> Verdict:
    """Whether we federate with these hosts now: `refused` (blocked, or not listed in
    allow-list mode), `limited` or `federates`. One query (the inbox asks for every POST)."""
    names = _candidates(*domains)
    marks = ",".join("?" * len(names)) or "NULL"
    row = store.one(
        f"SELECT (SELECT group_concat(DISTINCT policy) FROM domain_blocks "
        f"WHERE domain IN ({marks})) AS policies, "
        "(SELECT value FROM federation_settings WHERE name = 'mode') AS mode", names)
    found = set(str(row["policies"]).split(",")) if row and row["policies"] else set()
    if Policy.BLOCK.value in found:
        return "refused"
    if Policy.LIMIT.value in found:
        return "limited"
    if not found and row and row["mode"] == Mode.ALLOWLIST.value:
        return "refused"
    return "federates"


def is_refused(store: Store, *domains: str) -> bool:
    """Blocked, or not listed while the instance federates only with listed domains."""
    return verdict(store, *domains) == "refused"


class PolicyCache:
    """`verdict()`, `is_blocked()` and `actor_blocked()` answers kept in memory while
    `domain_blocks`, `federation_settings` and `actor_blocks` are unchanged (their change
    counters, migration m024). Any write — a
    rule set in the web UI, a CSV import or a mode switch from the CLI in another process —
    empties it before the next answer, so no request is ever let through past a block. The
    inbox asks for every POST and the delivery worker for every delivery; this spares each of
    them a query. Bounded."""

    def __init__(self, store: Store, size: int = 4096) -> None:
        self._store = store
        self._counters = ChangeCounters(store)
        self._size = size
        self._version: tuple[int, int, int] = (-1, -1, -1)
        self._verdicts: dict[tuple[str, ...], Verdict] = {}
        self._blocked: dict[tuple[str, ...], bool] = {}
        self._actors: dict[tuple[str, ...], bool] = {}

    def _fresh(self) -> None:
        counters = self._counters.current()
        version = (counters[TABLE], counters["federation_settings"], counters["actor_blocks"])
        if version != self._version:
            self._verdicts.clear()
            self._blocked.clear()
            self._actors.clear()
            self._version = version

    def _kept(self, memo: dict[tuple[str, ...], _T], domains: tuple[str, ...],
              compute: Callable[..., _T]) -> _T:
        self._fresh()
        if domains in memo:
            return memo[domains]
        answer = compute(self._store, *domains)
        if len(memo) >= self._size:
            memo.clear()
        memo[domains] = answer
        return answer

    def verdict(self, *domains: str) -> Verdict:
        return self._kept(self._verdicts, domains, verdict)

    def is_refused(self, *domains: str) -> bool:
        return self.verdict(*domains) == "refused"

    def is_blocked(self, *domains: str) -> bool:
        return self._kept(self._blocked, domains, is_blocked)

    def actor_blocked(self, *actors: str) -> bool:
        """Whether an admin blocked any of these remote actors (`models.actor_blocks`)."""
        return self._kept(self._actors, actors, actor_blocks.is_blocked)


def list_rules(store: Store, policy: Policy | None = None) -> list[DomainBlock]:
    sql, params = "SELECT * FROM domain_blocks", []
    if policy is not None:
        sql, params = sql + " WHERE policy = ?", [policy.value]
    return [DomainBlock(**r) for r in store.all(  # type: ignore[typeddict-item]
        sql + " ORDER BY domain", params)]


def list_blocks(store: Store) -> list[DomainBlock]:
    return list_rules(store, Policy.BLOCK)


# --- the federation mode ----------------------------------------------------------------


def mode(store: Store) -> Mode:
    value = store.scalar("SELECT value FROM federation_settings WHERE name = 'mode'")
    return Mode(value) if value in (Mode.OPEN.value, Mode.ALLOWLIST.value) else Mode.OPEN


def set_mode(store: Store, new: Mode) -> None:
    store.execute("INSERT INTO federation_settings (name, value) VALUES ('mode', ?) "
                  "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [new.value])
