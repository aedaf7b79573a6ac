"""The pieces of a saved CREST record: its labelled fields, attachment rows, release stamps, dates.

A field is a "Label:" line (the web page ends it with a no-break space; a copy may not) followed by
its value lines, or directly by the next label when the field is empty. A known label may also
carry its value on its own line ("Content Type: MEMO", "Body: Approved For ..."). Everything
after "Body:" is the OCR text of the document, however label-like its lines look.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections import Counter

from timeline.dates import HistDate
from timeline.errors import DateError, SourceFormatError
from timeline.sources.parsed import CrestField
from timeline.sources.spans import Span, line_spans, strip_span

__all__ = [
    "MONTH_NAMES",
    "Attachment",
    "Stamps",
    "attachments",
    "canonical_name",
    "crest_date",
    "crest_day",
    "read_fields",
    "stamps",
]

Attachment = tuple[tuple[str, str], tuple[Span, Span]]
Stamps = tuple[datetime.date | None, tuple[str, ...], tuple[Span, ...]]

_LABEL = re.compile(r"[ \t]*([A-Z][^:\n]{0,80}?)[ \t]*:[ \t\u00a0]*\r?")
_INLINE = re.compile(
    r"[ \t]*([A-Z][^:\n]{0,80}?)[ \t\u00a0]*:[ \t\u00a0]*(\S[^\n]*?)[ \t\u00a0]*\r?"
)
_SPACE = re.compile(r"\s+")
# Labels as the reading room prints them, spaces removed and lower-cased -> canonical name.
_NAMES = {
    "documenttype": "document_type",
    "collection": "collection",
    "releasedecision": "release_decision",
    "originalclassification": "original_classification",
    "documentpagecount": "page_count",
    "pagecount": "page_count",
    "documentcreationdate": "record_created",
    "documentreleasedate": "release_date",
    "sequencenumber": "sequence_number",
    "casenumber": "case_number",
    "publicationdate": "publication_date",
    "contenttype": "content_type",
    "file": "file",
    "body": "body",
}
# "Document Number (FOIA) /ESDN (CREST)" and its respacings: the prefix is enough.
_KEY_PREFIX = "documentnumber"

MONTH_NAMES = (
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
)
_MONTHS = {
    **{name: i for i, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: i for i, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
_DAY_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_MONTH_DATE = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")

_ATTACHMENT = re.compile(
    r"(?:\S+ icon\s+)?(?P<name>.+?\.[A-Za-z]{2,5})\s*(?P<size>\d[\d.,]*\s*(?:bytes|[KMGT]B))"
)
_ATTACHMENT_HEADER = "attachmentsize"
# OCR varies the document number ("RO01" for "R001"), so take whatever token follows the stamp.
_STAMP = re.compile(
    r"Approved\s+For\s+Release\s+(\d{4})/(\d{1,2})/(\d{1,2})\s*:\s*(CIA-\S+|\S+)",
    re.IGNORECASE,
)


def canonical_name(label: str) -> str | None:
    """The field a printed label stands for ("key", "publication_date", …); None if unknown."""
    squeezed = _SPACE.sub("", label).lower()
    if squeezed.startswith(_KEY_PREFIX):
        return "key"
    return _NAMES.get(squeezed)


def _label_at(text: str, line: Span) -> tuple[str, int | None] | None:
    """(label, start of a value on the same line, or None) if the line is a field label."""
    match = _LABEL.fullmatch(text, *line)
    if match is not None:
        return match.group(1), None
    match = _INLINE.fullmatch(text, *line)
    if match is not None and canonical_name(match.group(1)) is not None:
        return match.group(1), match.start(2)
    return None


def read_fields(text: str) -> tuple[Span, list[CrestField]]:
    """The title's span and every field down to "Body:", which takes the rest of the text."""
    lines = line_spans(text)
    title_row = next((i for i, (s, e) in enumerate(lines) if text[s:e].strip()), None)
    if title_row is None:
        raise SourceFormatError("CREST text is empty")
    if _label_at(text, lines[title_row]) is not None:
        raise SourceFormatError("CREST text has no title line before its fields")
    heads: list[tuple[int, str, int | None]] = []
    for row in range(title_row + 1, len(lines)):
        found = _label_at(text, lines[row])
        if found is not None:
            heads.append((row, *found))
            if canonical_name(found[0]) == "body":
                break
    else:
        raise SourceFormatError("CREST text has no 'Body:' field")
    fields: list[CrestField] = []
    for k, (row, label, inline) in enumerate(heads):
        name = canonical_name(label)
        last = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        if inline is not None:
            start, end = inline, lines[last - 1][1]
        else:
            start = lines[row + 1][0] if row + 1 < len(lines) else len(text)
            end = lines[last - 1][1] if last > row + 1 else start
        if name == "body":
            end = len(text)
        start, end = strip_span(text, start, end)
        value = text[start:end] if end > start else None
        fields.append(CrestField(label, name, value, (start, end), row + 1))
    return strip_span(text, *lines[title_row]), fields


