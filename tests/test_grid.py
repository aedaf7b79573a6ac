"""The streamed grid (timeline.grid via timeline.tables.stream_table) is tabulate's, byte for byte.

Tables are generated from words that exercise what tabulate does to a cell: wrapping at a width,
an over-long word, hyphens, blank lines dropped, runs of spaces, tabs, line breaks of every kind
(\\r\\n, form feed, U+2028), and the words it reads as numbers or booleans. Every table is
compared with one ``tabulate`` call over all its rows, with maximum widths and without.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import pytest
from tabulate import tabulate

from timeline import grid, tables
from timeline.tables import stream_table

WORDS = [
    "a",
    "Treasury",
    "crab-meat",
    "1961",
    "26 Feb 1961",
    "True",
    "False",
    "  ",
    "x" * 40,
    "co-operation-with-everyone",
    "“quoted”",
    "1.50",
    "inf",
    "\t",
    "end.",
    "",
    "-",
    "Rusk (Secretary)",
    "\u2028",
    "\x0c",
    "\xa0",
    "x\xa0",
    "finance",
]
SEPARATORS = [" ", "\n", "\n\n", "  ", "\r\n"]


def _cell(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return ""
    return "".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(0, 8)))


def _table(rng: random.Random) -> tuple[list[str], list[int | None] | None, list[list[str]]]:
    columns = rng.randint(1, 5)
    headers = [rng.choice(["Date", "Kind", "Event", "A", "Documents x"]) for _ in range(columns)]
    limits = (
        [rng.choice([None, 3, 6, 12, 20]) for _ in range(columns)] if rng.random() < 0.8 else None
    )
    rows = [[_cell(rng) for _ in range(columns)] for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.3:  # single-line tables take tabulate's other layout
        rows = [[c.replace("\n", " ").replace("\r", " ") for c in row] for row in rows]
    return headers, limits, rows


def _plain(rows: list[list[str]]) -> bool:
    """What a caller vouches for with ``plain``: no cell holds what only tabulate lays out."""
    return not any("\x1b" in cell or cell.strip() == "\001" for row in rows for cell in row)


def _recurring(rng: random.Random, rows: list[list[str]]) -> tuple[list[list[str]], list[int]]:
    """The rows with the cells of some columns drawn from two of theirs, each column's (so
    that they recur, taller and shorter than the cells beside them), and those columns."""
    columns = len(rows[0])
    recurring = [index for index in range(columns) if rng.random() < 0.6]
    pools = {index: [rows[0][index], _cell(rng)] for index in recurring}
    again = [
        [rng.choice(pools[index]) if index in pools else cell for index, cell in enumerate(row)]
        for row in rows * 3
    ]
    return again, recurring


@pytest.mark.parametrize("recurs", [False, True])
@pytest.mark.parametrize("vouched", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_streamed_grid_is_tabulate(
    seed: int, vouched: bool, recurs: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against tabulate on random tables; ``vouched``: with the caller's word that the text is
    plain, so that the drawing goes on from the rows kept (two rows at a time here);
    ``recurs``: with columns whose cells recur, drawn once each (two kept at a time here)."""
    monkeypatch.setattr(tables, "CHUNK", 2)
    monkeypatch.setattr(grid, "KEPT_CELLS", 2)
    rng = random.Random(seed)
    compared = 0
    for _ in range(250):
        headers, limits, rows = _table(rng)
        recurring: list[int] = []
        if recurs:
            rows, recurring = _recurring(rng, rows)
        try:
            expected = tabulate(
                rows,
                headers=headers,
                tablefmt="simple_grid",
                maxcolwidths=limits,
                disable_numparse=True,
            )
        except (ValueError, IndexError):  # tabulate's own failures on some number-like cells
            continue
        out = io.StringIO()
        plain = (lambda rows=rows: _plain(rows)) if vouched else None
        stream_table(
            lambda rows=rows: iter(rows),
            headers,
            limits,
            out,
            tablefmt="simple_grid",
            plain=plain,
            recurring=recurring,
        )
        assert out.getvalue() == expected + "\n", (headers, limits, rows, recurring)
        compared += 1
    assert compared > 200


def test_colour_codes_are_left_to_tabulate() -> None:
    rows = [["\x1b[31mred\x1b[0m", "plain"]]
    out = io.StringIO()
    stream_table(lambda: iter(rows), ["A", "B"], [12, 12], out, tablefmt="simple_grid")
    expected = tabulate(
        rows,
        headers=["A", "B"],
        tablefmt="simple_grid",
        maxcolwidths=[12, 12],
        disable_numparse=True,
    )
    assert out.getvalue() == expected + "\n"


