"""A table's rows as CSV lines: the exact text ``csv.writer`` wrote, at a fraction of its cost.

The `csv` export once wrote each row with ``csv.writer(lineterminator="\\r\\n")``, each value
turned into text by :func:`text`. That writer looks at every character of every field through a
function call: on the full texts of the documents it cost more than reading them from the
database did. Here a field is tested for the four characters that make the writer quote it
(``"``, ``,``, CR, LF: ``in`` on a str is a memchr) and quoted the way it would: ``"``
around, inner ``"`` doubled. So that a row costs no function call per value, the lines of a
table are made by one comprehension compiled for its columns (:func:`line_maker`), which
writes the common values inline (NULL, an int, a str, a bool, a date, after SQLAlchemy's
processor where the column has one); anything else (an unexpected type in a SQLite column)
goes through :func:`cell`, the conversion the export always made. The compiled code holds column
positions only, never a name or a value from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column

from timeline.export.tables import Processor, column_kind

Lines = Callable[[Sequence[Sequence[Any]]], list[str]]


def text(value: Any) -> str:
    """A value as text: NULL empty, booleans ``true``/``false``, dates ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def quoted(value: str) -> str:
    """``value`` as csv.writer (QUOTE_MINIMAL, ``,`` ``"`` CRLF) writes it in a row."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def cell(value: Any) -> str:
    """A database value as it appears in the CSV file."""
    return quoted(value if type(value) is str else text(value))


def _expression(position: int, column: Column[Any], processor: Processor) -> str:
    """Python for the field of column ``position`` of row ``r``: what :func:`cell` gives.

    The common values are written out inline (an int, a str, a bool, a date); any other goes
    to :func:`cell`. ``pN`` is the column's SQLAlchemy processor, applied first.
    """
    value = f"r[{position}]"
    if processor is not None:
        name = f"x{position}"
        bound = f"({name} := p{position}({value}))"
    else:
        name = bound = value
    kind = column_kind(column)
    if kind == "integer":
        converted = f"str({name}) if type({bound}) is int else cell({name})"
    elif kind == "string":
        special = " or ".join(f"{c!r} in {name}" for c in ('"', ",", "\n", "\r"))
        quoted = f"'\"' + {name}.replace('\"', '\"\"') + '\"'"
        converted = f"({quoted} if {special} else {name}) if type({bound}) is str else cell({name})"
    elif kind == "boolean":
        converted = f"'true' if {bound} is True else 'false' if {name} is False else cell({name})"
    elif kind == "date":
        converted = f"{name}.isoformat() if type({bound}) is dt.date else cell({name})"
    else:
        return f"cell({bound})"
    if processor is not None and processor(None) is not None:
        return f"({converted})"
    return f"('' if {value} is None else {converted})"  # NULL, as cell(None): an empty field


def line_maker(columns: Sequence[Column[Any]], processors: Sequence[Processor]) -> Lines:
    """A function from a list of driver rows of these columns to their CSV lines (no CRLF).

    ``processors`` are the columns' SQLAlchemy result processors, as
    :func:`timeline.export.tables.raw_batches` gives them.
    """
    parts = [_expression(i, c, p) for i, (c, p) in enumerate(zip(columns, processors, strict=True))]
    line = f"','.join(({', '.join(parts)},))"
    if len(parts) == 1:  # csv.writer quotes the lone empty field of a one-column row
        line = f"({line} or '\"\"')"
    scope: dict[str, Any] = {"cell": cell, "dt": dt}
    scope.update({f"p{i}": p for i, p in enumerate(processors) if p is not None})
    code = compile(f"lambda rows: [{line} for r in rows]", "<csv lines>", "eval")
    return eval(code, scope)  # type: ignore[no-any-return]
