"""The declared state machines: their graphs are consistent, undeclared transitions raise."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from mitwirken.models.deliveries import DELIVERY, DeliveryState
from mitwirken.models.inbox_items import INBOX, InboxState
from mitwirken.models.states import IllegalTransition, StateMachine
from mitwirken.models.store import Store

MACHINES = [DELIVERY, INBOX]


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
                                                      DeliveryState.FAILED}
    assert DELIVERY.sources(DeliveryState.DONE) == {DeliveryState.PENDING}
    assert DELIVERY.sources(DeliveryState.FAILED) == {DeliveryState.PENDING}
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
