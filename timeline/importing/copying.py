"""PostgreSQL's bulk path for a load into a new database: ``COPY … FROM STDIN`` (psycopg's
``cursor.copy()``), with every guarantee of :class:`timeline.importing.loader.Loader`.

Rows reach :class:`CopyLoader` already typed and checked (the file's values, the rules of
:mod:`timeline.integrity`), exactly as they reach the INSERT loader. Each batch is one COPY
inside a savepoint, in the import's one transaction. The server checks references and keys as
COPY writes; when it refuses a batch, the savepoint is rolled back and the batch is replayed
with INSERTs, row by row, to name the record (the same message an INSERT load gives), and the
import fails with the database as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from timeline.checks import RowVerifier
from timeline.export.tables import TableInfo
from timeline.importing.loader import Loader

COPY_BATCH = 20_000  # rows a COPY carries; a refused batch is replayed, so not unbounded


def bulk_loader(
    connection: Connection, info: TableInfo, *, verifier: RowVerifier | None = None
) -> Loader:
    """The fastest loader this connection has: COPY on PostgreSQL (psycopg), else INSERTs."""
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return CopyLoader(connection, info, batch=COPY_BATCH, verifier=verifier)
    return Loader(connection, info, verifier=verifier)


class CopyLoader(Loader):
    """A :class:`Loader` whose batches go in with COPY (PostgreSQL through psycopg 3)."""

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = COPY_BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        super().__init__(connection, info, batch=batch, verifier=verifier)
        dialect = connection.dialect
        self.columns = info.column_names
        names = ", ".join(dialect.identifier_preparer.quote(name) for name in self.columns)
        self.statement = f"COPY {dialect.identifier_preparer.quote(info.name)} ({names}) FROM STDIN"
        # What an INSERT would do to a value before the driver sees it (none, for the column
        # types the schema has today; a type with a bind processor keeps working).
        self.processors = [
            (index, processor)
            for index, column in enumerate(info.columns)
            if (processor := column.type.bind_processor(dialect)) is not None
        ]

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        import psycopg

        savepoint = self.connection.begin_nested()
        try:
            cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(self.statement) as copy:
                for row in rows:
                    copy.write_row(self._values(row))
        except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
            savepoint.rollback()
            self._find_refused(rows, exc)  # raises, naming the record
        else:
            savepoint.commit()
        self.count += len(rows)

    def _values(self, row: dict[str, Any]) -> list[Any]:
        values = [row[name] for name in self.columns]
        for index, processor in self.processors:
            if values[index] is not None:
                values[index] = processor(values[index])
        return values
