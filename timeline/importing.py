"""`timeline import`: load a `json` export (docs/export-format.md) into a database.

The file is read as a stream (ijson) and loaded in one transaction, checked as it goes: a file
that is not JSON or ends early, another format or schema revision, an unknown table or column,
a value of the wrong type or missing, a row out of primary-key order, a reference to a record
that does not exist, or a key the database already holds, stops the import with one line that
names the record, and the database is left exactly as it was (a SQLite file that the import
created is removed again).

Into a new or empty database the schema is created first (the migrations, in the same
transaction), the records keep the ids they have in the file, and PostgreSQL's id sequences
are moved past them. Into a database that has records, ``merge=True`` matches the records of
every table with a unique ``key`` column by that key: a record the database holds with the same
content (and the same rows in the tables that belong to it) is kept, a key it lacks is added with
new ids and its references remapped, and a key it holds with other content is a conflict.

The loader (:class:`Loader`) is also how `timeline export sqlite` fills its new database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import ijson
from alembic import command
from sqlalchemy import and_, create_engine, event, func, literal, select, text, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from timeline.bulk_index import index_once
from timeline.checks import RowVerifier, record_name, table_problems
from timeline.db import Database, SchemaState, alembic_config, first_line, head_revision
from timeline.errors import ImportFileError
from timeline.export.tables import (
    FORMAT_VERSION,
    ROW_ENCODER,
    Link,
    TableInfo,
    column_kind,
    describe_record,
    identity,
    stream_rows,
    table_map,
    tables,
)
from timeline.integrity import value_problem

Row = dict[str, Any]
Tick = Callable[[int], None]

JSON_FORMAT = "timeline"
BATCH = 500
READ_SIZE = 64 * 1024


@dataclass
class ImportSummary:
    """What an import added, and (with ``merge``) what it found already there."""

    database: str
    merged: bool
    inserted: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)


# --- the write transaction ---------------------------------------------------------------------


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say where transactions begin: then DDL, DML and
    # SAVEPOINTs all live in the one transaction BEGIN IMMEDIATE opens.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def write_transaction(database: Database) -> Iterator[Connection]:
    """One transaction for schema and rows, with savepoints that work on SQLite too."""
    engine = database.engine  # checks a SQLite path before anything is created
    if database.is_sqlite:
        engine = create_engine(database.url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        with database.errors(), engine.begin() as connection:
            yield connection
    finally:
        if engine is not database.engine:
            engine.dispose()


def reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the largest id, so new records get fresh ids."""
    if connection.dialect.name != "postgresql":
        return
    for info in tables():
        if info.surrogate is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{info.surrogate}") FROM "{info.name}"), 0) + 1, false)'
            ),
            {"table": info.name, "column": info.surrogate},
        )


# --- loading rows --------------------------------------------------------------------------------


def explain_refusal(connection: Connection, info: TableInfo, row: Row, exc: Exception) -> str:
    """Why the database refused ``row``: the reference that points nowhere, the key it already
    holds, else the database's own words."""
    described = describe_record(info, row)
    all_tables = table_map()
    for link in info.links:
        value = row.get(link.column)
        if value is None:
            continue
        target = all_tables[link.target].table
        found = connection.execute(
            select(literal(1)).select_from(target).where(target.c[link.target_column] == value)
        ).first()
        if found is None:
            return (
                f"broken reference: {described} has {link.column} {value!r}, "
                f"but there is no {link.target} record with {link.target_column} {value!r}"
            )
    for names in info.unique_sets:
        values = [row.get(name) for name in names]
        if any(v is None for v in values):
            continue
        found = connection.execute(
            select(literal(1))
            .select_from(info.table)
            .where(and_(*(info.table.c[n] == v for n, v in zip(names, values, strict=True))))
        ).first()
        if found is not None:
            shown = ", ".join(f"{n} {v!r}" for n, v in zip(names, values, strict=True))
            return f"conflicting key: {described}: {info.name} already has a record with {shown}"
    return f"{described} is refused by the database: {first_line(exc)}"


@dataclass
class _Deferred:
    """A self-reference set after the table is loaded (the row it names comes later)."""

    key: Row
    column: str
    value: Any
    described: str


