"""The bulk paths for a load into a new database, with every guarantee of
:class:`timeline.importing.loader.Loader`: on PostgreSQL ``COPY … FROM STDIN`` (psycopg's
``cursor.copy()``, :class:`CopyLoader`); on SQLite the driver's ``executemany`` of value tuples
(:class:`InsertLoader`), without SQLAlchemy's building of every row's parameters.

Rows reach :class:`CopyLoader` already typed and checked (the file's values, the rules of
:mod:`timeline.integrity`), exactly as they reach the INSERT loader. Each batch is one COPY
inside a savepoint, in the import's one transaction. The server checks references and keys as
COPY writes; when it refuses a batch, the savepoint is rolled back and the batch is replayed
with INSERTs, row by row, to name the record (the same message an INSERT load gives), and the
import fails with the database as it was.

A batch's COPY runs in a thread while the next batch is read and checked: the server writes
rows (and its triggers index them) while Python parses, which on two cores is most of the gap
to a bare COPY. The connection is used by one thread at a time: whatever else needs it (the
next COPY, a document's text for the checks, naming a refused record, the end of the table or
of the import) first waits for the COPY in flight, with :meth:`CopyLoader.settle`, and a batch's
refusal is raised there, before any error found in later rows, as it was without the thread.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.engine import Connection

from timeline.checks import RowVerifier
from timeline.export.tables import TableInfo
from timeline.importing.loader import BATCH, Loader
from timeline.integrity import TEXT_TABLES, CheckedRow, SpansOfTuples

# Rows a COPY carries; a refused batch is replayed, so not unbounded. Two batches are held at
# once (one in flight, one being read): with 20,000 rows and 4,000,000 characters, the import
# of 50,008 events peaked at 120 MB; with these, at 88 MB, and it took no longer.
COPY_BATCH = 5_000
# Characters of text a COPY carries at most: documents run to many kilobytes each.
COPY_CHARACTERS = 1_000_000
# Rows an executemany carries on SQLite (each batch a savepoint); a document's, BATCH.
INSERT_BATCH = 5_000


def bulk_loader(
    connection: Connection, info: TableInfo, *, verifier: RowVerifier | None = None
) -> Loader:
    """The fastest loader this connection has: COPY on PostgreSQL (psycopg), else INSERTs."""
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return CopyLoader(connection, info, batch=COPY_BATCH, verifier=verifier)
    if connection.dialect.name == "sqlite":
        batch = BATCH if info.name == "documents" else INSERT_BATCH  # texts of many KB each
        return InsertLoader(connection, info, batch=batch, verifier=verifier)
    return Loader(connection, info, verifier=verifier)


def _processors(connection: Connection, info: TableInfo) -> list[tuple[int, Any]]:
    """What an INSERT through SQLAlchemy does to a value before the driver sees it, by column
    (on SQLite a date becomes its ISO text; a type without a processor is passed as it is)."""
    dialect = connection.dialect
    return [
        (index, processor)
        for index, column in enumerate(info.columns)
        if (processor := column.type.bind_processor(dialect)) is not None
    ]


def _driver_values(
    columns: list[str], processors: list[tuple[int, Any]], row: dict[str, Any] | tuple[Any, ...]
) -> tuple[Any, ...]:
    """A row (a dict, or a tuple in column order) as the driver takes it."""
    if row.__class__ is tuple:
        if not processors:
            return row  # type: ignore[return-value]
        values = list(row)
    elif not processors:
        return tuple([row[name] for name in columns])  # type: ignore[call-overload]
    else:
        values = [row[name] for name in columns]  # type: ignore[call-overload]
    for index, processor in processors:
        if values[index] is not None:
            values[index] = processor(values[index])
    return tuple(values)


class _TupleLoader(Loader):
    """A :class:`Loader` that keeps checked rows (:meth:`add_checked`) the tuples they came as,
    in a table without a reference that may wait: a row that points into a text goes on as it
    is once its spans hold (:class:`timeline.integrity.SpansOfTuples`); one whose spans do
    not is checked by name, which refuses it with the reason. A refused batch is replayed as
    dicts, to name the record."""

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        super().__init__(connection, info, batch=batch, verifier=verifier)
        self.columns = info.column_names
        self.spans = SpansOfTuples(info) if info.name in TEXT_TABLES else None
        # What an INSERT through SQLAlchemy would do to a value before the driver sees it.
        self.processors = _processors(connection, info)

    def add_checked(self, batch: list[tuple[Any, ...]]) -> None:
        if self._self_links:
            super().add_checked(batch)  # a reference that may have to wait
            return
        if self.spans is None or self.verifier is None:
            self._queue(batch)  # the verifier would find nothing more in these rows
            return
        spans, text_of, names = self.spans, self.verifier.text, self.columns
        document = spans.document
        kept = []
        for values in batch:
            document_id = values[document]
            if document_id is not None:
                text = text_of(document_id)
                if text is not None and not spans.hold(values, text):
                    self._queue(kept)
                    kept = []
                    self.add(CheckedRow(zip(names, values)))  # noqa: B905
                    continue
            kept.append(values)
        self._queue(kept)

    def _queue(self, rows: list[tuple[Any, ...]]) -> None:
        """Checked tuples to the pending batch, flushed when full."""
        pending: list[Any] = self.pending
        pending.extend(rows)
        if len(pending) >= self.batch_size:
            self.flush()

    def _find_refused(self, rows: list[dict[str, Any]], batch_error: Exception) -> None:
        columns = self.columns
        named = [dict(zip(columns, row)) if row.__class__ is tuple else row for row in rows]  # noqa: B905
        super()._find_refused(named, batch_error)


class InsertLoader(_TupleLoader):
    """A :class:`Loader` whose batches go to the driver's ``executemany`` as they are: one
    statement, each row's values in column order after the column's bind processor. SQLAlchemy
    would build each row's parameters anew (most of an INSERT batch's cost). Every row has every
    column (the reader's Converter gives each its value or None). A refused batch is rolled back
    and replayed row by row through SQLAlchemy, as the INSERT loader's is, to name the record.
    Checked rows stay tuples (:class:`_TupleLoader`)."""

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        super().__init__(connection, info, batch=batch, verifier=verifier)
        quote = connection.dialect.identifier_preparer.quote
        self.statement = (
            f"INSERT INTO {quote(info.name)} ({', '.join(map(quote, self.columns))}) "
            f"VALUES ({', '.join('?' for _ in self.columns)})"
        )

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        columns, processors = self.columns, self.processors
        values = [_driver_values(columns, processors, row) for row in rows]
        self.connection.exec_driver_sql(self.statement, values)


class CopyLoader(_TupleLoader):
    """A :class:`Loader` whose batches go in with COPY (PostgreSQL through psycopg 3); checked
    rows stay tuples (:class:`_TupleLoader`)."""

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = COPY_BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        super().__init__(connection, info, batch=batch, verifier=verifier)
        self.characters = 0  # of the text of the pending rows
        self.in_flight: _Copy | None = None
        dialect = connection.dialect
        names = ", ".join(dialect.identifier_preparer.quote(name) for name in self.columns)
        self.statement = f"COPY {dialect.identifier_preparer.quote(info.name)} ({names}) FROM STDIN"

    def add(self, row: dict[str, Any], shown: dict[str, Any] | None = None) -> None:
        self.characters += sum(len(value) for value in row.values() if type(value) is str)
        super().add(row, shown)
        if self.characters >= COPY_CHARACTERS:
            self.flush()

    def _queue(self, rows: list[tuple[Any, ...]]) -> None:
        # Row by row, as add() counts: a batch of documents may hold megabytes of text.
        pending: list[Any] = self.pending
        size = self.batch_size
        for values in rows:
            self.characters += sum([len(value) for value in values if value.__class__ is str])
            pending.append(values)
            if self.characters >= COPY_CHARACTERS or len(pending) >= size:
                self.flush()
                pending = self.pending

    def flush(self) -> None:
        self.settle()
        rows, self.pending = self.pending, []
        self.characters = 0
        if rows:
            self.in_flight = _Copy(self, rows)

    def settle(self) -> None:
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is not None:
            in_flight.join()

    def finish(self) -> int:
        self.flush()
        self.settle()
        return super().finish()

    def copy(self, rows: list[dict[str, Any]]) -> None:
        """One batch as one COPY, in a savepoint (in the batch's thread)."""
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

    def _values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return _driver_values(self.columns, self.processors, row)


class _Copy:
    """A batch's COPY in its own thread; :meth:`join` waits for it and raises what it raised."""

    def __init__(self, loader: CopyLoader, rows: list[dict[str, Any]]) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(loader, rows), daemon=True)
        self.thread.start()

    def _run(self, loader: CopyLoader, rows: list[dict[str, Any]]) -> None:
        try:
            loader.copy(rows)
        except BaseException as exc:  # handed to the loading thread, which raises it
            self.error = exc

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
