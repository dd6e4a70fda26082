"""The declared state machines: their graphs are consistent, undeclared transitions raise, and
only the owner module of a queue table writes it."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from mitwirken.models.backfills import BACKFILL
from mitwirken.models.deliveries import DELIVERY, DeliveryState
from mitwirken.models.inbox_items import INBOX, InboxState
from mitwirken.models.mails import MAIL
from mitwirken.models.responses import RESPONSE
from mitwirken.models.responses import ResponseState as R
from mitwirken.models.states import IllegalTransition, StateMachine
from mitwirken.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
MACHINES = [DELIVERY, INBOX, BACKFILL, MAIL]


def reachable(machine: StateMachine) -> set:
    seen, todo = {machine.initial}, [machine.initial]
    while todo:
        for nxt in machine.transitions.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_declared_graphs_are_consistent(machine):
    assert machine.problems() == []
    assert reachable(machine) == set(machine.states)
    assert machine.terminal and machine.initial not in machine.terminal
    for state in machine.terminal:
        assert not machine.transitions.get(state)
    for state in set(machine.states) - machine.terminal:
        assert machine.transitions.get(state), f"{state} is a dead end but not terminal"


def test_the_graphs_are_the_ones_the_workers_rely_on():
    assert DELIVERY.initial == DeliveryState.PENDING
    assert DELIVERY.sources(DeliveryState.PENDING) == {DeliveryState.PENDING,
                                                      DeliveryState.FAILED, DeliveryState.HELD}
    assert DELIVERY.sources(DeliveryState.DONE) == {DeliveryState.PENDING}
    assert DELIVERY.sources(DeliveryState.FAILED) == {DeliveryState.PENDING,
                                                      DeliveryState.HELD}
    assert DELIVERY.sources(DeliveryState.HELD) == {DeliveryState.PENDING}
    assert DELIVERY.terminal == {DeliveryState.DONE}
    assert INBOX.initial == InboxState.RECEIVED
    assert INBOX.terminal == set(InboxState) - {InboxState.RECEIVED}
    assert all(INBOX.sources(s) == {InboxState.RECEIVED} for s in InboxState)


def test_delivery_states_match_the_column_check():
    """The schema's CHECK constraint and the declared states name the same values."""
    store = Store.memory()
    sql = store.scalar("SELECT sql FROM sqlite_master WHERE name = 'deliveries'")
    check = re.search(r"CHECK \(state IN \(([^)]*)\)\)", str(sql))
    assert check is not None
    assert {v.strip(" '") for v in check.group(1).split(",")} == {s.value for s in DeliveryState}


def test_check_raises_for_an_undeclared_transition():
    DELIVERY.check(DeliveryState.PENDING, DeliveryState.DONE)
    DELIVERY.check("failed", "pending")  # stored values work as well as members
    with pytest.raises(IllegalTransition, match="deliveries: done → pending") as info:
        DELIVERY.check(DeliveryState.DONE, DeliveryState.PENDING)
    assert (info.value.src, info.value.dst) == ("done", "pending")
    with pytest.raises(IllegalTransition):
        INBOX.check(InboxState.FAILED, InboxState.RECEIVED)
    with pytest.raises(IllegalTransition):
        INBOX.check(InboxState.RECEIVED, "weird")
    assert issubclass(IllegalTransition, Exception)


class Light(StrEnum):
    OFF = "off"
    ON = "on"
    BROKEN = "broken"
    LOST = "lost"


def test_an_inconsistent_graph_cannot_be_declared():
    with pytest.raises(ValueError, match="unreachable from off: \\['lost'\\]"):
        StateMachine("light", Light, Light.OFF, frozenset({Light.BROKEN}),
                     {Light.OFF: frozenset({Light.ON}), Light.ON: frozenset({Light.BROKEN})})
    with pytest.raises(ValueError, match="terminal state broken has outgoing transitions"):
        StateMachine("light", Light, Light.OFF, frozenset({Light.BROKEN}),
                     {Light.OFF: frozenset({Light.ON, Light.LOST}),
                      Light.ON: frozenset({Light.BROKEN}),
                      Light.BROKEN: frozenset({Light.OFF})})
    with pytest.raises(ValueError, match="not states of Light"):
        StateMachine("light", Light, Light.OFF, frozenset({Light.BROKEN}),
                     {Light.OFF: frozenset({Light.ON, Light.LOST, "dim"}),
                      Light.ON: frozenset({Light.BROKEN})})


# --- one writer per queue table -----------------------------------------------------------

OWNERS = {"deliveries": "models/deliveries.py", "domain_health": "models/deliveries.py",
          "inbox_items": "models/inbox_items.py", "mails": "models/mails.py"}
WRITE = re.compile(r"\b(?:UPDATE|INSERT(?: OR \w+)? INTO|REPLACE INTO|DELETE FROM)\s+"
                   r"[\"'`]?(\w+)", re.IGNORECASE)
TABLE_API = re.compile(r"\.db\[[\"'](\w+)[\"']\]|\btable\([\"'](\w+)[\"']\)")


def writers(path: Path) -> set[str]:
    text = path.read_text("utf-8")
    found = set(WRITE.findall(text))
    found |= {a or b for a, b in TABLE_API.findall(text)}
    return found & set(OWNERS)


def test_only_the_owner_module_writes_a_queue_table():
    """States change only through the declared machine: no other module may write these
    tables (migrations, which only add columns, aside)."""
    violations = []
    for folder in ("models", "federation", "server", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("models/migrations/"):
                continue
            violations += [f"{rel} writes {t}" for t in writers(path) if OWNERS[t] != rel]
    assert violations == []


def test_the_writer_scan_can_fail(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text('store.execute("UPDATE deliveries SET state = \'failed\'")\n'
                      'store.execute("INSERT OR IGNORE INTO inbox_items (id) VALUES (1)")\n'
                      'store.db["domain_health"].insert({})\n')
    assert writers(sample) == {"deliveries", "inbox_items", "domain_health"}


def test_the_response_machine_is_open_answered_handled_and_reopenable():
    assert RESPONSE.problems() == [] and RESPONSE.initial == R.OPEN
    assert RESPONSE.terminal == frozenset()  # a handled response can always be reopened
    assert RESPONSE.sources(R.ANSWERED) == {R.OPEN}
    assert RESPONSE.sources(R.HANDLED) == {R.OPEN, R.ANSWERED}
    assert RESPONSE.sources(R.OPEN) == {R.HANDLED}
    with pytest.raises(IllegalTransition):
        RESPONSE.check(R.ANSWERED, R.OPEN)
