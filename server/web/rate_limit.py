"""A small in-memory rate limit per key (e.g. a visitor's address) over a sliding window, for
public forms that make the server do work elsewhere. One per app, never a global; it forgets
on restart, which is fine for what it guards."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class RateLimit:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float],
                 max_keys: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window_seconds, clock, max_keys
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> float:
        """0 if `key` may go on now (and counts the attempt), else the seconds to wait."""
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:  # bounded memory: forget the oldest keys
                for old in list(self._hits)[: self.max_keys // 10]:
                    del self._hits[old]
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return 0.0
