"""What makes a record consistent: pure functions over one row (and its document's text).

The seed loader builds records that hold by construction: every quote is the text at its
offsets, every date parses and its derived columns come from it, every hash is the text's, every
kind and role is in the vocabulary. `timeline import` (before it commits) and `timeline check`
(over a whole database) hold every record to the same rules with these functions; the walk over
a database is in :mod:`timeline.checks`. Each function yields the causes it finds, as phrases
that follow the record's name ("quote differs from the document's text at 1103–1205").
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, SmallInteger

from timeline import vocabulary
from timeline.dates import HistDate
from timeline.errors import DateError
from timeline.export.tables import TableInfo, column_kind
from timeline.models import date_columns

Row = Mapping[str, Any]

# The range of each integer column type on PostgreSQL (SQLite stores 64 bits everywhere); a file
# or a database outside it would load into one backend and not the other.
_INT_BITS = {SmallInteger: 16, BigInteger: 64}
_SURROGATE = re.compile("[\ud800-\udfff]")
# What value_problem refuses in a string: a NUL or a lone surrogate. A string without either
# needs no closer look (value_problem then finds nothing), which spares most of its cost.
SUSPECT_CHARACTER = re.compile("[\x00\ud800-\udfff]")

# Columns whose words come from timeline.vocabulary.
VOCABULARIES: dict[tuple[str, str], frozenset[str]] = {
    ("actors", "kind"): vocabulary.ACTOR_KINDS,
    ("events", "kind"): vocabulary.EVENT_KINDS,
    ("event_actors", "role"): vocabulary.EVENT_ROLES,
    ("document_actors", "role"): vocabulary.DOCUMENT_ROLES,
    ("event_statutes", "relation"): vocabulary.STATUTE_RELATIONS,
    ("events", "date_basis"): vocabulary.DATE_BASES,
    ("event_actors", "identified_by"): vocabulary.IDENTIFIED_BY,
    ("event_statutes", "identified_by"): vocabulary.IDENTIFIED_BY,
}

DATED_TABLES = frozenset({"documents", "events"})


@dataclass(frozen=True)
class Span:
    """Offsets into a document's text, and the column that holds the passage they point at."""

    start: str
    end: str
    passage: str | None  # None: a marker, whose characters are not stored apart
    optional: bool = False  # both offsets may be NULL (an alias found without its place)


# Every column pair that points into documents.text, by table (the row's document_id).
SPANS: dict[str, tuple[Span, ...]] = {
    "event_sources": (Span("char_start", "char_end", "quote"),),
    "document_readings": (Span("char_start", "char_end", "text"),),
    "document_notes": (
        Span("char_start", "char_end", "text"),
        Span("marker_start", "marker_end", None, optional=True),
    ),
    "actor_aliases": (Span("char_start", "char_end", "alias", optional=True),),
}

# Columns that point at one place in documents.text (a page begins there): at most its length.
POINTS: dict[str, tuple[str, ...]] = {"page_breaks": ("char_start",)}

# Tables whose rows point into their document's text.
TEXT_TABLES = frozenset({*SPANS, *POINTS})


def int_range(column: Column[Any]) -> tuple[int, int]:
    """The smallest and largest value an integer column holds on every backend."""
    bits = next((b for t, b in _INT_BITS.items() if isinstance(column.type, t)), 32)
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def value_problem(column: Column[Any], value: Any) -> str | None:
    """Why a value cannot be stored in ``column`` on both backends, or None."""
    if value is None:
        return None if column.nullable else f"{column.name} is missing"
    kind = column_kind(column)
    if kind == "integer":
        if type(value) is not int:
            return f"{column.name} {value!r} is not an integer"
        low, high = int_range(column)
        if not low <= value <= high:
            return f"{column.name} {value} is outside the integer range ({low} to {high})"
    elif kind == "string":
        if not isinstance(value, str):
            return f"{column.name} {value!r} is not text"
        if "\x00" in value:
            return f"{column.name} holds a NUL character at {value.index(chr(0))}"
        found = _SURROGATE.search(value)
        if found is not None:
            return (
                f"{column.name} holds a lone surrogate (U+{ord(found.group()):04X}) at "
                f"{found.start()}, which is not a character"
            )
    elif kind == "date" and not isinstance(value, dt.date):
        return f"{column.name} {value!r} is not a date"
    elif kind == "boolean" and type(value) is not bool:
        return f"{column.name} {value!r} is not true or false"
    return None


