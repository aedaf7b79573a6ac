"""What a FRUS TEI document states about itself: its date, type, archival source and act.

Dates come from the dateline's ``date`` attributes (``@when``, ``@from``/``@to``,
``@notBefore``/``@notAfter``), at the precision the attribute gives, else from the
``frus:doc-dateTime-min/max`` attributes the Office of the Historian derives (normalised to
UTC−5, so a day can shift; hence the dateline first). A time is kept as written, zone and all.
"""

from __future__ import annotations

import calendar
import re
from xml.etree.ElementTree import Element

from timeline.dates import HistDate
from timeline.errors import DateError
from timeline.sources.tei_text import FRUS, TEI

__all__ = [
    "date_from_attributes",
    "date_from_dateline",
    "doc_type",
    "event_kind",
    "split_source_note",
]

_STAMP = re.compile(
    r"(?P<date>[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)"
    r"(?:T(?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?))?"
)

DateResult = tuple[HistDate, str | None]


def _stamp(value: str | None) -> tuple[str, str | None] | None:
    """Split an xs:date/xs:dateTime/gYearMonth/gYear attribute into (date, time or None)."""
    if not value:
        return None
    m = _STAMP.fullmatch(value.strip())
    if m is None:
        return None
    return m["date"], m["time"]


def _collapse(first: str, last: str) -> str:
    """EDTF for a range of whole days: one day, a whole month or year, else an interval."""
    if first == last:
        return first
    if len(first) == len(last) == 10:
        year, month = first[:4], first[5:7]
        days = calendar.monthrange(int(year), int(month))[1]
        if first[8:] == "01" and last == f"{year}-{month}-{days:02d}":
            return f"{year}-{month}"
        if first[5:] == "01-01" and last == f"{year}-12-31":
            return year
    return f"{first}/{last}"


def date_from_attributes(
    low: str | None, high: str | None, text: str | None = None
) -> DateResult | None:
    """The date between two attribute values (either may be missing); None if neither reads."""
    lo, hi = _stamp(low), _stamp(high)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None:
        edtf = _collapse(lo[0], hi[0])
        time = lo[1] if lo == hi else (f"{lo[1]}/{hi[1]}" if lo[1] and hi[1] else None)
        if lo[0] != hi[0]:
            time = None
    elif lo is not None:
        edtf, time = f"{lo[0]}/", None
    else:
        assert hi is not None
        edtf, time = f"/{hi[0]}", None
    try:
        return HistDate.parse(edtf, text=text), time
    except DateError:
        return None


def date_from_dateline(dateline: Element) -> DateResult | None:
    """The first ``date`` in the dateline whose attributes give a date."""
    for date in dateline.iter(f"{TEI}date"):
        low = date.get("when") or date.get("from") or date.get("notBefore")
        high = date.get("when") or date.get("to") or date.get("notAfter")
        words = " ".join("".join(date.itertext()).split()) or None
        found = date_from_attributes(low, high, words)
        if found is not None:
            return found
    return None


def date_from_div(div: Element) -> DateResult | None:
    """The date the Office of the Historian computed for the document, if it did."""
    low = div.get(f"{FRUS}doc-dateTime-min")
    high = div.get(f"{FRUS}doc-dateTime-max")
    found = date_from_attributes(low, high)
    if found is None:
        return None
    date, time = found
    # A whole-day range stamped 00:00:00–23:59:59 says nothing about the time of day.
    if time and "/" in time:
        time = None
    return date, time


# Types that contain a word the generic cut below would split on.
_COMPOUND_TYPES = (
    "Memorandum of Conversation",
    "Memorandum for the Record",
    "Memorandum for the File",
    "Memorandum for the Files",
    "Record of Meeting",
    "Minutes of Meeting",
    "Minutes of a Meeting",
    "Notes of Meeting",
    "Notes on a Meeting",
    "Summary of Conversation",
    "Summary of Discussion",
    "Summary of Meeting",
    "Summary Record of Meeting",
    "Letter of Instruction",
    "Note Verbale",
)
_TYPE_CUT = re.compile(
    r"\s+(?:From|from|to|To|by|By|for|For|Prepared|prepared|Between|between|on|On|of|Of|in|In"
    r"|Sent|Submitted|Approved|Issued|Drafted|Received|at|At)\b|\s+(?=[0-9])"
)
_LEADING_ARTICLE = re.compile(r"^(?:The|A|An)\s")


