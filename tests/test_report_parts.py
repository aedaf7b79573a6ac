"""`report --jobs N`: parts of the chronology written by worker processes, in every format."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from test_export_parallel import counting_workers
from test_report_stream import DATA, WINDOWS, _copies

from timeline import raw_output, report_cuts, report_parts, tables
from timeline.chronology import Chronology
from timeline.citations import Citations, Identities
from timeline.db import Database
from timeline.errors import DatabaseError
from timeline.export import parallel
from timeline.render import markdown_header
from timeline.report import EventFilter, Window
from timeline.report_output import render_report


def report_waits_for_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report writes its first part only once a worker has begun one, where there are
    others: on a few events it would otherwise write every part before a worker asks."""
    writer = report_parts._Parts.writer

    def waiting(self, out):  # type: ignore[no-untyped-def]
        write = writer(self, out)

        def wait_then_write(connection, name, directory, tick):  # type: ignore[no-untyped-def]
            deadline = time.monotonic() + 60
            while len(self.edges) > 2 and time.monotonic() < deadline:
                if list(directory.glob("part-*")):
                    break
                time.sleep(0.01)
            write(connection, name, directory, tick)

        return wait_then_write

    monkeypatch.setattr(report_parts._Parts, "writer", waiting)


def test_a_report_in_parts_is_the_old_report(
    db_url: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The golden outputs of tests/test_report_stream.py (dates of every precision, ties broken
    by key), written by three processes."""
    _copies(run, db_url, tmp_path)
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    report_waits_for_a_worker(monkeypatch)
    compared = 0
    for window in ("default", "actor-rusk", "1961-02", "empty"):
        for golden in sorted(DATA.glob(f"copies3.{window}.*.out.gz")):
            fmt, *extra = golden.name.removesuffix(".out.gz").split(".")[2:]
            columns = next((e.removeprefix("columns") for e in extra if "columns" in e), None)
            if columns:  # fitted to that many columns
                monkeypatch.setenv("COLUMNS", columns)
            else:
                monkeypatch.delenv("COLUMNS", raising=False)
            args = ["--db", db_url, "report", *WINDOWS[window], "--format", fmt, "--jobs", "3"]
            result = run(*args, *(["--sources"] if "sources" in extra else []))
            assert result.output == gzip.decompress(golden.read_bytes()).decode(), golden.name
            compared += 1
    assert compared == 40
    # Two workers for each report of two events or more; the empty window and 1961-02 (two
    # events: two parts) start fewer.
    assert marker.read_text().count("worker") >= 2 * 4


@pytest.mark.parametrize(
    "weights", sorted({*report_cuts.WEIGHTS.values(), *report_cuts.QUOTED_WEIGHTS.values()})
)
@pytest.mark.parametrize("parts", [1, 2, 3, 5, 7, 40])
def test_parts_hold_every_event_once_in_order(
    parts: int,
    weights: tuple[int, int],
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
) -> None:
    _copies(run, db_url, tmp_path)
    database = Database.open(db_url)
    try:
        with database.session() as session:
            chronology = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            every = [record["key"] for record in chronology.records()]
            event, source = weights
            bounds = report_cuts.bounds(chronology, parts, event=event, source=source)
            assert len(bounds) <= parts - 1
            assert bounds == sorted(set(bounds))
            if parts > 1:
                assert bounds
            edges = [None, *bounds, None]
            cut = [
                [record["key"] for record in chronology.part(start, stop).records()]
                for start, stop in itertools.pairwise(edges)
            ]
    finally:
        database.dispose()
    assert [key for part in cut for key in part] == every


@pytest.mark.parametrize("leading", [1, 2, 7, 1000])
def test_the_first_rows_read_alone_then_the_rest_are_every_row_in_order(
    leading: int, db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """The table's first pass, in parts, reads its first rows on their own
    (``Chronology.printed(leading=…)``); read on, it gives the rest, each row once."""
    _copies(run, db_url, tmp_path)
    database = Database.open(db_url)
    try:
        with database.session() as session:
            chronology = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            every = list(chronology.printed(statutes=True, quotes=True))
            first = list(chronology.printed(statutes=True, quotes=True, leading=leading))
    finally:
        database.dispose()
    assert len(every) > 7
    assert first == every


BOUNDS = {
    "as the report cuts it": None,
    "empty parts first, between and last": [
        (dt.date(1900, 1, 1),),
        (dt.date(1961, 1, 1),),
        (dt.date(1961, 1, 2),),
        (dt.date(1990, 1, 1),),
    ],
    "on an event's full order": [(dt.date(1961, 2, 17), dt.date(1961, 2, 17), 0)],
}


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
@pytest.mark.parametrize("bounds", BOUNDS.values(), ids=BOUNDS.keys())
@pytest.mark.parametrize("taken", ["in order", "last first", "first last"])
@pytest.mark.parametrize("copied", ["as text", "as bytes"])
def test_parts_written_in_any_order_make_the_report(
    fmt: str,
    bounds: list[tuple[dt.date, ...]] | None,
    taken: str,
    copied: str,
    seeded: str,
    tmp_path: Path,
) -> None:
    """A worker may take a part before the report takes the one before: the report then writes
    its later part to a file and copies it in its turn (as text, or as bytes under a UTF-8
    output). Empty parts leave no trace (JSON: no comma before the first event)."""
    database = Database.open(seeded)
    try:
        with database.session() as session:
            chronology = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            whole = io.StringIO()
            cited = (
                {"citations": Citations(session), "identities": Identities(session, aliases=False)}
                if fmt == "markdown"
                else {}
            )
            render_report(chronology, fmt, whole, with_quotes=True, **cited)
            parts = report_parts._Parts(
                chronology,
                report_cuts.bounds(chronology, 3) if bounds is None else bounds,
                fmt,
                True,
            )
            names = parts.names()
            names = {"in order": names, "last first": names[::-1]}.get(taken, names[1:] + names[:1])
            raw = io.BytesIO()
            out: io.TextIOBase = io.StringIO()
            if copied == "as bytes":  # buffered, as the standard output is: flushed before a copy
                out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                parts.raw = raw

            def write_all() -> None:
                write = parts.writer(out)
                for name in names:
                    write(session.connection(), name, tmp_path, print)
                parts.finish(tmp_path, out)

            if fmt == "table":  # as report_parts.write_report draws it
                draw = parts.drawer(out, write_all)
                render_report(chronology, fmt, out, with_quotes=True, draw=draw)
                assert parts.layout is not None
            elif fmt == "markdown":  # the header, as report_parts.write_report writes it
                out.write(
                    markdown_header("Chronology", chronology.count(), chronology.document_count())
                )
                write_all()
            else:
                write_all()
        out.flush()
    finally:
        database.dispose()
    written = out.getvalue() if isinstance(out, io.StringIO) else raw.getvalue().decode()
    assert written == whole.getvalue()


def test_the_bytes_under_an_output_only_where_its_text_goes_there_unchanged() -> None:
    for name in ("UTF8", "utf-8", "utf_8"):
        stream = io.TextIOWrapper(io.BytesIO(), encoding=name)
        assert raw_output.utf8_bytes(stream) is stream.buffer
    for encoding in ("latin-1", "utf-8-sig", "utf-16"):
        assert raw_output.utf8_bytes(io.TextIOWrapper(io.BytesIO(), encoding=encoding)) is None
    assert raw_output.utf8_bytes(io.StringIO()) is None


def test_a_small_report_is_written_by_one_process_by_default(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    one = run("--db", seeded, "report", "--format", "csv").output
    assert not marker.exists()
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(report_parts, "PARALLEL_FROM", 0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    report_waits_for_a_worker(monkeypatch)  # else the report may be done before they start
    assert run("--db", seeded, "report", "--format", "csv").output == one
    assert marker.read_text() == "worker\n" * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "--jobs", "0"], "0 is not in the range x>=1"),
        (["--format", "json", "--jobs", "two"], "'two' is not a valid integer"),
    ],
)
def test_jobs_is_a_whole_number_for_the_table_csv_and_json(
    args: list[str], message: str, seeded: str, run: Callable[..., Result]
) -> None:
    result = run("--db", seeded, "report", *args, expect=2)
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("title", ["\x1b[1mBold\x1b[0m title", "Plain title"])
def test_a_table_in_parts_asks_whether_its_text_is_plain_beside_it(
    title: str, seeded: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In parts, the table asks Chronology.plain, and where its parts are cut, each in a
    thread, on its own connection to the report's snapshot: an escape code (which only
    tabulate lays out) is found there, and the table is the one a process draws."""
    database = Database.open(seeded)
    try:
        with database.session() as session:
            last = session.execute(sa.text("SELECT max(id) FROM events")).scalar_one()
            session.execute(
                sa.text("UPDATE events SET title = :title WHERE id = :id"),
                {"title": title, "id": last},
            )
            session.commit()
    finally:
        database.dispose()
    monkeypatch.setattr(tables, "CHUNK", 2)
    asked: list[tuple[str, bool]] = []
    caches: list[int] = []
    plain = Chronology.plain

    def asking(self: Chronology, *, quotes: bool = True) -> bool:
        answer = plain(self, quotes=quotes)
        asked.append((threading.current_thread().name, answer))
        if self.session.get_bind().dialect.name == "sqlite":
            caches.append(self.session.execute(sa.text("PRAGMA cache_size")).scalar_one())
        return answer

    monkeypatch.setattr(Chronology, "plain", asking)
    cut = report_cuts.bounds
    cuts: list[str] = []

    def cutting(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        cuts.append(threading.current_thread().name)
        return cut(*args, **kwargs)

    monkeypatch.setattr(report_cuts, "bounds", cutting)
    one = run("--db", seeded, "report", "--sources", "--jobs", "1").output
    assert asked == [("MainThread", title == "Plain title")]
    assert cuts == []
    report_waits_for_a_worker(monkeypatch)
    assert run("--db", seeded, "report", "--sources", "--jobs", "3").output == one
    assert asked[1:] == [("timeline-plain", title == "Plain title")]
    assert cuts == ["timeline-cuts"]
    assert title in one
    if "://" not in seeded:  # SQLite: the report's own page cache, then the question's
        assert caches[1:] == [-report_parts.ASKING_CACHE_KIB] != caches[:1]


@pytest.mark.parametrize(
    ("owner", "question"), [(Chronology, "plain"), (report_cuts, "bounds")], ids=["plain", "cuts"]
)
def test_a_failing_question_beside_the_table_is_one_line(
    owner: object,
    question: str,
    seeded: str,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(owner, question, failing)
    monkeypatch.setattr(tables, "CHUNK", 2)  # the first rows known, the question is asked
    result = run("--db", seeded, "report", "--jobs", "2", expect=1)
    assert result.stderr == "Error: the database went away\n"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("raise ValueError('boom')", "a report worker failed (exit status 1): ValueError: boom"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "a report worker was stopped by signal 9"),
        ("sys.exit(0)", "a report worker ended before it had written part-"),
    ],
)
def test_a_failing_report_worker_is_one_line(
    code: str,
    message: str,
    seeded: str,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prelude = (
        "import json, os, pathlib, signal, sys; setup = json.loads(sys.stdin.readline()); "
        "sys.stdout.write('next\\n'); sys.stdout.flush(); name = sys.stdin.readline().strip(); "
        "(pathlib.Path(setup['directory']) / name).touch()\n"
    )
    monkeypatch.setattr(parallel, "WORKER", [sys.executable, "-P", "-c", prelude + code])
    report_waits_for_a_worker(monkeypatch)
    result = run("--db", seeded, "report", "--format", "json", "--jobs", "2", expect=1)
    assert result.stderr.startswith(f"Error: {message}")
    assert len(result.stderr.splitlines()) == 1


def test_a_database_with_a_write_ahead_log_is_reported_by_one_process(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "wal.db")
    run("--db", db, "seed")
    before = run("--db", db, "report", "--format", "json").output
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    assert run("--db", db, "report", "--format", "json", "--jobs", "2").output == before
    assert not marker.exists()


@pytest.mark.parametrize(
    "weights", sorted({*report_cuts.WEIGHTS.values(), *report_cuts.QUOTED_WEIGHTS.values()})
)
@pytest.mark.parametrize("parts", [2, 3, 4])
def test_each_part_holds_its_share_of_the_work(
    parts: int, weights: tuple[int, int], db_url: str, run: Callable[..., Result], tmp_path: Path
) -> None:
    """Each part weighs its share of the whole, give or take the heaviest event: the copies'
    events share their days three to a day, so a part begins within a day where its share
    ends there."""
    _copies(run, db_url, tmp_path)
    event, source = weights
    database = Database.open(db_url)
    try:
        with database.session() as session:
            chronology = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            bounds = report_cuts.bounds(chronology, parts, event=event, source=source)
            assert any(len(bound) > 1 for bound in bounds), bounds
            heaviest = max(
                event + len(record["sources"]) * source for record in chronology.records()
            )
            weighed = [
                (part.count() * event + part.source_count() * source)
                for start, stop in itertools.pairwise([None, *bounds, None])
                for part in [chronology.part(start, stop)]
            ]
    finally:
        database.dispose()
    assert len(weighed) == parts
    share = sum(weighed) / parts
    assert all(abs(weight - share) < heaviest for weight in weighed), (weighed, heaviest)


def test_the_cut_reads_no_more_than_a_day(tmp_path: Path, run: Callable[..., Result]) -> None:
    """The days are weighed from the indexes alone (SQLite's plan: covering indexes), but for
    events whose start is unknown; a cut within a day reads that day's events, however many
    events there are."""
    db = str(tmp_path / "plan.db")
    run("--db", db, "seed")
    database = Database.open(db)
    statements: list[tuple[str, object]] = []
    try:
        sa.event.listen(
            database.engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, parameters, *_: statements.append((statement, parameters)),
        )
        with database.session() as session:
            chronology = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            bounds = report_cuts.bounds(chronology, 4)
    finally:
        database.dispose()
    assert len(bounds) == 3
    # the weights, and for a cut that may fall within a day, that day's events
    assert 1 + sum(len(bound) > 1 for bound in bounds) <= len(statements) <= 1 + len(bounds)
    with sqlite3.connect(db) as connection:
        plans = [
            [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, parameters)]
            for sql, parameters in statements
        ]
    weighed, *within = plans
    assert (
        "SEARCH events USING COVERING INDEX ix_events_date_start (date_start>? AND date_start<?)"
        in weighed
    )
    assert "SEARCH events USING INDEX ix_events_date_start (date_start=?)" in weighed
    assert any(  # an event's sources counted from an index on event_id alone (either will do)
        step.startswith("SEARCH event_sources USING COVERING INDEX")
        and step.endswith("(event_id=?)")
        for step in weighed
    ), weighed
    for plan in plans:
        assert not any(step.startswith("SCAN event") for step in plan), plan
    for plan in within:
        assert "SEARCH events USING INDEX ix_events_date_start (date_start=?)" in plan, plan


def test_jobs_beyond_the_parts_allowed_start_no_more_workers(
    seeded: str, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "workers"
    counting_workers(monkeypatch, marker)
    monkeypatch.setattr(report_parts, "MAX_PARTS", 3)
    one = run("--db", seeded, "report", "--format", "csv", "--jobs", "1").output
    report_waits_for_a_worker(monkeypatch)
    assert run("--db", seeded, "report", "--format", "csv", "--jobs", "100000").output == one
    assert marker.read_text() == "worker\n" * 2
