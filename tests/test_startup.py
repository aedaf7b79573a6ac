"""Start-up: `--version` and `--help` load no database library, and a command on a current
database loads only what it needs (Alembic only when a migration must run). Checked in a fresh
interpreter with ``-X importtime``, which lists every module imported; no timing is asserted."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported(*args: str) -> set[str]:
    """The modules ``python -m timeline ARGS`` imports, read from its ``-X importtime`` lines."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "timeline", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"], []])
def test_version_and_help_load_no_database_library(args: list[str]) -> None:
    modules = imported(*args)
    assert "click" in top(modules)
    assert not top(modules) & {"sqlalchemy", "alembic", "psycopg"}


def test_a_current_database_is_recognised_without_alembic(seeded: str) -> None:
    for args in (["sql", "select count(*) from events"], ["search", "crab"]):
        modules = imported("--db", seeded, *args)
        assert "sqlalchemy" in top(modules)  # it did open the database
        assert "alembic" not in top(modules)


def test_sql_loads_no_orm_and_no_models(seeded: str) -> None:
    modules = imported("--db", seeded, "sql", "select count(*) from chronology")
    assert "sqlalchemy.orm" not in modules
    assert "timeline.models" not in modules
