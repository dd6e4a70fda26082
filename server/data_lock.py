"""One server per data folder: `mitwirken serve` holds an exclusive lock on
`<data>/mitwirken.lock` for as long as it runs.

The kernel drops the lock when the process ends, however it ends (`kill -9` included), so a
new server never waits for a stale lock file, and a second server on the same folder is refused
at once. Holding it is what lets the server reclaim the queue leases of its previous run at
start-up (`usecases.operations.reclaim_leases`): no other live worker can own them."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = "mitwirken.lock"


class DataFolderLocked(Exception):
    """Another process holds the folder; `holder` is its PID as it wrote it (or '?')."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is held by process {holder}")
        self.path, self.holder = path, holder


@contextlib.contextmanager
def data_folder_lock(data_dir: Path) -> Iterator[Path]:
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise DataFolderLocked(path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)
