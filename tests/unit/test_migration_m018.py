"""m018_federation_policy: existing blocks become block rules, and the deliveries table is
rebuilt with the `held` state without losing a row, an index or its id counter."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.store import Store


def test_m018_keeps_deliveries_and_blocks_and_allows_held(tmp_path):
    path = tmp_path / "db.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m018_federation_policy")
    db.execute("INSERT INTO domain_blocks (domain, reason, created_at) VALUES "
               "('spam.example', 'Spam', '2026-01-01T00:00:00Z')")
    for n in (1, 2, 3):
        db.execute("INSERT INTO deliveries (activity_id, username, inbox, domain, body, state, "
                   "next_attempt_at, created_at) VALUES (?, 'tafel', ?, 'b.example', '{}', ?, "
                   "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                   [f"https://a.example/activities/{n}", f"https://b.example/inbox{n}",
                    ("pending", "done", "failed")[n - 1]])
    db.execute("DELETE FROM deliveries WHERE id = 3")  # the counter must stay above 3
    indexes = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'")}
    db.conn.close()

    store = Store.open(path)  # applies m018
    assert store.all("SELECT domain, policy, reason FROM domain_blocks") == [
        {"domain": "spam.example", "policy": "block", "reason": "Spam"}]
    assert [r["state"] for r in store.all("SELECT state FROM deliveries ORDER BY id")] == [
        "pending", "done"]
    assert {r["name"] for r in store.all("SELECT name FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'deliveries'")} == indexes
    store.execute("UPDATE deliveries SET state = 'held' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE deliveries SET state = 'lost' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError):  # (activity, inbox) stays unique
        store.execute("INSERT INTO deliveries (activity_id, username, inbox, domain, body, "
                      "next_attempt_at, created_at) SELECT activity_id, username, inbox, domain, "
                      "body, next_attempt_at, created_at FROM deliveries WHERE id = 1")
    cur = store.execute("INSERT INTO deliveries (activity_id, username, inbox, domain, body, "
                        "next_attempt_at, created_at) VALUES ('x', 'tafel', 'y', 'b.example', "
                        "'{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    assert cur.lastrowid == 4
    store.close()
