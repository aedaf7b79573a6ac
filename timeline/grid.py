"""tabulate's ``simple_grid`` layout, one row at a time, for plain text cells.

``tabulate(rows, headers, tablefmt="simple_grid", maxcolwidths=…, disable_numparse=True)`` on
string cells does four things: it wraps each cell to its column's maximum (its own
``TextWrapper``, which cuts an over-long word at the width rather than at a hyphen, and drops
blank lines), strips each cell, sizes each column to its widest line, and draws the grid. Its
cost is per table (it lays out every cell in several whole-table passes), so
:func:`timeline.tables.stream_table` measures with :class:`Layout` in a first pass and draws
with :class:`Grid` in a second. Text with ANSI codes, tabulate's separating-line marker, or
wide characters when tabulate measures them (``wcwidth`` installed) is laid out differently by
tabulate: :meth:`Layout.exact` says so, and the caller uses tabulate itself.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

import tabulate as _tabulate

_LINE_BREAK = re.compile("[\r\n]")  # what tabulate splits on to measure a cell
_SEPARATING_LINE = "\001"  # tabulate draws a rule for a row whose first or second cell is this


class _Wrapper(textwrap.TextWrapper):
    """tabulate's wrapper for text without ANSI codes: a long word is cut at the width."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = 1 if width < 1 else width - cur_len
        if self.break_long_words and space_left > 0:
            chunk = reversed_chunks[-1]
            cur_line.append(chunk[:space_left])
            reversed_chunks[-1] = chunk[space_left:]
        elif not cur_line:
            cur_line.append(reversed_chunks.pop())


_MAYBE_NUMBER = re.compile(r"\d|inf|nan", re.IGNORECASE)  # what float() or tabulate might parse
# A character no number float(), int() or tabulate's thousands reads can hold ("infinity" and
# "nan" spell the letters allowed): a word with one is text to tabulate.
_NOT_NUMERIC = re.compile(r"[^0-9+\-.,_eEiInNfFtTyYaA\s]")


# Two words: what ``len(cell.split()) > 1`` says, told at the first space between words.
_TWO_WORDS = re.compile(r"\S\s+\S")


def _cast(cell: str) -> str:
    """The text tabulate wraps: a word it reads as a number or a boolean goes through its
    type, as tabulate's own wrapping does (``"False"`` becomes ``"True"``, for one)."""
    # Each test says the cell stays as it is; the one most cells pass comes first.
    if not cell or (cell not in ("True", "False") and _NOT_NUMERIC.search(cell)):
        return cell
    if _TWO_WORDS.search(cell):  # numbers and booleans are one word
        return cell
    if cell not in ("True", "False") and not _MAYBE_NUMBER.search(cell) and cell.strip():
        return cell
    return _typed(cell)


@functools.lru_cache(maxsize=4096)  # the same words recur: dates, numbers
def _typed(cell: str) -> str:
    """A word tabulate may read as a number or a boolean, as its type prints it."""
    if _tabulate._isnumber(cell):
        return cell
    try:
        return str(_tabulate._type(cell, False)(cell))
    except ValueError:  # "1,000": tabulate takes it for an int that int() then refuses
        return cell


# Words between single spaces, with none of the other whitespace textwrap knows (the ASCII six),
# and none of them all whitespace (U+00A0, say: textwrap drops such a word at a line's ends).
_SPACED_WORDS = re.compile(
    r"(?=[^ ]*?\S)[^\t\n\x0b\x0c\r ]++(?: (?=[^ ]*?\S)[^\t\n\x0b\x0c\r ]++)*+"
)
# Where textwrap (break_on_hyphens, its default) may also end a line: inside a word, after a
# hyphen that follows two letters (or a letter, a hyphen, a letter) and comes before a letter,
# perhaps a hyphen, and a letter. Its wordsep_re says so; a Python whose textwrap says otherwise
# leaves hyphenated lines to textwrap itself.
_HYPHEN_BREAK = r"(?:(?<=[^\d\W]{2}-)|(?<=[^\d\W]-[^\d\W]-))(?=[^\d\W]-?[^\d\W])"
_HYPHENS_AS_TEXTWRAP = all(
    rule in textwrap.TextWrapper.wordsep_re.pattern
    for rule in (
        r"-(?: (?<=[^\d\W]{2}-) | (?<=[^\d\W]-[^\d\W]-))",
        r"(?= [^\d\W] -? [^\d\W])",
    )
)