@functools.cache
def _value_rules(info: TableInfo) -> tuple[tuple[Column[Any], str, str, bool, int, int], ...]:
    """(column, name, kind, nullable, lowest, highest) of each column of a table, found once:
    a load checks every value of millions of rows."""
    rules = []
    for column in info.columns:
        kind = column_kind(column)
        low, high = int_range(column) if kind == "integer" else (0, 0)
        rules.append((column, column.name, kind, bool(column.nullable), low, high))
    return tuple(rules)


def _value_problems(info: TableInfo, row: Row) -> Iterator[str]:
    """:func:`value_problem` of each value of the row. The values that plainly hold (an int in
    range, a str without a NUL or a lone surrogate, a bool, a date) are passed here; any other
    is handed to value_problem, for its verdict and its message."""
    for column, name, kind, nullable, low, high in _value_rules(info):
        value = row.get(name)
        if value is None:
            if nullable:
                continue
        elif kind == "string":
            if value.__class__ is str and SUSPECT_CHARACTER.search(value) is None:
                continue
        elif kind == "integer":
            if value.__class__ is int and low <= value <= high:
                continue
        elif kind == "boolean":
            if value.__class__ is bool:
                continue
        elif kind == "date" and isinstance(value, dt.date):
            continue
        problem = value_problem(column, value)
        if problem is not None:
            yield problem


class CheckedRow(dict[str, Any]):
    """A row that has passed :func:`row_problems` where it was read (an import's reading
    process, :mod:`timeline.importing.reading_process`): a verifier looks only at its spans."""

    __slots__ = ()


def row_problems(info: TableInfo, row: Row, *, typed: bool = False) -> Iterator[str]:
    """Everything wrong with a row that the row alone shows (not its document's text).

    ``typed``: its values have been through :class:`timeline.importing.values.Converter`,
    which refuses whatever :func:`value_problem` would find (they are not looked at again).
    """
    bad_values = False
    for problem in () if typed else _value_problems(info, row):
        bad_values = True
        yield problem
    if bad_values:
        return  # the rules below assume well-typed values
    table = info.name
    if info.key_column:
        key = row[info.key_column]
        if not key.strip():
            yield "key is empty"
        elif key != key.strip():
            yield f"key {key!r} begins or ends with white space"
    for (vocabulary_table, column), words in VOCABULARIES.items():
        if table == vocabulary_table and row[column] not in words:
            yield f"{column} {row[column]!r} is not one of {', '.join(sorted(words))}"
    if table in DATED_TABLES:
        yield from date_problems(row)
    if table == "events" and row["date_basis"] == "external" and row["external_source_id"] is None:
        yield "date_basis is 'external' but the event names no external source"
    if table == "documents":
        digest = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
        if row["text_sha256"] != digest:
            yield f"text_sha256 {row['text_sha256']} is not the SHA-256 of the text ({digest})"
    if table == "offices":
        yield from term_problems(row)
    if table == "statutes" and row["parent_id"] is not None and row["parent_id"] == row["id"]:
        yield "statute is its own parent"
    for span in SPANS.get(table, ()):
        yield from _span_shape(row, span)


def date_problems(row: Row) -> Iterator[str]:
    """date_edtf parses, is written canonically, and every derived column agrees with it."""
    edtf = row["date_edtf"]
    try:
        date = HistDate.parse(edtf, text=row["date_text"])
    except DateError as exc:
        yield f"date_edtf {edtf!r} is not a date: {exc}"
        return
    for name, wanted in date_columns(date).items():
        if row[name] != wanted:
            yield _disagrees(name, row[name], "date_edtf", edtf, wanted)


