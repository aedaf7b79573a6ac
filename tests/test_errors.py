"""Bad input: one clear line on stderr, a non-zero exit, no traceback, nothing changed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import dump, file_digest, reset_postgres

from timeline.db import Database
from timeline.errors import DatabaseError


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


def test_a_fifo_as_the_database_is_refused_not_waited_on(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    line = one_line_error(run("--db", str(fifo), "report", expect=None), 1)
    assert "not a regular file" in line


def test_an_interrupted_first_write_is_rolled_back_not_refused(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    # A transaction killed outright on a new file: page 1 written, the hot journal beside it
    # holding the zero-length original. Opening the file normally rolls it back.
    path = tmp_path / "killed.db"
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=DELETE')\n"
        "c.execute('PRAGMA cache_size=1')\n"
        "c.execute('BEGIN')\n"
        "c.execute('CREATE TABLE t (x TEXT)')\n"
        "c.executemany('INSERT INTO t VALUES (?)', [('x' * 500,)] * 2000)\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    journal = path.with_name(path.name + "-journal")
    assert journal.exists() and path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert "Tariff Act" in run("--db", str(path), "report").stdout
    assert not journal.exists()


def first_run_error(result: Result) -> str:
    """The error of a first run, after its "creating it" notice."""
    lines = [x for x in result.stderr.splitlines() if not x.startswith("timeline: ")]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), (
        result.stderr
    )
    return lines[0]


def test_a_failed_first_run_leaves_no_file(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import timeline.cli.database
    import timeline.seed

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise DatabaseError("cannot use database 'x': database or disk is full")

    monkeypatch.setattr(timeline.seed, "load_seed", full_disk)
    monkeypatch.setattr(timeline.cli.database, "load_seed", full_disk)
    path = tmp_path / "new.db"
    for command in (["report"], ["seed"]):
        line = first_run_error(run("--db", str(path), *command, expect=None))
        assert "disk is full" in line
        assert list(tmp_path.iterdir()) == []


def test_a_failed_first_run_on_a_full_disk_leaves_no_file(
    run: Callable[..., Result], small_disk: Path
) -> None:
    path = small_disk / "new.db"
    for command in (["report"], ["seed"], ["init"]):
        line = first_run_error(run("--db", str(path), *command, expect=None))
        assert "full" in line
        assert list(small_disk.iterdir()) == []


def test_init_finishes_a_half_made_schema(run: Callable[..., Result], tmp_path: Path) -> None:
    # What a first migration killed before it recorded its revision used to leave on SQLite.
    db_url = str(tmp_path / "half.db")
    run("--db", db_url, "init")
    database = Database.open(db_url)
    with database.connect() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
        connection.commit()
    database.dispose()
    line = one_line_error(run("--db", db_url, "report", expect=None), 1)
    assert "did not finish" in line and "timeline init" in line
    assert "partial before" in run("--db", db_url, "init").stdout
    run("--db", db_url, "seed")
    assert "Tariff Act" in run("--db", db_url, "report").stdout


def test_a_newer_revision_asks_for_a_newer_timeline(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    exported = tmp_path / "export.json"
    run("--db", seeded, "export", "json", "-o", str(exported))
    database = Database.open(seeded)
    with database.connect() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
        connection.commit()
    database.dispose()
    before = dump(seeded)
    commands = (
        ["report"],
        ["init"],
        ["seed"],
        ["show", "rusk"],
        ["export", "json"],
        ["check"],
        ["import", "--merge", str(exported)],
    )
    for command in commands:
        line = one_line_error(run("--db", seeded, *command, expect=None), 1)
        assert "made by a newer version of timeline (revision ffff)" in line, line
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the WASHFAX is undated, from 16 May 1984 on (issue 9)
        (["--from", "1985"], ["washfax-to-mcnamar", "2007-08-29-cia-release"]),
        # what the texts date only as "by" a day
        (
            ["--to", "1929"],
            [
                "soviet-crab-industry-labor-before-1951-ban",
                "eyewitness-affidavits-before-1951-ban",
                "soviet-denials-of-convict-labor-in-crab-industry",
                "cia-past-information-to-customs",
            ],
        ),
    ],
)
def test_a_window_open_on_one_side(
    seeded: str, run: Callable[..., Result], args: list[str], expected: list[str]
) -> None:
    events = json.loads(run("--db", seeded, "report", *args, "-f", "json").stdout)
    assert [event["key"] for event in events] == expected


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://timeline:p@ss:word@127.0.0.1/x",
        "postgresql://timeline:secret@[::1/x",
        "postgresql://timeline:secret@a..b/x",
    ],
)
def test_a_url_that_does_not_parse(run: Callable[..., Result], url: str) -> None:
    line = one_line_error(run("--db", url, "report", expect=None), 1)
    assert "secret" not in line and "ss:word" not in line


def test_output_to_a_full_disk_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "TIMELINE_DB": str(tmp_path / "t.db")}
    for command in (["report"], ["export", "json"], ["export", "html"], ["events"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, "-m", "timeline", *command],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                check=False,
            )
        lines = [x for x in result.stderr.splitlines() if not x.startswith("timeline: ")]
        assert result.returncode == 1 and lines == [
            "Error: cannot write the output: No space left on device"
        ], result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", [["report"], ["report", "--format", "json", "--jobs", "2"]])
def test_an_output_that_cannot_carry_the_text_is_named(
    seeded: str, tmp_path: Path, encoding: str, command: list[str]
) -> None:
    # The seed's text is UTF-8 and right; an output that cannot write it is the output's fault,
    # and one line says how to get the report.
    env = {**os.environ, "TIMELINE_DB": seeded, "PYTHONIOENCODING": encoding}
    with open(tmp_path / "out", "w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "timeline", *command],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",  # Click writes stderr in UTF-8 where it is set to ASCII
            env=env,
            check=False,
        )
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: the standard output's encoding, {encoding}, cannot write ")
    assert line.endswith("; set PYTHONIOENCODING=utf-8"), line
    assert "input" not in line


def test_a_server_that_stops_answering_mid_export_is_one_line(
    postgres_url: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import psycopg

    from timeline.export import csvcopy

    reset_postgres(postgres_url)
    run("--db", postgres_url, "init")

    def lost(driver: object) -> object:
        raise psycopg.OperationalError(
            "consuming input failed: server closed the connection unexpectedly\n"
            "\tThis probably means the server terminated abnormally"
        )
        yield  # a generator, as copied_rows is

    monkeypatch.setattr(csvcopy, "copied_rows", lost)
    exports = tmp_path / "exports"
    exports.mkdir()
    out = exports / "out"
    result = run("--db", postgres_url, "export", "csv", "--jobs", "1", "-o", str(out), expect=1)
    line = one_line_error(result, 1)
    assert line.startswith("Error: cannot use database '"), line
    assert line.endswith("': consuming input failed: server closed the connection unexpectedly")
    assert list(exports.iterdir()) == []  # nothing written, nothing left behind
