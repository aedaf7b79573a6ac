"""`export csv --jobs N`: tables written by worker processes that read the export's snapshot."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result

from timeline.db import Database
from timeline.export import parallel
from timeline.export.csvpkg import write_csv
from timeline.export.tables import count_rows, snapshot, tables


def tree(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def counting_workers(monkeypatch: pytest.MonkeyPatch, marker: Path) -> None:
    """Workers that each add a line to ``marker`` before they serve the export."""
    code = (
        "import sys; open(sys.argv[1], 'a').write('worker\\n'); "
        "from timeline.export.parallel import main; main()"
    )
    monkeypatch.setattr(parallel, "WORKER", [sys.executable, "-P", "-c", code, str(marker)])


def fake_worker(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """A worker that runs ``code`` once it has been given its first table (``name``), which it
    marks taken with an empty file (for :func:`export_waits_for_a_worker`)."""
    prelude = (
        "import json, os, pathlib, signal, sys; setup = json.loads(sys.stdin.readline()); "
        "sys.stdout.write('next\\n'); sys.stdout.flush(); name = sys.stdin.readline().strip(); "
        "(pathlib.Path(setup['directory']) / (name + '.csv')).touch()\n"
    )
    monkeypatch.setattr(parallel, "WORKER", [sys.executable, "-P", "-c", prelude + code])


def export_waits_for_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The export writes its first table only once a worker has begun one, so that on the seed
    (a few milliseconds a table) it does not take every table before a worker asks."""
    import timeline.export.csvpkg as csvpkg

    original = csvpkg.write_table_csv

    def write(connection, name, directory, tick):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(directory.glob("*.csv")):
            time.sleep(0.01)
        original(connection, name, directory, tick)

    monkeypatch.setattr(csvpkg, "write_table_csv", write)


def test_workers_write_the_same_files_as_one_process(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    run("--db", seeded, "export", "csv", "--jobs", "1", "-o", str(tmp_path / "one"))
    assert not marker.exists()
    export_waits_for_a_worker(monkeypatch)  # so a worker writes a table or more
    run("--db", seeded, "export", "csv", "--jobs", "3", "-o", str(tmp_path / "three"))
    assert marker.read_text() == "worker\n" * 2
    assert tree(tmp_path / "three") == tree(tmp_path / "one")


def test_a_small_database_is_exported_by_one_process_by_default(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    run("--db", seeded, "export", "csv", "-o", str(tmp_path / "out"))
    assert not marker.exists()
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5})
    run("--db", seeded, "export", "csv", "-o", str(tmp_path / "again"))
    assert marker.read_text() == "worker\n" * (parallel.MAX_JOBS - 1)
    assert tree(tmp_path / "again") == tree(tmp_path / "out")


def test_every_row_is_counted_once_whoever_writes_it(seeded: str, tmp_path: Path) -> None:
    ticks: list[int] = []
    database = Database.open(seeded)
    try:
        with snapshot(database) as connection, sa.orm.Session(bind=connection) as session:
            write_csv(session, tmp_path, ticks.append, jobs=4)
            total = sum(count_rows(connection, info) for info in tables())
    finally:
        database.dispose()
    assert sum(ticks) == total
    assert len(list(tmp_path.glob("*.csv"))) == len(tables())


def test_a_worker_reads_the_snapshot_the_export_holds(seeded: str) -> None:
    """A change committed after the export began is not what a worker reads."""
    database, other = Database.open(seeded), Database.open(seeded)
    try:
        with snapshot(database) as connection:
            token = parallel.snapshot_token(connection)
            assert token is not None
            committed = True
            try:
                with other.begin() as session:
                    session.execute(sa.text("UPDATE events SET title = 'changed'"))
            except Exception:  # SQLite: the export's SHARED lock holds every writer off
                committed = False
            if database.is_sqlite:
                assert not committed
            before = connection.exec_driver_sql("SELECT title FROM events ORDER BY id").first()
            assert before != ("changed",)
            with snapshot(other, joining=token) as worker:
                seen = worker.exec_driver_sql("SELECT title FROM events ORDER BY id").first()
            assert seen == before
    finally:
        database.dispose()
        other.dispose()