def _wrap(wrapper: _Wrapper, line: str) -> str:
    """``"\\n".join(wrapper.wrap(line))``; a line that fits is only right-stripped of spaces."""
    width = wrapper.width
    if len(line) <= width and "\t" not in line:
        kept = line.rstrip(" ")
        # textwrap drops a last chunk that is all whitespace: here only the spaces, unless
        # the line ends in other whitespace (U+00A0, say), which textwrap must judge
        if not kept[-1].isspace():
            return kept
    elif (
        (_spaced_words(line) or _SPACED_WORDS.fullmatch(line))
        and "--" not in line  # an em-dash: textwrap's other breaks
        and ("-" not in line or _HYPHENS_AS_TEXTWRAP)
    ):
        # textwrap's greedy fill, without its chunking: as many characters as fit, up to a
        # place where textwrap may break (before a space, after a breaking hyphen, the end).
        # A piece of a word longer than the width textwrap cuts where the line stands: that
        # is left to it (the fill skips characters there, and the count finds it).
        lines = _filled(width, "-" in line).findall(line)
        joined = "\n".join(lines)
        dropped = line.count(" ") - joined.count(" ")  # the spaces the lines end at
        if (
            lines
            and len(lines[-1]) <= width  # not the rest of a line the fill could not break
            and len(joined) - len(lines) + 1 + dropped == len(line)
        ):
            return joined
    return "\n".join(wrapper.wrap(line))


def _spaced_words(line: str) -> bool:
    """What :data:`_SPACED_WORDS` matches, told sooner for most lines: printable text (whose
    only whitespace is the space) with no space at either end and none doubled."""
    return line.isprintable() and "  " not in line and line[0] != " " and line[-1] != " "


@functools.lru_cache(maxsize=64)
def _filled(width: int, hyphens: bool) -> re.Pattern[str]:
    """The lines of a greedy fill to ``width`` of words joined by single spaces: from a word's
    start (never at the space between two lines, which the fill drops), the most characters up
    to ``width`` that end where textwrap may end a line (before a space, at the end, and with
    ``hyphens`` after a hyphen it breaks at, :data:`_HYPHEN_BREAK`).

    Where no such end is in reach (a word longer than ``width``, which textwrap cuts), the rest
    of the line is one match, longer than ``width``: the fill stops there, rather than trying
    each later character (``width`` ends each) as the start of a line."""
    ends = f" |$|{_HYPHEN_BREAK}" if hyphens else " |$"
    return re.compile(rf"(?! ).{{1,{width}}}(?={ends})|(?! ).+")


# Cells of a recurring column whose drawn lines a Grid keeps, at most (then it starts afresh).
KEPT_CELLS = 1024
# Texts a Grid holds before writing them out: a row's lines and the rule after it are two.
FLUSHED_AT = 500


