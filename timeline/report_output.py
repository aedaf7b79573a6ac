"""`timeline report`'s formats, streamed: a :class:`timeline.chronology.Chronology` is read a
batch at a time, so memory stays flat however many events the window holds.

CSV and JSON write each event as it comes. The table reads its first rows for the column
widths, asks SQL for what it cannot know without the rest (:func:`_table_lines`, escape codes),
and then reads the events once, to print (:func:`timeline.tables.stream_table`); Markdown
counts in SQL for its header and reads the sources a second time for its notes, which follow
every event.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from timeline.event_links import statute_citation
from timeline.fitting import terminal_width
from timeline.markdown_report import write_markdown_report
from timeline.render import (
    TABLE_STYLE,
    _write_json_array,
    actor_text,
    source_text,
    statute_text,
)
from timeline.tables import CHUNK, Draw, stream_table

if TYPE_CHECKING:
    from timeline.citations import Citations, Identities

REPORT_FORMATS = ("table", "markdown", "csv", "json")

CSV_COLUMNS = [
    "key",
    "date",
    "edtf",
    "date_start",
    "date_end",
    "precision",
    "kind",
    "title",
    "description",
    "actors",
    "statutes",
    "sources",
]
TABLE_HEADERS = ["Date", "Kind", "Event", "Actors", "Documents"]
TABLE_WIDTHS = [12, 14, 44, 28, 30]
# The columns whose cells recur from event to event: dates, kinds, and the actors' lines (an
# event's title and quotes, and the documents it cites, are its own).
TABLE_RECURRING = (0, 1, 3)


class Events(Protocol):
    """What the renderers read (:class:`timeline.chronology.Chronology` is one)."""

    def records(
        self, *, identified: bool = False, keys_only: bool = False
    ) -> Iterator[dict[str, Any]]: ...
    def printed(
        self, *, statutes: bool, quotes: bool, described: bool = True, leading: int = 0
    ) -> Iterator[list[Any]]: ...
    def sources(self) -> Iterator[dict[str, Any]]: ...
    def count(self) -> int: ...
    def document_count(self) -> int: ...
    def plain(self, *, quotes: bool = True) -> bool: ...
    def distinct_texts(self, what: str) -> Iterator[str]: ...


def render_report(
    events: Events,
    fmt: str,
    out: TextIO,
    *,
    with_quotes: bool = False,
    title: str = "Chronology",
    citations: Citations | None = None,
    identities: Identities | None = None,
    draw: Draw | None = None,
    plain: Callable[[], bool] | None = None,
) -> None:
    """The chronology in one of :data:`REPORT_FORMATS`.

    Markdown cites to the page and names actors as cited when given ``citations`` and
    ``identities`` (:mod:`timeline.citations`, over the same session). ``draw``: the table's
    rows drawn by another hand once its layout is known (:func:`timeline.tables.stream_table`);
    ``plain``: what :meth:`Events.plain` says of the table, asked elsewhere.
    """
    if fmt == "json":
        _write_json_array(events.records(), out)
    elif fmt == "markdown":
        write_markdown_report(
            events,
            out,
            with_quotes=with_quotes,
            title=title,
            citations=citations,
            identities=identities,
        )
    elif fmt == "csv":
        write_csv_report(events, out, with_quotes)
    elif fmt == "table":
        # Drawn by another hand, the rows are read for the first pass's measure alone: the
        # first CHUNK of them read on their own come sooner.
        leading = CHUNK if draw is not None else 0
        stream_table(
            lambda: table_rows(events, with_quotes, leading=leading),
            TABLE_HEADERS,
            TABLE_WIDTHS,
            out,
            tablefmt=TABLE_STYLE,
            terminal=terminal_width(out),
            plain=plain or functools.partial(events.plain, quotes=with_quotes),
            lines=functools.partial(_table_lines, events, with_quotes),
            draw=draw,
            recurring=TABLE_RECURRING,
        )
    else:
        raise ValueError(f"unknown report format '{fmt}' (known: {', '.join(REPORT_FORMATS)})")


def _quoted_by_csv() -> tuple[str, ...]:
    """The characters for which ``csv.writer`` (QUOTE_MINIMAL, "\\n" line ends) quotes a field,
    asked of the writer itself: Python 3.11 quotes a CR only where the line terminator holds
    one, later versions always."""
    found = []
    for char in ('"', ",", "\n", "\r"):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([f"a{char}b", "c"])
        if out.getvalue().startswith('"'):
            found.append(char)
    return tuple(found)


def _csv_line(fields: list[str | None], cr: bool) -> str:
    """``fields`` as ``csv.writer(lineterminator="\\n")`` writes them (two fields or more: one
    empty field alone it would write as ``""``), without its look at every character: ``in``
    on a str is a memchr. ``cr``: whether the writer quotes a CR too (:func:`_quoted_by_csv`)."""
    return (
        ",".join(
            [
                ""
                if not field
                else '"' + field.replace('"', '""') + '"'
                if '"' in field or "," in field or "\n" in field or (cr and "\r" in field)
                else field
                for field in fields
            ]
        )
        + "\n"
    )


def write_csv_report(
    events: Events, out: TextIO, with_quotes: bool, *, header: bool = True
) -> None:
    """The CSV report; without its header line (a later part of one, :mod:`timeline.report_parts`)
    where not ``header``."""
    # Every field is text or None, which csv writes as "", as render_rows does; the header
    # goes through csv.writer itself. The links are joined here, from the lists of
    # Chronology.printed, by the functions that join a record's (render.actors_text, ...).
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow([*CSV_COLUMNS, "quotes"] if with_quotes else CSV_COLUMNS)
    special = set(_quoted_by_csv())
    fast = special in ({'"', ",", "\n"}, {'"', ",", "\n", "\r"})  # else a writer to come
    cr = "\r" in special
    write = out.write
    for row in events.printed(statutes=True, quotes=with_quotes):
        actors, statutes, sources = row[9:]
        row[9:] = (
            "; ".join([actor_text(name, role, by) for _p, _i, role, name, by in actors]),
            "; ".join(
                [
                    statute_text(statute_citation(*citation), relation, by)
                    for _p, _i, relation, by, *citation in statutes
                ]
            ),
            "; ".join([source_text(s[2], s[3], s[4]) for s in sources]),
        )
        if with_quotes:
            row.append(" | ".join([s[5] for s in sources]))
        if fast:
            write(_csv_line(row, cr))
        else:
            writer.writerow(row)


def table_rows(events: Events, with_quotes: bool, *, leading: int = 0) -> Iterator[list[str]]:
    """The table's rows, one an event (``leading``: as :meth:`Events.printed` takes it)."""
    return (
        _table_row(fields, with_quotes)
        for fields in events.printed(
            statutes=False, quotes=with_quotes, described=False, leading=leading
        )
    )


def _table_row(fields: list[Any], with_quotes: bool) -> list[str]:
    """The table's cells of an event, from :meth:`Events.printed` (no statutes)."""
    date, kind, title, actors, sources = fields[1], fields[6], fields[7], fields[9], fields[11]
    if with_quotes:
        title += "\n\n" + "\n".join([f"“{s[5]}”" for s in sources])
    return [
        date or "",
        kind or "",
        title,
        "\n".join([f"{name} ({role})" for _p, _i, role, name, _by in actors]),
        "\n".join(dict.fromkeys([s[2] for s in sources])),
    ]


def _table_lines(
    events: Events, with_quotes: bool, column: int, measure: Callable[[str], bool]
) -> bool:
    """Every line a column of :func:`_table_row` can hold, to ``measure``: each cell of the
    date and kind columns is one such text, and the cells of the others are lines of them
    (blank lines, which tabulate drops, left out)."""
    texts = [events.distinct_texts(("date", "kind", "title", "actor", "document")[column])]
    if column == 2 and with_quotes:
        texts.append(f"“{quote}”" for quote in events.distinct_texts("quote"))
    return all(
        measure(line)
        for text in itertools.chain(*texts)
        for line in text.split("\n")
        if line.strip()
    )