def test_a_database_with_a_write_ahead_log_is_exported_by_one_process(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "wal.db")
    run("--db", db, "init")
    run("--db", db, "seed")
    run("--db", db, "export", "csv", "-o", str(tmp_path / "before"))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    run("--db", db, "export", "csv", "--jobs", "2", "-o", str(tmp_path / "wal"))
    assert not marker.exists()
    assert tree(tmp_path / "wal") == tree(tmp_path / "before")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "sys.stdout.write('error ' + json.dumps({'type': 'OSError', 'errno': 28, "
            "'strerror': 'No space left on device', 'filename': None}) + '\\n'); sys.exit(1)",
            "cannot write '{out}': No space left on device",
        ),
        (
            "sys.stdout.write('error ' + json.dumps({'type': 'DatabaseError', "
            "'message': 'cannot use database: gone'}) + '\\n'); sys.exit(1)",
            "cannot use database: gone",
        ),
        ("raise ValueError('boom')", "an export worker failed (exit status 1): ValueError: boom"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "an export worker was stopped by signal 9"),
        ("sys.exit(0)", "an export worker ended before it had written "),
        (
            "sys.stdout.write('tick many\\n'); sys.stdout.flush(); signal.pause()",
            "an export worker said what cannot be read "
            "(invalid literal for int() with base 10: 'many')",
        ),
    ],
)
def test_a_failing_worker_is_one_line_and_leaves_the_destination_as_it_was(
    code: str,
    message: str,
    seeded: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "exports" / "out"
    out.parent.mkdir()
    run("--db", seeded, "export", "csv", "-o", str(out))
    before = tree(out)
    fake_worker(monkeypatch, code)
    export_waits_for_a_worker(monkeypatch)
    result = run(
        "--db", seeded, "export", "csv", "--jobs", "2", "--force", "-o", str(out), expect=1
    )
    expected = "Error: " + message.format(out=out)
    if expected.endswith("written "):  # the table it was given: whichever came next
        assert result.stderr.removeprefix(expected).strip() in {info.name for info in tables()}
    else:
        assert result.stderr == expected + "\n"
    assert result.stderr.startswith(expected)
    assert result.stderr.endswith("\n") and len(result.stderr.splitlines()) == 1
    assert [p.name for p in out.parent.iterdir()] == ["out"]
    assert tree(out) == before


def test_a_worker_that_cannot_start_is_one_line(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "WORKER", [str(tmp_path / "no-such-python")])
    out = tmp_path / "exports" / "out"
    out.parent.mkdir()
    result = run("--db", seeded, "export", "csv", "--jobs", "2", "-o", str(out), expect=1)
    assert result.stderr == ("Error: cannot start an export worker: No such file or directory\n")
    assert list(out.parent.iterdir()) == []


def test_an_interrupted_export_stops_its_workers(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_worker(monkeypatch, "signal.pause()")  # it has its table, and waits for ever
    export_waits_for_a_worker(monkeypatch)
    import timeline.export.csvpkg as csvpkg

    waiting = csvpkg.write_table_csv

    def interrupted(connection, name, directory, tick):  # type: ignore[no-untyped-def]
        waiting(connection, name, directory, tick)
        raise KeyboardInterrupt

    monkeypatch.setattr(csvpkg, "write_table_csv", interrupted)
    out = tmp_path / "exports" / "out"
    out.parent.mkdir()
    result = run("--db", seeded, "export", "csv", "--jobs", "2", "-o", str(out), expect=1)
    assert result.stderr.endswith("Aborted!\n")
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_must_be_a_positive_number(
    jobs: str, seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    result = run(
        "--db", seeded, "export", "csv", "--jobs", jobs, "-o", str(tmp_path / "o"), expect=None
    )
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) >= 1
    assert "jobs" in result.stderr
    assert not (tmp_path / "o").exists()


def test_jobs_is_for_csv_only(seeded: str, run: Callable[..., Result]) -> None:
    result = run("--db", seeded, "export", "json", "--jobs", "2", expect=1)
    assert result.stderr == "Error: the json format takes no jobs option\n"


def test_the_worker_protocol_carries_an_os_error_whole() -> None:
    said = parallel._said(OSError(28, "No space left on device", "/x/y.csv"))
    back = parallel._error(json.loads(json.dumps(said)))
    assert isinstance(back, OSError)
    assert (back.errno, back.strerror, back.filename) == (28, "No space left on device", "/x/y.csv")


def test_a_folder_named_timeline_in_the_working_directory_is_not_what_workers_run(
    seeded: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    planted = tmp_path / "timeline"  # `run` works in tmp_path
    planted.mkdir()
    (planted / "__init__.py").write_text("raise SystemExit('the planted package ran')\n")
    run("--db", seeded, "export", "csv", "--jobs", "1", "-o", str(tmp_path / "one"))
    run("--db", seeded, "export", "csv", "--jobs", "3", "-o", str(tmp_path / "three"))
    assert tree(tmp_path / "three") == tree(tmp_path / "one")


def test_an_os_error_without_a_number_keeps_its_words() -> None:
    back = parallel._error(json.loads(json.dumps(parallel._said(OSError("disk went away")))))
    assert isinstance(back, OSError)
    assert back.strerror == "disk went away"