class Layout:
    """Cells as tabulate lays them out, and what a first pass learns of the whole table.

    ``recurring``: the columns whose cells come from a small set and recur row after row (a
    report's dates, kinds and actors): :class:`Grid` keeps the lines it drew for each such
    cell, and draws a cell it has seen without wrapping it again."""

    def __init__(
        self,
        headers: Sequence[str],
        limits: Sequence[int | None] | None,
        recurring: Sequence[int] = (),
    ) -> None:
        self.headers = [str(h) for h in headers]
        caps = list(limits) if limits else [None] * len(self.headers)
        self.caps = caps
        self.recurring = sorted(set(recurring))
        self.wrappers = [_Wrapper(width=cap) if cap is not None else None for cap in caps]
        self.widths = [_width(h) + 2 for h in self.headers]  # tabulate's minimum padding
        self.multiline = any(_LINE_BREAK.search(h) for h in self.headers)
        self.plain = not _tabulate.WIDE_CHARS_MODE or _tabulate.wcwidth is None
        self.plain = self.plain and all(_is_plain(h) for h in self.headers)
        self.rows = 0

    def state(self) -> dict[str, Any]:
        """What :class:`Grid` draws by, as JSON (for :meth:`restored`, in another process)."""
        return {
            "headers": self.headers,
            "caps": self.caps,
            "recurring": self.recurring,
            "widths": self.widths,
            "multiline": self.multiline,
            "plain": self.plain,
            "rows": self.rows,
        }

    @classmethod
    def restored(cls, state: dict[str, Any]) -> Layout:
        layout = cls(state["headers"], state["caps"], state["recurring"])
        layout.widths = [int(width) for width in state["widths"]]
        layout.multiline = bool(state["multiline"])
        layout.plain = bool(state["plain"])
        layout.rows = int(state["rows"])
        return layout

    def cells(self, row: Sequence[str]) -> list[str]:
        """One row's cells, wrapped and stripped as tabulate lays them out."""
        return [cell.strip() for cell in self._wrapped(row)]

    def cell(self, index: int, cell: str) -> str:
        """One cell of column ``index``, wrapped and stripped as tabulate lays it out."""
        return _wrap_cell(cell, self.wrappers[index]).strip()

    def _wrapped(self, row: Sequence[str]) -> list[str]:
        return [_wrap_cell(c, w) for c, w in zip(row, self.wrappers, strict=True)]

    def full(self, index: int) -> bool:
        """Whether column ``index`` is at its maximum width: no cell can widen it further."""
        cap = self.caps[index]
        return cap is not None and self.widths[index] >= cap

    def open_columns(self) -> list[int]:
        """The columns short of their maximum width."""
        return [index for index in range(len(self.widths)) if not self.full(index)]

    def widen(self, index: int, line: str) -> bool:
        """Measure one line of some cell of column ``index`` on its own, in a table already
        multiline. False (nothing measured) for a line tabulate could lay out differently
        alone than among others: one it reads as a number or a boolean, one with outer
        whitespace or a line break."""
        if not self.multiline or line != line.strip() or _LINE_BREAK.search(line):
            return False
        if not line or _cast(line) != line or len(line.splitlines()) != 1:
            return False
        width = _width(_wrap_cell(line, self.wrappers[index]))
        if width > self.widths[index]:
            self.widths[index] = width
        return True

    def add(self, row: Sequence[str]) -> None:
        """Measure one row (all of them must be added before :meth:`exact` is asked)."""
        self.rows += 1
        self.note(row)
        if self.multiline:  # a column at its maximum can widen no further: leave it unwrapped
            row = ["" if self.full(index) else cell for index, cell in enumerate(row)]
        for index, wrapped in enumerate(self._wrapped(row)):
            # tabulate decides on line breaks before it strips the cells
            if "\n" in wrapped or "\r" in wrapped:
                self.multiline = True
            cell = wrapped.strip()
            width = _width(cell) if self.multiline else len(cell)
            if width > self.widths[index]:
                self.widths[index] = width

    def note(self, row: Sequence[str]) -> None:
        """What must be seen of every row, even one whose widths no longer matter."""
        if self.plain and not all(_is_plain(cell) for cell in row):
            self.plain = False
        if row and _is_separator(row):
            self.plain = False

    def settled(self) -> bool:
        """Whether no later row can change the layout: every column at its maximum width, and
        the table already multiline. Later rows then need only :meth:`note`."""
        return self.multiline and all(self.full(index) for index in range(len(self.widths)))

    def exact(self) -> bool:
        """Whether :class:`Grid` draws exactly what tabulate would for the rows added."""
        return self.plain and self.rows > 0


