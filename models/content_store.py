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
    original_id: NotRequired[str | None]  # opportunities only


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
