"""The `csv` export: one CSV file per table and a Frictionless Data Package describing them.

``datapackage.json`` follows the Data Package v1 specification (profile
``tabular-data-package``): each table is a tabular data resource whose Table Schema gives every
column's type (integer, string, date, boolean), whether it is required, its maximum length, the
primary key, the foreign keys, and ``missingValues`` (an empty cell is NULL). A historical date
is there twice, as in the database: its EDTF string, and its first and last possible days as
typed ``date`` bounds, each field with a description saying so. Validate it with
``frictionless validate datapackage.json``.

The CSV files are RFC 4180: UTF-8, a header row, comma-separated, fields quoted when they need
it, CRLF line ends. Booleans are ``true``/``false`` and dates ``YYYY-MM-DD``. An empty string
and NULL are both an empty cell (the timeline holds no empty strings).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from timeline.db import head_revision
from timeline.export.csvcopy import copy_table
from timeline.export.csvlines import Lines, line_maker
from timeline.export.parallel import write_tables
from timeline.export.tables import (
    FORMAT_VERSION,
    TableInfo,
    column_kind,
    raw_batches,
    table_map,
    tables,
)

FIELD_TYPES = {
    "integer": "integer",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "string": "string",
}

EDTF = (
    "The date in the Extended Date/Time Format (EDTF, ISO 8601-2, levels 0 and 1), as precise "
    "as the sources allow: 1961-02-26 (a day), 1961-02 (a month), 1951 (a year), 1945~ "
    "(approximate), 1956~/1961-02-26 (a range). {base}_start and {base}_end are the first and "
    "last day it can mean."
)
BOUND = (
    "The {which} day the date in {base}_edtf can mean, as a typed date for sorting and "
    "filtering ({open} stands for an open {side})."
)


def _description(info: TableInfo, column: Column[Any]) -> str | None:
    names = set(info.column_names)
    name = column.name
    parts = [column.comment] if column.comment else []
    for suffix in ("_edtf", "_start", "_end"):
        base = name.removesuffix(suffix)
        if name.endswith(suffix) and f"{base}_edtf" in names:
            if suffix == "_edtf":
                parts.append(EDTF.format(base=base))
            elif suffix == "_start":
                parts.append(
                    BOUND.format(which="first", base=base, open="0001-01-01", side="start")
                )
            else:
                parts.append(BOUND.format(which="last", base=base, open="9999-12-31", side="end"))
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def _field(info: TableInfo, column: Column[Any]) -> dict[str, Any]:
    kind = column_kind(column)
    field: dict[str, Any] = {"name": column.name, "type": FIELD_TYPES.get(kind, "any")}
    description = _description(info, column)
    if description:
        field["description"] = description
    if kind == "boolean":
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if (column.name,) in info.unique_sets[1:]:
        constraints["unique"] = True
    length = getattr(column.type, "length", None)
    if kind == "string" and length:
        constraints["maxLength"] = length
    if constraints:
        field["constraints"] = constraints
    return field


def _resource(info: TableInfo) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(info, column) for column in info.columns],
        "primaryKey": info.primary_key,
    }
    foreign_keys = [
        {
            "fields": [link.column],
            # Data Package v1: an empty resource name refers to the resource itself
            "reference": {
                "resource": "" if link.target == info.name else link.target,
                "fields": [link.target_column],
            },
        }
        for link in info.links
    ]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    schema["missingValues"] = [""]
    resource: dict[str, Any] = {
        "profile": "tabular-data-resource",
        "name": info.name,
        "path": f"{info.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {
            "delimiter": ",",
            "doubleQuote": True,
            "lineTerminator": "\r\n",
            "quoteChar": '"',
            "header": True,
        },
        "schema": schema,
    }
    if info.table.comment:
        resource["description"] = info.table.comment
    return resource


def package(infos: list[TableInfo]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": "timeline",
        "title": "Policy timeline: documents, events, actors and statutes",
        "description": (
            "Every table of a timeline database (documents with their full texts, events, the "
            "passages that support them, actors, statutes and the publications that confirm "
            "what the texts do not state), one CSV file per table. Written by "
            "`timeline export csv`."
        ),
        "timeline": {"format_version": FORMAT_VERSION, "schema_revision": head_revision()},
        "resources": [_resource(info) for info in infos],
    }


def _header(info: TableInfo) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow(info.column_names)
    return text.getvalue()


def write_csv(
    session: Session, directory: Path, tick: Callable[[int], None], *, jobs: int | None = None
) -> None:
    """Write one ``<table>.csv`` per table and ``datapackage.json`` into ``directory``.

    ``jobs``: processes writing tables side by side (:mod:`timeline.export.parallel`); None
    chooses (:func:`timeline.export.parallel.default_jobs`), 1 writes them all here.
    """
    infos = tables()
    names = [info.name for info in infos]
    write_tables(session.connection(), names, directory, write_table_csv, tick, jobs=jobs)
    text = json.dumps(package(infos), indent=2, ensure_ascii=False)
    (directory / "datapackage.json").write_text(text + "\n", encoding="utf-8")


def write_table_csv(
    connection: Connection, name: str, directory: Path, tick: Callable[[int], None]
) -> None:
    """Write ``<name>.csv``, a header and the table's rows, into ``directory``."""
    info = table_map()[name]
    if connection.dialect.name == "postgresql":  # the server writes the CSV (COPY)
        with (directory / f"{name}.csv").open("wb") as out:
            out.write(_header(info).encode("utf-8"))
            copy_table(connection, info, out, tick)
        return
    with (directory / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(_header(info))
        lines: Lines | None = None
        for processors, rows in raw_batches(connection, info):
            lines = lines or line_maker(info.columns, processors)
            handle.write("\r\n".join(lines(rows)))
            handle.write("\r\n")
            tick(len(rows))
