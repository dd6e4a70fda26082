"""m020_response_mail: a database that ran the released m017 keeps its responses and gains
the form's contact, the reminder columns (halfway filled in) and the mail queue."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from mitwirken.models import responses as repo
from mitwirken.models.migrations import MIGRATIONS
from mitwirken.models.store import Store


def test_m020_adds_reminders_and_mails_to_existing_responses(tmp_path):
    path = tmp_path / "db.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    MIGRATIONS.apply(db, stop_before="m020_response_mail")
    db.execute(
        "INSERT INTO responses (id, organisation, object_id, visibility, state, sender_id, "
        "promise_days, received_at, due_at) VALUES ('r1', 'tafel', NULL, 'direct', 'open', "
        "'https://m.example/users/a', 5, '2026-12-18T10:00:00Z', '2026-12-28T10:00:00Z')")
    db.conn.close()

    store = Store.open(path)  # applies m020
    row = repo.get(store, "r1")
    assert row is not None and row["sender_id"] == "https://m.example/users/a"
    assert (row["remind_at"], row["reminded"], row["sender_contact"]) == (
        "2026-12-23T10:00:00Z", 0, None)
    assert store.scalar("SELECT count(*) FROM mails") == 0
