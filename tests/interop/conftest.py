"""Session fixtures for the Fedify interop suite (see docs/INTEROP.md).

Order of set-up, once per pytest session:

1. `node_bin`   `npm ci` in tests/interop when node_modules is missing or stale; the whole
                suite is SKIPPED (loudly: reason in the skip, a banner at the end of the
                run) when npm, the registry or the Node 22 binary is unavailable.
2. `tls`        a throw-away CA and a certificate for localhost / 127.0.0.1 / ::1.
3. `peer`       peer.mjs (Fedify) with NODE_EXTRA_CA_CERTS=ca.pem.
4. `mitwirken`  `mitwirken init / org add / token create`, then `mitwirken serve` over HTTPS
                with MITWIRKEN_ALLOW_PRIVATE_NETWORK=1 and SSL_CERT_FILE=ca.pem.

Process output goes to tests/interop/.work/last-run/*.log; the tail of each log is attached
to the report of any failing test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop import harness as h

RUN_DIR = h.WORK_DIR / "last-run"
_SKIPPED: list[str] = []


def _in_this_suite(path: Path) -> bool:
    return h.INTEROP_DIR in Path(path).resolve().parents


@pytest.hookimpl(tryfirst=True)  # before `-m` deselection looks at the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _in_this_suite(item.path):
            item.add_marker(pytest.mark.interop)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _in_this_suite(item.path):
        for name, log in sorted(h.ACTIVE_LOGS.items()):
            report.sections.append((f"{name} log: {log} (tail)", h.tail_file(log, 60)))


def pytest_terminal_summary(terminalreporter) -> None:
    if _SKIPPED:
        terminalreporter.write_sep("!", "FEDIFY INTEROP SUITE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_SKIPPED[0], red=True)
        terminalreporter.write_line(
            "These tests did not run; nothing about Fedify interoperability was checked.",
            red=True,
        )


@pytest.fixture(scope="session")
def run_dir() -> Path:
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir(parents=True)
    return RUN_DIR


@pytest.fixture(scope="session")
def node_bin(run_dir: Path) -> Path:
    try:
        return h.ensure_node(run_dir / "npm.log")
    except h.Skip as reason:
        message = f"Fedify interop tests skipped: {reason}"
        _SKIPPED.append(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def tls(run_dir: Path) -> h.Tls:
    return h.make_tls(run_dir / "tls")


@pytest.fixture(scope="session")
def peer(node_bin: Path, tls: h.Tls, run_dir: Path) -> Iterator[h.Peer]:
    started = h.Peer.start(node_bin, tls, run_dir / "peer.log")
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def mitwirken(node_bin: Path, tls: h.Tls, run_dir: Path) -> Iterator[h.Mitwirken]:
    # node_bin first: when the suite is skipped, Mitwirken is never started.
    server = h.Mitwirken.setup(run_dir, tls)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def report(run_dir: Path) -> Iterator[dict]:
    """Observations worth pasting into docs/INTEROP.md; written to last-run/report.json."""
    data: dict = {}
    try:
        yield data
    finally:
        (run_dir / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