def attachments(text: str, span: Span) -> list[Attachment]:
    """The "File" field's rows as ((file name, size), (name span, size span)).

    The field is a one-line "PDF icon NAME.pdf70.55 KB" or a small table under an
    "AttachmentSize" header (cells run together or split by tabs); other lines are skipped.
    """
    rows: list[Attachment] = []
    for line in line_spans(text, *span):
        start, end = strip_span(text, *line)
        if _SPACE.sub("", text[start:end]).lower() == _ATTACHMENT_HEADER:
            continue
        match = _ATTACHMENT.fullmatch(text, start, end)
        if match is not None:
            row = (match.group("name"), match.group("size"))
            rows.append((row, (match.span("name"), match.span("size"))))
    return rows


def stamps(text: str, span: Span) -> Stamps:
    """The release date, the distinct document numbers and the spans of the body's "Approved
    For Release" stamps; when OCR makes the stamp dates disagree, the most frequent one wins."""
    dates: Counter[datetime.date] = Counter()
    numbers: dict[str, None] = {}
    spans: list[Span] = []
    for match in _STAMP.finditer(text, *span):
        year, month, day, number = match.groups()
        # An OCR-garbled stamp date is no evidence of anything; the other stamps still count.
        with contextlib.suppress(ValueError):
            dates[datetime.date(int(year), int(month), int(day))] += 1
        clean = number.rstrip(".,;:")
        numbers.setdefault(clean, None)
        spans.append((match.start(), match.start(4) + len(clean)))
    approved = dates.most_common(1)[0][0] if dates else None
    return approved, tuple(numbers), tuple(spans)


def _month(word: str) -> int | None:
    return _MONTHS.get(word.lower())


def crest_date(value: str) -> HistDate | None:
    """A CREST date with the precision it is written in: "May 16, 1984" (day), "May 1984"
    (month), "1984" (year) or ISO; None if the words are not one of these."""
    value = value.strip()
    edtf = None
    if match := _DAY_DATE.fullmatch(value):
        month = _month(match.group(1))
        if month is not None:
            edtf = f"{match.group(3)}-{month:02d}-{int(match.group(2)):02d}"
    elif match := _MONTH_DATE.fullmatch(value):
        month = _month(match.group(1))
        if month is not None:
            edtf = f"{match.group(2)}-{month:02d}"
    elif _ISO_DATE.fullmatch(value):
        edtf = value
    if edtf is None:
        return None
    try:
        return HistDate.parse(edtf, text=value)
    except DateError:
        return None


def crest_day(value: str) -> datetime.date | None:
    """A catalogue date, "December 20, 2016" or ISO, as a day; None if it is not a full date."""
    date = crest_date(value)
    if date is None or date.start != date.end:
        return None
    return date.start
