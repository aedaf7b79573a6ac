"""The `json` and `ndjson` exports: every table, every row, as JSON (see docs/export-format.md).

``json`` is one document: a header (format, format version, the schema's Alembic revision), the
links (foreign keys), then the tables in dependency order, each with its primary key, its
columns and its rows in primary-key order, one row a line. ``ndjson`` is the same data one
record a line: a header line, then ``{"table": ..., "row": {...}}`` lines. Both are written as
the rows stream from the database, and the same data gives the same bytes on every backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from sqlalchemy.orm import Session

from timeline.db import head_revision
from timeline.export.tables import (
    FORMAT_VERSION,
    ROW_ENCODER,
    TableInfo,
    links,
    stream_rows,
    tables,
    ticking,
)

JSON_FORMAT = "timeline"
NDJSON_FORMAT = "timeline-ndjson"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def header(fmt: str) -> dict[str, Any]:
    return {"format": fmt, "format_version": FORMAT_VERSION, "schema_revision": head_revision()}


def encoded_rows(session: Session, info: TableInfo, tick: Callable[[int], None]) -> Iterator[str]:
    """Each row of the table as a JSON object (columns in table order); ticks every batch."""
    names: Sequence[str] = info.column_names
    encode = ROW_ENCODER.encode
    for row in ticking(stream_rows(session.connection(), info), tick):
        yield encode(dict(zip(names, row, strict=True)))


def write_json(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """The whole database as one JSON document, the format `timeline import` reads."""
    for name, value in header(JSON_FORMAT).items():
        out.write(("{\n  " if name == "format" else "  ") + f"{_dumps(name)}: {_dumps(value)},\n")
    link_lines = [_dumps(link.as_json()) for link in links()]
    out.write('  "links": [')
    out.write("".join(("," if i else "") + "\n    " + line for i, line in enumerate(link_lines)))
    out.write("\n  ],\n" if link_lines else "],\n")
    out.write('  "tables": {')
    for number, info in enumerate(tables()):
        out.write(f"{',' if number else ''}\n    {_dumps(info.name)}: {{\n")
        out.write(f'      "primary_key": {_dumps(info.primary_key)},\n')
        out.write(f'      "columns": {_dumps(info.column_names)},\n')
        out.write('      "rows": [')
        empty = True
        for line in encoded_rows(session, info, tick):
            out.write(("\n        " if empty else ",\n        ") + line)
            empty = False
        out.write("]\n    }" if empty else "\n      ]\n    }")
    out.write("\n  }\n}\n")


def write_ndjson(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """A header line, then one ``{"table": name, "row": {...}}`` line per row."""
    infos = tables()
    first = header(NDJSON_FORMAT) | {
        "tables": [info.name for info in infos],
        "links": [link.as_json() for link in links()],
    }
    out.write(_dumps(first) + "\n")
    for info in infos:
        prefix = '{"table": ' + _dumps(info.name) + ', "row": '
        for line in encoded_rows(session, info, tick):
            out.write(prefix + line + "}\n")
