"""Plain records that source parsers hand to the loader: no database, no ORM, only values.

Every record carries a stable key (or the parts of one), so a loader can write it idempotently:
a document by ``key``, a person by ``(volume_id, frus_id)``, a term by ``(volume_id, term_id)``,
the document's event by ``key``. Every span is a pair of code-point offsets into the document's
``text``, so ``text[start:end]`` is the passage exactly.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field

from timeline.dates import HistDate

__all__ = [
    "CrestField",
    "CrestRecord",
    "DocumentRecord",
    "EventRecord",
    "Mention",
    "NoteRecord",
    "PageBreak",
    "PersonRecord",
    "PlainTextRecord",
    "Span",
    "TermRecord",
    "VolumeHeader",
    "VolumeItem",
]

Span = tuple[int, int]


@dataclass(frozen=True)
class VolumeHeader:
    """A volume's identity and titles, from its teiHeader."""

    volume_id: str
    collection: str
    title: str
    volume: str
    sub_series: str | None
    volume_number: str | None
    volume_title: str | None
    editors: tuple[str, ...]
    published: str | None


@dataclass(frozen=True)
class PersonRecord:
    """One entry of a volume's persons list. FRUS ids are per volume, hence the pair as key."""

    volume_id: str
    frus_id: str
    name: str
    surname: str
    forenames: str | None
    suffix: str | None
    description: str | None

    @property
    def display_name(self) -> str:
        """Forenames before the surname ("Dean Rusk"), as running text writes the name."""
        name = f"{self.forenames} {self.surname}" if self.forenames else self.surname
        return f"{name}, {self.suffix}" if self.suffix else name


@dataclass(frozen=True)
class TermRecord:
    """One entry of a volume's abbreviations list ("Embtel", "Embassy telegram")."""

    volume_id: str
    term_id: str
    term: str
    expansion: str


@dataclass(frozen=True)
class PageBreak:
    """A printed page starts at ``offset``; ``in_note`` when the break falls inside a footnote."""

    page: str
    offset: int
    in_note: bool = False


@dataclass(frozen=True)
class NoteRecord:
    """A footnote (or an inline source note) and the marker that calls it, as the seed stores them.

    ``number`` is the note's order in the document (1, 2, …), unique per document; ``label`` is
    the printed marker (volume-wide in older volumes: "78"); ``marker`` is None for a note printed
    in place (the 1930s source line) rather than called from the text.
    """

    number: int
    label: str | None
    xml_id: str | None
    kind: str | None
    text: str
    span: Span
    marker: Span | None


@dataclass(frozen=True)
class Mention:
    """A name in the text and the part its bearer plays in the document.

    ``frus_id`` is the persons-list id from ``@corresp`` (None for an office or an unidentified
    name); ``element`` is the TEI element (persName, gloss, orgName, signed); ``role`` is one of
    author, recipient, signer, participant, mentioned.
    """

    role: str
    frus_id: str | None
    name: str
    span: Span
    element: str


@dataclass(frozen=True)
class EventRecord:
    """The act a document records (a telegram sent, a conversation held), dated as the document.

    ``actors`` are (frus_id or None, name, role) with event roles (author, recipient,
    participant); ``quote`` is the head's span in the document text.
    """

    key: str
    kind: str
    title: str
    date: HistDate | None
    time: str | None
    place: str | None
    actors: tuple[tuple[str | None, str, str], ...]
    quote: Span


