"""What reads every event of a report's window in no particular order (the Markdown header's
counts, the table's check for escapes, the distinct texts its columns are measured by) scans
SQLite's table where the window holds much of it, and reads the index on ``date_start`` where it
holds little; the answers are the same either way."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result

from timeline import chronology
from timeline.chronology import Chronology
from timeline.db import Database
from timeline.report import EventFilter, Window

TEXTS = ("date", "kind", "title", "actor", "document", "quote")


def _read_whole(events: Chronology) -> dict[str, Any]:
    return {
        "count": events.count(),
        "documents": events.document_count(),
        "plain": (events.plain(quotes=True), events.plain(quotes=False)),
        **{what: sorted(events.distinct_texts(what)) for what in TEXTS},
    }


def _begun_share(db: str, end: str) -> float:
    with sqlite3.connect(db) as connection:
        begun, total = connection.execute(
            "SELECT sum(date_start <= ?), count(*) FROM events", (end,)
        ).fetchone()
    return float(begun) / float(total)


@pytest.mark.parametrize(
    ("window", "scanned"), [(("1930", "1984"), True), (("1900", "1950"), False)]
)
def test_a_window_holding_much_of_the_table_is_read_whole_by_a_scan(
    tmp_path: Path, run: Callable[..., Result], window: tuple[str, str], scanned: bool
) -> None:
    db = str(tmp_path / "scan.db")
    run("--db", db, "seed")
    flt = EventFilter(Window.parse(*window))
    share = _begun_share(db, flt.window.end.isoformat())
    # the seed as this test needs it: most of it begun by 1984, less than a quarter by 1950
    assert (share * chronology.SCANNED_FROM > 1) is scanned, share
    database = Database.open(db)
    statements: list[tuple[str, Any]] = []
    try:
        with database.session() as session:
            events = Chronology(session, flt)
            assert events._scanned() is scanned
            sa.event.listen(
                database.engine,
                "before_cursor_execute",
                lambda _c, _cur, sql, parameters, *_: statements.append((sql, parameters)),
            )
            answers = _read_whole(events)
            events._scans = not scanned  # the other way: the same answers
            assert _read_whole(events) == answers
    finally:
        database.dispose()
    assert answers["count"] > 0 and answers["documents"] > 0
    read = statements[: len(statements) // 2]  # the queries as planned for this window
    with sqlite3.connect(db) as connection:
        plans = [
            [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, parameters)]
            for sql, parameters in read
        ]
    # two counts; the checks for escapes, of the window's texts (three with the quotes, two
    # without) and of every document key, which reads no event; the texts
    assert len(plans) == 2 + (3 + 1) + (2 + 1) + len(TEXTS)
    keys = [plan for plan in plans if not any("events" in step for step in plan)]
    assert len(keys) == 2 and all(plan[-1].startswith("SCAN documents") for plan in keys), keys
    for plan in plans:
        if plan in keys:
            continue
        by_index = any("USING INDEX ix_events_date_start" in step for step in plan)
        by_scan = any(step.startswith("SCAN events") for step in plan)
        if scanned:
            assert by_scan and not by_index, plan
        else:
            assert by_index and not by_scan, plan
            assert not any("ix_events_kind" in step for step in plan), plan


def test_the_report_reads_its_window_from_the_index_however_much_it_holds(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    """The report's own queries, which read the events in order, keep to the index."""
    db = str(tmp_path / "scan.db")
    run("--db", db, "seed")
    database = Database.open(db)
    try:
        with database.session() as session:
            events = Chronology(session, EventFilter(Window.parse("1930", "1984")))
            assert events._scanned()
            queries = [
                events._events().order_by(*events.order),
                events.printed_query(statutes=True, quotes=True),
            ]
            dialect = session.get_bind().dialect
            sql = [
                str(q.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
                for q in queries
            ]
    finally:
        database.dispose()
    with sqlite3.connect(db) as connection:
        for statement in sql:
            plan = [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement)]
            assert "SEARCH events USING INDEX ix_events_date_start (date_start<?)" in plan, plan


def test_a_term_kept_from_the_index_is_the_bare_column_on_postgresql() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    from timeline.models import Event
    from timeline.report import unindexed

    query = sa.select(Event.id).where(unindexed(Event.date_start) <= sa.literal("1970-12-31"))
    assert "(+events.date_start) <=" in str(query.compile(dialect=sqlite.dialect()))
    assert "WHERE events.date_start <=" in str(query.compile(dialect=postgresql.dialect()))