# Words for the greedy fill: hyphens textwrap breaks after (two letters before, letters after)
# and ones it does not (digits, one letter, a hyphen at a word's end or start, an em-dash),
# words longer than the width with and without such a hyphen, and words of other whitespace.
FILL_WORDS = [
    "a",
    "of",
    "Treasury",
    "x" * 12,
    "Secretary",
    "1961",
    "“quoted”",
    "crab-meat",
    "co-operation-with-everyone",
    "frus1961-63v05-d30~copy-1",
    "1961-63",
    "a-b-cd",
    "ab-c-d-ef",
    "ab-",
    "-ab",
    "x-1",
    "é-ü-ßΩ",
    "U.S.-Soviet",
    "well--known",
    "--",
    "\xa0",
    "x\xa0",
    "\xa0\xa0",
    "\x1f",
    "ab-\xa0",
]


@pytest.mark.parametrize("seed", range(20))
def test_spaced_words_wrap_as_textwrap_does(seed: int) -> None:
    """The greedy fill for words between single spaces (timeline.grid._wrap) against
    tabulate's own wrapper, at every width from 1 to past the line's length."""
    from timeline.grid import _wrap, _Wrapper

    rng = random.Random(seed)
    for _ in range(50):
        line = " ".join(rng.choice(FILL_WORDS) for _ in range(rng.randint(1, 12)))
        for width in range(1, len(line) + 3):
            wrapper = _Wrapper(width=width)
            assert _wrap(wrapper, line) == "\n".join(wrapper.wrap(line)), (line, width)


def test_the_quick_check_of_spaced_words_claims_no_more_than_the_pattern() -> None:
    """timeline.grid._spaced_words, asked before the pattern, says yes only where the pattern
    matches: for every character between two letters, alone, after a space, and between two."""
    import sys

    from timeline.grid import _SPACED_WORDS, _spaced_words

    claimed = 0
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        for line in (f"a{char}b", char, f"a {char}", f"a {char} b"):
            if _spaced_words(line):
                assert _SPACED_WORDS.fullmatch(line), hex(code)
                claimed += 1
    assert claimed > 100_000


@pytest.mark.parametrize("hyphens", [False, True])
def test_the_fill_stops_at_a_word_it_cannot_break(hyphens: bool) -> None:
    """Where no line can end within the width (a word longer than it), the fill gives the rest
    of the line as one match rather than trying every later character as a line's start; the
    line goes to textwrap, which cuts the word."""
    from timeline.grid import _filled, _wrap, _Wrapper

    line = "CIA-RDP88B00443R001500070028-8~benchmark-copy-12 and more words"
    # with hyphens, a line may end after "CIA-"; without, no line ends within ten characters
    first = ["CIA-"] if hyphens else []
    assert _filled(10, hyphens).findall(line) == [*first, line.removeprefix("".join(first))]
    wrapper = _Wrapper(width=10)
    assert _wrap(wrapper, line) == "\n".join(wrapper.wrap(line))


def _cast_as_written_first(cell: str) -> str:
    """timeline.grid._cast as first written: its tests in their first order."""
    from timeline.grid import _MAYBE_NUMBER, _NOT_NUMERIC, _typed

    if not cell or len(cell.split()) > 1:
        return cell
    if cell not in ("True", "False") and not _MAYBE_NUMBER.search(cell) and cell.strip():
        return cell
    if cell not in ("True", "False") and _NOT_NUMERIC.search(cell):
        return cell
    return _typed(cell)


def test_cast_answers_as_its_tests_in_any_order() -> None:
    """_cast asks first what most cells answer (a letter no number holds); every cell gets
    what the first order gave, numbers and booleans included."""
    from timeline.grid import _cast

    rng = random.Random(7)
    pieces = [*"0123456789+-.,_eEiInNfFtTyYaA \t\xa0xZ%\u2028", "True", "False", "1e5", "1,000"]
    cells = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(50_000)]
    changed = 0
    for cell in cells:
        assert _cast(cell) == _cast_as_written_first(cell), repr(cell)
        changed += _cast(cell) != cell
    assert changed > 100  # numbers tabulate prints its own way, and "False"