@dataclass(frozen=True)
class DocumentRecord:
    """One ``div[@type="document"]`` of a FRUS volume, its text verbatim and what it states."""

    key: str
    volume_id: str
    xml_id: str
    collection: str
    volume: str
    number: str | None
    title: str
    title_span: Span
    doc_type: str
    subtype: str | None
    date: HistDate | None
    time: str | None
    date_basis: str
    place: str | None
    source_note: str | None
    archival_source: str | None
    classification: str | None
    page_first: str | None
    page_last: str | None
    url: str
    notes: tuple[NoteRecord, ...]
    page_breaks: tuple[PageBreak, ...]
    mentions: tuple[Mention, ...]
    event: EventRecord | None
    body_end: int
    text: str = field(repr=False)

    @property
    def pages(self) -> str | None:
        """Printed pages as a citation gives them ("86–87", or "86")."""
        if self.page_first is None:
            return self.page_last
        if self.page_last is None or self.page_last == self.page_first:
            return self.page_first
        return f"{self.page_first}–{self.page_last}"

    @property
    def marker_spans(self) -> tuple[Span, ...]:
        """Footnote marker spans, sorted, ready for ``find_quote(ignore=...)``."""
        return tuple(sorted(n.marker for n in self.notes if n.marker is not None))

    def page_at(self, offset: int) -> str | None:
        """The printed page on which the character at ``offset`` stands.

        The notes are gathered after the body (``body_end``); a note stands on its marker's page,
        moved on by any page break inside the note itself.
        """
        if offset >= self.body_end:
            for note in self.notes:
                if note.span[0] <= offset < note.span[1] or offset == note.span[1]:
                    page = self.page_at(note.marker[0]) if note.marker else self.page_first
                    for pb in self.page_breaks:
                        if pb.in_note and note.span[0] <= pb.offset <= offset:
                            page = pb.page
                    return page
        body = [pb for pb in self.page_breaks if not pb.in_note]
        index = bisect.bisect_right([pb.offset for pb in body], offset)
        return body[index - 1].page if index else self.page_first


VolumeItem = VolumeHeader | PersonRecord | TermRecord | DocumentRecord


@dataclass(frozen=True)
class CrestField:
    """One "Label:" of a CREST record as printed, with its value.

    ``name`` is the canonical field name ("key", "publication_date", …; None for a label this
    parser does not know); ``span`` is the value's span, zero-length where an empty value would
    stand; ``line`` is the label's line, counted from 1.
    """

    label: str
    name: str | None
    value: str | None
    span: Span
    line: int


@dataclass(frozen=True)
class CrestRecord:
    """A saved CIA CREST reading-room record: its header fields, its OCR body and its one event.

    ``key`` is the document number (whitespace-normalised; ``key_span`` is the value as printed).
    ``date`` is the Publication Date, the document's own date, with the precision it is given in;
    ``record_created`` is the "Document Creation Date", when the catalogue record was made.
    ``approved_for_release`` and ``stamp_numbers`` come from the body's "Approved For Release"
    stamps (``stamp_spans``, one per stamp). ``attachment_spans`` are (name, size) spans.
    """

    key: str
    key_span: Span
    title: str
    title_span: Span
    doc_type: str
    date: HistDate | None
    date_text: str | None
    date_span: Span | None
    date_basis: str
    record_created: datetime.date | None
    release_date: datetime.date | None
    approved_for_release: datetime.date | None
    stamp_numbers: tuple[str, ...]
    stamp_spans: tuple[Span, ...]
    release_decision: str | None
    original_classification: str | None
    page_count: int | None
    content_type: str | None
    case_number: str | None
    sequence_number: int | None
    collection: str | None
    document_type: str | None
    attachments: tuple[tuple[str, str], ...]
    attachment_spans: tuple[tuple[Span, Span], ...]
    url: str
    fields: tuple[CrestField, ...]
    body_span: Span
    event: EventRecord
    text: str = field(repr=False)

    @property
    def body(self) -> str:
        """The OCR body exactly as stored (empty when "Body:" has no text under it)."""
        return self.text[self.body_span[0] : self.body_span[1]]

    def field_span(self, name: str) -> Span | None:
        """The value span of the canonical field ``name``; None when the record lacks it."""
        return next((f.span for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class PlainTextRecord:
    """A plain-text or Markdown file and the metadata of its TOML sidecar (or command line).

    ``text`` is the file verbatim; ``title_span`` is where the title occurs in it, if it does;
    ``date_text`` is the date as the sidecar wrote it; authors and recipients are names as given.
    ``event`` is None for an editorial note, as for FRUS.
    """

    key: str
    title: str
    title_span: Span | None
    doc_type: str
    date: HistDate | None
    date_text: str | None
    collection: str | None
    citation: str | None
    url: str | None
    authors: tuple[str, ...]
    recipients: tuple[str, ...]
    event: EventRecord | None
    text: str = field(repr=False)
