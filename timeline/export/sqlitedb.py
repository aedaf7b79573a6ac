"""The `sqlite` export: a standalone SQLite database, from either backend.

The file is made by the project's own migrations (so it is a timeline database as well: every
command works on it) and filled by copying every table's rows in primary-key order, in batches,
in one transaction; the search index is rebuilt by the database's triggers as rows go in. It is
a plain SQLite file: `sqlite3`, datasette or any SQLite client opens it as it is. The same data
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from timeline.db import Database
from timeline.export.tables import stream_rows, tables
from timeline.importing import copy_rows, write_transaction


def write_sqlite(session: Session, path: Path, tick: Callable[[int], None]) -> None:
    """Create the SQLite database at ``path`` (an empty or missing file) from ``session``'s."""
    source = session.connection()
    target = Database(URL.create("sqlite", database=str(path.absolute())))
    try:
        target.upgrade()
        with write_transaction(target) as connection:
            for info in tables():
                names = info.column_names
                rows = (dict(zip(names, row, strict=True)) for row in stream_rows(source, info))
                copy_rows(connection, info, rows, tick)
    finally:
        target.dispose()
