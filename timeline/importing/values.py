"""A row of the file as the database's typed values, or one line saying which value is wrong."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from timeline.errors import ImportFileError
from timeline.export.tables import (
    TableInfo,
    column_kind,
    identity,
)
from timeline.importing.loader import Row
from timeline.integrity import SUSPECT_CHARACTER, int_range, value_problem

SCALARS = frozenset(("string", "number", "boolean", "null"))


class Converter:
    """Checks a row object of the file against its table and turns it into typed values."""

    def __init__(self, info: TableInfo) -> None:
        self.info = info
        self.columns = [(c, column_kind(c), c.nullable, _length(c)) for c in info.columns]
        # The integer range of each integer column, found once rather than for every value.
        self.ranges = {c.name: int_range(c) for c in info.columns if column_kind(c) == "integer"}
        self.names = frozenset(info.column_names)
        self.previous: tuple[Any, ...] | None = None
        self.plain = _plain_rows(self)

    def convert(self, raw: Mapping[str, Any], number: int) -> Row:
        row = self.plain(raw, number) if self.plain is not None else None
        if row is None:  # a value that is not plain: each is looked at, and the first wrong named
            row = self._checked(raw, number)
        key = tuple(row[name] for name in self.info.primary_key)
        if self.previous is not None and key <= self.previous:
            what = "repeats the primary key" if key == self.previous else "is out of order"
            raise ImportFileError(
                f"{self._where(raw, number)}: {what} "
                f"(rows must come in increasing {', '.join(self.info.primary_key)} order)"
            )
        self.previous = key
        return row

    def _checked(self, raw: Mapping[str, Any], number: int) -> Row:
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
            # Before the driver sees it: a number past the column's range, a NUL or a lone
            # surrogate is refused by one backend, mangled or stored by the other. The typed
            # value of a plain column (an int in range, a string of characters, a date) passes
            # value_problem, so only a value that may fail is handed to it for its message.
            # A plain str or int is taken as it is, without _typed (a call for every value).
            if kind == "string":
                if value.__class__ is str and (length is None or len(value) <= length):
                    typed = row[name] = value
                else:
                    typed = row[name] = self._typed(raw, number, name, kind, length, value)
                if SUSPECT_CHARACTER.search(typed) is None:
                    continue
            elif kind == "integer":
                if value.__class__ is int:
                    typed = row[name] = value
                else:
                    typed = row[name] = self._typed(raw, number, name, kind, length, value)
                low, high = self.ranges[name]
                if low <= typed <= high:
                    continue
            else:
                typed = row[name] = self._typed(raw, number, name, kind, length, value)
                if kind in ("date", "datetime", "boolean"):
                    continue
            problem = value_problem(column, typed)
            if problem is not None:
                raise ImportFileError(f"{self._where(raw, number)}: {problem}")
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


PlainRows = Callable[[Mapping[str, Any], int], Row | None]


def clean(text: str) -> bool:
    """Whether ``text`` holds none of ``SUSPECT_CHARACTER`` (a NUL or a surrogate), found
    faster than by the expression: a NUL by ``in`` (memchr), a surrogate by UTF-8, which
    encodes every other character. An ASCII string (a flag of the str: no scan) holds none."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain_rows(converter: Converter) -> PlainRows | None:
    """A function compiled for the table's columns that types a row whose every value is plain
    (a str of the column's length holding no NUL or surrogate, an int in the column's range, a
    bool, NULL where allowed, a date or datetime through ``Converter._typed``), as
    :meth:`Converter._checked` would, in one pass without a call per value; None (the row
    goes to ``_checked``, which names what is wrong) for any other. Columns are taken in order,
    so a date that ``_typed`` refuses is the row's first wrong value, as ``_checked`` finds it.
    The code holds column positions only: names, lengths and ranges are constants of its scope.
    None for a table with a column of another kind."""
    scope: dict[str, Any] = {
        "names": converter.names,
        "width": len(converter.names),
        "clean": clean,
        "typed": converter._typed,
        "str": str,
        "int": int,
    }
    lines = ["def plain(raw, number):"]
    lines.append("    if len(raw) > width or not names.issuperset(raw): return None")
    for index, (column, kind, nullable, length) in enumerate(converter.columns):
        value, name = f"v{index}", f"n{index}"
        scope[name] = column.name
        lines.append(f"    {value} = raw.get({name})")
        absent = "pass" if nullable else "return None"
        if kind == "string":
            scope[f"m{index}"] = length
            longer = f" or len({value}) > m{index}" if length is not None else ""
            lines.append(
                f"    if {value} is None: {absent}\n"
                f"    elif {value}.__class__ is not str{longer} or not clean({value}):"
                " return None"
            )
        elif kind == "integer":
            scope[f"lo{index}"], scope[f"hi{index}"] = converter.ranges[column.name]
            lines.append(
                f"    if {value} is None: {absent}\n"
                f"    elif {value}.__class__ is not int or not lo{index} <= {value} <= hi{index}:"
                " return None"
            )
        elif kind == "boolean":
            lines.append(
                f"    if {value} is None: {absent}\n"
                f"    elif {value} is not True and {value} is not False: return None"
            )
        elif kind in ("date", "datetime"):
            scope[f"k{index}"] = kind
            lines.append(
                f"    if {value} is None: {absent}\n"
                f"    else: {value} = typed(raw, number, {name}, k{index}, None, {value})"
            )
        else:
            return None
    fields = ", ".join(f"n{index}: v{index}" for index in range(len(converter.columns)))
    lines.append(f"    return {{{fields}}}")
    code = compile("\n".join(lines), f"<plain rows of {converter.info.name}>", "exec")
    exec(code, scope)
    return scope["plain"]  # type: ignore[no-any-return]
