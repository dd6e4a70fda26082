"""The `backfills` table and its owner: one row per backfill, moved along its state machine."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from mitwirken.models import backfills
from mitwirken.models.backfills import BackfillState
from mitwirken.models.states import IllegalTransition
from mitwirken.models.store import Store

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ACTOR = "https://engagiert.nachbarstadt.de/actors/nachbarstadt"


@pytest.fixture
def store() -> Store:
    return Store.memory()


def test_a_started_backfill_is_due_and_moves_page_by_page(store):
    backfills.start(store, "musterstadt", ACTOR, NOW)
    (row,) = backfills.due(store, NOW, 10)
    assert (row["state"], row["cursor"], row["seen"]) == ("running", None, 0)
    assert backfills.advance(store, row["id"], cursor=f"{ACTOR}/outbox?page=2", seen=20,
                             stored=18, next_at=NOW + timedelta(seconds=1))
    assert backfills.due(store, NOW, 10) == []  # paced: the next page is not due yet
    (row,) = backfills.due(store, NOW + timedelta(seconds=1), 10)
    assert (row["cursor"], row["pages"], row["seen"], row["stored"]) == (
        f"{ACTOR}/outbox?page=2", 1, 20, 18)
    assert backfills.finish(store, row["id"], BackfillState.DONE, NOW, seen=5, stored=5)
    done = backfills.get(store, "musterstadt", ACTOR)
    assert (done["state"], done["seen"], done["stored"]) == ("done", 25, 23)
    with pytest.raises(IllegalTransition):  # done is final
        backfills.advance(store, row["id"], cursor=None, seen=1, stored=1, next_at=NOW)


def test_stop_ends_only_a_running_backfill_and_a_new_follow_starts_afresh(store):
    backfills.start(store, "musterstadt", ACTOR, NOW)
    assert backfills.stop(store, "musterstadt", ACTOR, NOW) == 1
    assert backfills.stop(store, "musterstadt", ACTOR, NOW) == 0
    assert backfills.get(store, "musterstadt", ACTOR)["state"] == "stopped"
    backfills.start(store, "musterstadt", ACTOR, NOW)
    rows = backfills.for_user(store, "musterstadt")
    assert list(rows) == [ACTOR] and rows[ACTOR]["state"] == "running"


def test_retry_counts_attempts_and_waits(store):
    backfills.start(store, "musterstadt", ACTOR, NOW)
    (row,) = backfills.due(store, NOW, 10)
    assert backfills.retry(store, row["id"], "HTTP 503", NOW + timedelta(minutes=1))
    assert backfills.due(store, NOW, 10) == []
    again = backfills.get(store, "musterstadt", ACTOR)
    assert (again["attempts"], again["error"]) == (1, "HTTP 503")


def test_backfill_states_match_the_column_check(store):
    sql = store.scalar("SELECT sql FROM sqlite_master WHERE name = 'backfills'")
    check = re.search(r"CHECK \(state IN \(([^)]*)\)\)", str(sql))
    assert check is not None
    assert {v.strip(" '") for v in check.group(1).split(",")} == {s.value for s in
                                                                  BackfillState}
