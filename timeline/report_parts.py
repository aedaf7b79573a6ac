"""A report written in parts, side by side, by worker processes.

Each event's CSV line, JSON record or table rows (once the table's column widths are measured)
depend on that event alone, so a report is the concatenation of the reports of consecutive
stretches of its chronology. A Markdown report's sections, documents cited and notes depend on
the rest only through numbers SQL gives (:mod:`timeline.markdown_report`): each part writes the
three, and the report puts each in its place. The report cuts its chronology into ``jobs``
parts of about as much work each, as its format weighs an event and its sources
(:mod:`timeline.report_cuts`; parts cut at an order hold every event once),
and writes them with the machinery of `export csv --jobs`
(:func:`timeline.export.parallel.write_tables`): its workers read the report's own snapshot, and
take the parts one at a time from one shared list. The report writes its first part straight to
its output as the rows come; a part a worker writes goes to a file in a temporary directory, and
is copied out in its turn. The table measures its layout first, as in one process
(:func:`timeline.tables.stream_table`), and every part is drawn in it. The output is byte for
byte what one process writes.

By default a report uses more than one process only where :data:`PARALLEL_FROM` events or more
begin in the window, in a database large enough for an export to use several
(:func:`timeline.export.parallel.default_jobs`): a worker takes a second or so to start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, TypeVar, cast

from sqlalchemy import Date
from sqlalchemy.engine import Connection

from timeline import report_cuts
from timeline.chronology import Chronology
from timeline.citation_loading import cited_sources
from timeline.export.parallel import WriteTable, default_jobs, snapshot_token, write_tables
from timeline.export.tables import snapshot
from timeline.grid import Grid, Layout
from timeline.json_text import write_items
from timeline.markdown_report import cited, write_markdown_events
from timeline.raw_output import copy_file_bytes
from timeline.render import MARKDOWN_DOCUMENTS_HEADING, MARKDOWN_NOTES_RULE, markdown_header
from timeline.report import EventFilter, Window
from timeline.report_output import render_report, table_rows, write_csv_report
from timeline.tables import Draw

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from timeline.db import Database

PARALLEL_FORMATS = ("table", "csv", "json", "markdown")
PARALLEL_FROM = 50_000  # events in the window below which one process reports as fast
# Parts at most, however many jobs are asked for: each part reads the window's index range,
# and each worker is a process (and on PostgreSQL a connection).
MAX_PARTS = 16
# The page cache of a connection that asks one question beside the report (:func:`_beside`), in
# KiB. Its queries read each page of an index once, so SQLite's default cache (2,000 KiB) held
# only pages read for the last time, and its sorter (for the cuts' GROUP BY) takes as much
# again: with it the table report with --sources peaked at 80 MB at a million events, 1.21
# times its 66 MB at 10,000 (the issue asks 1.2 at most); with this one, 72 MB, in the same
# 18 s (the same bytes).
ASKING_CACHE_KIB = 500
T = TypeVar("T")


def write_report(
    database: Database,
    flt: EventFilter,
    fmt: str,
    out: TextIO,
    *,
    with_quotes: bool = False,
    jobs: int | None = None,
    title: str = "Chronology",
    raw: BinaryIO | None = None,
) -> None:
    """The report of ``flt`` in ``fmt`` (one of :data:`PARALLEL_FORMATS`) as
    :func:`timeline.report_output.render_report` writes it, from one snapshot of the database,
    by ``jobs`` processes (None: as many as :func:`report_jobs` says). Markdown cites to the
    page and names actors as cited (:mod:`timeline.citations`), under ``title``.

    ``raw``: the bytes under ``out``, where ``out`` writes its text to them as UTF-8 and
    leaves line ends as they are (:func:`timeline.raw_output.utf8_bytes`): the parts workers
    wrote are copied there as they are (:mod:`timeline.raw_output`)."""
    from sqlalchemy.orm import Session

    with snapshot(database) as connection:
        session = Session(bind=connection)
        chronology = Chronology(session, flt)
        jobs = min(report_jobs(connection, chronology) if jobs is None else jobs, MAX_PARTS)
        if fmt == "table" and jobs > 1:
            _write_table(database, connection, chronology, flt, out, jobs, with_quotes, raw)
            return
        bounds = (
            report_cuts.bounds_for(chronology, jobs, fmt, quotes=with_quotes) if jobs > 1 else []
        )
        parts = _Parts(chronology, bounds, fmt, with_quotes)
        parts.raw = raw
        if len(parts.names()) == 1:  # as one process writes it
            _render_whole(session, chronology, fmt, out, with_quotes=with_quotes, title=title)
            return
        if fmt == "markdown":  # counted once the workers have started on their parts
            parts.preamble = lambda: markdown_header(
                title, chronology.count(), chronology.document_count()
            )
        parts.write_all(connection, out, jobs, flt)


def _write_table(
    database: Database,
    connection: Connection,
    chronology: Chronology,
    flt: EventFilter,
    out: TextIO,
    jobs: int,
    with_quotes: bool,
    raw: BinaryIO | None,
) -> None:
    """The table in parts, drawn in the layout measured first. While the report measures it,
    two other connections to its snapshot ask whether its text is plain
    (:meth:`Chronology.plain`) and where its parts are cut (:func:`report_cuts.bounds_for`):
    at a million events, with the quotes, each takes a second or more (three queries at once,
    where the workers are not yet started). A table of one part is drawn by the report."""
    token = snapshot_token(connection)

    def cut(other: Chronology) -> list[tuple[Any, ...]]:
        return report_cuts.bounds_for(other, jobs, "table", quotes=with_quotes)

    with (
        _beside(
            database,
            token,
            chronology,
            flt,
            lambda c: c.plain(quotes=with_quotes),
            "timeline-plain",
        ) as plain,
        _beside(database, token, chronology, flt, cut, "timeline-cuts") as bounds,
    ):
        parts = _Parts(chronology, [], "table", with_quotes)
        parts.raw = raw

        def write_all() -> None:
            parts.edges = [None, *bounds(), None]
            parts.write_all(connection, out, jobs, flt)

        draw = parts.drawer(out, write_all)
        render_report(chronology, "table", out, with_quotes=with_quotes, draw=draw, plain=plain)


def _render_whole(
    session: Session,
    chronology: Chronology,
    fmt: str,
    out: TextIO,
    *,
    with_quotes: bool,
    title: str,
) -> None:
    """The report in one process, from the report's snapshot (Markdown cited to the page, its
    actors named as cited)."""
    if fmt != "markdown":
        render_report(chronology, fmt, out, with_quotes=with_quotes)
        return
    from timeline.citations import Citations, Identities

    render_report(
        chronology,
        fmt,
        out,
        with_quotes=with_quotes,
        title=title,
        citations=Citations(session),
        identities=Identities(session, aliases=False),
    )


@contextlib.contextmanager
def _beside(
    database: Database,
    token: str | None,
    chronology: Chronology,
    flt: EventFilter,
    ask: Callable[[Chronology], T],
    name: str,
) -> Iterator[Callable[[], T]]:
    """What ``ask`` says of the report's ``chronology`` (of ``flt``), asked in a thread on
    another connection to the snapshot ``token`` names (:func:`snapshot_token`) while the
    report goes on (in a thread called ``name``): a call that waits for the answer (and raises
    what asking raised). Where
    no other connection can read that snapshot (``token`` None), asked of ``chronology``
    when called."""
    if token is None:
        yield lambda: ask(chronology)
        return
    said: dict[str, Any] = {}

    def asking() -> None:
        from sqlalchemy.orm import Session

        try:
            with snapshot(database, joining=token) as other:
                if database.is_sqlite:
                    other.exec_driver_sql(f"PRAGMA cache_size = -{ASKING_CACHE_KIB}")
                said["answer"] = ask(Chronology(Session(bind=other), flt))
        except BaseException as exc:  # raised where the answer is asked for
            said["error"] = exc

    thread = threading.Thread(target=asking, name=name, daemon=True)
    thread.start()

    def answer() -> T:
        thread.join()
        if "error" in said:
            raise said["error"]
        return cast(T, said["answer"])

    try:
        yield answer
    finally:
        thread.join()  # its connection closed before the report's snapshot ends


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
        self.layout: Layout | None = None  # the table's, once measured
        self.chronology = chronology
        self.edges: list[tuple[Any, ...] | None] = [None, *bounds, None]
        self.fmt = fmt
        self.with_quotes = with_quotes
        self.written = 0  # parts written to the output, in order
        self.items = False  # whether an event is in the output (then a separator before the next)
        self.raw: BinaryIO | None = None  # the bytes under the output (write_report's raw)
        # What the output begins with, asked for when the first part goes to it: the Markdown
        # header's counts (1.2 s at a million events) then run while the workers start.
        self.preamble: Callable[[], str] | None = None

    def names(self) -> list[str]:
        return [f"part-{index}" for index in range(len(self.edges) - 1)]

    def write_all(self, connection: Connection, out: TextIO, jobs: int, flt: EventFilter) -> None:
        """Every part to ``out``, by ``jobs`` processes."""
        with tempfile.TemporaryDirectory(prefix="timeline-report-") as directory:
            write_tables(
                connection,
                self.names(),
                Path(directory),
                self.writer(out),
                lambda count: None,
                jobs=jobs,
                job=self.job(flt),
                worker="a report worker",
            )
            self.finish(Path(directory), out)

    def drawer(self, out: TextIO, write_all: Callable[[], None]) -> Draw:
        """The table's drawing, once the report has measured its layout: its header, the parts
        (``write_all``), and its bottom border."""

        def draw(layout: Layout) -> None:
            self.layout = layout
            grid = Grid(layout, out)
            grid.header()
            grid.flush()
            write_all()
            out.write(grid.bottom)

        return draw

    def _separator(self) -> str:
        """What comes before an event but the first: a JSON comma, the table's rule."""
        if self.fmt == "json":
            return ","
        if self.layout is not None:
            return Grid(self.layout, io.StringIO()).between
        return ""

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
            "layout": self.layout.state() if self.layout is not None else None,
        }

    def write(self, name: str, out: TextIO, directory: Path, *, first: bool) -> bool:
        """Part ``name`` to ``out``, each event after its separator unless ``first`` (JSON
        and the table); whether it held an event. A Markdown part's documents and notes go to
        its files in ``directory`` (:func:`_cited_paths`)."""
        index = int(name.removeprefix("part-"))
        part = self.chronology.part(self.edges[index], self.edges[index + 1])
        if self.fmt == "markdown":
            self._markdown(index, part, out, directory / name)
            return False
        if self.fmt == "csv":
            write_csv_report(part, out, self.with_quotes, header=index == 0)
            return False  # each line stands alone
        if self.fmt == "table":
            if self.layout is None:
                raise ValueError("a table's part is drawn only once its layout is measured")
            grid = Grid(self.layout, out)
            grid.first = first
            for row in table_rows(part, self.with_quotes):
                grid.row(row)
            grid.flush()
            return not grid.first
        if index == 0:
            out.write("[")
        return write_items(part.records(), out, first=first or index == 0)

    def _markdown(self, index: int, part: Chronology, out: TextIO, path: Path) -> None:
        """A Markdown part: its events' sections to ``out``, its documents cited and notes to
        their files. Its notes are numbered on from those of the events before it, and a
        document is entered where its first citation in the whole report falls."""
        from timeline.citations import Citations, Identities

        session = part.session
        before = self.edges[index]
        number = self.chronology.part(None, before).source_count() if before is not None else 0
        write_markdown_events(part, out, Identities(session, aliases=False), number=number)
        whole = self.chronology
        sources = cited_sources(session, whole.conditions, whole.order, part.within, part.until)
        documents, notes = _cited_paths(path)
        with (
            documents.open("w", encoding="utf-8", newline="") as entries,
            notes.open("w", encoding="utf-8", newline="") as lines,
        ):
            for entry, note in cited(sources, Citations(session), self.with_quotes, number=number):
                if entry is not None:
                    entries.write(entry)
                lines.write(note)

    def writer(self, out: TextIO) -> WriteTable:
        """The report's own writing: a part straight to ``out`` where every part before it is
        there, else to its file (for a worker took one before it)."""

        def write(connection: Connection, name: str, directory: Path, tick: object) -> None:
            if name == f"part-{self.written}":
                self._begin(out)
                self.items |= self.write(name, out, directory, first=not self.items)
                self.written += 1
            else:
                with (directory / name).open("w", encoding="utf-8", newline="") as file:
                    self.write(name, file, directory, first=False)

        return write

    def _begin(self, out: TextIO) -> None:
        """The :attr:`preamble` to ``out``, the first time only."""
        if self.preamble is not None:
            out.write(self.preamble())
            self.preamble = None

    def finish(self, directory: Path, out: TextIO) -> None:
        """The parts not written to ``out`` yet, from their files, in order; and the end."""
        self._begin(out)
        separator = self._separator()
        for name in self.names()[self.written :]:
            path = directory / name
            opening = "[" if self.fmt == "json" and name == "part-0" else ""
            with path.open(encoding="utf-8", newline="") as file:
                read = file.read(len(opening + separator))
                start = read
                if not self.items and not opening:  # its first event is the output's first
                    start = start.removeprefix(separator)
                out.write(start)
                if self.raw is None:
                    shutil.copyfileobj(file, out)
            if self.raw is not None:
                copy_file_bytes(path, out, self.raw, skip=len(read.encode("utf-8")))
            self.items = self.items or path.stat().st_size > len(opening)
        if self.fmt == "json":
            out.write("\n]\n" if self.items else "]\n")
        if self.fmt == "markdown":
            self._cited(directory, out)

    def _cited(self, directory: Path, out: TextIO) -> None:
        """The end of a Markdown report: the documents cited and the notes, each part's in
        turn; none where no event has a source."""
        cited = [_cited_paths(directory / name) for name in self.names()]
        if not any(notes.stat().st_size for _, notes in cited):
            return
        if any(documents.stat().st_size for documents, _ in cited):
            out.write(MARKDOWN_DOCUMENTS_HEADING)
        for documents, _ in cited:
            self._append(documents, out)
        out.write(MARKDOWN_NOTES_RULE)
        for _, notes in cited:
            self._append(notes, out)

    def _append(self, path: Path, out: TextIO) -> None:
        """A part's file (UTF-8) to ``out``."""
        if self.raw is not None:
            copy_file_bytes(path, out, self.raw)
            return
        with path.open(encoding="utf-8", newline="") as file:
            shutil.copyfileobj(file, out)


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
        if job.get("layout") is not None:
            parts.layout = Layout.restored(job["layout"])
        with (directory / name).open("w", encoding="utf-8", newline="") as file:
            parts.write(name, file, directory, first=False)

    return write


def _cited_paths(part: Path) -> tuple[Path, Path]:
    """The files of a Markdown part's documents cited and notes, beside its events'."""
    return part.with_name(part.name + ".documents"), part.with_name(part.name + ".notes")


def _encoded(edge: tuple[Any, ...]) -> list[Any]:
    return [value.isoformat() if isinstance(value, dt.date) else value for value in edge]


def _decoded(chronology: Chronology, edge: list[Any]) -> tuple[Any, ...]:
    return tuple(
        dt.date.fromisoformat(value) if isinstance(term.type, Date) else value
        for term, value in zip(chronology.order[: len(edge)], edge, strict=True)
    )
