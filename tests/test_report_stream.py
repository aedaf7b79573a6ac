"""The streamed report prints what the report printed before it streamed, byte for byte.

tests/data/report/*.out.gz were written by `timeline report` as it was before streaming (commit
acdd4ed, which built every event in Python and sorted there), on the seed and on three copies of
it made by the benchmark's generator (benchmarks/run.py): dates of every precision (day, year,
approximate, intervals, an open start), ties broken by key, every format, with and without
--sources, piped and fitted to 100 and 60 columns. Chunks and batches are made tiny here so that
every row crosses a chunk boundary. The seed folder of that commit is kept beside them
(seed-acdd4ed/), since the default seed has grown since.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from conftest import benchmark_module

from timeline import chronology, report_cuts, tables

DATA = Path(__file__).parent / "data" / "report"
# The seed as it was at acdd4ed, which the golden outputs were made from: the default seed grows.
OLD_SEED = DATA / "seed-acdd4ed"
WINDOWS = {
    "default": [],
    "1961-1970": ["--from", "1961", "--to", "1970"],
    "1961-02": ["--from", "1961-02", "--to", "1961-02"],
    "empty": ["--from", "1900", "--to", "1901"],
    "actor-rusk": ["--actor", "Rusk"],
}


def _copies(run: Callable[..., Result], db: str, tmp_path: Path, seed: Path = OLD_SEED) -> None:
    module = benchmark_module("run")
    run("--db", str(tmp_path / "seed.db"), "seed", "--dir", str(seed))
    document = json.loads(run("--db", str(tmp_path / "seed.db"), "export", "json").output)
    module.write_copies(document, 3, tmp_path / "copies3.json")
    run("--db", db, "import", str(tmp_path / "copies3.json"))


@pytest.mark.parametrize("dataset", ["seed", "copies3"])
def test_streamed_report_is_the_old_report(
    dataset: str,
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if dataset == "seed":
        run("--db", db_url, "seed", "--dir", str(OLD_SEED))
    else:
        _copies(run, db_url, tmp_path)
    monkeypatch.setattr(chronology, "BATCH", 3)
    # A batch then meets citations kept from earlier batches and new ones past what is kept.
    monkeypatch.setattr(chronology, "EXTERNAL_KEPT", 1)
    monkeypatch.setattr(tables, "CHUNK", 2)
    compared = 0
    for golden in sorted(DATA.glob(f"{dataset}.*.out.gz")):
        window, rest = golden.name.removesuffix(".out.gz").split(".", 2)[1:]
        fmt, *extra = rest.split(".")
        args = ["--db", db_url, "report", *WINDOWS[window], "--format", fmt]
        args += ["--sources"] if "sources" in extra else []
        columns = next((e.removeprefix("columns") for e in extra if e.startswith("columns")), None)
        if columns:
            monkeypatch.setenv("COLUMNS", columns)
        else:
            monkeypatch.delenv("COLUMNS", raising=False)
        result = run(*args)
        expected = gzip.decompress(golden.read_bytes()).decode("utf-8")
        assert result.output == expected, golden.name
        compared += 1
    assert compared == 50


def _plan(session: Any, backend: str, query: Any) -> str:
    """The engine's plan for ``query``, its values written in."""
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    return "\n".join(
        " ".join(str(value) for value in row)
        for row in session.execute(sa.text(explain + str(compiled)))
    )


