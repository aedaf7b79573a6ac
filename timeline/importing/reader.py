"""Reading a `json` export as a stream (ijson): the header, each table's columns, each row,
and one line naming the record for a file that is truncated or malformed."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

import ijson

from timeline.db import first_line, head_revision
from timeline.errors import ImportFileError, too_many_digits
from timeline.export.tables import (
    FORMAT_VERSION,
    TableInfo,
    identity,
    table_map,
)
from timeline.importing.loader import Row, Tick
from timeline.importing.values import SCALARS, Converter
from timeline.integrity import CheckedRow

JSON_FORMAT = "timeline"
# Revisions whose exports hold the same tables and columns as a later one, which imports them:
# 0007 to 0011 added indexes, nothing else.
SAME_TABLES: dict[str | None, frozenset[str]] = {
    "0011": frozenset({"0006", "0007", "0008", "0009", "0010"})
}
READ_SIZE = 64 * 1024


class CountingReader:
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
        self.odd_run = 0  # 1 where the bytes before the carry end in an odd run of backslashes

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
            start = found.start()  # the backslash of the escape
            if start >= limit:
                break
            before = start  # the backslashes before it, back to the file's last read if need be
            while before and buffer[before - 1] == _BACKSLASH:
                before -= 1
            escaped = start - before + (self.odd_run if before == 0 else 0)
            if escaped % 2 == 1 or base + start in self.paired:
                continue  # an escaped backslash and the letter u; or a pair's second half
            if found.group(1)[1] in b"89abAB" and _LOW_ESCAPE.match(buffer, found.end()):
                self.paired.add(base + found.end())
                continue
            raise ImportFileError(
                f"'{self.name}': the lone surrogate {found.group(0)[-6:].decode()} at byte "
                f"{base + start} is not a character (a JSON surrogate escape needs its pair)"
            )
        # The carry may cut a run of backslashes (an escaped one, then the text "ud800"): what
        # the next read cannot see of it is kept as its parity.
        run = limit - len(buffer[:limit].rstrip(b"\\"))
        self.odd_run = (run + (self.odd_run if run == limit else 0)) % 2
        self.carry = buffer[limit:]
        self.paired = {offset for offset in self.paired if offset >= base + limit}


_PAIR = 12  # bytes of an escaped surrogate pair
# A literal start, which the regular expression engine finds by a fast search: a pattern
# starting with the run of backslashes was tried at every byte of the file.
_SURROGATE_ESCAPE = re.compile(rb"\\u([dD][89a-fA-F][0-9a-fA-F]{2})")
_BACKSLASH = ord("\\")
_LOW_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


@contextlib.contextmanager
def table_errors(name: str, sink: Sink) -> Iterator[None]:
    """Around one table's rows: on any error the sink settles first (nothing else may use the
    connection while rows are being written, and a refusal of the rows before the error is the
    first error), and an error that does not name the file ``name`` is made to."""
    try:
        try:
            yield
        except BaseException:
            sink.settle()
            raise
    except ImportFileError as exc:
        if str(exc).startswith(f"'{name}'"):
            raise
        raise ImportFileError(f"'{name}': {exc}") from exc.__cause__


class Sink:
    """Where the reader sends each table's checked rows."""

    def begin_table(self, info: TableInfo) -> None: ...

    def row(self, row: Row) -> None: ...

    def checked_rows(self, names: Sequence[str], batch: list[tuple[Any, ...]]) -> None:
        """Rows that passed :func:`~timeline.integrity.row_problems` where they were read, as
        value tuples in the order of ``names`` (from :mod:`.reading_process`)."""
        for values in batch:
            self.row(CheckedRow(zip(names, values)))  # noqa: B905

    def end_table(self) -> None: ...

    def settle(self) -> None:
        """Wait for rows still being written; raises the database's refusal of one."""


class Reader:
    """Walks the JSON events of an export and sends every table's rows to a sink, checking the
    structure, the header and every row as it goes."""

    HEADER = ("format", "format_version", "schema_revision")

    def __init__(self, stream: CountingReader, name: str) -> None:
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
        except (StopIteration, ijson.common.JSONError) as exc:
            raise self._failure(exc) from (None if isinstance(exc, StopIteration) else exc)

    def _failure(self, exc: Exception) -> ImportFileError:
        """The message for the end of the events (StopIteration) or a parse error."""
        if isinstance(exc, StopIteration):
            return self._truncated()
        if too_many_digits(exc):
            limit = sys.get_int_max_str_digits()
            return ImportFileError(
                f"'{self.name}' holds a number of more than {limit} digits, {self.where}"
            )
        if isinstance(exc, ijson.common.IncompleteJSONError) and (
            "premature EOF" in str(exc) or "Incomplete JSON" in str(exc)
        ):
            return self._truncated()
        return self._malformed(exc)

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

    def read(self, sink: Sink) -> None:
        try:
            self._read(sink)
        except (ValueError, SystemError) as exc:
            # int()'s refusal can surface at the next call into C after ijson's, not at ijson's.
            if not too_many_digits(exc):
                raise
            raise self._failure(exc) from None

    def _read(self, sink: Sink) -> None:
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
        if revision != expected and revision not in SAME_TABLES.get(expected, ()):
            raise ImportFileError(
                f"'{self.name}' was exported at schema revision {revision!r}, but this timeline "
                f"is at revision {expected!r}; import it with the timeline version that wrote "
                f"it, or export it again"
            )
        header["tables"] = True

    def _tables(self, sink: Sink) -> None:
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
            with table_errors(self.name, sink):
                self._table(info, sink)

    def _table(self, info: TableInfo, sink: Sink) -> None:
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

    def _rows(self, info: TableInfo, sink: Sink) -> None:
        self._expect("start_array", f"a list of rows for table {info.name!r}")
        converter = Converter(info)
        sink.begin_table(info)
        number = 0
        # The events are taken here with next(), not _next (a call apiece: millions in a large
        # file); the end of the input or a parse error gets _next's message all the same.
        events = self.events
        try:
            while True:
                kind, _ = next(events)
                if kind == "end_array":
                    break
                number += 1
                if kind != "start_map":
                    raise ImportFileError(
                        f"'{self.name}': table {info.name!r}, record {number} is not an object"
                    )
                raw: Row = {}
                while True:
                    kind, column = next(events)
                    if kind == "end_map":
                        break
                    value_kind, value = next(events)
                    if value_kind not in SCALARS:
                        raise ImportFileError(
                            f"'{self.name}': table {info.name!r}, record {number}: column "
                            f"{column!r} holds a list or object, not a value"
                        )
                    raw[column] = value
                sink.row(converter.convert(raw, number))
                self.position = (info, number, raw)
        except (StopIteration, ijson.common.JSONError) as exc:
            raise self._failure(exc) from (None if isinstance(exc, StopIteration) else exc)
        sink.end_table()
