"""PostgreSQL's planner statistics, brought up to date by the load that changed the tables.

PostgreSQL plans each query by what it last sampled of the tables. After a load it knows
nothing of the new rows until autovacuum analyzes the tables, a minute or more after the
commit; a report run before that is planned for the tables as they were. A Markdown report of
50,000 events planned for empty tables ran for minutes instead of 17 s. So a load ends with
``ANALYZE`` of what it changed, in its own transaction: the statistics commit with the rows.
A role that does not own a table gets a warning from the server and the table is skipped.
SQLite's plans are written not to need statistics (tests/test_report_stream.py reads them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT

from timeline.export.tables import tables
from timeline.search import SEARCH_TABLE  # on PostgreSQL a plain table (migration 0003)

# The tables whose rows change the full-text index's (its search_index_sync triggers): a
# document, an event, a passage, and a reading, which rewrites its document's and passages' rows.
SEARCH_SOURCES = ("documents", "events", "event_sources", "document_readings")

_PLANNED = text(
    "SELECT name, coalesce((SELECT reltuples FROM pg_class WHERE oid = to_regclass("
    "quote_ident(name))), -1), current_setting('autovacuum_analyze_threshold')::float8, "
    "current_setting('autovacuum_analyze_scale_factor')::float8 FROM unnest(:names) AS name"
).bindparams(bindparam("names", type_=ARRAY(TEXT)))


def analyze_all(connection: Connection) -> None:
    """ANALYZE every table of the model and the full-text index (after an import)."""
    if connection.dialect.name == "postgresql":
        _analyze(connection, [*(info.name for info in tables()), SEARCH_TABLE])


def analyze_changed(connection: Connection, changed: Mapping[str, int]) -> list[str]:
    """ANALYZE the tables whose rows the load changed (inserted, updated and deleted) by as
    many as autovacuum waits for: its threshold and scale factor (by default 50 rows and a
    tenth of the rows the planner last counted). A load of a few documents into a large corpus
    changes nothing the planner would plan differently, and is not made to sample the tables.
    The names analyzed, in table order (none on SQLite)."""
    if connection.dialect.name != "postgresql":
        return []
    counts = dict(changed)
    counts[SEARCH_TABLE] = sum(counts.get(name, 0) for name in SEARCH_SOURCES)
    names = [name for name in (*(info.name for info in tables()), SEARCH_TABLE) if counts.get(name)]
    if not names:
        return []
    planned = connection.execute(_PLANNED, {"names": names}).all()
    due = [
        name
        for name, rows, threshold, scale in planned
        if counts[name] >= threshold + scale * max(rows, 0)
    ]
    _analyze(connection, due)
    return due


def _analyze(connection: Connection, names: Iterable[str]) -> None:
    listed = ", ".join(f'"{name}"' for name in names)
    if listed:
        connection.exec_driver_sql(f"ANALYZE {listed}")
