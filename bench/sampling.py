"""Where a process's time goes during a measured run: py-spy samples this very process (no
instrumentation, so the figures are those of the run itself) and the samples are sorted into
named categories by the innermost frame that a rule names.

    with sampled() as samples:
        ... the measured run ...
    for name, share in categorise(samples.stacks, RULES): ...

py-spy is in the `bench` extra (`pip install -e '.[bench]'`); without it, or without the
right to trace (ptrace), `sampled()` says so and yields no samples."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Samples:
    stacks: Counter[str] = field(default_factory=Counter)
    note: str = ""


def _py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


@contextmanager
def sampled(rate: int = 250) -> Iterator[Samples]:
    samples = Samples()
    exe = _py_spy()
    if exe is None:
        samples.note = "py-spy not installed (pip install -e '.[bench]')"
        yield samples
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        proc = subprocess.Popen([exe, "record", "-p", str(os.getpid()), "-r", str(rate),
                                 "-f", "raw", "--nonblocking", "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # let py-spy attach before the run starts
        try:
            yield samples
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
            if out.exists():
                for line in out.read_text().splitlines():
                    stack, _, n = line.rpartition(" ")
                    if stack and n.isdigit():
                        samples.stacks[stack] += int(n)
            if not samples.stacks:
                samples.note = f"py-spy recorded nothing: {err.decode()[-200:].strip()}"


def _category(stack: str, rules: list[tuple[str, str]]) -> str:
    """The innermost frame that a rule names decides: time in aiohttp's stream reader called
    from our handler is aiohttp's, a stdlib call made by our code is ours."""
    for frame in reversed(stack.split(";")):
        for name, pattern in rules:
            if pattern in frame:
                return name
    return "other"


def categorise(stacks: Counter[str], rules: list[tuple[str, str]]) -> list[tuple[str, float]]:
    """Share of all samples per category; `rules` are (name, frame substring), tried from the
    innermost frame outwards, the first rule matching a frame wins; the rest is "other"."""
    total = sum(stacks.values()) or 1
    shares: Counter[str] = Counter()
    for stack, n in stacks.items():
        shares[_category(stack, rules)] += n
    return [(name, shares[name] / total) for name, _ in rules + [("other", "")]
            if shares[name]]
