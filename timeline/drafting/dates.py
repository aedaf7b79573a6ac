"""Find the date expressions of an English sentence and read each against its document's date.

Each reading says how much the words give and no more, with its basis (docs/annotations.md):
``stated`` when the words give the year ("in 1951", "May 16, 1984"), ``inferred`` when the
document's date supplies it ("February 21" in a memorandum of 1961, "17 May 84", "last year"),
``document`` when the words point at the time of writing ("now", "at this juncture"), and
``bounded`` when they only place something before (or after) a day: "in the past", "in the last
few years", "before 1951", or a named period ("at the end of World War II") whose dates the text
does not give. Day and month words are read by :func:`timeline.dates.resolve`, as `timeline load`
reads ``resolve``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from timeline.dates import HistDate, resolve
from timeline.errors import DateError

__all__ = ["DateFind", "find_dates"]

_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR4 = r"(?:1[5-9][0-9]{2}|20[0-9]{2})"
_B = r"(?<![\w/.-])"  # not inside a longer word or number
_E = r"(?![\w/-]|\.[0-9])"

# A word before a bare year or a month that makes it a date rather than a number or a verb.
_LEAD = (
    r"(?:[Ii]n|[Oo]f|[Ss]ince|[Uu]ntil|[Tt]ill|[Bb]y|[Ff]rom|[Bb]efore|[Aa]fter|[Dd]uring|"
    r"[Tt]hrough|[Tt]o|[Ee]arly|[Ll]ate|[Mm]id-?|[Cc]irca|c\.|[Ff]iscal year|FY|[Yy]ear|[Ff]or)"
)
_MODIFIER = r"(?:(?P<mod>[Bb]efore|[Bb]y|[Uu]ntil|[Tt]ill|[Ss]ince|[Aa]fter)\s+)?"

# Calendar expressions, most specific first; each keeps its words in the group "words".
_CALENDAR = (
    # May 16, 1984 / February 21 / Feb. 21st
    re.compile(rf"{_B}{_MODIFIER}(?:on\s+)?(?P<words>{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR4})?){_E}"),
    # 16 May 1984 / 17 May 84 / 21 February
    re.compile(
        rf"{_B}{_MODIFIER}(?:on\s+)?(?P<words>{_DAY}\s+{_MONTH}(?:,?\s+(?:{_YEAR4}|[0-9]{{2}}))?)"
        rf"{_E}"
    ),
    # 2007/08/29 and 1961-02-26
    re.compile(rf"{_B}(?P<iso>(?P<y>{_YEAR4})([/-])(?P<m>0[1-9]|1[0-2])\3(?P<d>[0-3][0-9])){_E}"),
    # February 1961, in March
    re.compile(rf"{_B}{_MODIFIER}(?P<words>{_MONTH},?\s+{_YEAR4}){_E}"),
    re.compile(rf"{_B}(?P<mod>{_LEAD})\s+(?:the\s+(?:month\s+of\s+)?)?(?P<words>{_MONTH}){_E}"),
    # 1951-53 / 1951–1953
    re.compile(rf"{_B}(?P<y1>{_YEAR4})\s*[-–—]\s*(?P<y2>[0-9]{{2}}|{_YEAR4}){_E}"),
    # the 1950s
    re.compile(rf"{_B}(?P<words>(?:the\s+)?[12][0-9]{{2}}0[’']?s){_E}"),
    # in 1951, of 1930, before 1951
    re.compile(rf"{_B}(?P<mod>{_LEAD})\s+(?:the\s+year\s+)?(?P<words>{_YEAR4}){_E}"),
)

# Words that only bound: before the document's date.
_PAST = re.compile(
    rf"{_B}(?P<words>(?:[Ii]n|[Oo]ver|[Dd]uring)\s+the\s+(?:last|past|preceding)\s+"
    r"(?:(?:few|several|many|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+)?"
    r"(?:years?|months?|weeks?|days?|decades?)|"
    r"(?:[Ii]n\s+)?(?:the\s+)?past|[Ii]n\s+recent\s+(?:years|months|weeks|days)|[Rr]ecent(?:ly)?|"
    r"[Pp]reviously|[Ff]ormerly|[Hh]eretofore|[Hh]itherto|[Ll]ast\s+week|[Ii]n\s+earlier\s+years)"
    r"(?![\w-])"
)
# A named war or period, with what places the event in it.
_PERIOD = re.compile(
    rf"{_B}(?P<words>(?:(?:at|by|toward|towards)\s+the\s+(?:end|close|beginning|start|outbreak|"
    r"time)\s+of\s+|(?:during|since|after|before|until|in)\s+)the\s+"
    r"(?:(?:First|Second)\s+World\s+War|[A-Z][a-z]+\s+War|[A-Z][a-z]+\s+[A-Z][a-z]+\s+War|"
    r"Great\s+War|Depression)|(?:(?:at|by|toward|towards)\s+the\s+(?:end|close|beginning|start|"
    r"outbreak|time)\s+of\s+|(?:during|since|after|before|until|in)\s+)World\s+War\s+"
    r"(?:I{1,2}|One|Two|[12]))(?![\w-])"
)
# Words that point at the time of writing, or a span counted from it.
_DEICTIC = re.compile(
    r"(?<![\w-])(?P<words>[Nn]ow|[Aa]t\s+present|[Aa]t\s+the\s+present\s+time|"
    r"[Aa]t\s+this\s+(?:time|juncture|moment)|[Tt]oday|[Yy]esterday|[Tt]omorrow|"
    r"[Tt]his\s+(?:year|month)|[Ll]ast\s+(?:year|month)|[Nn]ext\s+(?:year|month)|"
    r"[Ee]arlier\s+this\s+(?:year|month))(?![\w-])"
)


# A year that names a volume ("Foreign Relations, 1961–1963, vol. VI") dates no event.
_VOLUME = re.compile(r",?\s+(?:vol|volume|pt|part)\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class DateFind:
    start: int  # offsets of the words in the sentence's text
    end: int
    words: str
    date: HistDate
    basis: str
    note: str


def _step_back(date: HistDate) -> str:
    """The EDTF of the unit just before ``date``'s start, at its own precision."""
    edtf = date.edtf.rstrip("~?%")
    start = date.start
    if len(edtf) == 4:
        return f"{start.year - 1:04d}"
    if len(edtf) == 7:
        previous = start - dt.timedelta(days=1)
        return f"{previous.year:04d}-{previous.month:02d}"
    return (start - dt.timedelta(days=1)).isoformat()


