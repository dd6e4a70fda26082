"""The CLI fetches through the same private-address guard as the server (it used to build its
own HTTP session without it): a public-looking name that resolves to 127.0.0.1 is refused
before anything connects, unless the instance allows the private network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mitwirken.server.cli import main
from mitwirken.server.usecases.instance import init_instance
from tests.fediverse import FakeResolver, connections


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in [k for k in os.environ if k.startswith("MITWIRKEN_")]:
        monkeypatch.delenv(name)
    init_instance(tmp_path / "d", "https://engagiert.musterstadt.de",
                  "Engagierte Stadt Musterstadt", "musterstadt", fetch_timeout_seconds=1.0)
    return str(tmp_path / "d")


def test_cli_fetcher_refuses_a_name_resolving_to_loopback(data, listener, capsys, monkeypatch):
    resolver = FakeResolver()
    resolver.ports["evil.example"] = listener.getsockname()[1]
    for argv in (["follow", "--data", data, "@bob@evil.example"],
                 ["relay", "add", "--data", data, "https://evil.example/actor"]):
        assert main(argv, resolver=resolver) == 1
        err = capsys.readouterr().err
        assert "evil.example" in err and ("nicht gefunden" in err or "nicht erreichbar" in err)
        assert "ClientConnector" in err  # refused while resolving, before a connection
    assert connections(listener) == 0
    # The same command with the private network allowed does reach the port: the refusal
    # above is the guard's, not a resolver or a port that never worked.
    monkeypatch.setenv("MITWIRKEN_ALLOW_PRIVATE_NETWORK", "1")
    # (twice: WebFinger over https, then its http fallback, which only this setting allows)
    assert main(["follow", "--data", data, "@bob@evil.example"], resolver=resolver) == 1
    assert connections(listener) == 2
