"""Historical dates that tell the truth about their precision.

A `HistDate` is written in EDTF (Library of Congress Extended Date/Time Format, levels 0 and 1,
dates only) and knows its earliest and latest possible day, its precision, and whether the source
marked it approximate or uncertain.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Final

from timeline.errors import DateError

__all__ = ["HistDate", "Precision", "parse_bound", "resolve"]


class Precision(enum.StrEnum):
    """How finely a date is known; INTERVAL for a span written as two dates."""

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    CENTURY = "century"
    INTERVAL = "interval"


_RANK: Final[dict[Precision, int]] = {
    Precision.DAY: 0,
    Precision.MONTH: 1,
    Precision.SEASON: 2,
    Precision.YEAR: 3,
    Precision.DECADE: 4,
    Precision.CENTURY: 5,
    Precision.INTERVAL: 6,
}

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# EDTF level 1 seasons: code -> (name, first month). Winter runs into the next year.
_SEASONS: Final[dict[int, tuple[str, int]]] = {
    21: ("Spring", 3),
    22: ("Summer", 6),
    23: ("Autumn", 9),
    24: ("Winter", 12),
}

_OPEN: Final = ".."
_UNKNOWN: Final = ""

_EXPECTED: Final = (
    "expected YYYY, YYYY-MM, YYYY-MM-DD, a season YYYY-21..24, unspecified digits "
    "(195X, 19XX, YYYY-XX, YYYY-MM-XX, YYYY-XX-XX), optionally ending in one of ~ ? %, "
    "or an interval A/B whose ends may be '..' (open) or empty (unknown)"
)
_YEARS_SUPPORTED: Final = "only years 0001–9999 are supported"

# [0-9] rather than \d: \d also matches non-ASCII digits, which int() would then accept.
_DATE_RE: Final = re.compile(
    r"(?P<year>[0-9]{4}|[0-9]{3}X|[0-9]{2}XX)"
    r"(?:-(?P<month>[0-9]{2}|XX)(?:-(?P<day>[0-9]{2}|XX))?)?"
    r"(?P<qual>[~?%])?"
)
_BOUND_RE: Final = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")


@dataclass(frozen=True)
class _Parsed:
    """What an EDTF string says, plus how a historian would write it."""

    edtf: str
    start: datetime.date
    end: datetime.date
    precision: Precision
    approximate: bool
    uncertain: bool
    label: str


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _check_unsupported(s: str, whole: str) -> None:
    """Reject EDTF features outside levels 0–1 (dates only) with a message naming the feature."""
    if "T" in s or ":" in s:
        raise DateError(f"{whole!r}: times are not supported; give a date only (YYYY-MM-DD)")
    if s.startswith("-"):
        raise DateError(f"{whole!r}: negative (BCE) years are not supported; {_YEARS_SUPPORTED}")
    if "Y" in s:
        raise DateError(
            f"{whole!r}: Y-prefixed long years and exponents are not supported; {_YEARS_SUPPORTED}"
        )
    if re.search(r"[0-9X]S[0-9]", s):
        raise DateError(f"{whole!r}: significant digits (EDTF level 2) are not supported")
    if any(c in s for c in "[]{}"):
        raise DateError(f"{whole!r}: sets of dates (EDTF level 2) are not supported")
    quals = [i for i, c in enumerate(s) if c in "~?%"]
    if quals and (len(quals) > 1 or quals[0] != len(s) - 1):
        raise DateError(
            f"{whole!r}: a date takes at most one qualifier (~ approximate, ? uncertain, "
            "% both), at its end"
        )


def _parse_date(s: str, whole: str) -> _Parsed:
    """Parse one EDTF date (not an interval)."""
    _check_unsupported(s, whole)
    m = _DATE_RE.fullmatch(s)
    if m is None:
        raise DateError(f"{whole!r} is not an EDTF date: {_EXPECTED}")
    year_s, month_s, day_s, qual = m.group("year", "month", "day", "qual")
    approximate = qual in ("~", "%")
    uncertain = qual in ("?", "%")

    if "X" in year_s:
        if month_s is not None:
            raise DateError(
                f"{whole!r}: a decade or century (195X, 19XX) cannot have a month or day"
            )
        digits = year_s.rstrip("X")
        span = 10 ** (4 - len(digits))
        first = int(digits) * span
        if first == 0:
            raise DateError(f"{whole!r} would include year 0000; {_YEARS_SUPPORTED}")
        start = datetime.date(first, 1, 1)
        end = datetime.date(first + span - 1, 12, 31)
        precision = Precision.DECADE if span == 10 else Precision.CENTURY
        label = f"{first}s"
    else:
        year = int(year_s)
        if year == 0:
            raise DateError(f"{whole!r}: year 0000 is not supported; {_YEARS_SUPPORTED}")
        if month_s is None or month_s == "XX":
            if day_s not in (None, "XX"):
                raise DateError(f"{whole!r}: a day cannot be given when the month is unspecified")
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            precision, label = Precision.YEAR, str(year)
        else:
            month = int(month_s)
            if month in _SEASONS:
                if day_s is not None:
                    raise DateError(f"{whole!r}: a season (21–24) has no day")
                name, first_month = _SEASONS[month]
                end_year, end_month = (year + 1, 2) if month == 24 else (year, first_month + 2)
                if end_year > 9999:
                    raise DateError(f"{whole!r} ends in year 10000; {_YEARS_SUPPORTED}")
                start = datetime.date(year, first_month, 1)
                end = datetime.date(end_year, end_month, _days_in_month(end_year, end_month))
                precision, label = Precision.SEASON, f"{name} {year}"
            elif 1 <= month <= 12:
                abbr = _MONTH_ABBR[month - 1]
                last = _days_in_month(year, month)
                if day_s is None or day_s == "XX":
                    start, end = datetime.date(year, month, 1), datetime.date(year, month, last)
                    precision, label = Precision.MONTH, f"{abbr} {year}"
                else:
                    day = int(day_s)
                    if not 1 <= day <= last:
                        raise DateError(
                            f"{whole!r} is not a real date: {abbr} {year} has days 01–{last}"
                        )
                    start = end = datetime.date(year, month, day)
                    precision, label = Precision.DAY, f"{day} {abbr} {year}"
            else:
                raise DateError(
                    f"{whole!r} has no month {month_s}: expected 01–12, a season 21–24, or XX"
                )

    if approximate:
        label = "c. " + label
    if uncertain:
        label += "?"
    return _Parsed(s, start, end, precision, approximate, uncertain, label)


def _parse_side(s: str, whole: str) -> _Parsed | str:
    return s if s in (_OPEN, _UNKNOWN) else _parse_date(s, whole)


def _interval_label(left: _Parsed | str, right: _Parsed | str) -> str:
    if isinstance(left, str):
        assert isinstance(right, _Parsed)
        return f"by {right.label}" if left == _OPEN else f"? – {right.label}"
    if isinstance(right, str):
        return f"{left.label} onward" if right == _OPEN else f"{left.label} – ?"
    if " " in left.label or " " in right.label:
        return f"{left.label} – {right.label}"
    return f"{left.label}–{right.label}"


@functools.lru_cache(maxsize=4096)
def _parse(s: str) -> _Parsed:
    """Parse a normalised EDTF string; cached because display() and validation re-parse."""
    if not s:
        raise DateError(f"an empty string is not a date: {_EXPECTED}")
    if "/" not in s:
        return _parse_date(s, s)
    sides = s.split("/")
    if len(sides) != 2:
        raise DateError(f"{s!r} has more than one '/': an interval has exactly two ends")
    left, right = (_parse_side(side, s) for side in sides)
    if not isinstance(left, _Parsed) and not isinstance(right, _Parsed):
        raise DateError(f"{s!r}: an interval needs a date at one end at least")
    start = left.start if isinstance(left, _Parsed) else datetime.date.min
    end = right.end if isinstance(right, _Parsed) else datetime.date.max
    if start > end:
        raise DateError(f"{s!r} starts after it ends: {start.isoformat()} > {end.isoformat()}")
    parts = [p for p in (left, right) if isinstance(p, _Parsed)]
    return _Parsed(
        edtf=s,
        start=start,
        end=end,
        precision=Precision.INTERVAL,
        approximate=any(p.approximate for p in parts),
        uncertain=any(p.uncertain for p in parts),
        label=_interval_label(left, right),
    )


@dataclass(frozen=True)
class HistDate:
    """A historical date or interval in canonical EDTF, with its bounds and qualifiers.

    Build one with `HistDate.parse`; direct construction is checked against the EDTF string.
    """

    edtf: str
    start: datetime.date
    end: datetime.date
    precision: Precision
    approximate: bool
    uncertain: bool
    text: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Every field is derived from `edtf`; refusing inconsistent values keeps the bounds honest.
        p = _parse(self.edtf)
        mine = (self.edtf, self.start, self.end, self.precision, self.approximate, self.uncertain)
        if mine != (p.edtf, p.start, p.end, p.precision, p.approximate, p.uncertain):
            raise DateError(
                f"HistDate fields do not match its EDTF {self.edtf!r}; build it with HistDate.parse"
            )

    @classmethod
    def parse(cls, edtf: str, text: str | None = None) -> HistDate:
        """Parse an EDTF date or interval; `text` keeps the source's own words."""
        if not isinstance(edtf, str):
            raise DateError(f"{edtf!r} is not a date: expected an EDTF string")
        # Lenient on the two slips people make, strict on everything else.
        p = _parse(edtf.strip().replace("x", "X"))
        return cls(p.edtf, p.start, p.end, p.precision, p.approximate, p.uncertain, text)

    def __str__(self) -> str:
        return self.edtf

    def display(self) -> str:
        """The date as a historian writes it, e.g. "26 Feb 1961", "c. 1945", "1956–1960"."""
        return _parse(self.edtf).label

    @property
    def sort_key(self) -> tuple[datetime.date, datetime.date, int]:
        """(start, end, precision rank finest-first): sorts by bounds."""
        return (self.start, self.end, _RANK[self.precision])

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        """Whether any possible day of this date lies in the closed range [start, end]."""
        if start > end:
            raise DateError(f"the range {start} – {end} ends before it starts")
        return self.start <= end and start <= self.end

    # Ties on sort_key are broken by the EDTF string so that ordering agrees with ==.
    def _order(self) -> tuple[datetime.date, datetime.date, int, str]:
        return (*self.sort_key, self.edtf)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, HistDate):
            return NotImplemented
        return self._order() < other._order()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, HistDate):
            return NotImplemented
        return self._order() <= other._order()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, HistDate):
            return NotImplemented
        return self._order() > other._order()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, HistDate):
            return NotImplemented
        return self._order() >= other._order()