def _step_on(date: HistDate) -> str:
    edtf = date.edtf.rstrip("~?%")
    end = date.end
    if len(edtf) == 4:
        return f"{end.year + 1:04d}"
    following = end + dt.timedelta(days=1)
    return (
        f"{following.year:04d}-{following.month:02d}" if len(edtf) == 7 else following.isoformat()
    )


def _bounded(mod: str, date: HistDate, anchor: HistDate) -> tuple[str, str]:
    """Read "before X", "by X", "since X", "after X" as the interval it gives."""
    doc = anchor.edtf
    mod = mod.lower()
    if mod == "before":
        return f"../{_step_back(date)}", "before"
    if mod in ("by", "until", "till"):
        return f"../{date.edtf}", "up to"
    if mod == "since":
        end = doc if anchor.start >= date.start else ".."
        return f"{date.edtf}/{end}", "from"
    return f"{_step_on(date)}/..", "after"


def _calendar(m: re.Match[str], anchor: HistDate) -> tuple[HistDate, str, str] | None:
    groups = m.groupdict()
    if groups.get("iso"):
        edtf = f"{groups['y']}-{groups['m']}-{groups['d']}"
        return HistDate.parse(edtf), "stated", "the text gives the day"
    if groups.get("y1"):
        first, second = groups["y1"], groups["y2"]
        last = first[: 4 - len(second)] + second
        if int(last) <= int(first):
            return None
        return HistDate.parse(f"{first}/{last}"), "stated", "the text gives the years"
    words = groups["words"]
    date = resolve(words, anchor)
    has_year = re.search(rf"{_YEAR4}|[12][0-9]{{2}}0[’']?s", words) is not None
    if has_year:
        return date, "stated", "the text gives the year"
    if re.fullmatch(rf"{_DAY}\s+{_MONTH},?\s+[0-9]{{2}}", words):
        return date, "inferred", f"a two-digit year, read in the century of {anchor.display()}"
    return (
        date,
        "inferred",
        f"no year in the text: the nearest such {'day' if date.start == date.end else 'month'} "
        f"to the document's date, {anchor.display()}",
    )


def _deictic(words: str, anchor: HistDate) -> tuple[str, str, str]:
    w = " ".join(words.lower().split())
    day = anchor.start
    if w in ("yesterday", "tomorrow"):
        shifted = day + dt.timedelta(days=-1 if w == "yesterday" else 1)
        return shifted.isoformat(), "inferred", f"the day {w}, counted from the document's date"
    if w.endswith("year"):
        offset = {"last": -1, "next": 1}.get(w.split()[0], 0)
        return f"{day.year + offset:04d}", "inferred", "the year counted from the document's date"
    if w.endswith("month"):
        month = day.month + {"last": -1, "next": 1}.get(w.split()[0], 0)
        year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
        return f"{year:04d}-{month:02d}", "inferred", "the month counted from the document's date"
    return anchor.edtf, "document", "the time of writing: the document's own date"


def find_dates(sentence: str, anchor: HistDate) -> list[DateFind]:
    """The date expressions of ``sentence``, in order, none overlapping another."""
    found: list[DateFind] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, edtf: str, basis: str, note: str) -> None:
        words = sentence[start:end]
        try:
            date = HistDate.parse(edtf, text=words)
        except DateError:
            return
        taken.append((start, end))
        found.append(DateFind(start, end, words, date, basis, note))

    for pattern in _CALENDAR:
        for m in pattern.finditer(sentence):
            if not free(m.start(), m.end()) or _VOLUME.match(sentence, m.end()):
                continue
            try:
                read = _calendar(m, anchor)
            except DateError:
                continue
            if read is None:
                continue
            date, basis, note = read
            mod = m.groupdict().get("mod")
            if mod and mod.lower() in ("before", "by", "until", "till", "since", "after"):
                edtf, how = _bounded(mod, date, anchor)
                add(m.start(), m.end(), edtf, "bounded", f"{how} {date.display()} ({note})")
            else:
                words_start = m.start("words") if m.groupdict().get("words") else m.start()
                add(words_start, m.end(), date.edtf, basis, note)
    before = f"../{anchor.edtf}"
    for m in _PERIOD.finditer(sentence):
        if free(m.start(), m.end()):
            add(
                m.start(),
                m.end(),
                before,
                "bounded",
                "a named period: the text does not give its dates, only that it lies before the "
                "document's; its dates are an outside fact (give them with `source`)",
            )
    for m in _PAST.finditer(sentence):
        if free(m.start(), m.end()):
            add(m.start(), m.end(), before, "bounded", "only before the document's date")
    for m in _DEICTIC.finditer(sentence):
        if free(m.start(), m.end()):
            edtf, basis, note = _deictic(m.group("words"), anchor)
            add(m.start(), m.end(), edtf, basis, note)
    return sorted(found, key=lambda f: f.start)