def _wrap_cell(cell: str, wrapper: _Wrapper | None) -> str:
    if wrapper is None:
        return cell
    lines = _cast(cell).splitlines()
    if len(lines) == 1:  # most cells: not worth a generator
        return _wrap(wrapper, lines[0]) if lines[0].strip() else ""
    return "\n".join([_wrap(wrapper, line) for line in lines if line.strip()])


def _width(text: str) -> int:
    return max(map(len, _LINE_BREAK.split(text)))


def _is_plain(cell: str) -> bool:
    return "\x1b" not in cell


def _is_separator(row: Sequence[str]) -> bool:
    return row[0].strip() == _SEPARATING_LINE or (
        len(row) > 1 and row[1].strip() == _SEPARATING_LINE
    )


class Grid:
    """Draws rows in the layout a :class:`Layout` measured, as tabulate's ``simple_grid``."""

    def __init__(self, layout: Layout, out: TextIO) -> None:
        self.layout = layout
        self.out = out
        widths = layout.widths
        self.blanks = [" " * w for w in widths]
        rules = ["─" * (w + 2) for w in widths]
        self.between = "├" + "┼".join(rules) + "┤\n"
        self.top = "┌" + "┬".join(rules) + "┐\n"
        self.bottom = "└" + "┴".join(rules) + "┘\n"
        self.first = True
        self.pending: list[str] = []  # written a few hundred rows at a time: fewer, larger writes
        # Each recurring column's cells drawn so far: the cell, its lines padded to the width.
        self.kept: list[dict[str, tuple[str, ...]] | None] = [None] * len(widths)
        for index in layout.recurring:
            self.kept[index] = {}

    def header(self) -> None:
        self.pending.append(self.top)
        self._lines(self.layout.headers)
        self.pending.append(self.between)

    def row(self, row: Sequence[str]) -> None:
        if not self.first:
            self.pending.append(self.between)
        self.first = False
        if self.layout.multiline:
            self._draw([self._column(index, cell) for index, cell in enumerate(row)])
        else:
            self._lines(self.layout.cells(row))
        if len(self.pending) > FLUSHED_AT:
            self.flush()

    def close(self) -> None:
        self.pending.append(self.bottom)
        self.flush()

    def flush(self) -> None:
        self.out.write("".join(self.pending))
        self.pending.clear()

    def _lines(self, cells: Sequence[str]) -> None:
        """The header, or a row of a table with no multiline cell (:meth:`Layout.cells`)."""
        widths = self.layout.widths
        if not self.layout.multiline:
            self.pending.append(
                "│ " + " │ ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " │\n"
            )
            return
        # a multiline table's header: tabulate splits a header on line breaks only
        columns = [
            "\n".join(line.ljust(w) for line in _LINE_BREAK.split(c)).splitlines()
            for c, w in zip(cells, widths, strict=True)
        ]
        self._draw(columns)

    def _column(self, index: int, cell: str) -> Sequence[str]:
        """The lines of a cell of column ``index`` in a multiline table, padded to its width
        (those of a recurring column's cell as drawn before, where it was)."""
        kept = self.kept[index]
        if kept is not None and (lines := kept.get(cell)) is not None:
            return lines
        width = self.layout.widths[index]
        lines = tuple([line.ljust(width) for line in self.layout.cell(index, cell).splitlines()])
        if kept is not None:
            if len(kept) >= KEPT_CELLS:
                kept.clear()
            kept[cell] = lines
        return lines

    def _draw(self, columns: Sequence[Sequence[str]]) -> None:
        """A row of a multiline table from its columns' padded lines: a shorter cell is
        padded with blank lines below."""
        height = max(map(len, columns))
        padded = [
            column if len(column) == height else [*column, *[blank] * (height - len(column))]
            for column, blank in zip(columns, self.blanks, strict=True)
        ]
        lines = [" │ ".join(line) for line in zip(*padded, strict=True)]
        if lines:  # the row's lines, as one text: fewer, longer strings to join on flushing
            self.pending.append("│ " + " │\n│ ".join(lines) + " │\n")
