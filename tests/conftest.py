"""Fixtures: every database test runs on SQLite and on a real PostgreSQL server.

PostgreSQL is found at $TIMELINE_TEST_POSTGRES_URL (scripts/postgres-setup prints it; scripts/test
sets it). If that server cannot be reached the PostgreSQL tests fail; they are never skipped.
Set TIMELINE_TEST_BACKENDS=sqlite to run only the SQLite half on purpose.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from timeline.cli import main
from timeline.db import Database

DEFAULT_PG_URL = "postgresql+psycopg://timeline:timeline@127.0.0.1:5432/timeline_test"
BACKENDS = [
    b for b in os.environ.get("TIMELINE_TEST_BACKENDS", "sqlite,postgresql").split(",") if b
]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("TIMELINE_TEST_POSTGRES_URL", DEFAULT_PG_URL)
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}). Run scripts/postgres-setup, "
            "or set TIMELINE_TEST_BACKENDS=sqlite to test SQLite alone.",
            pytrace=False,
        )
    return url


def planner_sizes(url: str, names: list[str]) -> tuple[dict[str, int], dict[str, float]]:
    """Each of the tables ``names``: its rows, and PostgreSQL's planner's count of them
    (``pg_class.reltuples``, -1 for a table never analyzed)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        counted = {
            name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }
        planned = dict(
            connection.execute(
                sa.text(
                    "SELECT relname, reltuples FROM pg_class "
                    "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
                )
            ).all()
        )
    engine.dispose()
    return counted, {name: planned[name] for name in names}


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A URL or path for an empty database on the current backend."""
    if backend == "sqlite":
        return str(tmp_path / "timeline.db")
    url = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """Run the CLI as a user would; fails the test on any traceback."""
    monkeypatch.delenv("TIMELINE_DB", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(main, list(args), prog_name="timeline", catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                "uncaught exception:\n" + "".join(traceback.format_exception(result.exception))
            )
        assert "Traceback" not in result.output
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
        return result

    return invoke


@pytest.fixture
def seeded(db_url: str, run: Callable[..., Result]) -> str:
    """A database built by the real migrations and loaded with the seed, through the CLI."""
    run("--db", db_url, "init")
    run("--db", db_url, "seed")
    return db_url


def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order: the state a test compares."""
    database = Database.open(url)
    try:
        with database.connect() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            tables = {}
            for name, table in sorted(metadata.tables.items()):
                order = list(table.primary_key.columns) or list(table.columns)
                tables[name] = [
                    tuple(r) for r in connection.execute(sa.select(table).order_by(*order))
                ]
            return tables
    finally:
        database.dispose()


def execute(url: str, *statements: str) -> None:
    """Run raw SQL statements in one transaction: how a test plants what a hand edit would."""
    database = Database.open(url)
    try:
        with database.begin() as session:
            for statement in statements:
                session.execute(sa.text(statement))
    finally:
        database.dispose()


def file_digest(path: str | Path) -> str | None:
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def benchmark_module(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module: the benchmarks are scripts, not a package."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seed_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the shipped seed folder, for tests that break it."""
    import shutil

    from timeline.paths import seed_dir

    target = tmp_path / "seed-copy"
    shutil.copytree(seed_dir(), target)
    yield target


SUPERUSER = "timeline_super"  # created by scripts/postgres-setup, password = name


@pytest.fixture(scope="session")
def postgres_superuser_url(postgres_url: str) -> str:
    """The test database's URL, logged in as the superuser scripts/postgres-setup creates."""
    url = sa.make_url(postgres_url).set(username=SUPERUSER, password=SUPERUSER)
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            superuser = connection.execute(
                sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        engine.dispose()
    except Exception as exc:
        pytest.fail(
            f"cannot log in as {SUPERUSER} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}). Run scripts/postgres-setup.",
            pytrace=False,
        )
    if not superuser:
        pytest.fail(f"{SUPERUSER} is not a superuser. Run scripts/postgres-setup.", pytrace=False)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, to fill for real (needs root); skipped where it cannot be mounted.

    The monkeypatched full-disk tests cover the same paths everywhere.
    """
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