def parse_bound(value: str) -> tuple[datetime.date, datetime.date]:
    """The (first day, last day) covered by a filter bound written YYYY, YYYY-MM or YYYY-MM-DD."""
    m = _BOUND_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None or (m["month"] is not None and not 1 <= int(m["month"]) <= 12):
        raise DateError(f"{value!r} is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(m["year"])
    if year == 0:
        raise DateError(f"{value!r} is not a date: {_YEARS_SUPPORTED}")
    if m["day"] is not None:
        month, day = int(m["month"]), int(m["day"])
        last = _days_in_month(year, month)
        if not 1 <= day <= last:
            raise DateError(
                f"{value!r} is not a date: {_MONTH_ABBR[month - 1]} {year} has days 01–{last}"
            )
    d = HistDate.parse(value)
    return d.start, d.end


_MONTH_NAMES: Final[dict[str, int]] = {
    **{calendar.month_name[i].lower(): i for i in range(1, 13)},
    **{abbr.lower(): i for i, abbr in enumerate(_MONTH_ABBR, start=1)},
    "sept": 9,
}

_PREFIX = r"(?:(?:in|on)\s+)?"
_MON = r"(?P<mon>[a-z]+)\.?"
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>[0-9]{4}|[0-9]{2})"
_FLAGS = re.IGNORECASE | re.ASCII
_RESOLVE_PATTERNS: Final = (
    re.compile(rf"{_PREFIX}{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?", _FLAGS),  # May 16, 1984
    re.compile(rf"{_PREFIX}(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MON},?(?:\s+{_YEAR})?", _FLAGS),
    re.compile(rf"{_PREFIX}{_MON}(?:,?\s+(?P<year>[0-9]{{4}}))?", _FLAGS),  # February 1961
    re.compile(rf"{_PREFIX}(?P<year>[0-9]{{4}})", _FLAGS),  # in 1951
    re.compile(rf"{_PREFIX}(?:the\s+)?(?P<decade>[0-9]{{3}})0s", _FLAGS),  # the 1950s
)