@pytest.mark.parametrize(
    ("line", "width", "lines"),
    [
        ("frus1961-63v05-d30~benchmark-copy-1", 30, ["frus1961-63v05-d30~benchmark-", "copy-1"]),
        ("the co-operation of all", 10, ["the co-", "operation", "of all"]),
        ("Soviet-American trade", 12, ["Soviet-", "American", "trade"]),
    ],
)
def test_hyphenated_words_are_filled_without_textwrap(
    line: str, width: int, lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long line of hyphenated words (a report's document keys, a quote's compounds) is
    filled by the fast path, breaking where textwrap does: textwrap is not called."""
    from timeline.grid import _wrap, _Wrapper

    wrapper = _Wrapper(width=width)
    assert wrapper.wrap(line) == lines
    monkeypatch.setattr(wrapper, "wrap", lambda _text: pytest.fail("textwrap was called"))
    assert _wrap(wrapper, line) == "\n".join(lines)


def test_plain_check_skips_the_measuring_pass_only_when_told() -> None:
    """A table whose layout settles early is measured from its first rows; an escape code
    further down still makes tabulate lay it out, unless the caller vouches for the text."""
    rows = [["x" * 20, "y y y y y y y y y y y y"]] * 5 + [["\x1b[1mbold\x1b[0m", "z"]]
    expected = tabulate(
        rows, headers=["A", "B"], tablefmt="simple_grid", maxcolwidths=[8, 8], disable_numparse=True
    )
    out = io.StringIO()
    stream_table(lambda: iter(rows), ["A", "B"], [8, 8], out, tablefmt="simple_grid")
    assert out.getvalue() == expected + "\n"
    told = io.StringIO()
    stream_table(
        lambda: iter(rows), ["A", "B"], [8, 8], told, tablefmt="simple_grid", plain=lambda: False
    )
    assert told.getvalue() == expected + "\n"


def test_rows_are_read_once_when_the_first_ones_settle_the_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A layout the first rows settle, with the caller's word that the text is plain, is drawn
    from those rows and the rest of the same reading; otherwise the rows are read again."""
    monkeypatch.setattr(tables, "CHUNK", 3)
    rows = [["x" * 20, "y" * 20]] * 4 + [[f"row {n}", "z"] for n in range(9)]  # settled at once
    expected = tabulate(
        rows, headers=["A", "B"], tablefmt="simple_grid", maxcolwidths=[8, 8], disable_numparse=True
    )
    for plain, reads in ((lambda: True, 1), (lambda: False, 2), (None, 2)):
        calls: list[int] = []
        out = io.StringIO()
        stream_table(
            lambda calls=calls: calls.append(1) or iter(rows),  # type: ignore[func-returns-value]
            ["A", "B"],
            [8, 8],
            out,
            tablefmt="simple_grid",
            plain=plain,
        )
        assert out.getvalue() == expected + "\n"
        assert len(calls) == reads
    short = rows[-2:]  # fewer rows than a chunk, read whole in the first pass: kept, not reread
    calls.clear()
    out = io.StringIO()
    stream_table(
        lambda: calls.append(1) or iter(short), ["A", "B"], [8, 8], out, tablefmt="simple_grid"
    )
    assert len(calls) == 1
    assert (
        out.getvalue()
        == tabulate(
            short,
            headers=["A", "B"],
            tablefmt="simple_grid",
            maxcolwidths=[8, 8],
            disable_numparse=True,
        )
        + "\n"
    )


def test_a_column_is_measured_only_until_it_reaches_its_maximum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lines a column can hold (a report's document keys: as many as the documents) are
    read until one fills the column; the table is tabulate's all the same."""
    monkeypatch.setattr(tables, "CHUNK", 3)
    rows = [["x" * 20, "y"]] * 3 + [["a", "w" * 8]] + [["a", f"q{n}"] for n in range(50)]
    fed: list[str] = []

    def lines(column: int, measure: Callable[[str], bool]) -> bool:
        texts = dict.fromkeys(row[column] for row in rows)
        return all(measure(line) for line in texts if not fed.append(line))  # type: ignore[func-returns-value]

    out = io.StringIO()
    stream_table(
        lambda: iter(rows),
        ["A", "B"],
        [8, 8],
        out,
        tablefmt="simple_grid",
        plain=lambda: True,
        lines=lines,
    )
    expected = tabulate(
        rows, headers=["A", "B"], tablefmt="simple_grid", maxcolwidths=[8, 8], disable_numparse=True
    )
    assert out.getvalue() == expected + "\n"
    assert fed == ["y", "w" * 8]  # column A was full from the first rows; B once "w…" came
