"""The row types of models/ (TypedDicts) say what the tables hold.

Each owner module names the shape of the rows it hands out or takes (`follows.Follower`,
`actors.ActorRow`, …). They are plain dicts at runtime, so nothing but this test notices when a
migration adds, renames or makes nullable a column the type does not know of: every key must be
a column of its table, a type said to be a whole row must have every column, a NOT NULL column
must not be typed to allow None, and in a row that is read back a column that may be NULL must
be (a type of what is written may be stricter than its column)."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest

from mitwirken.models import (
    actors,
    audit,
    content_store,
    deliveries,
    domain_policy,
    follows,
    inbox_items,
    instances,
    interactions,
    mails,
    outbox,
    remote_actors,
    remote_content,
    reports,
    responses,
    search,
)
from mitwirken.models.store import Store

# (row type, table, columns the type leaves out on purpose (None: it is a chosen subset),
#  whether rows of this type are read back from the table)
ROW_TYPES: list[tuple[Any, str, set[str] | None, bool]] = [
    (follows.Follower, "followers", set(), True),
    (follows.Following, "following", set(), True),
    (actors.ActorRow, "actors", set(), False),
    (content_store.ContentRow, "opportunities", set(), False),
    (remote_actors.RemoteActorRow, "remote_actors", set(), False),
    (remote_content.RemoteObject, "remote_objects", set(), False),
    (outbox.OutboxEntry, "outbox", {"seq"}, False),
    (outbox.Tombstone, "tombstones", set(), True),
    (domain_policy.DomainBlock, "domain_blocks", set(), True),
    (audit.AuditEntry, "audit_log", set(), True),
    (reports.Report, "reports", set(), True),
    (instances.InstanceRow, "instances", set(), True),
    (remote_content.HeldObject, "remote_objects", None, True),
    (interactions.Interaction, "interactions", None, True),
    (responses.ResponseRow, "responses", set(), True),
    (responses.MessageRow, "response_messages", set(), True),
    (responses.Timing, "responses", None, True),
    (mails.Mail, "mails", set(), True),
    (search.SearchHit, "search_items", None, True),
    (deliveries.Delivery, "deliveries", set(), True),
    (deliveries.DeliveryListing, "deliveries", None, True),
    (inbox_items.InboxItem, "inbox_items", set(), True),
    (inbox_items.InboxListing, "inbox_items", None, True),
]
# Keys whose type differs from the column on purpose: converted by the owner module.
CONVERTED = {("outbox", "public"), ("outbox", "published"), ("search_items", "local")}


@pytest.fixture(scope="module")
def columns() -> dict[str, dict[str, bool]]:
    """Every table's columns and whether each may be NULL."""
    store = Store.memory()
    tables = {row_table for _, row_table, _, _ in ROW_TYPES} | {"practices"}
    return {table: {c["name"]: not c["notnull"] and not c["pk"]
                    for c in store.all(f"PRAGMA table_info({table})")} for table in tables}


def allows_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (typing.NotRequired, typing.Required):
        annotation = typing.get_args(annotation)[0]
    return annotation is type(None) or (
        typing.get_origin(annotation) in (typing.Union, types.UnionType)
        and type(None) in typing.get_args(annotation))


def mismatches(row_type: Any, table: str, left_out: set[str] | None, read: bool,
               columns: dict[str, bool]) -> list[str]:
    hints = typing.get_type_hints(row_type, include_extras=True)
    problems = [f"{key}: no such column" for key in hints if key not in columns]
    if left_out is not None:
        problems += [f"{c}: column missing from the type" for c in columns
                     if c not in hints and c not in left_out]
    for key, annotation in hints.items():
        if key not in columns or (table, key) in CONVERTED:
            continue
        if not columns[key] and allows_none(annotation):
            problems.append(f"{key}: NOT NULL column, typed {annotation}")
        if read and columns[key] and not allows_none(annotation):
            problems.append(f"{key}: nullable column, typed {annotation}")
    return problems


@pytest.mark.parametrize(("row_type", "table", "left_out", "read"), ROW_TYPES,
                         ids=[f"{t.__name__}-{table}" for t, table, _, _ in ROW_TYPES])
def test_row_type_matches_its_table(row_type, table, left_out, read, columns):
    assert mismatches(row_type, table, left_out, read, columns[table]) == []


def test_practices_are_stored_like_opportunities(columns):
    """`ContentRow` serves both tables; only opportunities have an original id and the due
    dates of the lifecycle pass."""
    only_opportunities = {"original_id", "ends_at", "confirmed_at", "dated"}
    assert columns["practices"] == {k: v for k, v in columns["opportunities"].items()
                                    if k not in only_opportunities}


def test_actor_row_has_the_fields_of_the_model():
    assert list(typing.get_type_hints(actors.ActorRow)) == list(actors.LocalActor.model_fields)


def test_search_hit_is_what_search_selects():
    selected = [c.strip().removeprefix("s.").strip('"') for c in search.COLUMNS.split(",")]
    assert list(typing.get_type_hints(search.SearchHit)) == selected


def test_a_stale_row_type_is_found(columns):
    class Stale(typing.TypedDict):
        username: str
        actor: str
        follow_id: str
        state: str
        inbox: str | None  # NOT NULL in the table
        shared_inbox: str  # may be NULL
        followed_at: str  # no such column (created_at is missing)

    assert mismatches(Stale, "followers", set(), True, columns["followers"]) == [
        "followed_at: no such column",
        "created_at: column missing from the type",
        "inbox: NOT NULL column, typed str | None",
        "shared_inbox: nullable column, typed <class 'str'>",
    ]
    assert "shared_inbox: nullable column, typed <class 'str'>" not in mismatches(
        Stale, "followers", set(), False, columns["followers"])  # written only: may be stricter
