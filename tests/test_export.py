"""`timeline export`: every format, checked by the tools their users use, on both backends."""

from __future__ import annotations

import csv
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import frictionless
import psycopg
import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import BACKENDS, dump, reset_postgres

from timeline.db import Database, head_revision
from timeline.models import Base

TABLES = [t.name for t in Base.metadata.sorted_tables]
STREAM_FORMATS = ("json", "ndjson", "sql", "timelinejs", "markdown", "html")
SCHEMA_DRIFT = (
    "the migrations built a different schema this time: Alembic's batch mode copies a SQLite "
    "table with its constraints and indexes in set order (see migration 0002)"
)


def export(run: Callable[..., Result], db: str, fmt: str, *args: str) -> bytes:
    return run("--db", db, "export", fmt, *args).stdout_bytes


def tree(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture
def both(tmp_path: Path, request: pytest.FixtureRequest, run: Callable[..., Result]) -> list[str]:
    """The seed on SQLite and on PostgreSQL, each loaded by the CLI."""
    if "postgresql" not in BACKENDS:
        pytest.skip("TIMELINE_TEST_BACKENDS leaves PostgreSQL out")
    postgres = request.getfixturevalue("postgres_url")
    reset_postgres(postgres)
    urls = [str(tmp_path / "seeded.db"), postgres]
    for url in urls:
        run("--db", url, "init")
        run("--db", url, "seed")
    return urls


# --- json ---------------------------------------------------------------------------------------


def test_json_holds_every_table_and_row_as_the_database_does(
    seeded: str, run: Callable[..., Result]
) -> None:
    document = json.loads(export(run, seeded, "json"))
    assert document["format"] == "timeline"
    assert document["format_version"] == 1
    assert document["schema_revision"] == head_revision()
    assert list(document["tables"]) == TABLES  # dependency order, every table of the models
    assert {"from": "statutes.parent_id", "to": "statutes.id"} in document["links"]
    assert {"from": "event_sources.document_id", "to": "documents.id"} in document["links"]
    state = dump(seeded)
    for name, table in document["tables"].items():
        model = Base.metadata.tables[name]
        assert table["columns"] == [c.name for c in model.columns]
        assert table["primary_key"] == [c.name for c in model.primary_key.columns]
        expected = [
            [v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in state[name]
        ]
        assert [list(row.values()) for row in table["rows"]] == expected, name
    assert document["tables"]["document_readings"]["rows"], "the readings table is exported too"
    event = document["tables"]["events"]["rows"][0]
    assert isinstance(event["date_approximate"], bool)
    assert event["date_start"] == "1930-06-17"


def test_json_puts_one_row_on_a_line(seeded: str, run: Callable[..., Result]) -> None:
    text = export(run, seeded, "json").decode()
    document = json.loads(text)
    rows = sum(len(t["rows"]) for t in document["tables"].values())
    row_lines = [line for line in text.splitlines() if line.startswith("        {")]
    assert len(row_lines) == rows
    assert all(json.loads(line.rstrip(",")) for line in row_lines)


def test_exports_are_identical_on_sqlite_and_postgresql(
    both: list[str], run: Callable[..., Result], tmp_path: Path
) -> None:
    for fmt in STREAM_FORMATS:
        outputs = [export(run, url, fmt) for url in both]
        assert outputs[0] == outputs[1], fmt
        assert export(run, both[0], fmt) == outputs[0], f"{fmt} is not deterministic"
    dumps = [export(run, url, "sql", "--dialect", "postgresql") for url in both]
    assert dumps[0] == dumps[1]
    packages = []
    for number, url in enumerate(both):
        run("--db", url, "export", "csv", "-o", str(tmp_path / f"csv{number}"))
        packages.append(tree(tmp_path / f"csv{number}"))
    assert packages[0] == packages[1]


def test_ndjson_is_a_header_then_one_record_a_line(seeded: str, run: Callable[..., Result]) -> None:
    lines = export(run, seeded, "ndjson").decode().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "timeline-ndjson"
    assert header["schema_revision"] == head_revision()
    assert header["tables"] == TABLES
    records = [json.loads(line) for line in lines[1:]]
    state = dump(seeded)
    for name in TABLES:
        rows = [r["row"] for r in records if r["table"] == name]
        assert len(rows) == len(state[name])
    assert [r["table"] for r in records] == sorted((r["table"] for r in records), key=TABLES.index)


# --- csv + datapackage.json --------------------------------------------------------------------


def test_csv_package_is_valid_frictionless_data(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "package"
    run("--db", seeded, "export", "csv", "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["datapackage.json", *(f"{t}.csv" for t in TABLES)]
    )
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "message"])

    package = json.loads((out / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    events = resources["events"]["schema"]
    fields = {f["name"]: f for f in events["fields"]}
    assert events["primaryKey"] == ["id"]
    assert fields["date_start"]["type"] == "date"
    assert fields["date_end"]["type"] == "date"
    assert fields["date_edtf"]["type"] == "string"
    assert "EDTF" in fields["date_edtf"]["description"]
    assert "date_edtf" in fields["date_start"]["description"]
    assert fields["date_approximate"]["type"] == "boolean"
    assert fields["id"]["type"] == "integer"
    assert fields["key"]["constraints"] == {"required": True, "unique": True, "maxLength": 100}
    assert events["missingValues"] == [""]
    statutes = resources["statutes"]["schema"]
    assert {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["id"]}} in statutes[
        "foreignKeys"
    ]
    with (out / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(dump(seeded)["events"])
    assert rows[0]["date_approximate"] in ("true", "false")


def test_frictionless_finds_a_broken_reference_in_the_csv(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "package"
    run("--db", seeded, "export", "csv", "-o", str(out))
    path = out / "event_actors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["event_id", "actor_id"]
    rows[1][1] = "999999"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    report = frictionless.validate(str(out / "datapackage.json"))
    assert not report.valid
    errors = [(task.name, error.type) for task in report.tasks for error in task.errors]
    assert errors == [("event_actors", "foreign-key")]


# --- sqlite ------------------------------------------------------------------------------------


def test_sqlite_export_is_a_plain_sqlite_file_and_a_timeline_database(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "copy.sqlite"
    assert run("--db", seeded, "export", "sqlite", "-o", str(out)).stderr == ""
    state = dump(seeded)
    with sqlite3.connect(f"file:{out}?mode=ro", uri=True) as connection:
        for name in TABLES:
            count = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert count == len(state[name]), name
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    if shutil.which("sqlite3"):
        shell = subprocess.run(
            ["sqlite3", str(out), "SELECT key FROM statutes WHERE parent_id IS NOT NULL"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert shell.stdout.strip() == "tariff-act-1930-s307"
    # a timeline database too: the same report, the same data
    report = run("--db", str(out), "report").stdout
    assert report == run("--db", seeded, "report").stdout
    assert export(run, str(out), "json") == export(run, seeded, "json")
    found = run("--db", str(out), "search", "forced labor").stdout
    assert "cia-past-information-to-customs" in found  # the search index was built as rows went in


def test_sqlite_export_is_the_same_from_postgresql_as_from_sqlite(
    both: list[str], run: Callable[..., Result], tmp_path: Path
) -> None:
    files = []
    for number, url in enumerate(both):
        files.append(tmp_path / f"copy{number}.sqlite")
        run("--db", url, "export", "sqlite", "-o", str(files[-1]))
    data, schemas = [], []
    for path in files:
        with sqlite3.connect(path) as connection:
            data.append([line for line in connection.iterdump() if line.startswith("INSERT INTO")])
            schemas.append(connection.execute("SELECT sql FROM sqlite_master").fetchall())
    assert data[0] == data[1]
    assert schemas[0] == schemas[1], SCHEMA_DRIFT
    assert files[0].read_bytes() == files[1].read_bytes()


def test_sqlite_export_gives_the_same_bytes_for_the_same_data(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    run("--db", seeded, "export", "sqlite", "-o", str(first))
    run("--db", seeded, "export", "sqlite", "-o", str(second))
    schemas = []
    for path in (first, second):
        with sqlite3.connect(path) as connection:
            schemas.append(
                connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
            )
    assert schemas[0] == schemas[1], SCHEMA_DRIFT
    assert first.read_bytes() == second.read_bytes()


# --- sql ---------------------------------------------------------------------------------------


def test_sql_dump_loads_with_sqlite3_into_a_new_database(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    script = export(run, seeded, "sql")
    text = script.decode()
    assert text.startswith("-- timeline SQL dump")
    assert "sqlite3 new.db < dump.sql" in text
    assert "\nBEGIN;\n" in text and text.endswith("COMMIT;\n")
    target = tmp_path / "new.db"
    run("--db", str(target), "init")
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(target)], input=script, check=True, capture_output=True)
    else:  # the same SQL, through Python's SQLite
        with sqlite3.connect(target) as connection:
            connection.executescript(text)
    assert export(run, str(target), "json") == export(run, seeded, "json")


def test_sql_dump_loads_into_postgresql(both: list[str], run: Callable[..., Result]) -> None:
    sqlite_db, postgres = both
    expected = export(run, sqlite_db, "json")
    script = export(run, sqlite_db, "sql", "--dialect", "postgresql").decode()
    assert "psql -v ON_ERROR_STOP=1 -f dump.sql" in script
    assert "setval(pg_get_serial_sequence('events', 'id')" in script
    reset_postgres(postgres)
    run("--db", postgres, "init")
    with psycopg.connect(postgres.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(script.encode())
    assert export(run, postgres, "json") == expected
    # the sequences moved past the loaded ids: a new row gets the next id
    engine = sa.create_engine(postgres)
    with engine.connect() as connection:
        top = connection.execute(sa.text("SELECT max(id) FROM external_sources")).scalar_one()
        new = connection.execute(
            sa.text("INSERT INTO external_sources (key, citation) VALUES ('k', 'c') RETURNING id")
        ).scalar_one()
        assert new == top + 1
        connection.rollback()
    engine.dispose()


def test_sql_dump_quotes_literals(run: Callable[..., Result], tmp_path: Path) -> None:
    from timeline.export.sqldump import literal

    assert literal('Department\'s "x"\n', "sqlite") == "'Department''s \"x\"\n'"
    assert literal(True, "sqlite") == "1"
    assert literal(True, "postgresql") == "TRUE"
    assert literal(None, "postgresql") == "NULL"
    import datetime as dt

    assert literal(dt.date(1961, 2, 26), "sqlite") == "'1961-02-26'"


def test_forward_self_references_are_set_after_the_table(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """A section numbered before its act: the dump inserts NULL, then an UPDATE sets it."""
    swap_statute_ids(seeded)
    script = export(run, seeded, "sql").decode()
    assert 'UPDATE "statutes" SET "parent_id" = 2 WHERE "id" = 1;' in script
    target = tmp_path / "new.db"
    run("--db", str(target), "init")
    with sqlite3.connect(target) as connection:
        connection.executescript(script)
    assert export(run, str(target), "json") == export(run, seeded, "json")
    copy = tmp_path / "copy.sqlite"
    run("--db", seeded, "export", "sqlite", "-o", str(copy))
    assert export(run, str(copy), "json") == export(run, seeded, "json")


def swap_statute_ids(url: str) -> None:
    """Renumber the seed's two statutes so the section (id 1) comes before its act (id 2)."""
    database = Database.open(url)
    try:
        with database.begin() as session:
            connection = session.connection()
            rows = connection.execute(sa.text("SELECT id, key FROM statutes ORDER BY id")).all()
            assert [r.key for r in rows] == ["tariff-act-1930", "tariff-act-1930-s307"]
            links = connection.execute(
                sa.text("SELECT event_id, statute_id, relation, position FROM event_statutes")
            ).all()
            connection.execute(sa.text("DELETE FROM event_statutes"))
            connection.execute(sa.text("UPDATE statutes SET parent_id = NULL"))
            connection.execute(sa.text("UPDATE statutes SET id = id + 100"))
            connection.execute(sa.text("UPDATE statutes SET id = 2 WHERE id = 101"))
            connection.execute(sa.text("UPDATE statutes SET id = 1 WHERE id = 102"))
            connection.execute(sa.text("UPDATE statutes SET parent_id = 2 WHERE id = 1"))
            for link in links:
                connection.execute(
                    sa.text(
                        "INSERT INTO event_statutes (event_id, statute_id, relation, position) "
                        "VALUES (:e, :s, :r, :p)"
                    ),
                    {"e": link[0], "s": 3 - link[1], "r": link[2], "p": link[3]},
                )
    finally:
        database.dispose()


# --- the chronology formats go through the same registry ----------------------------------------


@pytest.mark.parametrize("fmt", ["timelinejs", "markdown", "html"])
def test_chronology_formats_write_to_stdout_and_to_a_file(
    fmt: str, seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    printed = export(run, seeded, fmt)
    assert printed
    out = tmp_path / f"chronology.{fmt}"
    run("--db", seeded, "export", fmt, "-o", str(out))
    assert out.read_bytes() == printed


# --- where exports go, and what they refuse ----------------------------------------------------


def test_csv_and_sqlite_need_an_output_path(seeded: str, run: Callable[..., Result]) -> None:
    for fmt, what in (("csv", "directory"), ("sqlite", "file")):
        result = run("--db", seeded, "export", fmt, expect=1)
        assert result.stderr == f"Error: the {fmt} format writes a {what}; name it with -o PATH\n"
        assert result.stdout == ""


def test_an_existing_output_is_refused_unless_forced(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "timeline.json"
    out.write_text("keep me")
    result = run("--db", seeded, "export", "json", "-o", str(out), expect=1)
    assert result.stderr == f"Error: '{out}' already exists; use --force to replace it\n"
    assert out.read_text() == "keep me"
    run("--db", seeded, "export", "json", "-o", str(out), "--force")
    assert out.read_bytes() == export(run, seeded, "json")
    assert leftovers(tmp_path) == []


def test_force_replaces_only_a_previous_csv_export(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    package = tmp_path / "package"
    run("--db", seeded, "export", "csv", "-o", str(package))
    (package / "events.csv").write_text("stale")
    run("--db", seeded, "export", "csv", "-o", str(package), "--force")
    assert (package / "events.csv").read_text().startswith("id,key,")
    other = tmp_path / "documents"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    result = run("--db", seeded, "export", "csv", "-o", str(other), "--force", expect=1)
    assert "is not a previous csv export; not replacing it" in result.stderr
    assert (other / "notes.txt").read_text() == "mine"
    result = run("--db", seeded, "export", "json", "-o", str(other), "--force", expect=1)
    assert "is a directory" in result.stderr
    assert leftovers(tmp_path) == []


def test_output_into_a_missing_directory_is_an_error(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    for fmt, name in (("json", "out.json"), ("csv", "out"), ("sqlite", "out.db")):
        out = tmp_path / "missing" / name
        result = run("--db", seeded, "export", fmt, "-o", str(out), expect=1)
        assert result.stderr == (
            f"Error: cannot write '{out}': directory '{out.parent}' does not exist\n"
        )
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
def test_an_interrupted_export_leaves_nothing_behind(
    fmt: str,
    seeded: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import timeline.export.tables as tables

    original = tables.stream_rows
    seen = {"tables": 0}

    def interrupted(connection, info, batch=tables.READ_BATCH):  # type: ignore[no-untyped-def]
        seen["tables"] += 1
        if seen["tables"] == 5:
            raise KeyboardInterrupt
        yield from original(connection, info, batch)

    for module in ("jsondoc", "sqlitedb"):
        monkeypatch.setattr(f"timeline.export.{module}.stream_rows", interrupted)
    original_batches = tables.raw_batches

    def interrupted_batches(connection, info, batch=tables.READ_BATCH):  # type: ignore[no-untyped-def]
        seen["tables"] += 1
        if seen["tables"] == 5:
            raise KeyboardInterrupt
        yield from original_batches(connection, info, batch)

    monkeypatch.setattr("timeline.export.csvpkg.raw_batches", interrupted_batches)
    import timeline.export.csvpkg as csvpkg

    original_copy = csvpkg.copy_table

    def interrupted_copy(connection, info, out, tick):  # type: ignore[no-untyped-def]
        seen["tables"] += 1  # PostgreSQL's csv: the server's COPY
        if seen["tables"] == 5:
            raise KeyboardInterrupt
        original_copy(connection, info, out, tick)

    monkeypatch.setattr(csvpkg, "copy_table", interrupted_copy)
    out = tmp_path / "exports" / "out"
    out.parent.mkdir()
    result = run("--db", seeded, "export", fmt, "-o", str(out), expect=1)
    assert result.stderr.endswith("Aborted!\n")
    assert seen["tables"] == 5
    assert list(out.parent.iterdir()) == []
    # and an earlier export at that path stays as it was
    out.write_bytes(b"earlier")
    seen["tables"] = 0
    run("--db", seeded, "export", fmt, "-o", str(out), "--force", expect=1)
    assert [p.name for p in out.parent.iterdir()] == ["out"]
    assert out.read_bytes() == b"earlier"


def test_dialect_is_for_sql_only(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "export", "json", "--dialect", "postgresql", expect=1)
    assert result.stderr == "Error: the json format takes no dialect option\n"
    result = run("--db", seeded, "export", "yaml", expect=2)
    assert "'yaml' is not one of" in result.stderr


def test_export_help_lists_every_format_with_examples(run: Callable[..., Result]) -> None:
    from timeline.export import FORMATS

    text = run("export", "--help").stdout
    assert "Examples:" in text
    for name in FORMATS:
        assert f"\n    {name} " in text


# --- progress -----------------------------------------------------------------------------------


def on_terminal(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """Run the CLI with stderr on a pseudo-terminal; returns the process and what stderr showed."""
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TIMELINE_DB"}
    try:
        process = subprocess.run(
            [sys.executable, "-m", "timeline", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            timeout=300,
            check=False,
        )
    finally:
        os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process, shown.decode("utf-8", "replace")


def test_progress_shows_on_a_terminal_and_not_when_piped(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "shown.json"
    process, shown = on_terminal(["--db", seeded, "export", "json", "-o", str(out)], tmp_path)
    assert process.returncode == 0, shown
    assert "export json" in shown and "100%" in shown
    assert out.read_bytes() == export(run, seeded, "json")
    piped = run("--db", seeded, "export", "json", "-o", str(tmp_path / "piped.json"))
    assert piped.stderr == ""
    target = tmp_path / "imported.db"
    process, shown = on_terminal(["--db", str(target), "import", str(out)], tmp_path)
    assert process.returncode == 0, shown
    assert "import" in shown and "100%" in shown
    assert b"imported" in process.stdout


def test_a_usage_error_comes_before_any_write(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("export", "csv", expect=None)
    assert result.exit_code == 1 and "name it with -o PATH" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
def test_a_killed_exports_temporaries_go_with_the_next_export(
    seeded: str, run: Callable[..., Result], tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"out.{fmt}"
    stale = tmp_path / f".out.{fmt}.abcd1234.tmp"
    if fmt == "csv":
        stale.mkdir()
        (stale / "events.csv").write_text("x")
    else:
        stale.write_text("x")
    journal = tmp_path / f".out.{fmt}.zzzz9999.tmp-journal"  # its database already gone
    journal.write_text("x")
    alive = tmp_path / f".out.{fmt}.live0000.tmp"  # a running export holds its lock
    alive.write_text("x")
    other = tmp_path / ".other.json.abcd1234.tmp"  # another target's: not ours to judge
    other.write_text("x")
    for path in (stale, journal, alive, other):
        os.utime(path, (1, 1))
    import fcntl

    with open(alive) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        run("--db", seeded, "export", fmt, "-o", str(target))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted(
        [alive.name, other.name]
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "html", "sql", "ndjson", "sqlite"])
def test_a_full_disk_during_export_is_one_line_and_no_litter(
    seeded: str, run: Callable[..., Result], small_disk: Path, fmt: str
) -> None:
    filler = small_disk / "filler"
    stats = os.statvfs(small_disk)
    filler.write_bytes(b"x" * (stats.f_bavail * stats.f_frsize - 8192))  # leaves two pages
    result = run("--db", seeded, "export", fmt, "-o", str(small_disk / "out"), expect=1)
    assert result.stderr.startswith(f"Error: cannot write '{small_disk / 'out'}': ")
    assert "full" in result.stderr or "No space" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list(small_disk.iterdir()) == [filler]


def test_a_failing_write_during_export_is_one_line(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import timeline.export.jsondoc

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(timeline.export.jsondoc, "write_json", full)
    result = run("--db", seeded, "export", "json", "-o", str(tmp_path / "t.json"), expect=1)
    assert result.stderr == (
        f"Error: cannot write '{tmp_path / 't.json'}': No space left on device\n"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".t.json")]
