"""The database as every exchange format sees it: the tables, their links, and typed values.

Generic over :data:`timeline.models.Base.metadata`: a table added to the models is exported and
imported without a change here. Search indexes and views are not in the metadata; they are
derived data that the database rebuilds (triggers) when rows are inserted, so no format carries
them.

Rows are read with Core selects ordered by primary key (string key columns in code-point order,
on PostgreSQL through the "C" collation, as SQLite's BINARY collation sorts), streamed from the
server in batches: memory does not grow with the size of the table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from timeline.db import Database
from timeline.key_order import code_point_order
from timeline.models import Base

FORMAT_VERSION = 1
BATCH = 1000  # rows between progress ticks
T = TypeVar("T")
READ_BATCH = 200  # rows fetched from the database at a time: bounds memory (a document's text)


@dataclass(frozen=True)
class Link:
    """A foreign key column and the column it refers to."""

    table: str
    column: str
    target: str
    target_column: str
    cascade: bool = False  # ON DELETE CASCADE: the row belongs to the record it refers to

    @property
    def source(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def destination(self) -> str:
        return f"{self.target}.{self.target_column}"

    def as_json(self) -> dict[str, str]:
        return {"from": self.source, "to": self.destination}


@dataclass(frozen=True, eq=False)
class TableInfo:
    """One table of the metadata, with what the exchange code asks of it."""

    table: Table

    @property
    def name(self) -> str:
        return self.table.name

    @cached_property
    def columns(self) -> list[Column[Any]]:
        return list(self.table.columns)

    @cached_property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @cached_property
    def primary_key(self) -> list[str]:
        return [c.name for c in self.table.primary_key.columns]

    @cached_property
    def surrogate(self) -> str | None:
        """The single integer primary key the database numbers (``id``), if the table has one."""
        column = self.table.autoincrement_column
        return column.name if column is not None else None

    @cached_property
    def key_column(self) -> str | None:
        """``key``, when the table has a unique ``key`` column: the stable key records merge on."""
        column = self.table.columns.get("key")
        if column is None:
            return None
        return "key" if ("key",) in self.unique_sets else None

    @cached_property
    def unique_sets(self) -> list[tuple[str, ...]]:
        """Column sets that must be unique: the primary key, then unique constraints."""
        sets = [tuple(self.primary_key)]
        for constraint in self.table.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            names = tuple(c.name for c in constraint.columns)
            if names and names not in sets:
                sets.append(names)
        for column in self.columns:
            if column.unique and (column.name,) not in sets:
                sets.append((column.name,))
        return sets

    @cached_property
    def links(self) -> list[Link]:
        """The table's foreign keys in column order, one :class:`Link` per column."""
        order = {name: i for i, name in enumerate(self.column_names)}
        found = [
            Link(
                self.name,
                fk.parent.name,
                fk.column.table.name,
                fk.column.name,
                (fk.ondelete or "").upper() == "CASCADE",
            )
            for fk in self.table.foreign_keys
        ]
        return sorted(found, key=lambda link: order[link.column])

    @cached_property
    def self_links(self) -> list[Link]:
        return [link for link in self.links if link.target == self.name]

    def order_by(self, dialect: str) -> list[ColumnElement[Any]]:
        """Primary-key order, the same on every backend (strings by code point)."""
        return [
            code_point_order(column, dialect) if isinstance(column.type, String) else column
            for column in self.table.primary_key.columns
        ]


def tables() -> list[TableInfo]:
    """Every table of the models, referenced tables before the tables that refer to them."""
    return [TableInfo(table) for table in Base.metadata.sorted_tables]


def table_map() -> dict[str, TableInfo]:
    return {info.name: info for info in tables()}


def links() -> list[Link]:
    return [link for info in tables() for link in info.links]


Processor = Callable[[Any], Any] | None
_CURSORS = itertools.count(1)  # server-side cursor names: unique in a session


def stream_rows(
    connection: Connection, info: TableInfo, batch: int = READ_BATCH
) -> Iterator[Sequence[Any]]:
    """The table's rows in primary-key order, values in column order, ``batch`` at a time.

    The values are the ones SQLAlchemy's own result would hold (its type processors applied:
    SQLite's stored dates and 0/1 booleans become ``date`` and ``bool``), read without its
    per-row machinery, which cost more than the database did.
    """
    for processors, chunk in raw_batches(connection, info, batch):
        steps = [(i, p) for i, p in enumerate(processors) if p is not None]
        if not steps:
            yield from chunk
            continue
        for row in chunk:
            values = list(row)
            for i, process in steps:
                values[i] = process(values[i])
            yield values


