"""Tests for timeline.dates: EDTF parsing, display, ordering, filter bounds and resolve()."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.dates import HistDate, Precision, parse_bound, resolve
from timeline.errors import DateError

MIN, MAX = date.min, date.max
P = Precision

# edtf -> (start, end, precision, approximate, uncertain, display)
EXAMPLES: list[tuple[str, date, date, Precision, bool, bool, str]] = [
    # level 0
    ("1961-02-26", date(1961, 2, 26), date(1961, 2, 26), P.DAY, False, False, "26 Feb 1961"),
    ("1961-02-01", date(1961, 2, 1), date(1961, 2, 1), P.DAY, False, False, "1 Feb 1961"),
    ("1960-02-29", date(1960, 2, 29), date(1960, 2, 29), P.DAY, False, False, "29 Feb 1960"),
    ("1961-02", date(1961, 2, 1), date(1961, 2, 28), P.MONTH, False, False, "Feb 1961"),
    ("1964-02", date(1964, 2, 1), date(1964, 2, 29), P.MONTH, False, False, "Feb 1964"),
    ("1961", date(1961, 1, 1), date(1961, 12, 31), P.YEAR, False, False, "1961"),
    ("0800", date(800, 1, 1), date(800, 12, 31), P.YEAR, False, False, "800"),
    ("1956/1960", date(1956, 1, 1), date(1960, 12, 31), P.INTERVAL, False, False, "1956–1960"),
    (
        "2004-02-01/2005-02",
        date(2004, 2, 1),
        date(2005, 2, 28),
        P.INTERVAL,
        False,
        False,
        "1 Feb 2004 – Feb 2005",
    ),
    (
        "1961-02/1962-03",
        date(1961, 2, 1),
        date(1962, 3, 31),
        P.INTERVAL,
        False,
        False,
        "Feb 1961 – Mar 1962",
    ),
    # level 1: qualification
    ("1945~", date(1945, 1, 1), date(1945, 12, 31), P.YEAR, True, False, "c. 1945"),
    ("1961?", date(1961, 1, 1), date(1961, 12, 31), P.YEAR, False, True, "1961?"),
    ("1961%", date(1961, 1, 1), date(1961, 12, 31), P.YEAR, True, True, "c. 1961?"),
    ("1984-06%", date(1984, 6, 1), date(1984, 6, 30), P.MONTH, True, True, "c. Jun 1984?"),
    ("1961-02-26~", date(1961, 2, 26), date(1961, 2, 26), P.DAY, True, False, "c. 26 Feb 1961"),
    # level 1: unspecified digits
    ("195X", date(1950, 1, 1), date(1959, 12, 31), P.DECADE, False, False, "1950s"),
    ("19XX", date(1900, 1, 1), date(1999, 12, 31), P.CENTURY, False, False, "1900s"),
    ("195X~", date(1950, 1, 1), date(1959, 12, 31), P.DECADE, True, False, "c. 1950s"),
    ("1985-XX", date(1985, 1, 1), date(1985, 12, 31), P.YEAR, False, False, "1985"),
    ("1985-04-XX", date(1985, 4, 1), date(1985, 4, 30), P.MONTH, False, False, "Apr 1985"),
    ("1985-XX-XX", date(1985, 1, 1), date(1985, 12, 31), P.YEAR, False, False, "1985"),
    # level 1: seasons
    ("1961-21", date(1961, 3, 1), date(1961, 5, 31), P.SEASON, False, False, "Spring 1961"),
    ("1961-22", date(1961, 6, 1), date(1961, 8, 31), P.SEASON, False, False, "Summer 1961"),
    ("1961-23", date(1961, 9, 1), date(1961, 11, 30), P.SEASON, False, False, "Autumn 1961"),
    ("1961-24", date(1961, 12, 1), date(1962, 2, 28), P.SEASON, False, False, "Winter 1961"),
    ("1963-24", date(1963, 12, 1), date(1964, 2, 29), P.SEASON, False, False, "Winter 1963"),
    ("1961-21?", date(1961, 3, 1), date(1961, 5, 31), P.SEASON, False, True, "Spring 1961?"),
    # level 1: extended intervals
    ("../1984-05-16", MIN, date(1984, 5, 16), P.INTERVAL, False, False, "by 16 May 1984"),
    ("1961/..", date(1961, 1, 1), MAX, P.INTERVAL, False, False, "1961 onward"),
    ("/1961", MIN, date(1961, 12, 31), P.INTERVAL, False, False, "? – 1961"),
    ("1961/", date(1961, 1, 1), MAX, P.INTERVAL, False, False, "1961 – ?"),
    (
        "1956~/1961-02-26",
        date(1956, 1, 1),
        date(1961, 2, 26),
        P.INTERVAL,
        True,
        False,
        "c. 1956 – 26 Feb 1961",
    ),
    ("1945~/1951", date(1945, 1, 1), date(1951, 12, 31), P.INTERVAL, True, False, "c. 1945 – 1951"),
    ("1961?/1962", date(1961, 1, 1), date(1962, 12, 31), P.INTERVAL, False, True, "1961?–1962"),
    ("195X/196X", date(1950, 1, 1), date(1969, 12, 31), P.INTERVAL, False, False, "1950s–1960s"),
    (
        "1961-21/1961-23",
        date(1961, 3, 1),
        date(1961, 11, 30),
        P.INTERVAL,
        False,
        False,
        "Spring 1961 – Autumn 1961",
    ),
    ("../1984~", MIN, date(1984, 12, 31), P.INTERVAL, True, False, "by c. 1984"),
    (
        "1961-02-26/1961-02-26",
        date(1961, 2, 26),
        date(1961, 2, 26),
        P.INTERVAL,
        False,
        False,
        "26 Feb 1961 – 26 Feb 1961",
    ),
]


@pytest.mark.parametrize(
    ("edtf", "start", "end", "precision", "approximate", "uncertain", "shown"), EXAMPLES
)
def test_examples(
    edtf: str,
    start: date,
    end: date,
    precision: Precision,
    approximate: bool,
    uncertain: bool,
    shown: str,
) -> None:
    d = HistDate.parse(edtf)
    assert (d.start, d.end, d.precision, d.approximate, d.uncertain) == (
        start,
        end,
        precision,
        approximate,
        uncertain,
    )
    assert d.display() == shown
    assert str(d) == edtf == d.edtf
    assert HistDate.parse(str(d)) == d


def test_text_is_kept_but_not_compared() -> None:
    a = HistDate.parse("1961-02-21", text="February 21")
    b = HistDate.parse("1961-02-21")
    assert a.text == "February 21"
    assert a == b
    assert hash(a) == hash(b)


def test_lenient_normalisation() -> None:
    assert str(HistDate.parse("195x")) == "195X"
    assert str(HistDate.parse("  1961-02-26 ")) == "1961-02-26"


def test_open_and_unknown_ends_are_distinct() -> None:
    open_end, unknown_end = HistDate.parse("1961/.."), HistDate.parse("1961/")
    assert (open_end.start, open_end.end) == (unknown_end.start, unknown_end.end)
    assert open_end != unknown_end
    assert str(open_end) == "1961/.." and str(unknown_end) == "1961/"


def test_sort_key_and_ordering() -> None:
    days = [HistDate.parse(e) for e in ["1961", "1961-02-26", "1960/1962", "1961-02", "1950~"]]
    assert [str(d) for d in sorted(days)] == ["1950~", "1960/1962", "1961", "1961-02", "1961-02-26"]
    assert HistDate.parse("1961-02").sort_key == (date(1961, 2, 1), date(1961, 2, 28), 1)
    # Same bounds: the finer precision sorts first.
    assert HistDate.parse("1961") < HistDate.parse("1961/1961")
    assert HistDate.parse("1961") <= HistDate.parse("1961")
    assert HistDate.parse("1962") > HistDate.parse("1961") >= HistDate.parse("1961")


def test_overlaps() -> None:
    d = HistDate.parse("1961-02")
    assert d.overlaps(date(1961, 2, 28), date(1961, 3, 31))
    assert d.overlaps(date(1960, 1, 1), date(1961, 2, 1))
    assert not d.overlaps(date(1961, 3, 1), date(1961, 12, 31))
    assert HistDate.parse("../1984").overlaps(date(1, 1, 1), date(1, 1, 1))
    with pytest.raises(DateError):
        d.overlaps(date(1962, 1, 1), date(1961, 1, 1))


def test_direct_construction_is_checked() -> None:
    with pytest.raises(DateError):
        HistDate("1961", date(1961, 1, 1), date(1961, 1, 31), P.YEAR, False, False)
    ok = HistDate("1961", date(1961, 1, 1), date(1961, 12, 31), P.YEAR, False, False)
    assert ok == HistDate.parse("1961")


BAD = [
    "",
    "   ",
    "1961-02-30",
    "1961-02-29",
    "1961-13",
    "1961-00",
    "1961-02-00",
    "1961-02-32",
    "1961-25",
    "19611",
    "196",
    "61",
    "1961-2-26",
    "1961--02",
    "1961-02-",
    "abc",
    "1960/1950",
    "1961-03/1961-02",
    "1961/1962/1963",
    "/",
    "..",
    "../..",
    "../",
    "/..",
    "-0100",
    "1961/-0100",
    "0000",
    "000X",
    "00XX",
    "Y170000002",
    "Y17E7",
    "1950S2",
    "1961-02-26T10:00",
    "1961-02-26T",
    "1961-02-26 10:00",
    "1961~~",
    "1961?~",
    "?1961",
    "2004-?06-11",
    "1961-21-03",
    "195X-02",
    "19XX-02-01",
    "1985-XX-04",
    "1XXX",
    "XXXX",
    "9999-24",
    "[1961,1962]",
    "{1961..1962}",
    "1961/1962-..",
    "..1961",
    "１９６１",  # fullwidth digits are not EDTF
    "1961\n/1962",
]


@pytest.mark.parametrize("bad", BAD)
def test_bad_inputs_raise_date_error(bad: str) -> None:
    with pytest.raises(DateError):
        HistDate.parse(bad)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("-0100", "negative"),
        ("0000", "0001–9999"),
        ("Y170000002", "not supported"),
        ("1961-02-26T10:00", "times are not supported"),
        ("1961~~", "qualifier"),
        ("19611", "expected YYYY"),
        ("1961-02-30", "not a real date"),
    ],
)
def test_error_messages_say_why(bad: str, words: str) -> None:
    with pytest.raises(DateError, match=words):
        HistDate.parse(bad)


# --- parse_bound -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("1961", date(1961, 1, 1), date(1961, 12, 31)),
        ("1961-02", date(1961, 2, 1), date(1961, 2, 28)),
        ("1960-02", date(1960, 2, 1), date(1960, 2, 29)),
        ("1961-02-26", date(1961, 2, 26), date(1961, 2, 26)),
    ],
)
def test_parse_bound(value: str, first: date, last: date) -> None:
    assert parse_bound(value) == (first, last)


@pytest.mark.parametrize(
    "bad", ["1961-13", "1961-21", "195X", "1961~", "1961/1962", "", "0000", "1961-02-30", " 1961"]
)
def test_parse_bound_rejects(bad: str) -> None:
    with pytest.raises(DateError, match="is not a date"):
        parse_bound(bad)


def test_parse_bound_message() -> None:
    with pytest.raises(DateError) as info:
        parse_bound("1961-13")
    assert str(info.value) == "'1961-13' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"


# --- resolve -----------------------------------------------------------------------------------

JAN_5 = HistDate.parse("1961-01-05")
FEB_26 = HistDate.parse("1961-02-26")


@pytest.mark.parametrize(
    ("text", "anchor", "edtf"),
    [
        ("February 21", FEB_26, "1961-02-21"),
        ("Feb. 21", FEB_26, "1961-02-21"),
        ("Feb 21", FEB_26, "1961-02-21"),
        ("21 February", FEB_26, "1961-02-21"),
        ("on February 21st", FEB_26, "1961-02-21"),
        ("December 28", JAN_5, "1960-12-28"),
        ("January 2", HistDate.parse("1960-12-30"), "1961-01-02"),
        ("February 29", FEB_26, "1960-02-29"),
        ("16 May 1984", FEB_26, "1984-05-16"),
        ("May 16, 1984", FEB_26, "1984-05-16"),
        ("17 May 84", FEB_26, "1984-05-17"),
        ("17 May 84", HistDate.parse("2001-06-01"), "1984-05-17"),
        ("3 March 02", HistDate.parse("1999-01-01"), "2002-03-03"),
        ("1951", FEB_26, "1951"),
        ("in 1951", FEB_26, "1951"),
        ("In 1951.", FEB_26, "1951"),
        ("February 1961", JAN_5, "1961-02"),
        ("in December", JAN_5, "1960-12"),
        ("the 1950s", FEB_26, "195X"),
    ],
)
def test_resolve(text: str, anchor: HistDate, edtf: str) -> None:
    d = resolve(text, anchor)
    assert str(d) == edtf
    assert d.text == text


def test_resolve_day_precision() -> None:
    d = resolve("February 21", FEB_26)
    assert d.precision is Precision.DAY
    assert d.display() == "21 Feb 1961"


@pytest.mark.parametrize(
    "text",
    [
        "at the end of World War II",
        "in the last few years",
        "",
        "Spring",
        "Febtober 21",
        "February 30",
        "February 30, 1961",
        "May 84",
        "sometime",
    ],
)
def test_resolve_rejects(text: str) -> None:
    with pytest.raises(DateError, match=repr(text).replace("(", r"\(")):
        resolve(text, FEB_26)


def test_resolve_needs_a_known_anchor_start_for_partial_dates() -> None:
    with pytest.raises(DateError):
        resolve("February 21", HistDate.parse("../1961"))
    assert str(resolve("1951", HistDate.parse("../1961"))) == "1951"


# --- properties --------------------------------------------------------------------------------

Expected = tuple[str, date, date]  # edtf, start, end, computed independently of the parser


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@st.composite
def single_dates(draw: st.DrawFn) -> Expected:
    kind = draw(
        st.sampled_from(
            ["day", "month", "month-xx", "season", "year", "year-xx", "year-xx-xx", "decade", "c"]
        )
    )
    year = draw(st.integers(1, 9998))
    month = draw(st.integers(1, 12))
    if kind == "day":
        d = draw(st.dates(date(1, 1, 1), date(9998, 12, 31)))
        edtf, start, end = d.isoformat(), d, d
    elif kind in ("month", "month-xx"):
        suffix = "-XX" if kind == "month-xx" else ""
        edtf = f"{year:04d}-{month:02d}{suffix}"
        start, end = date(year, month, 1), _last_day(year, month)
    elif kind == "season":
        season = draw(st.integers(21, 24))
        first = {21: 3, 22: 6, 23: 9, 24: 12}[season]
        edtf, start = f"{year:04d}-{season}", date(year, first, 1)
        end = _last_day(year + 1, 2) if season == 24 else _last_day(year, first + 2)
    elif kind.startswith("year"):
        edtf = f"{year:04d}" + {"year": "", "year-xx": "-XX", "year-xx-xx": "-XX-XX"}[kind]
        start, end = date(year, 1, 1), date(year, 12, 31)
    elif kind == "decade":
        prefix = draw(st.integers(1, 999))
        edtf, start, end = f"{prefix:03d}X", date(prefix * 10, 1, 1), date(prefix * 10 + 9, 12, 31)
    else:
        prefix = draw(st.integers(1, 99))
        first_year = prefix * 100
        edtf, start, end = f"{prefix:02d}XX", date(first_year, 1, 1), date(first_year + 99, 12, 31)
    return edtf + draw(st.sampled_from(["", "~", "?", "%"])), start, end


@st.composite
def intervals(draw: st.DrawFn) -> Expected:
    a, b = draw(single_dates()), draw(single_dates())
    if a[1] > b[2]:
        # Then b ends before a starts, so b/a is a valid interval.
        a, b = b, a
    form = draw(st.sampled_from(["both", "open-start", "open-end", "unknown-start", "unknown-end"]))
    if form == "both":
        return f"{a[0]}/{b[0]}", a[1], b[2]
    if form == "open-start":
        return f"../{b[0]}", MIN, b[2]
    if form == "unknown-start":
        return f"/{b[0]}", MIN, b[2]
    if form == "open-end":
        return f"{a[0]}/..", a[1], MAX
    return f"{a[0]}/", a[1], MAX


any_dates = st.one_of(single_dates(), intervals())


@given(any_dates)
def test_generated_dates_round_trip(expected: Expected) -> None:
    edtf, start, end = expected
    d = HistDate.parse(edtf)
    assert str(d) == edtf
    assert HistDate.parse(str(d)) == d
    assert (d.start, d.end) == (start, end)
    assert d.start <= d.end
    assert d.display()
    assert d.approximate == ("~" in edtf or "%" in edtf)
    assert d.uncertain == ("?" in edtf or "%" in edtf)
    assert (d.precision is Precision.INTERVAL) == ("/" in edtf)


@given(st.lists(any_dates, max_size=12))
def test_sorting_agrees_with_bounds(items: list[Expected]) -> None:
    ds = [HistDate.parse(edtf) for edtf, _, _ in items]
    ordered = sorted(ds)
    starts = [d.start for d in ordered]
    assert starts == sorted(starts)
    assert [d.sort_key for d in ordered] == sorted(d.sort_key for d in ds)


@given(any_dates, any_dates)
def test_ordering_is_consistent_with_equality(a: Expected, b: Expected) -> None:
    x, y = HistDate.parse(a[0]), HistDate.parse(b[0])
    assert (x == y) == (not x < y and not y < x)
    assert (x <= y) == (x < y or x == y)


@given(st.dates())
def test_every_real_date_round_trips_at_day_precision(d: date) -> None:
    h = HistDate.parse(d.isoformat())
    assert (h.start, h.end, h.precision, str(h)) == (d, d, Precision.DAY, d.isoformat())
    assert not h.approximate and not h.uncertain


@given(st.dates(), st.sampled_from([4, 7, 10]))
def test_parse_bound_covers_the_value(d: date, width: int) -> None:
    first, last = parse_bound(d.isoformat()[:width])
    assert first <= d <= last
    assert first <= last


@given(st.one_of(st.text(), st.text(alphabet="0123456789X-/.~?%xTYS ", max_size=24)))
def test_parse_never_raises_anything_but_date_error(s: str) -> None:
    try:
        d = HistDate.parse(s)
    except DateError:
        return
    assert isinstance(d, HistDate)
    assert HistDate.parse(str(d)) == d


@given(st.text(max_size=40))
def test_resolve_never_raises_anything_but_date_error(s: str) -> None:
    try:
        d = resolve(s, FEB_26)
    except DateError:
        return
    assert d.text == s