class Loader:
    """Inserts one table's rows in batches, each batch in a savepoint.

    When the database refuses a batch, the rows are tried one by one to find the record to
    name (:func:`explain_refusal`). A reference to a row of the same table that comes later in
    primary-key order (a statute's act, numbered after its section) is inserted as NULL and set
    when the table is complete.

    With a ``verifier``, every row is first held to the rules of :mod:`timeline.integrity`
    (its spans against its document's text, stored by then): the first row that breaks one
    stops the load with an error that names it, before the database sees it.
    """

    def __init__(
        self,
        connection: Connection,
        info: TableInfo,
        *,
        batch: int = BATCH,
        verifier: RowVerifier | None = None,
    ) -> None:
        self.connection = connection
        self.info = info
        self.batch_size = batch
        self.verifier = verifier
        self.pending: list[Row] = []
        self.deferred: list[_Deferred] = []
        self.count = 0
        single = info.primary_key[0] if len(info.primary_key) == 1 else None
        # A self-reference to the primary key can point backwards (already inserted) or
        # forwards; to any other column, it is always set afterwards.
        self._self_links = [(link.column, link.target_column == single) for link in info.self_links]

    def add(self, row: Row, shown: Row | None = None) -> None:
        """Queue ``row``; ``shown`` is how the file has it, when a merge changed its ids."""
        if self.verifier is not None:
            self._verify(row, row if shown is None else shown)
        for column, by_key in self._self_links:
            value = row.get(column)
            if value is None:
                continue
            own = row[self.info.primary_key[0]] if by_key else None
            if not by_key or own is None or value >= own:
                self.defer(row, column, value)
                row = {**row, column: None}
        self.pending.append(row)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def _verify(self, row: Row, shown: Row) -> None:
        assert self.verifier is not None
        causes = self.verifier.causes(self.info, row)
        if causes:
            name = record_name(self.connection, self.info, row, shown)
            raise ImportFileError(f"{name}: {causes[0]}")

    def defer(self, row: Row, column: str, value: Any) -> None:
        key = {name: row[name] for name in self.info.primary_key}
        self.deferred.append(_Deferred(key, column, value, describe_record(self.info, row)))

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        statement = self.info.table.insert()
        savepoint = self.connection.begin_nested()
        try:
            self.connection.execute(statement, rows)
        except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
            savepoint.rollback()
            self._find_refused(rows, exc)
        else:
            savepoint.commit()
        self.count += len(rows)

    def _find_refused(self, rows: list[Row], batch_error: Exception) -> None:
        statement = self.info.table.insert()
        for row in rows:
            savepoint = self.connection.begin_nested()
            try:
                self.connection.execute(statement, row)
            except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
                savepoint.rollback()
                raise ImportFileError(
                    explain_refusal(self.connection, self.info, row, exc)
                ) from exc
            savepoint.commit()
        raise ImportFileError(
            f"table {self.info.name}: the database refused a batch of rows: "
            f"{first_line(batch_error)}"
        ) from batch_error

    def finish(self) -> int:
        """Flush the last batch and set the deferred self-references; returns rows inserted."""
        self.flush()
        table = self.info.table
        for item in self.deferred:
            condition = and_(*(table.c[n] == v for n, v in item.key.items()))
            savepoint = self.connection.begin_nested()
            try:
                self.connection.execute(
                    update(table).where(condition).values({item.column: item.value})
                )
            except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
                savepoint.rollback()
                row = {**item.key, item.column: item.value}
                message = explain_refusal(self.connection, self.info, row, exc)
                raise ImportFileError(
                    message.replace(describe_record(self.info, row), item.described, 1)
                ) from exc
            savepoint.commit()
        self.deferred = []
        return self.count


def copy_rows(
    connection: Connection, info: TableInfo, rows: Iterable[Row], tick: Tick | None = None
) -> int:
    """Insert rows (typed values, primary-key order) into an empty table; returns how many."""
    loader = Loader(connection, info)
    pending = 0
    for row in rows:
        loader.add(row)
        pending += 1
        if tick is not None and pending == loader.batch_size:
            tick(pending)
            pending = 0
    count = loader.finish()
    if tick is not None and pending:
        tick(pending)
    return count


# --- reading the file ----------------------------------------------------------------------------


