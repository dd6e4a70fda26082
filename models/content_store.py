"""Storing local opportunities and practice posts. Rows keep the validated model as JSON plus
the few columns we filter on; deleted objects keep a row (deleted_at) and a tombstone."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from mitwirken.models import outbox
from mitwirken.models.ids import new_id
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.practice import Practice
from mitwirken.models.store import Store, iso

Kind = Literal["opportunities", "practices"]
MODELS: dict[str, type[Opportunity] | type[Practice]] = {
    "opportunities": Opportunity,
    "practices": Practice,
}


class ContentRow(TypedDict):
    """A row of `opportunities` or `practices` as `save()` writes it (`data`: the model's JSON)."""

    id: str
    username: str
    data: str
    status: str
    published: str
    updated: str
    deleted_at: str | None
    # opportunities only: the columns the lifecycle pass selects on (migration m010)
    original_id: NotRequired[str | None]
    ends_at: NotRequired[str | None]
    confirmed_at: NotRequired[str | None]
    dated: NotRequired[int]


def _table(obj: Opportunity | Practice) -> Kind:
    return "opportunities" if isinstance(obj, Opportunity) else "practices"


def save(store: Store, obj: Opportunity | Practice, now: datetime) -> Opportunity | Practice:
    """Insert (assigning id and `published`) or replace; returns the stored object."""
    table = _table(obj)
    changes: dict[str, Any] = {"updated": now}
    if obj.id is None:
        changes.update(id=new_id(), published=obj.published or now)
    elif obj.published is None:
        changes["published"] = now
    stored = obj.model_copy(update=changes)
    assert stored.id is not None and stored.published is not None  # given above if missing
    row: ContentRow = {
        "id": stored.id,
        "username": stored.org_username,
        "data": stored.model_dump_json(),
        "status": str(stored.status.value),
        "published": iso(stored.published),
        "updated": iso(now),
        "deleted_at": None,
    }
    if isinstance(stored, Opportunity):  # table == "opportunities"
        row["original_id"] = stored.original_id
        row["ends_at"] = iso(stored.end) if stored.end else None
        references = [d for d in (stored.last_confirmed, stored.published) if d is not None]
        row["confirmed_at"] = iso(max(references)) if references else None
        row["dated"] = int(stored.is_dated)
    store.db.table(table).upsert(dict(row), pk="id")
    return stored


def get(
    store: Store, table: Kind, object_id: str, *, include_deleted: bool = False
) -> Opportunity | Practice | None:
    row = store.one(f"SELECT data, deleted_at FROM {table} WHERE id = ?", [object_id])
    if row is None or (row["deleted_at"] and not include_deleted):
        return None
    return MODELS[table].model_validate_json(row["data"])


def is_deleted(store: Store, table: Kind, object_id: str) -> bool:
    row = store.one(f"SELECT deleted_at FROM {table} WHERE id = ?", [object_id])
    return bool(row and row["deleted_at"])


def list_objects(
    store: Store,
    table: Kind,
    *,
    username: str | None = None,
    statuses: tuple[str, ...] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Opportunity | Practice]:
    sql = f"SELECT data FROM {table} WHERE deleted_at IS NULL"
    params: list[object] = []
    if username:
        sql += " AND username = ?"
        params.append(username)
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        params.extend(statuses)
    sql += " ORDER BY published DESC, rowid DESC LIMIT ? OFFSET ?"
    rows = store.all(sql, [*params, limit, offset])
    return [MODELS[table].model_validate_json(r["data"]) for r in rows]


def due_to_close(store: Store, now: datetime, after: str = "", limit: int = 200) -> list[str]:
    """Ids of open opportunities whose end has passed, in id order after `after`.

    A superset at the second (stored dates are whole seconds): the caller checks each model
    with `is_expired` before acting. Uses the partial index `opportunities_due_end`."""
    return [r["id"] for r in store.all(
        "SELECT id FROM opportunities WHERE status = 'open' AND deleted_at IS NULL "
        "AND ends_at IS NOT NULL AND ends_at <= ? AND id > ? ORDER BY id LIMIT ?",
        [iso(now), after, limit])]


def due_for_pause(store: Store, cutoff: datetime, now: datetime, after: str = "",
                  limit: int = 200) -> list[str]:
    """Ids of open, ongoing opportunities last confirmed (or published) before `cutoff` that
    have not ended, in id order after `after` (a superset at the second, as above)."""
    return [r["id"] for r in store.all(
        "SELECT id FROM opportunities WHERE status = 'open' AND dated = 0 "
        "AND deleted_at IS NULL AND confirmed_at <= ? AND (ends_at IS NULL OR ends_at >= ?) "
        "AND id > ? ORDER BY id LIMIT ?",
        [iso(cutoff), iso(now), after, limit])]


def count(store: Store, table: Kind, username: str | None = None) -> int:
    if username:
        return int(
            store.scalar(
                f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL AND username = ?",
                [username],
            )
            or 0
        )
    return int(store.scalar(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL") or 0)


def by_original_id(store: Store, username: str, original_id: str) -> Opportunity | None:
    row = store.one(
        "SELECT data FROM opportunities WHERE username = ? AND original_id = ? "
        "AND deleted_at IS NULL",
        [username, original_id],
    )
    return Opportunity.model_validate_json(row["data"]) if row else None


def mark_deleted(
    store: Store, table: Kind, object_id: str, ap_id: str, former_type: str, now: datetime
) -> None:
    store.execute(f"UPDATE {table} SET deleted_at = ? WHERE id = ?", [iso(now), object_id])
    outbox.add_tombstone(store, ap_id, former_type, now)


def count_live(store: Store) -> int:
    """Opportunities and practice posts not deleted (NodeInfo's local posts)."""
    return count(store, "opportunities") + count(store, "practices")


def practice_exists(store: Store, practice_id: str) -> bool:
    return store.one("SELECT 1 FROM practices WHERE id = ? AND deleted_at IS NULL",
                     [practice_id]) is not None


def original_id_deleted(store: Store, username: str, original_id: str) -> bool:
    """An imported opportunity with this original id existed and was deleted."""
    return store.one(
        "SELECT 1 AS x FROM opportunities WHERE username = ? AND original_id = ? "
        "AND deleted_at IS NOT NULL", [username, original_id]) is not None


def original_id_taken(store: Store, username: str, original_id: str,
                      other_than: str | None) -> bool:
    """Another opportunity of the organisation (deleted ones included) has this original id."""
    return store.one(
        "SELECT id FROM opportunities WHERE username = ? AND original_id = ? AND id IS NOT ?",
        [username, original_id, other_than]) is not None


def page_index(store: Store, table: Kind, limit: int = 50_000) -> list[tuple[str, str]]:
    """(id, last change) of every live object's public page, newest change first — what a
    sitemap lists (closed opportunities too: their pages still answer)."""
    return [(r["id"], r["changed"] or "") for r in store.all(
        f"SELECT id, coalesce(updated, published) AS changed FROM {table} "
        "WHERE deleted_at IS NULL ORDER BY changed DESC LIMIT ?", [limit])]
