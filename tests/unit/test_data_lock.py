"""One server per data folder: the lock is exclusive, names its holder, and is free again as
soon as its holder lets go (the kernel drops it when a process dies, see
test_crash_recovery.py)."""

from __future__ import annotations

import os

import pytest

from mitwirken.server.data_lock import DataFolderLocked, data_folder_lock


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    with data_folder_lock(tmp_path) as path:
        assert path.read_text() == f"{os.getpid()}\n"
        with pytest.raises(DataFolderLocked) as refused, data_folder_lock(tmp_path):
            pass
        assert refused.value.holder == str(os.getpid())
    with data_folder_lock(tmp_path):  # released: taken again
        pass


def test_a_stale_lock_file_does_not_block(tmp_path):
    (tmp_path / "mitwirken.lock").write_text("999999\n")  # left by a process that died
    with data_folder_lock(tmp_path) as path:
        assert path.read_text() == f"{os.getpid()}\n"
