"""Holding a database's records to the rules of :mod:`timeline.integrity`.

:func:`check_database` walks a whole database (`timeline check`), a table at a time with a
streaming cursor, a document's text fetched once for all the spans that point into it. The same
rules run in `timeline import` through :class:`RowVerifier` (each record as it is inserted) and
:func:`table_problems` (what only a whole table shows: a cycle of statute parents, an event
without a quote), inside the import's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, and_, exists, select, type_coerce
from sqlalchemy.engine import Connection

from timeline.db import Database
from timeline.description_rule import unquoted_message, unquoted_sentences
from timeline.export.tables import (
    READ_BATCH,
    TableInfo,
    describe_record,
    identity,
    snapshot,
    table_map,
    tables,
)
from timeline.integrity import (
    TEXT_TABLES,
    CheckedRow,
    row_problems,
    span_problems,
    statute_cycle,
)

Row = Mapping[str, Any]

# How a record names the record it belongs to: event_sources id 7 (event '1961-…').
_OWNER_WORDS = {
    "events": "event",
    "documents": "document",
    "actors": "actor",
    "statutes": "statute",
    "external_sources": "source",
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TEXTS_KEPT = 8  # documents whose texts an import keeps at hand (its quotes cluster by document)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record."""

    record: str
    cause: str
    warning: bool = False  # for the curator to look at; the record is consistent

    def __str__(self) -> str:
        return f"{'warning: ' if self.warning else ''}{self.record}: {self.cause}"


def record_name(connection: Connection, info: TableInfo, row: Row, shown: Row | None = None) -> str:
    """``events '1961-…' (id 12)``, or ``event_sources id 7 (event '1961-…')``.

    ``shown`` is the row as its reader knows it (an import file's ids, before a merge maps them);
    the record it belongs to is looked up with ``row``, the stored one.
    """
    shown = row if shown is None else shown
    if info.key_column and shown.get(info.key_column) is not None:
        return describe_record(info, shown)
    if info.surrogate is not None:
        name = f"{info.name} id {shown.get(info.surrogate)!r}"
    else:
        name = f"{info.name} ({identity(info, shown)})"
    owner = _owner(connection, info, row)
    return f"{name} ({owner})" if owner else name


def _owner(connection: Connection, info: TableInfo, row: Row) -> str | None:
    all_tables = table_map()
    links = [
        link
        for link in info.links
        if link.target in _OWNER_WORDS and link.target != info.name and row.get(link.column)
    ]
    links.sort(key=lambda link: not link.cascade)  # the record it belongs to, first
    for link in links:
        target = all_tables[link.target]
        key = connection.execute(
            select(target.table.c.key).where(target.table.c[link.target_column] == row[link.column])
        ).scalar()
        if key is not None:
            return f"{_OWNER_WORDS[link.target]} {key!r}"
    return None


