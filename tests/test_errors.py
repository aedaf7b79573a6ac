"""Bad input: one clear line on stderr, a non-zero exit, no traceback, nothing changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import dump, file_digest


def one_line_error(result: Result, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["report", "--from", "1961-13"],
            "'1961-13' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (["report", "--to", "1961-02-30"], "'1961-02-30'"),
        (["report", "--from", "c. 1961"], "'c. 1961' is not a date"),
        (["report", "--format", "pdf"], "'pdf' is not one of"),
        (["report", "--bogus"], "No such option '--bogus'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors(
    seeded: str, run: Callable[..., Result], args: list[str], expected: str
) -> None:
    before = dump(seeded)
    line = one_line_error(run("--db", seeded, *args, expect=None), 2)
    assert expected in line
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "--from", "1962", "--to", "1961"], "--from 1962 is after --to 1961"),
        (
            ["show", "rusc"],
            "no document, event, actor, statute or source has the key 'rusc'; did you mean rusk",
        ),
        (["report", "--actor", "Nobody"], "no actor matches 'Nobody'"),
        (["report", "--statute", "Volstead"], "no statute matches 'Volstead'"),
        (["report", "--document", "frus1999"], "no document matches 'frus1999'"),
        (["report", "--kind", "coup"], "no event kind matches 'coup'"),
    ],
)
def test_domain_errors(
    seeded: str, run: Callable[..., Result], args: list[str], expected: str
) -> None:
    before = dump(seeded)
    assert expected in one_line_error(run("--db", seeded, *args, expect=None), 1)
    assert dump(seeded) == before


def test_a_path_in_a_missing_directory(run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "t.db"
    line = one_line_error(run("--db", str(path), "report", expect=None), 1)
    assert "directory" in line and "does not exist" in line
    assert not path.parent.exists()


def test_a_directory_as_the_database(run: Callable[..., Result], tmp_path: Path) -> None:
    line = one_line_error(run("--db", str(tmp_path), "report", expect=None), 1)
    assert "is a directory" in line


@pytest.mark.parametrize(
    "content", [b"hello, world\n", b"\x00" * 2048, b"SQLite format 3\x00" + b"\xff" * 200]
)
def test_a_file_that_is_not_a_database(
    run: Callable[..., Result], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    for command in (["report"], ["init"], ["seed"], ["show", "rusk"]):
        line = one_line_error(run("--db", str(path), *command, expect=None), 1)
        assert "not a SQLite database" in line or "database" in line
    assert path.read_bytes() == content


def test_an_empty_file_is_a_new_database(run: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert "Tariff Act" in run("--db", str(path), "report").stdout


def test_someone_elses_sqlite_database_is_left_alone(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    digest = file_digest(path)
    for command in (["report"], ["init"], ["seed"]):
        line = one_line_error(run("--db", str(path), *command, expect=None), 1)
        assert "not a timeline database" in line
    assert file_digest(path) == digest


def test_an_older_schema_asks_for_init(seeded: str, run: Callable[..., Result]) -> None:
    from timeline.db import Database

    database = Database.open(seeded)
    database.downgrade("base")
    database.dispose()
    line = one_line_error(run("--db", seeded, "report", expect=None), 1)
    assert "older schema" in line and "timeline init" in line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://timeline:timeline@127.0.0.1:1/timeline_test",
        "postgresql+psycopg://nobody:wrong@127.0.0.1:5432/timeline_test",
    ],
)
def test_an_unreachable_or_refusing_server(
    run: Callable[..., Result], url: str, postgres_url: str
) -> None:
    line = one_line_error(run("--db", url, "report", expect=None), 1)
    assert line.startswith("Error: cannot use database 'postgresql+psycopg://")
    assert "wrong" not in line  # passwords are not echoed


def test_an_unknown_url_scheme(run: Callable[..., Result]) -> None:
    line = one_line_error(run("--db", "oracle+nothing://x/y", "report", expect=None), 1)
    assert "cannot use" in line


def test_a_bad_seed_folder(seeded: str, run: Callable[..., Result], tmp_path: Path) -> None:
    empty = tmp_path / "empty-seed"
    empty.mkdir()
    before = dump(seeded)
    line = one_line_error(run("--db", seeded, "seed", "--dir", str(empty), expect=None), 1)
    assert "sources.toml" in line or "holds no texts" in line
    assert dump(seeded) == before