def test_the_window_is_read_from_the_index_on_date_start(
    seeded: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The query plan of the report's window uses ix_events_date_start, not a table scan."""
    from timeline.db import Database
    from timeline.report import EventFilter, Window

    database = Database.open(seeded)
    with database.session() as session:
        if backend == "postgresql":
            # Seed-sized tables are cheaper to scan; the plan for a large table is the question.
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        events = chronology.Chronology(session, EventFilter(Window.parse("1961", "1970")))
        # the records' query (JSON, Markdown) and the one the CSV report and the table print
        for query in (
            events._events().order_by(*events.order),
            events.printed_query(statutes=True, quotes=True),
        ):
            plan = _plan(session, backend, query)
            assert "ix_events_date_start" in plan, plan
            if backend == "sqlite":
                assert "SEARCH events USING INDEX ix_events_date_start (date_start<?)" in plan, plan


def test_the_table_reads_no_description(
    seeded: str, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database sorts each row the table reads whole: the description, which the table
    does not print, is not among them. The CSV report, which prints it, reads it."""
    from timeline.db import Database

    read: list[str] = []
    opened = Database.open

    def listened(url: str, *args: Any, **kwargs: Any) -> Database:
        database = opened(url, *args, **kwargs)
        sa.event.listen(
            database.engine, "before_cursor_execute", lambda *a: read.append(a[2].lower())
        )
        return database

    monkeypatch.setattr(Database, "open", listened)

    def printed(fmt: str) -> list[str]:
        read.clear()
        run("--db", seeded, "report", "--format", fmt, "--sources", "--jobs", "1")
        return [sql for sql in read if "json_" in sql and "order by" in sql]

    table, csv = printed("table"), printed("csv")
    assert table and csv
    assert not any("events.description" in sql for sql in table), table
    assert all("events.description" in sql for sql in csv), csv


def test_a_part_reads_its_own_stretch_of_the_index(seeded: str, backend: str) -> None:
    """A report written in parts: each part's query bounds ``date_start`` where its stretch of
    the chronology begins and ends (the last one also reads the events whose start is
    unknown, which sort by their end), and holds the events it held before, in order."""
    from timeline.db import Database
    from timeline.report import EventFilter, Window

    database = Database.open(seeded)
    with database.session() as session:
        if backend == "postgresql":
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        events = chronology.Chronology(session, EventFilter(Window.parse("1930", "1984")))
        bounds = report_cuts.bounds(events, 3)
        assert len(bounds) == 2, bounds
        edges = [None, *bounds, None]
        whole = [record["key"] for record in events.records()]
        in_parts = []
        for start, stop in itertools.pairwise(edges):
            part = events.part(start, stop)
            in_parts += [record["key"] for record in part.records()]
            query = part._events().order_by(*part.order)
            plan = _plan(session, backend, query)
            assert "ix_events_date_start" in plan, plan
            if backend == "sqlite" and start is not None:
                assert "(date_start>? AND date_start<?)" in plan, plan
                assert "(date_start=?)" in plan, plan  # the events of unknown start
        assert in_parts == whole


@pytest.mark.parametrize("with_quotes", [False, True])
def test_the_csv_reports_fields_are_the_records_fields(
    seeded: str, monkeypatch: pytest.MonkeyPatch, with_quotes: bool
) -> None:
    """The CSV report prints from its own narrower query (Chronology.printed): joined, its
    fields are what the records every other format prints give, for every event of the seed
    (statutes, actors and links the editor identified, every precision of date)."""
    from timeline.db import Database
    from timeline.render import actors_text, sources_text, statutes_text
    from timeline.report import EventFilter, Window
    from timeline.report_output import CSV_COLUMNS, _csv_line, _quoted_by_csv, write_csv_report

    monkeypatch.setattr(chronology, "BATCH", 2)
    database = Database.open(seeded)
    with database.session() as session:
        events = chronology.Chronology(session, EventFilter(Window.parse("1900", "2000")))
        expected = []
        for record in events.records():
            fields = [record[column] for column in CSV_COLUMNS[:-3]]
            fields += [actors_text(record), statutes_text(record), sources_text(record)]
            if with_quotes:
                fields.append(" | ".join(s["quote"] for s in record["sources"]))
            expected.append(_csv_line(fields, cr="\r" in _quoted_by_csv()))
        out = io.StringIO()
        write_csv_report(events, out, with_quotes)
    lines = out.getvalue().split("\n", 1)[1]
    assert lines == "".join(expected)
    assert len(expected) > 10
    assert "[the editor's identification]" in lines and "Stat." in lines


@pytest.mark.parametrize(
    "title, kind",
    [
        ("\x1b[1mBold\x1b[0m title", "meeting"),  # only tabulate lays out ANSI codes
        ("Plain title", "False"),  # a kind tabulate reads as a boolean (and prints as True)
        ("  Title with outer spaces  ", "1961"),  # measured only by reading every row
    ],
)
def test_table_of_text_only_tabulate_lays_out_is_tabulate(
    seeded: str,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    title: str,
    kind: str,
) -> None:
    """Cells that the table's shortcuts cannot vouch for (the SQL check for escape codes, the
    columns measured from their distinct lines) still print as one tabulate call would."""
    from tabulate import tabulate

    from timeline.db import Database
    from timeline.report_output import TABLE_HEADERS, TABLE_WIDTHS

    with Database.open(seeded).session() as session:
        last = session.execute(sa.text("SELECT max(id) FROM events")).scalar_one()
        session.execute(
            sa.text("UPDATE events SET title = :title, kind = :kind WHERE id = :id"),
            {"title": title, "kind": kind, "id": last},
        )
        session.commit()
    monkeypatch.setattr(tables, "CHUNK", 2)
    for extra in ([], ["--sources"]):
        records = json.loads(run("--db", seeded, "report", "--format", "json", *extra).output)
        assert any(r["title"] == title for r in records)
        rows = [
            [
                record["date"] or "",
                record["kind"] or "",
                record["title"]
                + (
                    "\n\n" + "\n".join(f"“{s['quote']}”" for s in record["sources"])
                    if extra
                    else ""
                ),
                "\n".join(f"{a['name']} ({a['role']})" for a in record["actors"]),
                "\n".join(dict.fromkeys(s["document"] for s in record["sources"])),
            ]
            for record in records
        ]
        expected = tabulate(
            rows,
            headers=TABLE_HEADERS,
            tablefmt="simple_grid",
            maxcolwidths=TABLE_WIDTHS,
            disable_numparse=True,
        )
        assert run("--db", seeded, "report", *extra).output == expected + "\n"


def test_a_quote_is_looked_at_for_escape_codes_only_where_the_table_prints_it(
    seeded: str,
) -> None:
    """Chronology.plain: an escape code in a quote makes the table read every row for its
    widths with --sources, which prints the quote, and not without."""
    from timeline.db import Database
    from timeline.report import EventFilter, Window

    with Database.open(seeded).session() as session:
        events = chronology.Chronology(session, EventFilter(Window.parse("1900", "2000")))
        assert events.plain(quotes=True) and events.plain(quotes=False)
        first = session.execute(sa.text("SELECT min(id) FROM event_sources")).scalar_one()
        session.execute(
            sa.text("UPDATE event_sources SET quote = quote || :mark WHERE id = :id"),
            {"mark": "\x1b[0m", "id": first},
        )
        assert not events.plain(quotes=True)
        assert events.plain(quotes=False)


def test_a_document_key_is_looked_at_for_escape_codes_only_where_the_window_cites_it(
    seeded: str,
) -> None:
    """Chronology.plain: an escape code in a document's key makes the table read every row for
    its widths in a window whose events cite that document, quotes printed or not, and not in
    one whose events cite only others (the keys are first looked at all together)."""
    from timeline.db import Database
    from timeline.report import EventFilter, Window

    with Database.open(seeded).session() as session:
        cited_once = session.execute(
            sa.text(
                "SELECT s.document_id FROM event_sources s JOIN events e ON e.id = s.event_id "
                "GROUP BY s.document_id HAVING min(e.date_start) = '1961-02-17' "
                "AND max(e.date_end) = '1961-02-17'"
            )
        ).scalar_one()
        session.execute(
            sa.text("UPDATE documents SET key = key || :mark WHERE id = :id"),
            {"mark": "\x1b[0m", "id": cited_once},
        )
        decades = chronology.Chronology(session, EventFilter(Window.parse("1900", "2000")))
        assert not decades.plain(quotes=True)
        assert not decades.plain(quotes=False)
        march = chronology.Chronology(session, EventFilter(Window.parse("1961-03", "1961-03")))
        assert march.count() > 0
        assert march.plain(quotes=True) and march.plain(quotes=False)


def test_a_word_tabulate_cannot_convert_is_printed_as_it_is(
    seeded: str, run: Callable[..., Result]
) -> None:
    """tabulate reads "1,000" as an integer with a thousands separator, then fails to convert
    it (a traceback); the report prints the word as it is stored."""
    from timeline.db import Database

    with Database.open(seeded).session() as session:
        session.execute(sa.text("UPDATE events SET kind = '1,000'"))
        session.commit()
    result = run("--db", seeded, "report")
    assert result.exit_code == 0, result.output
    assert "│ 1,000 " in result.output


@pytest.mark.parametrize(
    "fields",
    [
        ["plain", "a,b", 'say "so"', "two\nlines", "cr\ronly", "", None, "x"],
        ["\x00nul", "\u2028sep", " outer ", '"', ",", "\n", "\r\n", "end"],
        ["", ""],
    ],
)
def test_a_report_csv_line_is_what_csv_writer_writes(fields: list[str | None]) -> None:
    import csv
    import io

    from timeline import report_output

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    cr = "\r" in report_output._quoted_by_csv()
    assert report_output._csv_line(fields, cr) == out.getvalue()


def test_an_actors_words_are_read_by_document_not_from_all_its_aliases(
    seeded: str, backend: str
) -> None:
    """The words an event's sources use for an actor (event_links.said) are read from the
    event's sources and then the actor's aliases in each one's document (0010): starting from
    the actor's aliases would read all of them for every event naming it, and from the
    document's, every person the document names for every actor of the event. Both are read in
    the order the words are chosen by (0011), so SQLite sorts nothing."""
    from timeline.db import Database
    from timeline.event_links import said
    from timeline.models import EventActor

    if backend != "sqlite":
        pytest.skip("the plan asked of SQLite's planner, which has no statistics to go by")
    database = Database.open(seeded)
    try:
        with database.session() as session:
            query = sa.select(said()).select_from(EventActor)
            compiled = query.compile(
                dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
            )
            plan = "\n".join(
                " ".join(str(value) for value in row)
                for row in session.execute(sa.text("EXPLAIN QUERY PLAN " + str(compiled)))
            )
    finally:
        database.dispose()
    assert "SEARCH event_sources USING INDEX ix_event_sources_event_id_position" in plan, plan
    assert (
        "SEARCH actor_aliases USING COVERING INDEX ix_actor_aliases_document_id_actor_id "
        "(document_id=? AND actor_id=?" in plan
    ), plan
    assert "TEMP B-TREE" not in plan, plan  # both read in the words' order: the first is first


@pytest.mark.parametrize("batch", [1, 2, 4])
def test_each_event_keeps_its_publication_across_batches(
    batch: int,
    db_url: str,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The citations of outside publications are kept between batches, and forgotten past
    EXTERNAL_KEPT; a batch that holds some kept and some new ones still gets all of them (the
    three copies of the seed's 1930 and 1932 events, which share a publication apiece, come in
    batches of two: the third copy of the first with the first of the second)."""
    from sqlalchemy.orm import selectinload

    from timeline.db import Database
    from timeline.models import Event
    from timeline.paths import seed_dir

    _copies(run, db_url, tmp_path, seed=seed_dir())
    monkeypatch.setattr(chronology, "BATCH", batch)
    monkeypatch.setattr(chronology, "EXTERNAL_KEPT", 0)
    with Database.open(db_url).session() as session:
        events = session.scalars(sa.select(Event).options(selectinload(Event.external_source)))
        expected = {
            e.key: e.external_source.citation if e.external_source else None for e in events
        }
        streamed = {
            r["key"]: r["external_source"] for r in chronology.Chronology(session, None).records()
        }
    assert streamed == expected
    assert sum(1 for citation in expected.values() if citation) >= 2


def test_an_events_sources_by_key_alone_are_its_sources_keys(seeded: str) -> None:
    """The Markdown report's sections read each source's document key alone
    (``keys_only``): the same sources, in order, and nothing else of them, every other field
    of the record as it was."""
    from timeline.db import Database

    database = Database.open(seeded)
    try:
        with database.session() as session:
            events = chronology.Chronology(session, None)
            full = list(events.records(identified=True))
            keyed = list(events.records(identified=True, keys_only=True))
    finally:
        database.dispose()
    assert sum(len(record["sources"]) for record in full) > len(full)
    for whole, brief in zip(full, keyed, strict=True):
        assert brief["sources"] == [{"document": s["document"]} for s in whole["sources"]]
        assert {**brief, "sources": whole["sources"]} == whole


def test_a_streamed_report_leaves_the_sessions_other_queries_as_they_were(seeded: str) -> None:
    """The server-side cursor is the report query's own: Connection.execution_options would set
    stream_results on the connection, and every later query of the session (each batch's
    citations, hundreds in a large Markdown report) would declare a cursor of its own."""
    from timeline.db import Database

    with Database.open(seeded).session() as session:
        records = list(chronology.Chronology(session, None).records())
        assert records
        assert "stream_results" not in session.connection().get_execution_options()
        result = session.connection().execute(sa.text("SELECT 1"))
        if session.get_bind().dialect.name == "postgresql":
            assert not getattr(result.cursor, "name", None)  # a named cursor is a server-side one
        assert result.scalar() == 1


def test_the_tools_postgresql_connections_compile_no_query(postgres_url: str) -> None:
    """JIT is off on every connection the tool opens, for the whole connection (a rollback
    does not undo it, and a report's snapshot has it too); the server's default is left to
    other clients."""
    from timeline.db import Database
    from timeline.export.tables import snapshot

    server = sa.create_engine(postgres_url)
    with server.connect() as connection:
        default = connection.exec_driver_sql("SHOW jit").scalar_one()
    server.dispose()
    if default == "off":
        pytest.skip("this server compiles no query: nothing to turn off")
    database = Database.open(postgres_url)
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar_one() == "off"
            connection.rollback()
            assert connection.exec_driver_sql("SHOW jit").scalar_one() == "off"
        with snapshot(database) as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar_one() == "off"
    finally:
        database.dispose()