class RowVerifier:
    """Checks rows as they are stored, fetching each document's text from ``connection``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.texts: OrderedDict[Any, str | None] = OrderedDict()
        self.documents = table_map()["documents"].table

    def text(self, document_id: Any) -> str | None:
        if document_id in self.texts:
            self.texts.move_to_end(document_id)
            return self.texts[document_id]
        found = self.connection.execute(
            select(self.documents.c.text).where(self.documents.c.id == document_id)
        ).scalar()
        self.texts[document_id] = found if isinstance(found, str) else None
        if len(self.texts) > TEXTS_KEPT:
            self.texts.popitem(last=False)
        return self.texts[document_id]

    typed = False  # whether the rows' values come from the import's Converter, checked there

    def causes(self, info: TableInfo, row: Row) -> list[str]:
        """What is wrong with the row: its own values first, then its spans."""
        found = (
            [] if row.__class__ is CheckedRow else list(row_problems(info, row, typed=self.typed))
        )
        if found or info.name not in TEXT_TABLES:
            return found
        text = self.text(row.get("document_id")) if row.get("document_id") is not None else None
        if text is not None:
            found.extend(span_problems(info, row, text))
        return found


# --- what only a whole table shows --------------------------------------------------------------


def table_problems(connection: Connection, info: TableInfo) -> Iterator[Problem]:
    """Problems of a table as a whole, once its rows are all stored."""
    if info.name == "statutes":
        yield from _statute_cycles(connection, info)
    elif info.name == "event_sources":
        yield from _events_without_sources(connection)


def _statute_cycles(connection: Connection, info: TableInfo) -> Iterator[Problem]:
    table = info.table
    # ids only: a few integers a statute, even for a large statute book
    parents: dict[int, int | None] = {
        statute_id: parent
        for statute_id, parent in connection.execute(select(table.c.id, table.c.parent_id))
    }
    reported: set[int] = set()
    for statute_id in sorted(parents):
        cycle = statute_cycle(parents, statute_id)
        if cycle is None or reported.intersection(cycle) or len(cycle) == 1:
            continue  # a statute that is its own parent is a problem of its row
        reported.update(cycle)
        first = min(cycle)
        order = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
        keys = dict(
            connection.execute(select(table.c.id, table.c.key).where(table.c.id.in_(cycle))).all()
        )
        chain = " → ".join(repr(keys[i]) for i in order)
        yield Problem(
            describe_record(info, {"key": keys[first], "id": first}),
            f"its parents run in a cycle: {chain}",
        )


def _events_without_sources(connection: Connection) -> Iterator[Problem]:
    infos = table_map()
    events, sources = infos["events"], infos["event_sources"].table
    query = (
        select(events.table.c.id, events.table.c.key)
        .where(~exists().where(sources.c.event_id == events.table.c.id))
        .order_by(events.table.c.id)
    )
    for event_id, key in connection.execute(query):
        yield Problem(
            describe_record(events, {"id": event_id, "key": key}),
            "has no event_sources: every event cites a passage of a document",
        )


def dangling_references(connection: Connection, info: TableInfo) -> Iterator[Problem]:
    """References to records that do not exist (SQLite with foreign keys off lets them in)."""
    all_tables = table_map()
    for link in info.links:
        target = all_tables[link.target].table.alias("target")
        column = info.table.c[link.column]
        query = (
            select(info.table)
            .select_from(info.table.outerjoin(target, column == target.c[link.target_column]))
            .where(and_(column.is_not(None), target.c[link.target_column].is_(None)))
            .order_by(*info.order_by(connection.dialect.name))
        )
        for found in connection.execute(query):
            row = found._mapping
            yield Problem(
                record_name(connection, info, row),
                f"{link.column} {row[link.column]!r} names no {link.target} record",
            )


# --- the whole database -------------------------------------------------------------------------


@dataclass
class CheckSummary:
    records: int = 0
    problems: int = 0
    warnings: int = 0


def _typed(info: TableInfo, sqlite: bool) -> tuple[list[Any], dict[str, str]]:
    """The columns to select; on SQLite, dates and booleans raw (a hand edit can put anything
    there, which SQLAlchemy's converters would raise on)."""
    columns: list[Any] = []
    raw: dict[str, str] = {}
    for column in info.columns:
        if sqlite and isinstance(column.type, Date | Boolean):
            raw[column.name] = "date" if isinstance(column.type, Date) else "boolean"
            kind = String() if isinstance(column.type, Date) else Integer()
            columns.append(type_coerce(column, kind).label(column.name))
        else:
            columns.append(column)
    return columns, raw


def _convert(row: Mapping[str, Any], raw: dict[str, str]) -> dict[str, Any]:
    values = dict(row)
    for name, kind in raw.items():
        value = values[name]
        if kind == "date" and isinstance(value, str) and _ISO_DATE.fullmatch(value):
            with contextlib.suppress(ValueError):
                values[name] = dt.date.fromisoformat(value)
        elif kind == "boolean" and value in (0, 1) and type(value) is int:
            values[name] = bool(value)
    return values


def _stream(connection: Connection, info: TableInfo) -> Iterator[dict[str, Any]]:
    sqlite = connection.dialect.name == "sqlite"
    columns, raw = _typed(info, sqlite)
    order = info.order_by(connection.dialect.name)
    if info.name in TEXT_TABLES:  # a document's spans together: its text is fetched once
        order = [info.table.c.document_id, *order]
    query = select(*columns).order_by(*order).execution_options(yield_per=READ_BATCH)
    result = connection.execute(query)
    with contextlib.closing(result):
        for found in result:
            yield _convert(found._mapping, raw)


def check_rows(connection: Connection, summary: CheckSummary) -> Iterator[Problem]:
    """Every problem of every record, table by table; counts the records in ``summary``."""
    verifier = RowVerifier(connection)
    for info in tables():
        for row in _stream(connection, info):
            summary.records += 1
            for cause in verifier.causes(info, row):
                yield Problem(record_name(connection, info, row), cause)
        yield from dangling_references(connection, info)
        yield from table_problems(connection, info)


@contextlib.contextmanager
def _lenient_text(connection: Connection) -> Iterator[None]:
    """SQLite: text that is not UTF-8 (a hand edit can store any bytes) read with the bad bytes
    as lone surrogates, which the rules report, instead of an error that stops the check."""
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    before = dbapi.text_factory  # type: ignore[union-attr]
    dbapi.text_factory = lambda data: data.decode("utf-8", "surrogateescape")  # type: ignore[union-attr]
    try:
        yield
    finally:
        dbapi.text_factory = before  # type: ignore[union-attr]


def check_database(database: Database, summary: CheckSummary) -> Iterator[Problem]:
    """Every problem in ``database``, read in one consistent snapshot (see `timeline check`)."""
    with snapshot(database) as connection, _lenient_text(connection):
        for problem in check_rows(connection, summary):
            summary.problems += 1
            yield problem
        for warning in description_warnings(connection):
            summary.warnings += 1
            yield warning


def description_warnings(connection: Connection) -> Iterator[Problem]:
    """Events whose description has words in none of their quotes, outside its ``[…]``
    (:mod:`timeline.description_rule`), a batch of events at a time."""
    infos = table_map()
    events = infos["events"].table
    sources, links = infos["event_sources"].table, infos["event_actors"].table
    actors, aliases = infos["actors"].table, infos["actor_aliases"].table
    readings = infos["document_readings"].table
    damage = [
        (r.text, r.reading) for r in connection.execute(select(readings.c.text, readings.c.reading))
    ]
    query = select(events.c.id, events.c.key, events.c.description, events.c.date_text).order_by(
        events.c.id
    )
    rows = connection.execute(query).all()
    for first in range(0, len(rows), READ_BATCH):
        batch = rows[first : first + READ_BATCH]
        ids = [row.id for row in batch]
        quotes: dict[int, list[str]] = {i: [] for i in ids}
        for event_id, quote in connection.execute(
            select(sources.c.event_id, sources.c.quote)
            .where(sources.c.event_id.in_(ids))
            .order_by(sources.c.event_id, sources.c.position)
        ):
            quotes[event_id].append(quote)
        names: dict[int, list[str]] = {i: [] for i in ids}
        named = select(links.c.event_id, actors.c.name, aliases.c.alias).select_from(
            links.join(actors, actors.c.id == links.c.actor_id).outerjoin(
                aliases, aliases.c.actor_id == actors.c.id
            )
        )
        for event_id, name, alias in connection.execute(named.where(links.c.event_id.in_(ids))):
            names[event_id].extend(n for n in (name, alias) if n)
        for row in batch:
            if not quotes[row.id]:
                continue  # an event without a quote is a problem already (table_problems)
            also = [*names[row.id], *([row.date_text] if row.date_text else [])]
            also.extend(read for text, read in damage if any(text in q for q in quotes[row.id]))
            for found in unquoted_sentences(row.description, quotes[row.id], also):
                yield Problem(
                    describe_record(infos["events"], {"id": row.id, "key": row.key}),
                    unquoted_message(found),
                    warning=True,
                )
