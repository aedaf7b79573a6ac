"""A tabulate grid printed a row at a time, the same bytes as one tabulate call over every row.

tabulate sizes each column to its widest cell, so it wants the whole table at once: at a
million events that is gigabytes. Here the rows are read twice instead, at most. For
``simple_grid`` (every table the CLI prints) :mod:`timeline.grid` lays the cells out as tabulate
does: a first pass measures the columns, and reads the rest only for what would change the
layout once every column is at its maximum; the second draws each row as it comes. When the first
rows settle the layout (and the caller can tell, without reading them, that no later row holds
what would change it), the drawing goes on from the same reading: the first rows are kept, and
the rows are read once. Other formats, and text that
only tabulate lays out exactly (ANSI codes, say), go through tabulate a chunk at a time: each
chunk is rendered with one extra row of the measured widths, which holds every chunk to the
same layout, and that row is dropped from the output.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TextIO

from tabulate import tabulate

from timeline.fitting import ColumnStats, fit_columns
from timeline.grid import Grid, Layout

# Draws every row of the table in the layout given (header and borders included) instead of
# stream_table, which then reads no more rows.
Draw = Callable[[Layout], None]

CHUNK = 1000

Rows = Callable[[], Iterable[Sequence[str]]]
# Feeds every line that can stand in a column's cells to the given measure (column index, then
# the measure); False when it cannot say (the layout then reads every row).
Lines = Callable[[int, Callable[[str], bool]], bool]


def _chunks(rows: Iterable[Sequence[str]], size: int) -> Iterator[list[Sequence[str]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stream_table(
    rows: Rows,
    headers: Sequence[str],
    maxcolwidths: Sequence[int | None] | None,
    out: TextIO,
    *,
    tablefmt: str,
    terminal: int | None = None,
    plain: Callable[[], bool] | None = None,
    lines: Lines | None = None,
    draw: Draw | None = None,
    recurring: Sequence[int] = (),
) -> None:
    """Write ``tabulate(all rows, …)`` to ``out`` (and a newline), holding a chunk at a time.

    A grid ``tablefmt`` (``simple_grid``) whose header is one line. ``rows`` gives a fresh
    iterable of string cells each time it is called. ``terminal``: fit
    the columns to that many characters first (:func:`timeline.fitting.fitted_widths`).
    ``plain``: a cheaper way than reading every row to learn that no cell holds what only
    tabulate lays out exactly (ANSI codes, its separating-line marker). ``lines``: with
    ``plain``, the widths of columns still short of their maximum after the first rows, from
    the distinct lines their cells can hold rather than from every row. ``draw``: the drawing
    of every row, once :mod:`timeline.grid` has measured the layout (a report's rows drawn in
    parts by several processes, :mod:`timeline.report_parts`). ``recurring``: the columns
    whose cells recur, drawn once each (:class:`timeline.grid.Layout`).
    """
    heads = list(headers)
    limits = list(maxcolwidths) if maxcolwidths else None
    if terminal is not None:
        stats = ColumnStats(len(heads))
        any_rows = False
        for row in rows():
            stats.add(row)
            any_rows = True
        if any_rows:
            limits = fit_columns(stats, heads, limits, terminal)

    def grid(chunk: Sequence[Sequence[str]]) -> list[str]:
        text = tabulate(
            chunk,
            headers=heads,
            tablefmt=tablefmt,
            maxcolwidths=limits if limits else None,
            disable_numparse=True,
        )
        return text.split("\n")

    if tablefmt == "simple_grid" and _stream_grid(
        rows, heads, limits, out, plain, lines, draw, recurring
    ):
        return
    widths = _widths(rows, heads, limits, tablefmt)
    if widths is None:  # no rows: what tabulate prints for an empty table
        out.write("\n".join(grid([])) + "\n")
        return
    caps = limits or [None] * len(heads)
    sizer = ["x" * (w if cap is None else min(w, cap)) for w, cap in zip(widths, caps, strict=True)]
    closing = ""
    for number, chunk in enumerate(_chunks(rows(), CHUNK)):
        # lines: top border, header, rule, the sizer row, rule, the chunk's rows, bottom border
        lines = grid([sizer, *chunk])
        if number == 0:
            out.write("\n".join(lines[:3]) + "\n")
        else:
            out.write(lines[4] + "\n")
        out.write("\n".join(lines[5:-1]) + "\n")
        closing = lines[-1]
    out.write(closing + "\n")


def _stream_grid(
    rows: Rows,
    headers: list[str],
    limits: list[int | None] | None,
    out: TextIO,
    plain: Callable[[], bool] | None,
    lines: Lines | None,
    draw: Draw | None = None,
    recurring: Sequence[int] = (),
) -> bool:
    """Draw the table with :mod:`timeline.grid`; False (nothing written) where only tabulate
    lays it out exactly."""
    layout = Layout(headers, limits, recurring)
    iterator = iter(rows())
    first: list[Sequence[str]] = []  # the rows measured, kept to draw: at most CHUNK
    known = False  # every column's width, before every row is read
    for count, row in enumerate(iterator, start=1):
        layout.add(row)
        if count <= CHUNK:
            first.append(row)
        if layout.settled() or (count == CHUNK and plain and _measured(layout, lines)):
            known = True
            break
    # Known from the first CHUNK rows (and plain() says no later row changes that), the table
    # is drawn from the rows kept and the rest of the same reading: the rows are read once.
    again = not known or plain is None or not plain()
    if again:
        for row in iterator:  # the widths are known: only what would make the layout inexact
            layout.note(row)
    if not layout.exact():
        return False
    if draw is not None:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # the cursor (and a thread reading ahead on it) done with, before others
        draw(layout)
        return True
    grid = Grid(layout, out)
    grid.header()
    kept = len(first) == layout.rows  # every row the first pass measured is kept
    if kept and not known:  # the first pass read them all
        drawn: Iterable[Sequence[str]] = first
    elif kept and not again:  # the rest of the same reading follows them
        drawn = itertools.chain(first, iterator)
    else:
        drawn = rows()
    for row in drawn:
        grid.row(row)
    grid.close()
    return True


class _Full(Exception):
    """A column has reached its maximum width: no line it can hold widens it further."""


def _measured(layout: Layout, lines: Lines | None) -> bool:
    """Whether the columns short of their maximum are measured from the lines they can hold.

    A column's lines are read until it reaches its maximum: a report's document keys, say,
    are as many as the documents cited, and the first long one fills the column."""
    if lines is None:
        return False
    for index in layout.open_columns():
        try:
            if not lines(index, functools.partial(_widen_until_full, layout, index)):
                return False
        except _Full:
            continue
    return True


def _widen_until_full(layout: Layout, index: int, line: str) -> bool:
    measured = layout.widen(index, line)
    if measured and layout.full(index):
        raise _Full
    return measured


def _widths(
    rows: Rows,
    headers: Sequence[str],
    limits: Sequence[int | None] | None,
    tablefmt: str,
) -> list[int] | None:
    """Each column's width in tabulate's layout of every row; None when there are no rows.

    A column's width depends on its own cells alone, so once a column has reached its maximum
    only the columns still short of theirs are laid out, and the pass ends when none is.
    """
    caps = list(limits) if limits else [None] * len(headers)
    widths: list[int] | None = None
    open_columns = list(range(len(headers)))
    for chunk in _chunks(rows(), CHUNK):
        border = tabulate(
            [[row[i] for i in open_columns] for row in chunk],
            headers=[headers[i] for i in open_columns],
            tablefmt=tablefmt,
            maxcolwidths=[caps[i] for i in open_columns] if limits else None,
            disable_numparse=True,
        ).split("\n")[0]  # "┌──────┬────┐": a run of rules per column, padding included
        runs = re.split(f"[^{re.escape(border[1])}]", border[1:-1])
        if widths is None:
            widths = [0] * len(headers)
        for index, run in zip(open_columns, runs, strict=True):
            widths[index] = max(widths[index], len(run) - 2)
        open_columns = [i for i in open_columns if caps[i] is None or widths[i] < caps[i]]
        if not open_columns:
            break  # no cell can widen a column beyond its maximum
    return widths
