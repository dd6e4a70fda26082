"""`make typecheck` (a step of `make test`) runs mypy over models/ and federation/.

mypy cannot follow the editable install to `mitwirken.*`, so the Makefile builds a tree of links
that spells the import names (`.mypy_path/mitwirken/models -> models`). These tests run that
same target and show that through the tree mypy really reads our code: a wrong type in code
that imports `mitwirken.models` is an error, not an unresolved import. And the override that
makes the redesign's modules strict really sets every per-module flag of `--strict` (mypy
would apply `strict = true` in an override to every module)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mypy.main import process_options
from mypy.options import PER_MODULE_OPTIONS

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


def strict_flags() -> dict[str, object]:
    """The per-module options `--strict` changes, with the values it gives them."""
    _, strict = process_options(["--strict", "--config-file=", "-c", "pass"])
    _, plain = process_options(["--config-file=", "-c", "pass"])
    return {name: getattr(strict, name) for name in sorted(PER_MODULE_OPTIONS)
            if getattr(strict, name) != getattr(plain, name)}


def missing_strict_flags(config: dict[str, object], module: str) -> list[str]:
    """Strict flags that neither `[tool.mypy]` nor an override naming `module` sets."""
    settings = {k: v for k, v in config.items() if k != "overrides"}
    for override in config.get("overrides", []):
        if module in override["module"]:
            settings.update({k: v for k, v in override.items() if k != "module"})
    return [f"{name} = {value}" for name, value in strict_flags().items()
            if settings.get(name) != value]


def test_the_strict_modules_get_every_strict_flag():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mypy"]
    assert "strict" not in config
    assert not any("strict" in override for override in config["overrides"])
    assert "disallow_untyped_defs" in strict_flags()
    for module in ("mitwirken.models.interactions", "mitwirken.federation.as_types"):
        assert missing_strict_flags(config, module) == [], module
    assert "disallow_untyped_defs = True" in missing_strict_flags(config, "mitwirken.models.ids")