def doc_type(title: str, subtype: str | None, source_note: str | None) -> str:
    """The document's type as its head names it ("Telegram", "Memorandum of Conversation").

    The 1930s heads name only sender and recipient ("The Secretary of State to ..."); their type
    is on the source line ("500.A15a3/744: Telegram"). "Document" when nothing names one.
    """
    if subtype == "editorial-note" or title.startswith("Editorial Note"):
        return "Editorial Note"
    for compound in _COMPOUND_TYPES:
        if title.lower().startswith(compound.lower()):
            return compound
    if source_note is not None and ":" in source_note and not source_note.startswith("Source"):
        named = source_note.rpartition(":")[2].strip(" .")
        if named and len(named) <= 40:
            return named
    if title and not _LEADING_ARTICLE.match(title):
        cut = _TYPE_CUT.search(title)
        head = title[: cut.start()] if cut else title
        if 0 < len(head) <= 40:
            return head.strip(" .,;:")
    return "Document"


# Document type (lower case) -> event kind; first matching prefix wins.
_KINDS: tuple[tuple[str, str | None], ...] = (
    ("editorial note", None),
    ("memorandum of conversation", "meeting"),
    ("record of meeting", "meeting"),
    ("minutes", "meeting"),
    ("notes of meeting", "meeting"),
    ("notes on a meeting", "meeting"),
    ("summary of conversation", "meeting"),
    ("summary of discussion", "meeting"),
    ("summary of meeting", "meeting"),
    ("summary record", "meeting"),
    ("conversation", "meeting"),
    ("transcript", "meeting"),
    ("memorandum", "memorandum"),
    ("letter", "letter"),
    ("telegram", "message"),
    ("circular telegram", "message"),
    ("airgram", "message"),
    ("circular airgram", "message"),
    ("backchannel", "message"),
    ("message", "message"),
    ("despatch", "message"),
    ("dispatch", "message"),
    ("instruction", "message"),
    ("note", "message"),
    ("aide-mémoire", "message"),
    ("aide-memoire", "message"),
    ("national intelligence estimate", "estimate"),
    ("special national intelligence estimate", "estimate"),
    ("intelligence", "assessment"),
    ("paper", "assessment"),
    ("report", "assessment"),
    ("study", "assessment"),
    ("analysis", "assessment"),
)


def event_kind(document_type: str) -> str | None:
    """The kind of act a document of this type records; None for an editorial note (the editors'
    summary of other documents is not an act of the period)."""
    lowered = document_type.lower()
    for prefix, kind in _KINDS:
        if lowered.startswith(prefix) or lowered.endswith(" " + prefix):
            return kind
    return "document"


_CLASSIFICATION = re.compile(
    r"(?:^|[.;]\s+)((?:Top Secret|Secret|Confidential|Limited Official Use|Official Use Only"
    r"|Unclassified|Restricted|Strictly Confidential|No classification marking))\b"
)


def split_source_note(note: str) -> tuple[str | None, str | None]:
    """(archival source, classification) from a source note.

    "Source: Department of State, Central Files, 411.616/2-2661. Confidential. ..." gives the
    file and "Confidential"; the 1930s line "500.A15a3/744: Telegram" gives the file alone.
    """
    if not note.startswith("Source:"):
        file_part = note.rpartition(":")[0] if ":" in note else note
        return file_part.strip() or None, None
    rest = note.removeprefix("Source:").strip()
    match = _CLASSIFICATION.search(rest)
    if match is not None:
        archival = rest[: match.start()]
        classification: str | None = match.group(1)
    else:
        end = re.search(r"\.(?:\s+(?=[A-Z])|\s*$)", rest)
        archival, classification = (rest[: end.start()] if end else rest), None
    archival = " ".join(archival.split()).rstrip(".")
    return archival or None, classification
