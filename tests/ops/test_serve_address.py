"""`mitwirken serve` says where it listens (issue 14: people starting it need the address)."""

from __future__ import annotations

import time

from tests.ops.helpers import Server, free_port, init_instance


def test_serve_prints_the_address_it_listens_on(tmp_path):
    data = tmp_path / "d"
    port = free_port()
    init_instance(data, f"http://127.0.0.1:{port}")
    with Server(data, port, tmp_path / "serve.log") as server:
        deadline = time.monotonic() + 5
        while "hört auf" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"Mitwirken hört auf http://127.0.0.1:{port}" in server.log()