_RESOLVE_EXPECTED: Final = (
    "expected e.g. 'February 21', 'Feb. 21', '21 February', '16 May 1984', 'May 16, 1984', "
    "'17 May 84', 'February 1961', '1951' or 'in 1951'"
)


def _anchor_day(text: str, anchor: HistDate) -> datetime.date:
    if anchor.start == datetime.date.min:
        raise DateError(f"cannot place {text!r}: the document date {anchor} has no known start")
    return anchor.start


def _nearest(
    candidates: list[tuple[int, datetime.date, datetime.date]], target: datetime.date
) -> int:
    """The year of the candidate range closest to `target`; ties go to the earlier year."""

    def distance(c: tuple[int, datetime.date, datetime.date]) -> tuple[int, int]:
        _, lo, hi = c
        gap = 0 if lo <= target <= hi else min(abs((lo - target).days), abs((hi - target).days))
        return (gap, c[0])

    return min(candidates, key=distance)[0]


def _full_year(year_s: str, text: str, anchor: HistDate) -> int:
    if len(year_s) == 4:
        return int(year_s)
    # Two digits: the year ending in them nearest the document's own year.
    ay = _anchor_day(text, anchor).year
    century = ay // 100 * 100
    options = [y for y in (century - 100, century, century + 100) if 1 <= y + int(year_s) <= 9999]
    return min((c + int(year_s) for c in options), key=lambda y: (abs(y - ay), y))


