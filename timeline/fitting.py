"""Fitting a table to the terminal: how wide it is, and how wide each column may then be.

Piped output keeps the widths the renderer asks for, byte for byte, so files and tests do not
depend on the terminal a command happened to run in; ``COLUMNS`` set by hand fits them too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import TextIO

# simple_grid: "│ " before each column, " " after it, and the closing "│"
_PER_COLUMN = 3
_NARROWEST = 6  # below this a column wraps into a stack of letters
_HEADER_PADDING = 2  # tabulate makes a column two wider than its header, at least
_WORD_KEPT = 12  # a column keeps words up to this long whole, if it can


def terminal_width(out: TextIO) -> int | None:
    """Columns to fit: ``$COLUMNS`` if set, else the terminal's when ``out`` is one, else None."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if out.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):  # a closed or unusual stream
        return None
    return None


class ColumnStats:
    """What fitting needs of each column, gathered a row at a time (the table need not be held).

    Per column: its widest line and its longest word.
    """

    def __init__(self, count: int) -> None:
        self.widest = [0] * count
        self.longest_word = [0] * count

    def add(self, row: Sequence[str]) -> None:
        for index, cell in enumerate(row):
            for line in str(cell).splitlines():
                if len(line) > self.widest[index]:
                    self.widest[index] = len(line)
                for word in line.split():
                    if len(word) > self.longest_word[index]:
                        self.longest_word[index] = len(word)


def fitted_widths(
    table: Sequence[Sequence[str]],
    headers: Sequence[str],
    maxcolwidths: Sequence[int | None] | None,
    width: int,
) -> list[int | None]:
    """Column widths for tabulate's ``maxcolwidths`` that keep the table within ``width``.

    Each column needs its widest line (at most its given maximum) and keeps at least its header
    (tabulate's minimum) and its longest word (up to a dozen characters); what is left is shared
    in proportion to what each column needs beyond that. A table that cannot fit stays as narrow
    as its headers allow.
    """
    stats = ColumnStats(len(headers))
    for row in table:
        stats.add(row)
    return fit_columns(stats, headers, maxcolwidths, width)


def fit_columns(
    stats: ColumnStats,
    headers: Sequence[str],
    maxcolwidths: Sequence[int | None] | None,
    width: int,
) -> list[int | None]:
    """:func:`fitted_widths` from the columns' :class:`ColumnStats`."""
    count = len(headers)
    limits = list(maxcolwidths or [None] * count)
    needs, floors = [], []
    for index in range(count):
        header = len(str(headers[index])) + _HEADER_PADDING
        natural = max(stats.widest[index], header)
        limit = limits[index]
        need = min(natural, limit) if limit is not None else natural
        word = stats.longest_word[index]
        needs.append(need)
        floors.append(min(need, max(header, min(word, _WORD_KEPT))))
    budget = width - _PER_COLUMN * count - 1
    if sum(needs) <= budget:
        widths = list(needs)
    else:
        widths = list(floors)
        while sum(widths) > budget and max(widths) > _NARROWEST:
            widths[widths.index(max(widths))] -= 1
        spare = budget - sum(widths)
        wanted = [need - w for need, w in zip(needs, widths, strict=True)]
        if spare > 0 and sum(wanted) > 0:
            shares = [spare * want / sum(wanted) for want in wanted]
            widths = [w + int(share) for w, share in zip(widths, shares, strict=True)]
            by_remainder = sorted(range(count), key=lambda i: int(shares[i]) - shares[i])
            for i in by_remainder[: budget - sum(widths)]:
                widths[i] += 1
    return [w if w < needs[i] or limits[i] is not None else None for i, w in enumerate(widths)]
