"""A CSV or JSON report written in parts, side by side, by worker processes.

Each event's line (CSV) or record (JSON) depends on that event alone, so a report is the
concatenation of the reports of consecutive stretches of its chronology. The report cuts its
chronology into ``jobs`` parts of about as many events each, at the order of an event
(:meth:`timeline.chronology.Chronology.bounds`: keys are unique, so each event falls in one
part), and writes them with the machinery of `export csv --jobs`
(:func:`timeline.export.parallel.write_tables`): its workers read the report's own snapshot, and
take the parts one at a time from one shared list. The report writes its first part straight to
its output as the rows come; a part a worker writes goes to a file in a temporary directory, and
is copied out in its turn. The output is byte for byte what one process writes.

By default a report uses more than one process only for a window of :data:`PARALLEL_FROM`
events or more, in a database large enough for an export to use several
(:func:`timeline.export.parallel.default_jobs`): a worker takes a second or so to start.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import Date
from sqlalchemy.engine import Connection

from timeline.chronology import Chronology
from timeline.export.parallel import WriteTable, default_jobs, write_tables
from timeline.export.tables import snapshot
from timeline.json_text import write_items
from timeline.report import EventFilter, Window
from timeline.report_output import write_csv_report

if TYPE_CHECKING:
    from timeline.db import Database

PARALLEL_FORMATS = ("csv", "json")
PARALLEL_FROM = 50_000  # events in the window below which one process reports as fast
# Parts at most, however many jobs are asked for: each part reads the window's index range,
# and each worker is a process (and on PostgreSQL a connection).
MAX_PARTS = 16


def write_report(
    database: Database,
    flt: EventFilter,
    fmt: str,
    out: TextIO,
    *,
    with_quotes: bool = False,
    jobs: int | None = None,
) -> None:
    """The report of ``flt`` in ``fmt`` (one of :data:`PARALLEL_FORMATS`) as
    :func:`timeline.report_output.render_report` writes it, from one snapshot of the database,
    by ``jobs`` processes (None: as many as :func:`report_jobs` says)."""
    from sqlalchemy.orm import Session

    with snapshot(database) as connection:
        chronology = Chronology(Session(bind=connection), flt)
        jobs = report_jobs(connection, chronology) if jobs is None else jobs
        jobs = min(jobs, MAX_PARTS)
        parts = _Parts(chronology, chronology.bounds(jobs) if jobs > 1 else [], fmt, with_quotes)
        write, names = parts.writer(out), parts.names()
        if len(names) == 1:  # one part, straight to the output
            write(connection, names[0], Path(), lambda count: None)
            parts.finish(Path(), out)
            return
        with tempfile.TemporaryDirectory(prefix="timeline-report-") as directory:
            write_tables(
                connection,
                names,
                Path(directory),
                write,
                lambda count: None,
                jobs=jobs,
                job=parts.job(flt),
                worker="a report worker",
            )
            parts.finish(Path(directory), out)


def report_jobs(connection: Connection, chronology: Chronology) -> int:
    """Processes for a report by default: as an export's, for :data:`PARALLEL_FROM` events or
    more (counted only in a database large enough for an export to use several)."""
    jobs = default_jobs(connection)
    return jobs if jobs > 1 and chronology.beginning() >= PARALLEL_FROM else 1


class _Parts:
    """A report's parts: the first ``len(bounds) + 1`` of its chronology, cut at ``bounds``."""

    def __init__(
        self, chronology: Chronology, bounds: list[tuple[Any, ...]], fmt: str, with_quotes: bool
    ) -> None:
        if fmt not in PARALLEL_FORMATS:
            raise ValueError(f"a {fmt} report is not written in parts")
        self.chronology = chronology
        self.edges: list[tuple[Any, ...] | None] = [None, *bounds, None]
        self.fmt = fmt
        self.with_quotes = with_quotes
        self.written = 0  # parts written to the output, in order
        self.items = False  # whether an event is in the output (JSON: a comma before the next)

    def names(self) -> list[str]:
        return [f"part-{index}" for index in range(len(self.edges) - 1)]

    def job(self, flt: EventFilter) -> dict[str, Any]:
        """What a worker needs to write any part (:func:`part_writer`), as JSON."""
        window = flt.window
        return {
            "kind": "report",
            "format": self.fmt,
            "quotes": self.with_quotes,
            "window": [window.start.isoformat(), window.end.isoformat(), window.label],
            "filters": [flt.actor, flt.statute, flt.document, flt.kind],
            "edges": [None if edge is None else _encoded(edge) for edge in self.edges],
        }

    def write(self, name: str, out: TextIO, *, first: bool) -> bool:
        """Part ``name`` to ``out``: JSON items each after a comma unless ``first`` (and its
        first without, after the ``[`` of part 0); whether it held an event."""
        index = int(name.removeprefix("part-"))
        part = self.chronology.part(self.edges[index], self.edges[index + 1])
        if self.fmt == "csv":
            write_csv_report(part, out, self.with_quotes, header=index == 0)
            return False  # each line stands alone
        if index == 0:
            out.write("[")
        return write_items(part.records(), out, first=first or index == 0)

    def writer(self, out: TextIO) -> WriteTable:
        """The report's own writing: a part straight to ``out`` where every part before it is
        there, else to its file (for a worker took one before it)."""

        def write(connection: Connection, name: str, directory: Path, tick: object) -> None:
            if name == f"part-{self.written}":
                self.items |= self.write(name, out, first=not self.items)
                self.written += 1
            else:
                with (directory / name).open("w", encoding="utf-8", newline="") as file:
                    self.write(name, file, first=False)

        return write

    def finish(self, directory: Path, out: TextIO) -> None:
        """The parts not written to ``out`` yet, from their files, in order; and the end."""
        for name in self.names()[self.written :]:
            with (directory / name).open(encoding="utf-8", newline="") as file:
                start = file.read(2)  # JSON: "[" and its first item's newline, or a comma
                if self.fmt == "json" and not self.items:
                    start = start.removeprefix(",")  # the output's first item after all
                self.items = self.items or start not in ("", "[")
                out.write(start)
                shutil.copyfileobj(file, out)
        if self.fmt == "json":
            out.write("\n]\n" if self.items else "]\n")


def part_writer(job: dict[str, Any]) -> WriteTable:
    """A worker's writing of a report's parts, each to its file, from the report's ``job``."""
    start, end, label = job["window"]
    actor, statute, document, kind = (tuple(values) for values in job["filters"])
    window = Window(dt.date.fromisoformat(start), dt.date.fromisoformat(end), label)
    flt = EventFilter(window, actor=actor, statute=statute, document=document, kind=kind)

    def write(connection: Connection, name: str, directory: Path, tick: object) -> None:
        from sqlalchemy.orm import Session

        chronology = Chronology(Session(bind=connection), flt)
        bounds = [_decoded(chronology, edge) for edge in job["edges"][1:-1]]
        parts = _Parts(chronology, bounds, job["format"], bool(job["quotes"]))
        with (directory / name).open("w", encoding="utf-8", newline="") as file:
            parts.write(name, file, first=False)

    return write


def _encoded(edge: tuple[Any, ...]) -> list[Any]:
    return [value.isoformat() if isinstance(value, dt.date) else value for value in edge]


def _decoded(chronology: Chronology, edge: list[Any]) -> tuple[Any, ...]:
    return tuple(
        dt.date.fromisoformat(value) if isinstance(term.type, Date) else value
        for term, value in zip(chronology.order[: len(edge)], edge, strict=True)
    )