def _month_in_year(year: int, month: int, day: int | None) -> tuple[datetime.date, datetime.date]:
    if day is None:
        last = _days_in_month(year, month)
        return datetime.date(year, month, 1), datetime.date(year, month, last)
    d = datetime.date(year, month, day)
    return d, d


def _resolve_edtf(m: re.Match[str], month: int | None, text: str, anchor: HistDate) -> str:
    gd = m.groupdict()
    if gd.get("decade") is not None:
        return f"{gd['decade']}X"
    day = int(gd["day"]) if gd.get("day") is not None else None
    if month is None:
        return f"{int(gd['year']):04d}"
    if gd.get("year") is not None:
        year = _full_year(gd["year"], text, anchor)
    else:
        target = _anchor_day(text, anchor)
        candidates = []
        for y in (target.year - 1, target.year, target.year + 1):
            try:
                candidates.append((y, *_month_in_year(y, month, day)))
            except ValueError:  # 29 February outside a leap year, or a year out of range
                continue
        if not candidates:
            raise DateError(
                f"cannot read {text!r} as a date: no such day within a year of {anchor.display()}"
            )
        year = _nearest(candidates, target)
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def resolve(text: str, anchor: HistDate) -> HistDate:
    """Read a source's date words ("February 21", "16 May 1984", "in 1951") against the date of
    the document they appear in; the result keeps `text` as its source words.
    """
    words = " ".join(text.split()).rstrip(".,;:")
    for pattern in _RESOLVE_PATTERNS:
        m = pattern.fullmatch(words)
        if m is None:
            continue
        month: int | None = None
        if m.groupdict().get("mon") is not None:
            month = _MONTH_NAMES.get(m["mon"].lower())
            if month is None:
                continue
        edtf = _resolve_edtf(m, month, text, anchor)
        try:
            return HistDate.parse(edtf, text=text)
        except DateError as exc:
            raise DateError(f"cannot read {text!r} as a date: {exc}") from None
    raise DateError(f"cannot read {text!r} as a date: {_RESOLVE_EXPECTED}")
