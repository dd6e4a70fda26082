"""State machines on rows, declared once as data (Takahē's Stator idea).

Background work lives in tables (deliveries, inbox items): a row's `state` column says where
it stands, and workers move rows from state to state. Instead of bare strings spread over
UPDATE statements, each table declares its machine once, with this module: the states (a `StrEnum`
whose values are what the column stores), the initial state, the terminal states and the
allowed transitions as a plain mapping. Declaring checks the graph (every state reachable from
the initial one, no way out of a terminal state), and `check(src, dst)` refuses an undeclared
transition with `IllegalTransition`.

The owner module of a table changes states only through `update_state` / `move_row`. Their
UPDATE also carries the allowed source states in its WHERE clause, so the check holds even
against a racing writer: a row that reached a terminal state in the meantime is not moved, and
moving it raises instead of silently overwriting what happened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from mitwirken.models.store import Store

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Exception):
    """A state change the machine does not declare (or a row that has moved on already)."""

    def __init__(self, machine: str, src: str, dst: str) -> None:
        super().__init__(f"{machine}: {src} → {dst} is not a declared transition")
        self.machine, self.src, self.dst = machine, src, dst


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """The states of one kind of row and the transitions between them."""

    name: str
    states: type[S]
    initial: S
    terminal: frozenset[S]
    transitions: Mapping[S, frozenset[S]]
    _sources: Mapping[S, frozenset[S]] = field(init=False, repr=False, compare=False)
    _targets: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError(f"state machine {self.name}: " + "; ".join(problems))
        sources = {s: frozenset(a for a, targets in self.transitions.items() if s in targets)
                   for s in self.states}
        object.__setattr__(self, "_sources", sources)
        targets = {str(s): frozenset(str(t) for t in self.transitions.get(s, frozenset()))
                   for s in self.states}
        object.__setattr__(self, "_targets", targets)

    def problems(self) -> list[str]:
        """What is wrong with the declared graph (empty when it is consistent)."""
        members = set(self.states)
        out = []
        named = {self.initial, *self.terminal, *self.transitions}
        for targets in self.transitions.values():
            named |= set(targets)
        if strangers := named - members:
            out.append(f"not states of {self.states.__name__}: {sorted(map(str, strangers))}")
        for state in sorted(self.terminal & set(self.transitions)):
            if self.transitions[state]:
                out.append(f"terminal state {state} has outgoing transitions")
        reached, todo = {self.initial}, [self.initial]
        while todo:
            for nxt in self.transitions.get(todo.pop(), frozenset()):
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        if unreachable := members - reached:
            out.append(f"unreachable from {self.initial}: {sorted(map(str, unreachable))}")
        return out

    def allowed(self, src: S | str, dst: S | str) -> bool:
        """Whether `src → dst` is declared (a `StrEnum` member equals its stored value)."""
        return str(dst) in self._targets.get(str(src), frozenset())

    def check(self, src: S | str, dst: S | str) -> None:
        """Raise `IllegalTransition` unless `src → dst` is declared."""
        if not self.allowed(src, dst):
            raise IllegalTransition(self.name, str(src), str(dst))

    def sources(self, dst: S) -> frozenset[S]:
        """The states a row may be in to move to `dst`."""
        return self._sources[dst]

    def state(self, value: str) -> S:
        """The member for a stored value; an unknown one is no state of this machine."""
        try:
            return self.states(value)
        except ValueError:
            raise IllegalTransition(self.name, "any state", str(value)) from None


def update_state(store: Store, table: str, machine: StateMachine[S], dst: S, *,
                 where: str, params: Sequence[object] = (), assignments: str = "",
                 values: Sequence[object] = (), sources: Iterable[S] | None = None) -> int:
    """Move the rows of `table` matching `where` to `dst`, setting `assignments` too; only rows
    in a state that may go to `dst` move (`sources` narrows that set, each one declared).
    Returns how many rows moved."""
    allowed = machine.sources(dst) if sources is None else frozenset(sources)
    for src in allowed:
        machine.check(src, dst)
    also = f", {assignments}" if assignments else ""
    marks = ",".join("?" * len(allowed))
    cur = store.execute(
        f"UPDATE {table} SET state = ?{also} WHERE state IN ({marks}) AND ({where})",
        [dst.value, *values, *sorted(s.value for s in allowed), *params])
    return int(cur.rowcount)


def move_row(store: Store, table: str, machine: StateMachine[S], row_id: int, dst: S, *,
             assignments: str = "", values: Sequence[object] = (),
             sources: Iterable[S] | None = None) -> bool:
    """Move one row (by `id`) to `dst`. False when there is no such row; `IllegalTransition`
    when the row is in a state that may not go to `dst` — or not from one of `sources`, when
    given (the row is left as it is)."""
    if update_state(store, table, machine, dst, where="id = ?", params=[row_id],
                    assignments=assignments, values=values, sources=sources):
        return True
    current = store.scalar(f"SELECT state FROM {table} WHERE id = ?", [row_id])
    if current is None:
        return False
    raise IllegalTransition(machine.name, str(current), dst.value)
