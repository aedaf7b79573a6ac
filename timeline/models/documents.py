"""Documents and what is printed with them: notes, page breaks, editorial readings; and the
outside sources of what the texts do not state."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline.models.base import Base, DatedMixin, date_checks, key_check

if TYPE_CHECKING:  # for the annotations; relationship() finds each class by name
    from timeline.models.events import DocumentActor, EventSource


class ExternalSource(Base):
    """A publication confirming a fact the seed texts do not state (statute book, finding aid)."""

    __tablename__ = "external_sources"
    __table_args__ = (key_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Document(DatedMixin, Base):
    """A primary source, its bibliographic and archival metadata, and its full text verbatim."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("page_count IS NULL OR page_count > 0", name="page_count"),
        CheckConstraint("length(text_sha256) = 64", name="text_sha256"),
        key_check(),
        *date_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(Text)
    collection: Mapped[str] = mapped_column(Text, comment="FRUS, CIA CREST, …")
    volume: Mapped[str | None] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(
        String(100), comment="FRUS document number or CREST document number"
    )
    pages: Mapped[str | None] = mapped_column(String(40), comment="printed pages, e.g. 86–87")
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    archival_source: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[str | None] = mapped_column(String(40))
    release_decision: Mapped[str | None] = mapped_column(String(40))
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    approved_for_release: Mapped[dt.date | None] = mapped_column(Date)
    record_created: Mapped[dt.date | None] = mapped_column(
        Date, comment="CREST's 'Document Creation Date' (the catalogue record's)"
    )
    page_count: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(40))
    sequence_number: Mapped[int | None]
    seed_file: Mapped[str | None] = mapped_column(String(200), comment="file name under seed/")
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    external_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_sources.id"), comment="source of metadata the text does not state"
    )
    metadata_note: Mapped[str | None] = mapped_column(Text)
    # sort_order: after the DatedMixin columns, where 0005 adds them (exports follow the models)
    date_time: Mapped[str | None] = mapped_column(
        String(64),
        sort_order=1,
        comment="the dateline's time as given, with its zone (19:00:00, 10:00/12:00)",
    )
    date_basis: Mapped[str | None] = mapped_column(
        String(40),
        sort_order=1,
        comment="how the date was reached: dateline, doc-dateTime, annotation, …",
    )
    source_note: Mapped[str | None] = mapped_column(
        Text, sort_order=1, comment="the edition's source note"
    )

    external_source: Mapped[ExternalSource | None] = relationship()
    page_breaks: Mapped[list[PageBreak]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="PageBreak.char_start"
    )
    notes: Mapped[list[DocumentNote]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentNote.number"
    )
    actor_links: Mapped[list[DocumentActor]] = relationship(
        back_populates="document", cascade="all, delete-orphan"
    )
    citations: Mapped[list[EventSource]] = relationship(back_populates="document")
    readings: Mapped[list[DocumentReading]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="DocumentReading.char_start",
    )


class DocumentNote(Base):
    """A footnote or source note printed with a document, located in its text."""

    __tablename__ = "document_notes"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("0 <= char_start AND char_start < char_end", name="span"),
        CheckConstraint(
            "(marker_start IS NULL AND marker_end IS NULL) "
            "OR (0 <= marker_start AND marker_start < marker_end)",
            name="marker",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int]
    char_end: Mapped[int]
    marker_start: Mapped[int | None]
    marker_end: Mapped[int | None]

    document: Mapped[Document] = relationship(back_populates="notes")


class PageBreak(Base):
    """Where a printed page of the edition begins in a document's text."""

    __tablename__ = "page_breaks"
    __table_args__ = (
        UniqueConstraint("document_id", "char_start", "page"),
        CheckConstraint("char_start >= 0", name="char_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(40), comment="the printed page number, as printed")
    char_start: Mapped[int] = mapped_column(comment="offset in characters into documents.text")
    in_note: Mapped[bool] = mapped_column(comment="the break falls inside a footnote")

    document: Mapped[Document] = relationship(back_populates="page_breaks")


class DocumentReading(Base):
    """An editorial reading of a damaged passage: what OCR or typesetting marred, and what it says.

    The stored text stays verbatim; search indexes the reading beside it, so "William Casey" finds
    the letter signed "Wil iam J. Casey".
    """

    __tablename__ = "document_readings"
    __table_args__ = (
        UniqueConstraint("document_id", "char_start"),
        CheckConstraint("0 <= char_start AND char_start < char_end", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    char_start: Mapped[int] = mapped_column(comment="offset in characters into documents.text")
    char_end: Mapped[int]
    text: Mapped[str] = mapped_column(Text, comment="the passage exactly as the stored text has it")
    reading: Mapped[str] = mapped_column(Text, comment="what the passage says, the damage undone")
    note: Mapped[str] = mapped_column(Text, comment="why it reads so, and on whose authority")

    document: Mapped[Document] = relationship(back_populates="readings")
