"""`mitwirken responses overdue`: the open responses past their promise, without who wrote
what; nothing when all are answered in time."""

from __future__ import annotations

import json
from datetime import timedelta

from mitwirken.models import responses as repo
from mitwirken.models.responses import ResponseState
from mitwirken.models.store import Store, utcnow
from mitwirken.server.cli import main


def add(store: Store, days_ago: int, promise: int = 5, sender: str = "alice") -> str:
    received = utcnow() - timedelta(days=days_ago)
    rid = repo.create(store, organisation="tafel", object_id=None, visibility="direct",
                      sender_id=f"https://m.example/users/{sender}", sender_name=sender,
                      sender_handle=f"@{sender}@m.example", sender_inbox=None,
                      promise_days=promise, received=received,
                      due=received + timedelta(days=promise))
    repo.add_message(store, rid, direction="in", content="<p>Geheimer Text</p>", at=received)
    return rid


def test_overdue_lists_open_responses_past_their_promise(settings, capsys):
    data = ["--data", str(settings.data_dir)]
    assert main(["responses", "overdue", *data]) == 0
    assert capsys.readouterr().out.strip() == "Keine überfälligen Rückmeldungen."
    store = Store.open(settings.db_path)
    late = add(store, 30, sender="kanarienvogel")
    handled = add(store, 40, sender="bob")
    repo.move(store, handled, ResponseState.HANDLED, utcnow())
    add(store, 1)  # still within its promise
    store.close()

    assert main(["responses", "overdue", *data]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(f"{late}\ttafel\tdirect\tfällig ")
    assert "Werktage drüber" in out
    assert "kanarienvogel" not in out and "Geheimer" not in out

    assert main(["responses", "overdue", *data, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["id"] == late and row["working_days_over"] >= 15
    assert set(row) == {"id", "organisation", "object", "visibility", "received_at",
                        "due_at", "working_days_over"}
