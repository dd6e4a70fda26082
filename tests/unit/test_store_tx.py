"""Store.tx() takes the write lock first, so a transaction that reads and then writes never
fails with "database is locked" because another process (a CLI command beside `serve`)
committed in between."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from mitwirken.models.store import Store


def test_read_then_write_while_another_process_commits(tmp_path):
    path = tmp_path / "db.sqlite"
    store = Store.open(path)
    other = sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)
    errors: list[Exception] = []

    def other_process_writes() -> None:
        try:
            other.execute("INSERT INTO instance (key, value) VALUES ('other', '1')")
        except sqlite3.Error as exc:  # pragma: no cover - the failure we guard against
            errors.append(exc)

    with store.tx():
        assert store.one("SELECT count(*) AS n FROM instance") == {"n": 0}  # read first
        writer = threading.Thread(target=other_process_writes)
        writer.start()
        time.sleep(0.2)  # the other connection tries to commit now
        store.execute("INSERT INTO instance (key, value) VALUES ('ours', '1')")
    writer.join(10)
    assert errors == []
    assert {r["key"] for r in store.all("SELECT key FROM instance")} == {"ours", "other"}


def test_failed_transaction_rolls_back_everything(tmp_path):
    store = Store.open(tmp_path / "db.sqlite")
    with pytest.raises(RuntimeError), store.tx():
        store.execute("INSERT INTO instance (key, value) VALUES ('a', '1')")
        with store.tx():  # nested: a savepoint inside the same transaction
            store.execute("INSERT INTO instance (key, value) VALUES ('b', '1')")
        raise RuntimeError("boom")
    assert store.all("SELECT key FROM instance") == []
