"""The `csv` export of a PostgreSQL table by the server's own ``COPY … TO STDOUT (FORMAT csv)``.

Fetching rows through a cursor turned every value into a Python object only for it to be written
as text again: most of the export's time on PostgreSQL. ``COPY`` writes the CSV on the server,
and its text is the export's (:mod:`timeline.export.csvlines`) once the select gives each value
as the export writes it:

- a string: as it is, quoted by the server where it holds ``"``, ``,``, CR or LF (the fields
  ``csv.writer`` quotes), inner quotes doubled; an empty string as NULL, since the server would
  write it ``""`` and the export writes an empty cell (the timeline holds no empty strings);
- an integer: its digits; a date: ``YYYY-MM-DD`` (``to_char``, whatever the session's
  DateStyle); a boolean: ``true`` or ``false``; NULL: an empty cell;
- the server ends each row with LF where the export writes CRLF: :func:`crlf` rewrites the row
  ends, the LFs outside quotes, and leaves those inside quoted values as they are.

``COPY`` runs in the export's snapshot transaction (read only is allowed), on the same
connection. Every table has more than one column, so the server's quoting of a lone ``\\.``
(a one-column row only) never applies.

The rows are taken from libpq one call each (:func:`copied_rows`): psycopg's ``Copy.read()``
runs its waiting machinery for every row, 3.5 s of CPU for the 5.9 million rows of the
glossary table at a million events where libpq's own call takes 1.7 s; at that size the
export's two processes spent 21 s of CPU to psql's 1 s for the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from select import select as wait_readable
from typing import Any, BinaryIO

from sqlalchemy import String, case, func, literal, select
from sqlalchemy.engine import Connection

from timeline.export.tables import TableInfo, column_kind

BLOCK = 1 << 16  # bytes of COPY data rewritten at a time


def _as_written(column: Any) -> Any:
    """``column`` as the export writes its value, in SQL (NULL: an empty cell)."""
    kind = column_kind(column)
    if kind == "string":
        return func.nullif(column, literal("", String))
    if kind == "boolean":
        return case((column.is_(True), literal("true")), (column.is_(False), literal("false")))
    if kind == "date":
        return func.to_char(column, literal("YYYY-MM-DD"))
    if kind == "integer":
        return column
    raise ValueError(f"{column} is of a kind the COPY export does not write: {kind}")


def copy_statement(connection: Connection, info: TableInfo) -> str:
    """``COPY (SELECT …) TO STDOUT`` of the table, its values as written, in primary-key
    order. The literals are the few constants of :func:`_as_written`, never data."""
    query = select(*(_as_written(c) for c in info.columns)).order_by(
        *info.order_by(connection.dialect.name)
    )
    sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"


def crlf(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """The server's CSV with CRLF row ends, block by block, and the rows each block ends.

    A row ends at an LF outside quotes: splitting a block at ``"`` gives pieces alternately
    outside and inside a quoted value (a doubled ``""`` inside one closes and reopens it, with
    an empty piece between), and whether a block ends inside carries over to the next.
    """
    inside = False
    for block in blocks:
        parts = block.split(b'"')
        rows = 0
        for i in range(1 if inside else 0, len(parts), 2):
            rows += parts[i].count(b"\n")
            parts[i] = parts[i].replace(b"\n", b"\r\n")
        if len(parts) % 2 == 0:  # an odd number of quotes
            inside = not inside
        yield b'"'.join(parts), rows


def _blocks(copy: Iterable[Any]) -> Iterator[bytes]:
    """The COPY data (a message a row) joined into blocks of about :data:`BLOCK` bytes."""
    pending: list[Any] = []
    size = 0
    for data in copy:
        pending.append(data)
        size += len(data)
        if size >= BLOCK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def copied_rows(driver: Any) -> Iterator[Any]:
    """The rows of the ``COPY … TO STDOUT`` psycopg's connection ``driver`` has begun (inside
    its ``cursor.copy()`` block, which holds the connection), each as libpq gives it; then the
    COPY's own result, raised as psycopg raises it where the server stopped with an error.

    Never blocking in libpq (which would hold the interpreter's lock): where libpq holds no
    whole row yet, the wait is for the socket, which Ctrl-C interrupts. Left part way through
    (an error in the caller), the COPY is ended by psycopg's block, which cancels it."""
    from psycopg import OperationalError, pq  # PostgreSQL's driver, there only
    from psycopg.errors import error_from_result

    pgconn = driver.pgconn
    take, socket = pgconn.get_copy_data, pgconn.socket
    while True:
        size, data = take(1)
        if size > 0:
            yield data
        elif size == 0:  # no whole row received yet
            wait_readable([socket], [], [])
            pgconn.consume_input()
        else:
            break
    if size == -2:
        raise OperationalError(f"COPY failed: {pgconn.error_message.decode(errors='replace')}")
    results = []  # the end: the COPY's status, read to the last so the connection is free
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    for result in results:
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise error_from_result(result, encoding=driver.info.encoding)


def copy_table(
    connection: Connection, info: TableInfo, out: BinaryIO, tick: Callable[[int], None]
) -> None:
    """Write the table's rows (no header) to ``out`` as the `csv` export writes them."""
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(copy_statement(connection, info)):
        for block, rows in crlf(_blocks(copied_rows(driver))):
            out.write(block)
            tick(rows)
