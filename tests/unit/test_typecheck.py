"""`make typecheck` (a step of `make test`) runs mypy over models/ and federation/.

mypy cannot follow the editable install to `mitwirken.*`, so the Makefile builds a tree of links
that spells the import names (`.mypy_path/mitwirken/models -> models`). These tests run that
same target and show that through the tree mypy really reads our code: a wrong type in code
that imports `mitwirken.models` is an error, not an unresolved import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    """The environment without an outer `make test`'s flags (jobserver, -s …)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


@pytest.fixture(scope="module")
def typecheck() -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "-s", "typecheck", f"BIN={BIN}"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)


def test_models_and_federation_pass(typecheck):
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    assert "Success: no issues found" in typecheck.stdout


def test_a_type_error_through_the_link_tree_fails(typecheck, tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from mitwirken.models.ids import new_id\n\ncount: int = new_id()\n")
    result = subprocess.run(
        [str(BIN / "mypy"), "--config-file", str(ROOT / "pyproject.toml"), str(sample)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'expression has type "str", variable has type "int"' in result.stdout
    assert "Cannot find implementation" not in result.stdout
