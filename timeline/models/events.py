"""Events and statutes, and the links that carry evidence: an event's passages, actors and
statutes, and a document's actors."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline.models.base import Base, DatedMixin, date_checks, key_check, words_check
from timeline.vocabulary import (
    DATE_BASES,
    DOCUMENT_ROLES,
    EVENT_ROLES,
    IDENTIFIED_BY,
    STATUTE_RELATIONS,
)

if TYPE_CHECKING:  # for the annotations; relationship() finds each class by name
    from timeline.models.actors import Actor
    from timeline.models.documents import Document, ExternalSource


def _identified_by() -> Mapped[str]:
    """Who tied an event to an actor or a statute (event_actors, event_statutes)."""
    return mapped_column(
        String(16),
        default="text",
        server_default="text",  # a link written in plain SQL is the text's unless it says so
        comment="text: the text names it; editor: the editor's identification",
    )


class Statute(Base):
    """An act or one of its sections; a section links to its act through ``parent_id``."""

    __tablename__ = "statutes"
    __table_args__ = (
        key_check(),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("statutes.id"),
        index=True,  # 0010
    )
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
    __table_args__ = (key_check(), *date_checks(), words_check("date_basis", DATE_BASES))

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
        words_check("role", EVENT_ROLES),
        words_check("identified_by", IDENTIFIED_BY),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    identified_by: Mapped[str] = _identified_by()

    event: Mapped[Event] = relationship(back_populates="actor_links")
    actor: Mapped[Actor] = relationship(back_populates="event_links")


class EventStatute(Base):
    """How an event bears on a statute (enacted, invoked, applied, …)."""

    __tablename__ = "event_statutes"
    __table_args__ = (
        words_check("relation", STATUTE_RELATIONS),
        words_check("identified_by", IDENTIFIED_BY),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    statute_id: Mapped[int] = mapped_column(ForeignKey("statutes.id"), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    identified_by: Mapped[str] = _identified_by()

    event: Mapped[Event] = relationship(back_populates="statute_links")
    statute: Mapped[Statute] = relationship(back_populates="event_links")


class EventSource(Base):
    """The evidence for an event: a verbatim passage of a document and where it stands."""

    __tablename__ = "event_sources"
    __table_args__ = (
        UniqueConstraint("event_id", "document_id", "char_start"),
        # an event's sources in the order it cites them (event_links.said; 0011)
        Index("ix_event_sources_event_id_position", "event_id", "position"),
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
    __table_args__ = (words_check("role", DOCUMENT_ROLES),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)

    document: Mapped[Document] = relationship(back_populates="actor_links")
    actor: Mapped[Actor] = relationship(back_populates="document_links")
