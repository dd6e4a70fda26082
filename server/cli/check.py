"""CLI: `check`, the doctor. The checks live in `server/usecases/instance_check.py`; this
module only parses arguments and prints the findings."""

from __future__ import annotations

import argparse
from pathlib import Path

from mitwirken.server.cli._common import add_data
from mitwirken.server.usecases.instance_check import check, exit_code, render


def cmd_check(args: argparse.Namespace) -> int:
    findings = check(Path(args.data), offline=args.offline, timeout=args.timeout)
    print(render(findings), end="")
    return exit_code(findings)


def check_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--offline", action="store_true",
                   help="only local checks; do not contact the public URL")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
