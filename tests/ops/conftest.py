"""Fixtures of the operations tests; the helpers themselves live in `helpers.py`."""

from tests.ops.helpers import data_dir, instance  # noqa: F401  (fixtures)