class _CountingReader:
    """A binary stream that counts the bytes read from it (for progress and error offsets),
    and refuses a lone surrogate escape (``\\ud800``), which the C parser would turn into
    ``?`` without a word."""

    def __init__(self, raw: IO[bytes], tick: Tick | None, name: str = "-") -> None:
        self.raw = raw
        self.tick = tick
        self.name = name
        self.offset = 0
        self.carry = b""  # the end of the last read, where an escape may continue
        self.paired: set[int] = set()  # offsets of low surrogates that follow a high one

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._scan(data, final=not data)
        self.offset += len(data)
        if self.tick is not None and data:
            self.tick(len(data))
        return data

    def _scan(self, data: bytes, final: bool) -> None:
        base = self.offset - len(self.carry)
        buffer = self.carry + data
        limit = len(buffer) if final else max(0, len(buffer) - _PAIR)
        for found in _SURROGATE_ESCAPE.finditer(buffer):
            start = found.start(2) - 2  # the backslash of the escape
            if start >= limit:
                break
            if len(found.group(1)) % 2 == 0 or base + start in self.paired:
                continue  # an escaped backslash and the letter u; or a pair's second half
            if found.group(2)[1] in b"89abAB" and _LOW_ESCAPE.match(buffer, found.end()):
                self.paired.add(base + found.end())
                continue
            raise ImportFileError(
                f"'{self.name}': the lone surrogate {found.group(0)[-6:].decode()} at byte "
                f"{base + start} is not a character (a JSON surrogate escape needs its pair)"
            )
        self.carry = buffer[limit:]
        self.paired = {offset for offset in self.paired if offset >= base + limit}


