"""Parse a saved CIA CREST reading-room record (title, labelled metadata fields, OCR body).

``parse_crest`` gives the fields as printed (the seed loader's view); ``crest_record`` and
``read_crest`` give a :class:`CrestRecord` for the ingest loader: typed fields with their spans,
the Publication Date as the document's date, and the one event the record documents. The field
layout and its variants are read in :mod:`timeline.sources.crest_fields`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from timeline.errors import SourceFormatError
from timeline.sources import crest_fields
from timeline.sources.crest_fields import MONTH_NAMES, crest_date, crest_day, read_fields
from timeline.sources.files import read_source
from timeline.sources.parsed import CrestField, CrestRecord, EventRecord
from timeline.sources.spans import Span

__all__ = [
    "CREST_COLLECTION",
    "CrestDocument",
    "crest_record",
    "parse_crest",
    "parse_month_date",
    "read_crest",
]

CREST_COLLECTION = "CIA Records Search Tool (CREST)"
URL = "https://www.cia.gov/readingroom/document/{key}"
_MAX_KEY = 100  # documents.key is String(100)
_MONTH_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_FULL_MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
# Content Type (or Document Type) -> the document type a historian writes, and its event kind.
_DOC_TYPES = {"memo": "memorandum"}
_KINDS = {
    "memo": "memorandum",
    "memorandum": "memorandum",
    "letter": "letter",
    "cable": "message",
    "telegram": "message",
    "message": "message",
    "dispatch": "message",
    "minutes": "meeting",
    "transcript": "meeting",
    "report": "assessment",
    "study": "assessment",
    "paper": "assessment",
    "analysis": "assessment",
    "estimate": "estimate",
    "nie": "estimate",
}
_T = TypeVar("_T")


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
    month = _FULL_MONTHS.get(match.group(1).lower())
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


def _by_name(fields: list[CrestField], name: str) -> CrestField | None:
    return next((f for f in fields if f.name == name), None)


def parse_crest(text: str) -> CrestDocument:
    """Parse a CREST record's text leniently (unreadable values become None); raises
    SourceFormatError if it is not of that shape."""
    title_span, found = read_fields(text)
    key = _by_name(found, "key")
    if key is None or key.value is None:
        raise SourceFormatError("CREST text has no 'Document Number' field with a value")
    fields: dict[str, str | None] = {f.label: f.value for f in found}
    spans: dict[str, Span] = {f.label: f.span for f in found}

    def value(name: str) -> str | None:
        hit = _by_name(found, name)
        return hit.value if hit is not None else None

    file = _by_name(found, "file")
    body = _by_name(found, "body")
    assert body is not None  # read_fields refuses a record without one
    approved, numbers, _ = crest_fields.stamps(text, body.span)
    return CrestDocument(
        title=text[title_span[0] : title_span[1]],
        fields=fields,
        field_spans=spans,
        document_number=key.value,
        document_type=value("document_type"),
        collection=value("collection"),
        release_decision=value("release_decision"),
        original_classification=value("original_classification"),
        page_count=_to_int(value("page_count")),
        creation_date=parse_month_date(value("record_created")),
        release_date=parse_month_date(value("release_date")),
        sequence_number=_to_int(value("sequence_number")),
        case_number=value("case_number"),
        publication_date=parse_month_date(value("publication_date")),
        content_type=value("content_type"),
        attachments=tuple(
            row for row, _ in (crest_fields.attachments(text, file.span) if file else [])
        ),
        body_span=body.span,
        approved_for_release=approved,
        stamp_numbers=numbers,
        text=text,
    )


class _Fields:
    """The record's fields by canonical name, converting values and naming the line on failure."""

    def __init__(self, text: str, fields: list[CrestField], name: str) -> None:
        self.text = text
        self.name = name
        self.by_name: dict[str, CrestField] = {}
        for f in fields:
            if f.name is None:
                continue
            if f.name in self.by_name:
                raise SourceFormatError(
                    f"{name}, line {f.line}: the field {f.label!r} is given twice "
                    f"(first on line {self.by_name[f.name].line})"
                )
            self.by_name[f.name] = f

    def value(self, name: str) -> str | None:
        hit = self.by_name.get(name)
        return hit.value if hit is not None else None

    def convert(self, name: str, parse: Callable[[str], _T | None], expected: str) -> _T | None:
        hit = self.by_name.get(name)
        if hit is None or hit.value is None:
            return None
        result = parse(hit.value)
        if result is None:
            line = self.text.count("\n", 0, hit.span[0]) + 1  # the value's line, not the label's
            raise SourceFormatError(
                f"{self.name}, line {line}: {hit.label} {hit.value!r} is not {expected}"
            )
        return result