def term_problems(row: Row) -> Iterator[str]:
    edtf = row["term_edtf"]
    if edtf is None:
        if row["term_start"] is not None or row["term_end"] is not None:
            yield "term_start or term_end is set without a term_edtf"
        return
    try:
        term = HistDate.parse(edtf)
    except DateError as exc:
        yield f"term_edtf {edtf!r} is not a date: {exc}"
        return
    for name, wanted in (
        ("term_edtf", str(term)),
        ("term_start", term.start),
        ("term_end", term.end),
    ):
        if row[name] != wanted:
            yield _disagrees(name, row[name], "term_edtf", edtf, wanted)


def _disagrees(name: str, value: Any, source: str, edtf: str, wanted: Any) -> str:
    return (
        f"{name} {_shown(value)} does not agree with {source} {edtf!r} (it gives {_shown(wanted)})"
    )


def _shown(value: Any) -> str:
    return repr(value.isoformat() if isinstance(value, dt.date) else value)


def _span_shape(row: Row, span: Span) -> Iterator[str]:
    start, end = row[span.start], row[span.end]
    if start is None and end is None:
        if not span.optional:
            yield f"{span.start} and {span.end} are missing"
        return
    if start is None or end is None:
        yield f"{span.start} and {span.end} must both be given or both be empty"
        return
    if start < 0:
        yield f"{span.start} {start} is negative"
    elif start >= end:
        yield f"{span.start} {start} is not before {span.end} {end}"
    elif row.get("document_id") is None:
        yield f"{span.start} and {span.end} are given without a document_id"


def span_problems(info: TableInfo, row: Row, text: str) -> Iterator[str]:
    """Every span of the row lies within its document's ``text`` and matches its passage."""
    for column in POINTS.get(info.name, ()):
        if row[column] is not None and row[column] > len(text):
            yield (
                f"{column} {row[column]} is past the end of the document's text "
                f"({len(text)} characters)"
            )
    for span in SPANS.get(info.name, ()):
        start, end = row[span.start], row[span.end]
        if start is None or end is None or start < 0 or start >= end:
            continue  # _span_shape said so
        where = f"{start}–{end}"
        if end > len(text):
            yield (
                f"{span.start}–{span.end} {where} runs past the end of the document's text "
                f"({len(text)} characters)"
            )
        elif span.passage is not None and text[start:end] != row[span.passage]:
            yield f"{span.passage} differs from the document's text at {where}"


class SpansOfTuples:
    """:func:`span_problems` as yes or no, for a row given as a tuple in the table's column
    order: the bulk path of an import asks this of every row that points into a text, and
    only a row it says no to is checked by name (:func:`span_problems`), to say why."""

    def __init__(self, info: TableInfo) -> None:
        index = {name: number for number, name in enumerate(info.column_names)}
        self.document = index["document_id"]
        self.points = [index[column] for column in POINTS.get(info.name, ())]
        self.spans = [
            (
                index[span.start],
                index[span.end],
                None if span.passage is None else index[span.passage],
            )
            for span in SPANS.get(info.name, ())
        ]

    def hold(self, values: tuple[Any, ...], text: str) -> bool:
        length = len(text)
        for point in self.points:
            value = values[point]
            if value is not None and value > length:
                return False
        for start_at, end_at, passage_at in self.spans:
            start, end = values[start_at], values[end_at]
            if start is None or end is None or start < 0 or start >= end:
                continue  # _span_shape's to say, and the row's checks said it
            if end > length:
                return False
            if passage_at is not None and text[start:end] != values[passage_at]:
                return False
        return True


def statute_cycle(parents: Mapping[int, int | None], start: int) -> list[int] | None:
    """The ids of the cycle that ``start``'s chain of parents runs into, or None."""
    seen: dict[int, int] = {}
    chain: list[int] = []
    current: int | None = start
    while current is not None and current in parents:
        if current in seen:
            return chain[seen[current] :]
        seen[current] = len(chain)
        chain.append(current)
        current = parents[current]
    return None
