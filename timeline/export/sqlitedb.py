"""The `sqlite` export: a standalone SQLite database, from either backend.

The file is made by the project's own migrations (so it is a timeline database as well: every
command works on it) and filled by copying every table's rows in primary-key order, in batches,
in one transaction; the search index is rebuilt by the database's triggers as rows go in. It is
a plain SQLite file: `sqlite3`, datasette or any SQLite client opens it as it is. The same data
gives the same bytes.

For datasette's search box, the file also carries ``events_fts`` and ``documents_fts``: FTS5
tables over the events' and documents' own rows (``content=``), the layout datasette detects, so
``/db/events?_search=crab`` works with no configuration. Triggers keep them current when the
file is written to later. (timeline's own ``search_index`` holds documents, events and quotes in
one table under ids datasette cannot map back to a row.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from timeline.db import Database
from timeline.export.tables import stream_rows, tables
from timeline.importing import copy_rows


def write_sqlite(session: Session, path: Path, tick: Callable[[int], None]) -> None:
    """Create the SQLite database at ``path`` (an empty or missing file) from ``session``'s."""
    source = session.connection()
    target = Database(URL.create("sqlite", database=str(path.absolute())))
    try:
        target.upgrade()
        with target.write_transaction() as connection:
            for info in tables():
                names = info.column_names
                rows = (dict(zip(names, row, strict=True)) for row in stream_rows(source, info))
                copy_rows(connection, info, rows, tick)
            add_datasette_search(connection)
    finally:
        target.dispose()


# table, its columns to search; datasette finds "<table>_fts" with content="<table>"
DATASETTE_SEARCH = (
    ("events", ("title", "description")),
    ("documents", ("title", "subject", "text")),
)


def add_datasette_search(connection: Connection) -> None:
    """Full-text tables that datasette detects for ``events`` and ``documents``, and triggers."""
    for table, columns in DATASETTE_SEARCH:
        fts = f"{table}_fts"
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        statements = [
            f'CREATE VIRTUAL TABLE {fts} USING fts5({names}, content="{table}", '
            "content_rowid=\"id\", tokenize='porter unicode61')",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
        ]
        for statement in statements:
            connection.execute(text(statement))
