"""The kept answers of `server/web/representations.py`: a bounded LRU, each entry with the
version (table change counters) it was built from."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from aiohttp import web

from mitwirken.models.change_counters import ChangeCounters

_KEPT_HEADERS = ("Content-Type", "Vary", "Content-Security-Policy", "X-Content-Type-Options",
                 "Content-Disposition", "Content-Language")


@dataclass(frozen=True, slots=True)
class Representation:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str


class Representations:
    """A bounded LRU of finished answers, each with the version it was built from."""

    def __init__(self, versions: ChangeCounters, size: int = 2048) -> None:
        self.versions = versions
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[tuple[int, ...], Representation]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: tuple[int, ...]) -> Representation | None:
        entry = self._kept.get(key)
        if entry is None or entry[0] != version:
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, version: tuple[int, ...], response: web.Response,
            cache_control: str) -> Representation:
        body = response.body
        assert isinstance(body, bytes), "only answers with a body of bytes are kept"
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        headers = tuple((name, response.headers[name]) for name in _KEPT_HEADERS
                        if name in response.headers)
        rep = Representation(body, headers + (("ETag", etag), ("Cache-Control", cache_control)),
                             etag)
        self._kept[key] = (version, rep)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return rep

    def __len__(self) -> int:
        return len(self._kept)
