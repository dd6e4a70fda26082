"""Change counters of the tables whose rows are kept in memory (table `change_counters`, kept
by the triggers of migration m015): a kept document or key stays valid while the counters of
its tables are unchanged.

Reading the counters is one small SELECT; `ChangeCounters` skips even that while the connection
has written nothing (`total_changes`) and no other connection has committed anything
(`PRAGMA data_version`) since the last read, which is the common case under a burst of GETs."""

from __future__ import annotations

from mitwirken.models.store import Store


def current(store: Store) -> dict[str, int]:
    """Every table's counter by name."""
    return dict(store.db.conn.execute("SELECT name, n FROM change_counters").fetchall())


class ChangeCounters:
    """The counters of one store, re-read only when something may have changed them."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._seen: tuple[int, int] | None = None
        self._counters: dict[str, int] = {}

    def current(self) -> dict[str, int]:
        conn = self._store.db.conn
        seen = (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        if seen != self._seen:
            self._counters = current(self._store)
            self._seen = seen
        return self._counters
