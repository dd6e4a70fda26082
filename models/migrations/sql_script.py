"""Runs a block of SQL statements separated by semicolons, for the migrations.

Frozen like the migrations that call it: never edit it (a migration needing something else
brings its own helper)."""

from __future__ import annotations

import sqlite_utils


def run_script(db: sqlite_utils.Database, sql: str) -> None:
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)