def _count(value: str) -> int | None:
    number = _to_int(value)
    return number if number is not None and number > 0 else None


def _kind(content_type: str | None, document_type: str | None) -> str:
    for word in (content_type, document_type):
        if word is not None and word.strip().lower() in _KINDS:
            return _KINDS[word.strip().lower()]
    return "document"


def crest_record(text: str, name: str = "CREST text") -> CrestRecord:
    """Parse a saved CREST record strictly: a value that cannot be read is an error naming
    ``name`` (the file) and the line. A record without "Body:" is refused as truncated."""
    try:
        title_span, found = read_fields(text)
    except SourceFormatError as exc:
        raise SourceFormatError(f"{name}: {exc}") from None
    fields = _Fields(text, found, name)
    key_field = fields.by_name.get("key")
    if key_field is None or key_field.value is None:
        raise SourceFormatError(
            f"{name}: no document number (the 'Document Number (FOIA) /ESDN (CREST):' field "
            "is missing or empty)"
        )
    key = " ".join(key_field.value.split())
    if len(key) > _MAX_KEY:
        raise SourceFormatError(
            f"{name}, line {key_field.line}: the document number is longer than {_MAX_KEY} "
            "characters"
        )
    title = text[title_span[0] : title_span[1]]
    date = fields.convert("publication_date", crest_date, "a date (May 16, 1984; May 1984; 1984)")
    date_field = fields.by_name.get("publication_date")
    page_count = fields.convert("page_count", _count, "a positive whole number")
    sequence = fields.convert("sequence_number", _to_int, "a whole number")
    created = fields.convert("record_created", crest_day, "a date (December 20, 2016)")
    released = fields.convert("release_date", crest_day, "a date (August 27, 2007)")
    file = fields.by_name.get("file")
    rows = crest_fields.attachments(text, file.span) if file is not None else []
    body_span = fields.by_name["body"].span
    approved, numbers, stamp_spans = crest_fields.stamps(text, body_span)
    content_type = fields.value("content_type")
    document_type = fields.value("document_type")
    doc_type = (
        _DOC_TYPES.get(content_type.lower(), content_type.lower()) if content_type else "document"
    )
    event = EventRecord(
        key=f"{key}-event",
        kind=_kind(content_type, document_type),
        title=title,
        date=date,
        time=None,
        place=None,
        actors=(),
        quote=title_span,
    )
    return CrestRecord(
        key=key,
        key_span=key_field.span,
        title=title,
        title_span=title_span,
        doc_type=doc_type,
        date=date,
        date_text=date_field.value if date is not None and date_field else None,
        date_span=date_field.span if date is not None and date_field else None,
        date_basis="publication date" if date is not None else "none",
        record_created=created,
        release_date=released,
        approved_for_release=approved,
        stamp_numbers=numbers,
        stamp_spans=stamp_spans,
        release_decision=fields.value("release_decision"),
        original_classification=fields.value("original_classification"),
        page_count=page_count,
        content_type=content_type,
        case_number=fields.value("case_number"),
        sequence_number=sequence,
        collection=fields.value("collection"),
        document_type=document_type,
        attachments=tuple(row for row, _ in rows),
        attachment_spans=tuple(spans for _, spans in rows),
        url=URL.format(key=quote(key.lower(), safe="")),
        fields=tuple(found),
        body_span=body_span,
        event=event,
        text=text,
    )


def read_crest(path: Path | str) -> CrestRecord:
    """Read a saved CREST record from a UTF-8 file (see :func:`crest_record`)."""
    path = Path(path)
    return crest_record(read_source(path), path.name)
