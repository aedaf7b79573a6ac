"""The `sql` export: INSERT statements that recreate the data, for SQLite or PostgreSQL.

The dump holds data only, no schema: it is loaded into a database that `timeline init` made
(the migrations create the tables, views, search index and the triggers that fill the index as
the rows go in). Tables come in dependency order and rows in primary-key order, one statement a
line, all between BEGIN and COMMIT, so a failed load changes nothing. A reference to a row of the
same table that comes later (a section's act numbered after it) is inserted as NULL and set by an
UPDATE once the table is in. The PostgreSQL dump ends by moving the id sequences past the ids it
inserted. Literals are written by this module, the same for every backend the data comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy.orm import Session

from timeline.db import head_revision
from timeline.export.tables import FORMAT_VERSION, TableInfo, stream_rows, tables, ticking


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any, dialect: str) -> str:
    """A SQL literal for a value of the database: NULL, a number, a boolean, a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        if dialect == "postgresql":
            return "TRUE" if value else "FALSE"
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return "'" + value.isoformat(sep=" ") + "'"
    if isinstance(value, dt.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a string with a NUL character cannot be written as SQL")
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"cannot write a {type(value).__name__} value as SQL")


def _header(dialect: str) -> str:
    revision = head_revision()
    if dialect == "postgresql":
        load = [
            "--   timeline --db postgresql://USER:PASSWORD@HOST/NEWDB init",
            "--   psql -v ON_ERROR_STOP=1 -f dump.sql postgresql://USER:PASSWORD@HOST/NEWDB",
        ]
    else:
        load = [
            "--   timeline --db new.db init",
            "--   sqlite3 new.db < dump.sql",
        ]
    lines = [
        f"-- timeline SQL dump, format version {FORMAT_VERSION}, for {dialect}.",
        f"-- The data of a timeline database at schema revision {revision}, without the schema:",
        "-- load it into an empty database that `timeline init` created at the same revision,",
        *load,
        "-- It runs in one transaction: if any statement fails, nothing is loaded.",
        "",
    ]
    if dialect == "postgresql":
        lines += ["SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;"]
    lines.append("BEGIN;")
    return "\n".join(lines) + "\n"


def _self_links(info: TableInfo) -> list[tuple[int, int | None]]:
    """(column index, index of the primary key it refers to, or None) for self-references."""
    names = info.column_names
    single = info.primary_key[0] if len(info.primary_key) == 1 else None
    return [
        (names.index(link.column), names.index(single) if link.target_column == single else None)
        for link in info.self_links
        if single is not None
    ]


def _sequences(dialect: str) -> list[str]:
    """PostgreSQL: move every id sequence past the ids the dump inserted (quietly, in psql)."""
    if dialect != "postgresql":
        return []
    lines = ["DO $$\nBEGIN\n"]
    for info in tables():
        if info.surrogate is None:
            continue
        table, column = quote_identifier(info.name), quote_identifier(info.surrogate)
        lines.append(
            f"  PERFORM setval(pg_get_serial_sequence('{info.name}', '{info.surrogate}'), "
            f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false);\n"
        )
    lines.append("END\n$$;\n")
    return lines


def write_sql(
    session: Session, out: TextIO, tick: Callable[[int], None], *, dialect: str = "sqlite"
) -> None:
    """Write the data as a SQL script for ``dialect`` (sqlite or postgresql)."""
    connection = session.connection()
    out.write(_header(dialect))
    for info in tables():
        names = info.column_names
        prefix = (
            f"INSERT INTO {quote_identifier(info.name)} "
            f"({', '.join(quote_identifier(n) for n in names)}) VALUES ("
        )
        self_links = _self_links(info)
        later: list[str] = []
        for row in ticking(stream_rows(connection, info), tick):
            values = list(row)
            for column, key in self_links:
                value = values[column]
                if value is None or (key is not None and value < values[key]):
                    continue
                where = " AND ".join(
                    f"{quote_identifier(n)} = {literal(values[names.index(n)], dialect)}"
                    for n in info.primary_key
                )
                later.append(
                    f"UPDATE {quote_identifier(info.name)} SET {quote_identifier(names[column])}"
                    f" = {literal(value, dialect)} WHERE {where};\n"
                )
                values[column] = None
            out.write(prefix + ", ".join(literal(v, dialect) for v in values) + ");\n")
        out.writelines(later)
    out.writelines(_sequences(dialect))
    out.write("COMMIT;\n")
