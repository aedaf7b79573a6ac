"""The relational model: documents, events, actors and statutes, and the links that carry evidence.

Every fact outside the seed texts points at an ``external_sources`` row; every event points at the
document passages (``event_sources``) that support it, with character offsets into the stored text.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from timeline.dates import HistDate, Precision
from timeline.vocabulary import (
    ACTOR_KINDS,
    DATE_BASES,
    DOCUMENT_ROLES,
    EVENT_ROLES,
    IDENTIFIED_BY,
    STATUTE_RELATIONS,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DatedMixin:
    """A historical date: its EDTF string plus the derived columns SQL sorts and filters on."""

    date_edtf: Mapped[str] = mapped_column(String(64))
    date_start: Mapped[dt.date] = mapped_column(Date, index=True)
    date_end: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(16))
    date_approximate: Mapped[bool]
    date_uncertain: Mapped[bool]
    date_text: Mapped[str | None] = mapped_column(
        Text, comment="the source's own words for the date"
    )
    date_display: Mapped[str] = mapped_column(
        String(80), comment="as a historian writes it (26 Feb 1961, c. 1945); from date_edtf"
    )

    @property
    def date(self) -> HistDate:
        return HistDate.parse(self.date_edtf, text=self.date_text)

    @date.setter
    def date(self, value: HistDate) -> None:
        for name, column_value in date_columns(value).items():
            setattr(self, name, column_value)


def date_columns(value: HistDate) -> dict[str, object]:
    """The column values that store a date (see :class:`DatedMixin`)."""
    return {
        "date_edtf": str(value),
        "date_start": value.start,
        "date_end": value.end,
        "date_precision": value.precision.value,
        "date_approximate": value.approximate,
        "date_uncertain": value.uncertain,
        "date_text": value.text,
        "date_display": value.display(),
    }


def _date_checks() -> tuple[CheckConstraint, CheckConstraint]:
    precisions = ", ".join(f"'{p.value}'" for p in Precision)
    return (
        CheckConstraint("date_start <= date_end", name="date_order"),
        CheckConstraint(f"date_precision IN ({precisions})", name="date_precision"),
    )


def _key_check() -> CheckConstraint:
    # timeline.integrity checks all white space; SQL's trim() knows only the space.
    return CheckConstraint("key <> '' AND key = trim(key)", name="key")


def _words_check(column: str, words: frozenset[str]) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IN (" + ", ".join(f"'{w}'" for w in sorted(words)) + ")", name=column
    )


class ExternalSource(Base):
    """A publication confirming a fact the seed texts do not state (statute book, finding aid)."""

    __tablename__ = "external_sources"
    __table_args__ = (_key_check(),)

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
        _key_check(),
        *_date_checks(),
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


class Actor(Base):
    """A person, organization, government, office or group that the sources name."""

    __tablename__ = "actors"
    __table_args__ = (_words_check("kind", ACTOR_KINDS), _key_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(Text)
    sort_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    frus_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    external_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_sources.id"), comment="source of the name where the texts lack it"
    )

    external_source: Mapped[ExternalSource | None] = relationship()
    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )
    offices: Mapped[list[Office]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="Office.term_start"
    )
    identifiers: Mapped[list[ActorIdentifier]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorIdentifier.value"
    )
    event_links: Mapped[list[EventActor]] = relationship(back_populates="actor")
    document_links: Mapped[list[DocumentActor]] = relationship(back_populates="actor")


class ActorIdentifier(Base):
    """An id an edition gives the actor: ("frus", "frus1961-63v05#p_RD1") for a persons list."""

    __tablename__ = "actor_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(40), comment="whose ids: frus")
    value: Mapped[str] = mapped_column(String(200), comment="the id, qualified: volume#person")

    actor: Mapped[Actor] = relationship(back_populates="identifiers")


class GlossaryTerm(Base):
    """An entry of a volume's list of abbreviations and terms."""

    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("volume", "term_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volume: Mapped[str] = mapped_column(String(100), comment="the volume's id: frus1961-63v05")
    term_id: Mapped[str] = mapped_column(String(100), comment="the list's id for it: t_ACDA1")
    term: Mapped[str] = mapped_column(Text)
    expansion: Mapped[str] = mapped_column(Text)


class ActorAlias(Base):
    """A spelling a source uses for an actor, verbatim (OCR damage and all), and where it occurs."""

    __tablename__ = "actor_aliases"
    __table_args__ = (
        UniqueConstraint("actor_id", "alias", "document_id"),
        # offsets point into the alias's document: both or neither, and only with one
        CheckConstraint(
            "(char_start IS NULL AND char_end IS NULL) OR (document_id IS NOT NULL "
            "AND 0 <= char_start AND char_start < char_end)",
            name="span",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"),
        index=True,  # 0008
    )
    char_start: Mapped[int | None]
    char_end: Mapped[int | None]

    actor: Mapped[Actor] = relationship(back_populates="aliases")
    document: Mapped[Document | None] = relationship()


class Office(Base):
    """An office an actor held, with its term as far as a source confirms it."""

    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint(
            "term_start IS NULL OR term_end IS NULL OR term_start <= term_end", name="term_order"
        ),
        CheckConstraint(
            "external_source_id IS NOT NULL OR document_id IS NOT NULL", name="sourced"
        ),
        CheckConstraint(
            "term_edtf IS NOT NULL OR (term_start IS NULL AND term_end IS NULL)", name="term"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"),
        index=True,  # 0007
    )
    title: Mapped[str] = mapped_column(Text)
    term_edtf: Mapped[str | None] = mapped_column(String(64))
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    external_source_id: Mapped[int | None] = mapped_column(ForeignKey("external_sources.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))

    actor: Mapped[Actor] = relationship(back_populates="offices")
    external_source: Mapped[ExternalSource | None] = relationship()
    document: Mapped[Document | None] = relationship()

    @property
    def term(self) -> HistDate | None:
        return HistDate.parse(self.term_edtf) if self.term_edtf else None


class Statute(Base):
    """An act or one of its sections; a section links to its act through ``parent_id``."""

    __tablename__ = "statutes"
    __table_args__ = (
        _key_check(),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("statutes.id"))
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(40))
    short_title: Mapped[str | None] = mapped_column(Text)
    popular_title: Mapped[str | None] = mapped_column(Text)
    public_law: Mapped[str | None] = mapped_column(String(60))
    statutes_at_large: Mapped[str | None] = mapped_column(String(60))
    us_code: Mapped[str | None] = mapped_column(String(60))
    chapter: Mapped[str | None] = mapped_column(String(60))
    bill: Mapped[str | None] = mapped_column(String(60))
    enacted: Mapped[dt.date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    external_source_id: Mapped[int | None] = mapped_column(ForeignKey("external_sources.id"))

    parent: Mapped[Statute | None] = relationship(remote_side=[id], back_populates="sections")
    sections: Mapped[list[Statute]] = relationship(back_populates="parent")
    external_source: Mapped[ExternalSource | None] = relationship()
    event_links: Mapped[list[EventStatute]] = relationship(back_populates="statute")

    @property
    def citation(self) -> str:
        """The citation a lawyer would write: act and section, Statutes at Large, U.S. Code."""
        head = (
            f"{self.parent.title} § {self.section}" if self.parent and self.section else self.title
        )
        return ", ".join(p for p in (head, self.statutes_at_large, self.us_code) if p)


class Event(DatedMixin, Base):
    """Something that happened, dated as precisely as the sources allow, and supported by quotes."""

    __tablename__ = "events"
    # kind: no CHECK (timeline check verifies it), so an analyst may add events of a new kind
    __table_args__ = (_key_check(), *_date_checks(), _words_check("date_basis", DATE_BASES))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    date_note: Mapped[str | None] = mapped_column(
        Text, comment="how the date was read from the sources"
    )
    sequence: Mapped[int] = mapped_column(
        Integer, default=0, comment="order among events with the same date bounds"
    )
    external_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_sources.id"), comment="source of facts the quotes do not state"
    )
    # Added by 0006: last, after the date's columns too, as ADD COLUMN placed them.
    date_basis: Mapped[str] = mapped_column(
        String(16),
        sort_order=1,
        comment="how the date was reached: stated, document, inferred, bounded, external",
    )
    editorial_note: Mapped[str | None] = mapped_column(
        Text, sort_order=1, comment="the editor's words on the description's bracketed [...] text"
    )

    external_source: Mapped[ExternalSource | None] = relationship()
    actor_links: Mapped[list[EventActor]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventActor.position"
    )
    statute_links: Mapped[list[EventStatute]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventStatute.position"
    )
    sources: Mapped[list[EventSource]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSource.position"
    )


class EventActor(Base):
    """An actor's part in an event (author, recipient, concurring, denying, subject, …)."""

    __tablename__ = "event_actors"
    __table_args__ = (
        _words_check("role", EVENT_ROLES),
        _words_check("identified_by", IDENTIFIED_BY),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    identified_by: Mapped[str] = mapped_column(
        String(16),
        default="text",
        server_default="text",  # a link written in plain SQL is the text's unless it says so
        comment="text: the text names it; editor: the editor's identification",
    )

    event: Mapped[Event] = relationship(back_populates="actor_links")
    actor: Mapped[Actor] = relationship(back_populates="event_links")


class EventStatute(Base):
    """How an event bears on a statute (enacted, invoked, applied, …)."""

    __tablename__ = "event_statutes"
    __table_args__ = (
        _words_check("relation", STATUTE_RELATIONS),
        _words_check("identified_by", IDENTIFIED_BY),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    statute_id: Mapped[int] = mapped_column(ForeignKey("statutes.id"), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    identified_by: Mapped[str] = mapped_column(
        String(16),
        default="text",
        server_default="text",  # a link written in plain SQL is the text's unless it says so
        comment="text: the text names it; editor: the editor's identification",
    )

    event: Mapped[Event] = relationship(back_populates="statute_links")
    statute: Mapped[Statute] = relationship(back_populates="event_links")


class EventSource(Base):
    """The evidence for an event: a verbatim passage of a document and where it stands."""

    __tablename__ = "event_sources"
    __table_args__ = (
        UniqueConstraint("event_id", "document_id", "char_start"),
        CheckConstraint("0 <= char_start AND char_start < char_end", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    quote: Mapped[str] = mapped_column(
        Text, comment="the passage exactly as the stored text has it"
    )
    char_start: Mapped[int] = mapped_column(comment="offset in characters into documents.text")
    char_end: Mapped[int]
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="sources")
    document: Mapped[Document] = relationship(back_populates="citations")


class DocumentActor(Base):
    """An actor's part in a document (author, recipient, cc, signer, mentioned)."""

    __tablename__ = "document_actors"
    __table_args__ = (_words_check("role", DOCUMENT_ROLES),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)

    document: Mapped[Document] = relationship(back_populates="actor_links")
    actor: Mapped[Actor] = relationship(back_populates="document_links")