_PAIR = 12  # bytes of an escaped surrogate pair
_SURROGATE_ESCAPE = re.compile(rb"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_LOW_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


_SCALARS = frozenset(("string", "number", "boolean", "null"))


class _Converter:
    """Checks a row object of the file against its table and turns it into typed values."""

    def __init__(self, info: TableInfo) -> None:
        self.info = info
        self.columns = [(c, column_kind(c), c.nullable, _length(c)) for c in info.columns]
        self.names = frozenset(info.column_names)
        self.previous: tuple[Any, ...] | None = None

    def convert(self, raw: Mapping[str, Any], number: int) -> Row:
        info = self.info
        unknown = [name for name in raw if name not in self.names]
        if unknown:
            raise ImportFileError(
                f"{self._where(raw, number)}: unknown column {unknown[0]!r} "
                f"(table {info.name} has {', '.join(info.column_names)})"
            )
        row: Row = {}
        for column, kind, nullable, length in self.columns:
            name = column.name
            value = raw.get(name)
            if value is None:
                if not nullable:
                    raise ImportFileError(
                        f"{self._where(raw, number)}: missing required value for {name!r}"
                    )
                row[name] = None
                continue
            row[name] = self._typed(raw, number, name, kind, length, value)
            # Before the driver sees it: a number past the column's range, a NUL or a lone
            # surrogate is refused by one backend, mangled or stored by the other.
            problem = value_problem(column, row[name])
            if problem is not None:
                raise ImportFileError(f"{self._where(raw, number)}: {problem}")
        key = tuple(row[name] for name in info.primary_key)
        if self.previous is not None and key <= self.previous:
            what = "repeats the primary key" if key == self.previous else "is out of order"
            raise ImportFileError(
                f"{self._where(raw, number)}: {what} "
                f"(rows must come in increasing {', '.join(info.primary_key)} order)"
            )
        self.previous = key
        return row

    def _typed(
        self,
        raw: Mapping[str, Any],
        number: int,
        name: str,
        kind: str,
        length: int | None,
        value: Any,
    ) -> Any:
        ok = True
        if kind == "integer":
            ok = type(value) is int
        elif kind == "boolean":
            ok = type(value) is bool
        elif kind == "string":
            ok = isinstance(value, str)
            if ok and length is not None and len(value) > length:
                raise ImportFileError(
                    f"{self._where(raw, number)}: {name!r} is longer than {length} characters"
                )
        elif kind in ("date", "datetime"):
            parse = dt.date.fromisoformat if kind == "date" else dt.datetime.fromisoformat
            try:
                if not isinstance(value, str) or (kind == "date" and len(value) != 10):
                    raise ValueError(value)
                return parse(value)
            except ValueError:
                ok = False
        if not ok:
            raise ImportFileError(
                f"{self._where(raw, number)}: {name!r} should be "
                f"{_KIND_WORDS.get(kind, kind)}, not {json.dumps(value, default=str)}"
            )
        return value

    def _where(self, raw: Mapping[str, Any], number: int) -> str:
        return f"record {number} of table {self.info.name} ({identity(self.info, raw)})"


_KIND_WORDS = {
    "integer": "an integer",
    "boolean": "true or false",
    "string": "a string",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date and time (ISO 8601)",
}


def _length(column: Any) -> int | None:
    return getattr(column.type, "length", None) if column_kind(column) == "string" else None


class _Sink:
    """Where the reader sends each table's checked rows."""

    def begin_table(self, info: TableInfo) -> None: ...

    def row(self, row: Row) -> None: ...

    def end_table(self) -> None: ...


class _Reader:
    """Walks the JSON events of an export and sends every table's rows to a sink, checking the
    structure, the header and every row as it goes."""

    HEADER = ("format", "format_version", "schema_revision")

    def __init__(self, stream: _CountingReader, name: str) -> None:
        self.stream = stream
        self.name = name
        self.header: dict[str, Any] = {}
        self.known = table_map()
        self.context = "at the start of the file"
        self.position: tuple[TableInfo, int, Row] | None = None  # the last record read
        self.events: Iterator[tuple[str, Any]] = iter(())

    # events

    def _next(self) -> tuple[str, Any]:
        try:
            return next(self.events)
        except StopIteration:
            raise self._truncated() from None
        except ijson.common.IncompleteJSONError as exc:
            if "premature EOF" in str(exc) or "Incomplete JSON" in str(exc):
                raise self._truncated() from exc
            raise self._malformed(exc) from exc
        except ijson.common.JSONError as exc:
            raise self._malformed(exc) from exc

    @property
    def where(self) -> str:
        if self.position is None:
            return self.context
        info, number, raw = self.position
        return f"{self.context}, after record {number} of table {info.name} ({identity(info, raw)})"

    def _truncated(self) -> ImportFileError:
        if self.stream.offset == 0:
            return ImportFileError(f"'{self.name}' is empty: a json export is one JSON document")
        return ImportFileError(
            f"'{self.name}' is truncated: it ends at byte {self.stream.offset}, {self.where}"
        )

    def _malformed(self, exc: Exception) -> ImportFileError:
        if "trailing garbage" in str(exc):
            return ImportFileError(
                f"'{self.name}' is not valid JSON: there is more data after the end of the document"
            )
        reason = first_line(exc).strip(" .")
        if reason.startswith("b'") or reason.startswith('b"'):  # yajl's bytes message
            reason = reason[2:].split("\\n")[0]
        offset = self._error_offset()
        at = f" at byte {offset}" if offset is not None else ""
        return ImportFileError(f"'{self.name}' is not valid JSON{at} ({reason}), {self.where}")

    def _error_offset(self) -> int | None:
        """The byte where the JSON breaks: found again with ijson's Python parser, which counts
        characters, when the file can be read again."""
        raw = self.stream.raw
        try:
            if not raw.seekable():
                return None
            raw.seek(0)
            from ijson.backends import python as slow

            for _ in slow.basic_parse(raw):
                pass
        except Exception as exc:
            position = str(exc).rsplit(" at ", 1)
            if len(position) == 2 and position[1].isdigit():
                raw.seek(0)
                prefix = raw.read(int(position[1]) * 4)
                return len(prefix.decode("utf-8", "replace")[: int(position[1])].encode())
        return None

    def _expect(self, wanted: str, what: str) -> Any:
        kind, value = self._next()
        if kind != wanted:
            raise ImportFileError(f"'{self.name}': expected {what}, {self.where}")
        return value

    def _value(self) -> Any:
        builder = ijson.ObjectBuilder()
        depth = 0
        while True:
            kind, value = self._next()
            builder.event(kind, value)
            if kind in ("start_map", "start_array"):
                depth += 1
            elif kind in ("end_map", "end_array"):
                depth -= 1
            if depth == 0:
                return builder.value

    # structure

    def read(self, sink: _Sink) -> None:
        self.events = ijson.basic_parse(self.stream, buf_size=READ_SIZE, use_float=False)
        kind, _ = self._next()
        if kind != "start_map":
            raise ImportFileError(f"'{self.name}' is not a timeline json export (not an object)")
        while True:
            kind, value = self._next()
            if kind == "end_map":
                break
            if value == "tables":
                self._check_header()
                self._tables(sink)
            elif value in self.HEADER:
                self.context = f"in the header field {value!r}"
                self.header[value] = self._value()
            else:
                self.context = f"in the field {value!r}"
                self._value()
        if "tables" not in self.header:
            self._check_header()
            raise ImportFileError(f"'{self.name}' has no tables")
        self.context = "after the end of the document"
        try:
            extra = next(self.events, None)  # ijson raises on anything after the document
        except ijson.common.JSONError as exc:
            raise self._malformed(exc) from exc
        if extra is not None:
            raise ImportFileError(f"'{self.name}' has more data after the end of the document")

    def _check_header(self) -> None:
        header = self.header
        fmt = header.get("format")
        if fmt != JSON_FORMAT:
            got = f"format {fmt!r}" if fmt is not None else "no format field"
            raise ImportFileError(
                f"'{self.name}' is not a timeline json export ({got}; "
                f"expected {JSON_FORMAT!r}, written by 'timeline export json')"
            )
        version = header.get("format_version")
        if version != FORMAT_VERSION:
            raise ImportFileError(
                f"'{self.name}' is format version {version!r}; this timeline reads version "
                f"{FORMAT_VERSION}"
            )
        revision = header.get("schema_revision")
        expected = head_revision()
        if revision != expected:
            raise ImportFileError(
                f"'{self.name}' was exported at schema revision {revision!r}, but this timeline "
                f"is at revision {expected!r}; import it with the timeline version that wrote "
                f"it, or export it again"
            )
        header["tables"] = True

    def _tables(self, sink: _Sink) -> None:
        self.context = "in 'tables'"
        self._expect("start_map", "an object of tables")
        seen: set[str] = set()
        while True:
            kind, name = self._next()
            if kind == "end_map":
                return
            info = self.known.get(name)
            if info is None:
                raise ImportFileError(
                    f"'{self.name}': unknown table {name!r} "
                    f"(the schema has {', '.join(self.known)})"
                )
            if name in seen:
                raise ImportFileError(f"'{self.name}': table {name!r} appears twice")
            missing = [
                link.target
                for link in info.links
                if link.target != name and link.target not in seen
            ]
            if missing:
                raise ImportFileError(
                    f"'{self.name}': table {name!r} comes before table {missing[0]!r}, which it "
                    "refers to; tables must come in dependency order"
                )
            seen.add(name)
            self.context = f"in table {name!r}"
            self.position = None
            try:
                self._table(info, sink)
            except ImportFileError as exc:
                if str(exc).startswith(f"'{self.name}'"):
                    raise
                raise ImportFileError(f"'{self.name}': {exc}") from exc.__cause__

    def _table(self, info: TableInfo, sink: _Sink) -> None:
        self._expect("start_map", f"an object for table {info.name!r}")
        while True:
            kind, field_name = self._next()
            if kind == "end_map":
                return
            if field_name == "rows":
                self._rows(info, sink)
            elif field_name == "columns":
                columns = self._value()
                unknown = (
                    [c for c in columns if c not in info.column_names]
                    if isinstance(columns, list)
                    else ["?"]
                )
                if unknown:
                    raise ImportFileError(
                        f"'{self.name}': unknown column {unknown[0]!r} in table {info.name!r} "
                        f"(it has {', '.join(info.column_names)})"
                    )
            elif field_name == "primary_key":
                key = self._value()
                if key != info.primary_key:
                    raise ImportFileError(
                        f"'{self.name}': table {info.name!r} has primary key {key!r} in the "
                        f"file, but {info.primary_key!r} in the schema"
                    )
            else:
                self._value()

    def _rows(self, info: TableInfo, sink: _Sink) -> None:
        self._expect("start_array", f"a list of rows for table {info.name!r}")
        converter = _Converter(info)
        sink.begin_table(info)
        number = 0
        while True:
            kind, _ = self._next()
            if kind == "end_array":
                break
            number += 1
            if kind != "start_map":
                raise ImportFileError(
                    f"'{self.name}': table {info.name!r}, record {number} is not an object"
                )
            raw: Row = {}
            while True:
                kind, column = self._next()
                if kind == "end_map":
                    break
                value_kind, value = self._next()
                if value_kind not in _SCALARS:
                    raise ImportFileError(
                        f"'{self.name}': table {info.name!r}, record {number}: column "
                        f"{column!r} holds a list or object, not a value"
                    )
                raw[column] = value
            sink.row(converter.convert(raw, number))
            self.position = (info, number, raw)
        sink.end_table()


# --- the two ways in -----------------------------------------------------------------------------


class _FreshSink(_Sink):
    """Into an empty database: every row as it is, ids kept."""

    def __init__(self, connection: Connection, summary: ImportSummary) -> None:
        self.connection = connection
        self.summary = summary
        self.verifier = RowVerifier(connection)
        self.loader: Loader | None = None

    def begin_table(self, info: TableInfo) -> None:
        self.loader = Loader(self.connection, info, verifier=self.verifier)

    def row(self, row: Row) -> None:
        assert self.loader is not None
        self.loader.add(row)

    def end_table(self) -> None:
        assert self.loader is not None
        self.summary.inserted[self.loader.info.name] += self.loader.finish()
        self.loader = None


def _content_hash(info: TableInfo, row: Row, skip: str | None) -> str:
    values = [row[name] for name in info.column_names if name != skip]
    return hashlib.sha256(ROW_ENCODER.encode(values).encode()).hexdigest()


class _MergeSink(_Sink):
    """Into a database that has records: match keyed records by key, add what is new.

    Every table with a unique ``key`` column is matched by key. A row of another table belongs
    to the keyed record its first non-null, cascading reference names (an event's sources and
    actors, a document's notes, an actor's aliases and offices); the rows a kept record owns
    must be the same in the file and the database. Rows of a table that belongs to no keyed
    record are kept when an identical row exists, else added.
    """

    def __init__(self, connection: Connection, summary: ImportSummary) -> None:
        self.connection = connection
        self.summary = summary
        self.verifier = RowVerifier(connection)
        self.infos = table_map()
        self.keyed = {name for name, info in self.infos.items() if info.key_column}
        self.ids: dict[str, dict[Any, Any]] = defaultdict(dict)  # file id -> database id
        self.kept: dict[str, set[Any]] = defaultdict(set)  # database ids of kept records
        self.next_id: dict[str, int] = {}
        self.info: TableInfo | None = None
        self.loader: Loader | None = None
        self.batch: list[Row] = []
        self.owner: Link | None = None
        self.children: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
        self.self_checks: list[tuple[Row, str, Any, str]] = []  # kept row, column, file id, who
        self.later: list[_Deferred] = []  # self-references of new rows, still as file ids

    # helpers

    def _new_id(self, info: TableInfo) -> int:
        name = info.name
        if name not in self.next_id:
            column = info.table.c[info.surrogate]
            top = self.connection.execute(select(func.max(column))).scalar()
            self.next_id[name] = (top or 0) + 1
        value = self.next_id[name]
        self.next_id[name] += 1
        return value

    def _map(self, info: TableInfo, row: Row) -> tuple[Row, list[tuple[str, Any]]]:
        """The row with references turned into database ids; self-references not yet known
        are returned apart, to be set when the table is complete."""
        mapped = dict(row)
        later: list[tuple[str, Any]] = []
        for link in info.links:
            value = row[link.column]
            target = self.infos[link.target]
            if value is None or link.target_column != target.surrogate:
                continue
            found = self.ids[link.target].get(value)
            if found is None:
                if link.target == info.name:
                    later.append((link.column, value))
                    mapped[link.column] = None
                    continue
                raise ImportFileError(
                    f"broken reference: {describe_record(info, row)} has {link.column} "
                    f"{value!r}, but the file has no {link.target} record with "
                    f"{link.target_column} {value!r}"
                )
            mapped[link.column] = found
        return mapped, later

    def _owner_link(self, info: TableInfo) -> Link | None:
        candidates = [
            link
            for link in info.links
            if link.target in self.keyed
            and link.target != info.name
            and not info.table.c[link.column].nullable
        ]
        cascading = [link for link in candidates if link.cascade]
        return (cascading or candidates or [None])[0]

    def _key_of(self, table: str, database_id: Any) -> Any:
        info = self.infos[table]
        assert info.key_column is not None and info.surrogate is not None
        return self.connection.execute(
            select(info.table.c[info.key_column]).where(info.table.c[info.surrogate] == database_id)
        ).scalar()

    # the sink

    def begin_table(self, info: TableInfo) -> None:
        self.info = info
        self.loader = Loader(self.connection, info, verifier=self.verifier)
        self.batch = []
        self.owner = None if info.key_column else self._owner_link(info)
        self.children = defaultdict(list)
        self.self_checks = []
        self.later = []

    def row(self, row: Row) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self._process()

    def _process(self) -> None:
        info, batch = self.info, self.batch
        assert info is not None
        self.batch = []
        if info.key_column:
            self._keyed(info, batch)
        elif self.owner is not None:
            self._owned(info, batch, self.owner)
        else:
            for row in batch:
                self._loose(info, row)

    def _insert(self, info: TableInfo, row: Row, mapped: Row, later: list[tuple[str, Any]]) -> None:
        assert self.loader is not None
        if info.surrogate is not None:
            mapped[info.surrogate] = self._new_id(info)
            self.ids[info.name][row[info.surrogate]] = mapped[info.surrogate]
        for column, value in later:
            key = {name: mapped[name] for name in info.primary_key}
            self.later.append(_Deferred(key, column, value, describe_record(info, row)))
        self.loader.add(mapped, row)
        self.summary.inserted[info.name] += 1

    def _keyed(self, info: TableInfo, batch: list[Row]) -> None:
        key_name = info.key_column
        assert key_name is not None and info.surrogate is not None
        key_column = info.table.c[key_name]
        keys = [row[key_name] for row in batch]
        existing = {
            found._mapping[key_name]: dict(found._mapping)
            for found in self.connection.execute(select(info.table).where(key_column.in_(keys)))
        }
        for row in batch:
            mapped, later = self._map(info, row)
            old = existing.get(row[key_name])
            if old is None:
                self._insert(info, row, mapped, later)
                continue
            skip = {info.surrogate} | {column for column, _ in later}
            differ = [
                name for name in info.column_names if name not in skip and mapped[name] != old[name]
            ]
            if differ:
                raise ImportFileError(
                    f"conflicting key: {info.name} {row[key_name]!r} is already in the database "
                    f"with a different {', '.join(differ)}"
                )
            self.ids[info.name][row[info.surrogate]] = old[info.surrogate]
            self.kept[info.name].add(old[info.surrogate])
            self.summary.kept[info.name] += 1
            for column, value in later:
                self.self_checks.append((old, column, value, f"{info.name} {row[key_name]!r}"))

    def _owned(self, info: TableInfo, batch: list[Row], owner: Link) -> None:
        kept = self.kept[owner.target]
        for row in batch:
            mapped, later = self._map(info, row)
            if mapped[owner.column] in kept:
                digest = _content_hash(info, mapped, info.surrogate)
                file_id = row[info.surrogate] if info.surrogate else None
                self.children[mapped[owner.column]].append((digest, file_id))
            else:
                self._insert(info, row, mapped, later)

    def _loose(self, info: TableInfo, row: Row) -> None:
        mapped, later = self._map(info, row)
        table = info.table
        same = [
            table.c[n].is_(None) if mapped[n] is None else table.c[n] == mapped[n]
            for n in info.column_names
            if n != info.surrogate
        ]
        pick = table.c[info.surrogate] if info.surrogate else literal(1)
        found = self.connection.execute(select(pick).where(and_(*same)).limit(1)).first()
        if found is None:
            self._insert(info, row, mapped, later)
            return
        if info.surrogate:
            self.ids[info.name][row[info.surrogate]] = found[0]
        self.summary.kept[info.name] += 1

    def end_table(self) -> None:
        info, loader = self.info, self.loader
        assert info is not None and loader is not None
        self._process()
        own_ids = self.ids[info.name]
        for item in self.later:  # self-references of new rows: file ids to database ids
            found = own_ids.get(item.value)
            if found is None:
                raise ImportFileError(
                    f"broken reference: {item.described} has {item.column} {item.value!r}, "
                    f"but the file has no {info.name} record with that id"
                )
            item.value = found
            loader.deferred.append(item)
        loader.finish()
        for old, column, value, who in self.self_checks:
            if own_ids.get(value) != old[column]:
                raise ImportFileError(
                    f"conflicting key: {who} is already in the database with a different {column}"
                )
        if self.owner is not None:
            self._compare_children(info, self.owner)
        self.info = self.loader = None

    def _compare_children(self, info: TableInfo, owner: Link) -> None:
        """The rows of kept records must be the same rows in the file and in the database."""
        kept = self.kept[owner.target]
        if not kept:
            return
        stored: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
        names = info.column_names
        for values in stream_rows(self.connection, info):
            row = dict(zip(names, values, strict=True))
            if row[owner.column] in kept:
                database_id = row[info.surrogate] if info.surrogate else None
                stored[row[owner.column]].append(
                    (_content_hash(info, row, info.surrogate), database_id)
                )
        for parent in sorted(kept):
            mine, theirs = sorted(self.children.get(parent, [])), sorted(stored.get(parent, []))
            if [d for d, _ in mine] != [d for d, _ in theirs]:
                raise ImportFileError(
                    f"conflicting key: {owner.target} {self._key_of(owner.target, parent)!r} is "
                    f"already in the database with different {info.name} rows"
                )
            if info.surrogate:
                for (_, file_id), (_, database_id) in zip(mine, theirs, strict=True):
                    self.ids[info.name][file_id] = database_id
            self.summary.kept[info.name] += len(mine)


# --- entry point ---------------------------------------------------------------------------------


def _has_rows(connection: Connection) -> bool:
    for info in tables():
        if connection.execute(select(literal(1)).select_from(info.table).limit(1)).first():
            return True
    return False


@contextlib.contextmanager
def _open_source(source: Path | BinaryIO) -> Iterator[tuple[IO[bytes], str]]:
    if isinstance(source, Path):
        try:
            handle = source.open("rb")
        except OSError as exc:
            raise ImportFileError(f"cannot read '{source}': {exc.strerror or exc}") from exc
        with handle:
            yield handle, str(source)
        return
    name = getattr(source, "name", None)
    yield source, name if isinstance(name, str) and name != "<stdin>" else "-"


def file_size(source: Path | BinaryIO) -> int | None:
    """The size of an import file in bytes (progress is counted in bytes read), if known."""
    if isinstance(source, Path):
        try:
            return source.stat().st_size
        except OSError:
            return None
    return None


def import_file(
    database: Database,
    source: Path | BinaryIO,
    *,
    merge: bool = False,
    tick: Tick | None = None,
) -> ImportSummary:
    """Load a `json` export into ``database`` in one transaction (see the module's doc)."""
    state = database.state()
    if state not in (SchemaState.CURRENT, SchemaState.MISSING, SchemaState.EMPTY):
        database.require_current(state)  # older, newer, half-made or foreign: say which
    created = state is SchemaState.MISSING and database.sqlite_path is not None
    try:
        with (
            _open_source(source) as (raw, name),
            write_transaction(database) as connection,
        ):
            fresh = state in (SchemaState.MISSING, SchemaState.EMPTY)
            if fresh:
                command.upgrade(alembic_config(connection), "head")
            elif _has_rows(connection):
                if not merge:
                    raise ImportFileError(
                        f"database '{database.name}' already has records; use --merge to add "
                        "the records whose keys it does not hold, or import into an empty "
                        "database"
                    )
            else:
                fresh = True
            summary = ImportSummary(database.name, merged=not fresh)
            sink = _FreshSink(connection, summary) if fresh else _MergeSink(connection, summary)
            # A new database gets its full-text index built once, after the rows (SQLite).
            with index_once(connection) if fresh else contextlib.nullcontext():
                _Reader(_CountingReader(raw, tick, name), name).read(sink)
            _verify_tables(connection, name)
            reset_sequences(connection)
    except BaseException:
        if created:
            database.dispose()
            _remove_sqlite(database.sqlite_path)
        raise
    return summary


def _verify_tables(connection: Connection, name: str) -> None:
    """What only whole tables show (a cycle of statute parents, an event without a quote)."""
    for info in tables():
        for problem in table_problems(connection, info):
            raise ImportFileError(f"'{name}': {problem}")


def _remove_sqlite(path: Path | None) -> None:
    if path is None:
        return
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            candidate.unlink()