def raw_batches(
    connection: Connection, info: TableInfo, batch: int = READ_BATCH
) -> Iterator[tuple[list[Processor], list[Sequence[Any]]]]:
    """The table's rows in primary-key order as the driver returns them, ``batch`` at a time.

    Each list of rows comes with the column processors: one a column, turning the driver's
    value into SQLAlchemy's (``None`` where they are the same). The select runs on the driver's
    cursor of ``connection``, so it reads the same snapshot; on PostgreSQL the cursor is a
    server-side (named) one, so the server sends ``batch`` rows at a time and memory stays flat.
    """
    dialect = connection.dialect
    query = select(*info.columns).order_by(*info.order_by(dialect.name))
    sql = str(query.compile(dialect=dialect))
    driver: Any = connection.connection.driver_connection
    if dialect.name == "postgresql":
        cursor = driver.cursor(name=f"timeline_rows_{next(_CURSORS)}")
    else:
        cursor = driver.cursor()
    with contextlib.closing(cursor):
        cursor.execute(sql)
        processors: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(info.columns, cursor.description, strict=True)
        ]
        while chunk := cursor.fetchmany(batch):
            yield processors, chunk


def ticking(rows: Iterable[T], tick: Callable[[int], None], every: int = BATCH) -> Iterator[T]:
    """Pass ``rows`` through, telling ``tick`` the count every ``every`` rows and at the end."""
    pending = 0
    for row in rows:
        yield row
        pending += 1
        if pending == every:
            tick(pending)
            pending = 0
    if pending:
        tick(pending)


def count_rows(connection: Connection, info: TableInfo) -> int:
    return connection.execute(select(func.count()).select_from(info.table)).scalar_one()


@contextlib.contextmanager
def snapshot(database: Database, joining: str | None = None) -> Iterator[Connection]:
    """A read-only connection that sees one consistent state of the whole database.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: one read transaction (BEGIN
    before the first select), so a writer committing meanwhile does not show half-way.
    ``joining``: the state another transaction reads, as
    :func:`timeline.export.parallel.snapshot_token` gave it (a checked PostgreSQL snapshot id,
    or ``"sqlite"``: that transaction holds its SHARED lock, so this one reads the same).
    """
    database.require_current()
    with database.connect() as connection:
        if database.is_sqlite:
            if joining is not None:  # wait out a writer: it cannot commit while the lock holds
                connection.exec_driver_sql("PRAGMA busy_timeout = 600000")
            connection.exec_driver_sql("BEGIN")
            active = connection
        else:
            active = connection.execution_options(isolation_level="REPEATABLE READ")
            active.exec_driver_sql("SET TRANSACTION READ ONLY")
            if joining is not None:
                active.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{joining}'")
        try:
            yield active
        finally:
            active.rollback()


# --- values --------------------------------------------------------------------------------------


def json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write a {type(value).__name__} value to JSON")


ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=json_default)


def column_kind(column: Column[Any]) -> str:
    """integer | boolean | date | datetime | string | other: how a value is written and read."""
    kind = column.type
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, String):
        return "string"
    return "other"


def identity(info: TableInfo, row: Mapping[str, Any]) -> str:
    """What tells a record apart, for messages: ``key '…', id 12`` or its primary key."""
    if info.key_column and row.get(info.key_column) is not None:
        text = f"key {row[info.key_column]!r}"
        if info.surrogate and row.get(info.surrogate) is not None:
            text += f", {info.surrogate} {row[info.surrogate]!r}"
        return text
    return ", ".join(f"{name} {row.get(name)!r}" for name in info.primary_key)


def describe_record(info: TableInfo, row: Mapping[str, Any]) -> str:
    """A record as an error message names it: ``events '1961-…' (id 12)`` or by primary key."""
    if info.key_column and row.get(info.key_column) is not None:
        text = f"{info.name} {row[info.key_column]!r}"
        if info.surrogate and row.get(info.surrogate) is not None:
            text += f" ({info.surrogate} {row[info.surrogate]!r})"
        return text
    return f"{info.name} record ({identity(info, row)})"
