"""Known remote instances (table `instances`: what their NodeInfo says they run), and the
overview an admin reads: every domain we know an actor of or delivered to, with that
software, its followers here, its delivery health and the last activity received from it."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mitwirken.models.store import Store, iso


class InstanceRow(TypedDict):
    """A row of `instances`."""

    domain: str
    software: str | None
    version: str | None
    fetched_at: str
    error: str | None


class InstanceOverview(TypedDict):
    domain: str
    software: str | None
    version: str | None
    nodeinfo_fetched_at: str | None
    nodeinfo_error: str | None
    followers: int
    last_success_at: str | None
    last_failure_at: str | None
    unavailable: bool
    last_activity_at: str | None


def save(store: Store, domain: str, *, software: str | None, version: str | None,
         error: str | None, now: datetime) -> None:
    """Record what the domain's NodeInfo said (or why it could not be read; then the last
    known software stays)."""
    store.execute(
        "INSERT INTO instances (domain, software, version, fetched_at, error) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(domain) DO UPDATE SET "
        "software = COALESCE(excluded.software, instances.software), "
        "version = COALESCE(excluded.version, instances.version), "
        "fetched_at = excluded.fetched_at, error = excluded.error",
        [domain, software, version, iso(now), error])


def get(store: Store, domain: str) -> InstanceRow | None:
    row = store.one("SELECT * FROM instances WHERE domain = ?", [domain])
    return InstanceRow(**row) if row else None  # type: ignore[typeddict-item]


def known_domains(store: Store, limit: int = 1000) -> list[str]:
    """Domains of the remote actors we know and of the peers we delivered to."""
    return [r["domain"] for r in store.all(
        "SELECT domain FROM remote_actors UNION SELECT domain FROM domain_health "
        "ORDER BY domain LIMIT ?", [limit])]


_OVERVIEW = """
WITH d AS (SELECT domain FROM remote_actors UNION SELECT domain FROM domain_health
           UNION SELECT domain FROM instances),
f AS (SELECT a.domain, count(*) AS n FROM followers fo JOIN remote_actors a ON a.id = fo.actor
      WHERE fo.state = 'accepted' GROUP BY a.domain),
r AS (SELECT origin AS domain, max(received_at) AS last FROM inbox_items GROUP BY origin)
SELECT d.domain, i.software, i.version, i.fetched_at AS nodeinfo_fetched_at,
       i.error AS nodeinfo_error, COALESCE(f.n, 0) AS followers, h.last_success_at,
       h.last_failure_at, COALESCE(h.unavailable, 0) AS unavailable, r.last AS last_activity_at
FROM d LEFT JOIN instances i ON i.domain = d.domain LEFT JOIN f ON f.domain = d.domain
LEFT JOIN domain_health h ON h.domain = d.domain LEFT JOIN r ON r.domain = d.domain
WHERE d.domain != '' ORDER BY d.domain LIMIT ?
"""


def overview(store: Store, limit: int = 1000) -> list[InstanceOverview]:
    rows = store.all(_OVERVIEW, [limit])
    for row in rows:
        row["unavailable"] = bool(row["unavailable"])
    return [InstanceOverview(**r) for r in rows]  # type: ignore[typeddict-item]
