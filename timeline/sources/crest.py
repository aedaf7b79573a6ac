"""Parse the text of a CIA CREST reading-room record (title, labelled metadata fields, OCR body).

Each field is a "Label:" line (ending in a no-break space) followed by its value line, or directly
by the next label when the field is empty. "File:" carries an attachment table and "Body:" is
followed by the OCR text of the document, which repeats the release stamp on every page.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from timeline.errors import SourceFormatError
from timeline.sources.spans import Span, line_spans, strip_span

__all__ = ["CrestDocument", "parse_crest", "parse_month_date"]


_LABEL = re.compile(r"([A-Z][^:\n]{0,80}?)[ \t]*:[ \t\u00a0]*\r?$")
_BODY_LABEL = "Body"
_FILE_LABEL = "File"
_DOCUMENT_NUMBER_PREFIX = "document number"
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_MONTH_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_ATTACHMENT = re.compile(
    r"(?:\S+ icon\s+)?(?P<name>.+?\.[A-Za-z]{2,5})\s*(?P<size>\d[\d.,]*\s*(?:bytes|[KMGT]B))"
)
# OCR varies the document number ("RO01" for "R001"), so take whatever token follows the stamp.
_STAMP = re.compile(
    r"Approved\s+For\s+Release\s+(\d{4})/(\d{1,2})/(\d{1,2})\s*:\s*(CIA-\S+|\S+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CrestDocument:
    """A parsed CREST record; every span is a pair of code-point offsets into ``text``.

    ``fields`` keeps every label as printed, including "File" (the raw attachment table) and
    "Body"; an empty field has the value None and a zero-length span where its value would be.
    """

    title: str
    fields: dict[str, str | None] = field(hash=False)
    field_spans: dict[str, Span] = field(hash=False)
    document_number: str
    document_type: str | None
    collection: str | None
    release_decision: str | None
    original_classification: str | None
    page_count: int | None
    creation_date: datetime.date | None
    release_date: datetime.date | None
    sequence_number: int | None
    case_number: str | None
    publication_date: datetime.date | None
    content_type: str | None
    attachments: tuple[tuple[str, str], ...]
    body_span: Span
    approved_for_release: datetime.date | None
    stamp_numbers: tuple[str, ...]
    text: str = field(repr=False)

    @property
    def body(self) -> str:
        """The OCR body text exactly as stored."""
        return self.text[self.body_span[0] : self.body_span[1]]


def parse_month_date(value: str | None) -> datetime.date | None:
    """Parse "December 20, 2016" (English month name, locale-independent); None if it is not one."""
    if value is None:
        return None
    match = _MONTH_DATE.fullmatch(value.strip())
    if match is None:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    try:
        return datetime.date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None


def _to_int(value: str | None) -> int | None:
    if value is None:
        return None
    digits = value.strip().replace(",", "")
    return int(digits) if digits.isdigit() else None


def _read_fields(text: str, lines: list[Span]) -> tuple[dict[str, str | None], dict[str, Span]]:
    """Read "Label:" lines and the value lines under each; "Body" takes the rest of the text."""
    fields: dict[str, str | None] = {}
    spans: dict[str, Span] = {}
    labels = [(i, _LABEL.fullmatch(text, *line)) for i, line in enumerate(lines)]
    label_rows = [(i, m) for i, m in labels if m is not None]
    for k, (row, match) in enumerate(label_rows):
        label = match.group(1)
        # Below "Body:" everything is OCR text, however label-like a line looks.
        last = label_rows[k + 1][0] if k + 1 < len(label_rows) else len(lines)
        value_start = lines[row + 1][0] if row + 1 < len(lines) else len(text)
        value_end = lines[last - 1][1] if last > row + 1 else value_start
        if label == _BODY_LABEL:
            value_end = len(text)
        start, end = strip_span(text, value_start, value_end)
        fields[label] = text[start:end] if end > start else None
        spans[label] = (start, end)
        if label == _BODY_LABEL:
            break
    return fields, spans


def _body_row(text: str, lines: list[Span]) -> int | None:
    for i, line in enumerate(lines):
        match = _LABEL.fullmatch(text, *line)
        if match is not None and match.group(1) == _BODY_LABEL:
            return i
    return None


def _attachments(table: str | None) -> tuple[tuple[str, str], ...]:
    """Rows of the "File" table after its "AttachmentSize" header, as (file name, size)."""
    if table is None:
        return ()
    rows: list[tuple[str, str]] = []
    for line in table.splitlines():
        line = line.strip()
        if not line or line.replace(" ", "").lower() == "attachmentsize":
            continue
        match = _ATTACHMENT.fullmatch(line)
        if match is not None:
            rows.append((match.group("name"), match.group("size")))
    return tuple(rows)


def _stamps(body: str) -> tuple[datetime.date | None, tuple[str, ...]]:
    """The release date and the distinct document numbers in the body's "Approved For Release"
    stamps; when OCR makes the stamp dates disagree, the most frequent one wins."""
    dates: Counter[datetime.date] = Counter()
    numbers: dict[str, None] = {}
    for match in _STAMP.finditer(body):
        year, month, day, number = match.groups()
        # An OCR-garbled stamp date is no evidence of anything; the other stamps still count.
        with contextlib.suppress(ValueError):
            dates[datetime.date(int(year), int(month), int(day))] += 1
        numbers.setdefault(number.rstrip(".,;:"), None)
    approved = dates.most_common(1)[0][0] if dates else None
    return approved, tuple(numbers)


def _lookup(fields: dict[str, str | None], name: str) -> str | None:
    for label, value in fields.items():
        if label.lower() == name:
            return value
    return None


def parse_crest(text: str) -> CrestDocument:
    """Parse a CREST record's text; raises SourceFormatError if it is not of that shape."""
    lines = line_spans(text)
    title_row = next((i for i, (s, e) in enumerate(lines) if text[s:e].strip()), None)
    if title_row is None:
        raise SourceFormatError("CREST text is empty")
    body_row = _body_row(text, lines)
    if body_row is None:
        raise SourceFormatError("CREST text has no 'Body:' field")
    title_span = strip_span(text, *lines[title_row])
    if _LABEL.fullmatch(text, *lines[title_row]) is not None:
        raise SourceFormatError("CREST text has no title line before its fields")
    fields, spans = _read_fields(text, lines[title_row + 1 :])

    number_label = next(
        (label for label in fields if label.lower().startswith(_DOCUMENT_NUMBER_PREFIX)), None
    )
    document_number = fields.get(number_label) if number_label is not None else None
    if document_number is None:
        raise SourceFormatError("CREST text has no 'Document Number' field with a value")
    body_span = spans[_BODY_LABEL]
    approved, stamp_numbers = _stamps(text[body_span[0] : body_span[1]])

    return CrestDocument(
        title=text[title_span[0] : title_span[1]],
        fields=fields,
        field_spans=spans,
        document_number=document_number,
        document_type=_lookup(fields, "document type"),
        collection=_lookup(fields, "collection"),
        release_decision=_lookup(fields, "release decision"),
        original_classification=_lookup(fields, "original classification"),
        page_count=_to_int(_lookup(fields, "document page count")),
        creation_date=parse_month_date(_lookup(fields, "document creation date")),
        release_date=parse_month_date(_lookup(fields, "document release date")),
        sequence_number=_to_int(_lookup(fields, "sequence number")),
        case_number=_lookup(fields, "case number"),
        publication_date=parse_month_date(_lookup(fields, "publication date")),
        content_type=_lookup(fields, "content type"),
        attachments=_attachments(_lookup(fields, _FILE_LABEL.lower())),
        body_span=body_span,
        approved_for_release=approved,
        stamp_numbers=stamp_numbers,
        text=text,
    )
