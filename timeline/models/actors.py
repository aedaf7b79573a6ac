"""Actors (the people, organizations, governments and offices the sources name), their aliases
in the texts, identifiers and offices; and a volume's list of terms."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline.dates import HistDate
from timeline.models.base import Base, key_check, words_check
from timeline.vocabulary import (
    ACTOR_KINDS,
)

if TYPE_CHECKING:  # for the annotations; relationship() finds each class by name
    from timeline.models.documents import Document, ExternalSource
    from timeline.models.events import DocumentActor, EventActor


class Actor(Base):
    """A person, organization, government, office or group that the sources name."""

    __tablename__ = "actors"
    __table_args__ = (words_check("kind", ACTOR_KINDS), key_check())

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
        # an actor's words in a document, in the order said() takes them (0010, 0011)
        Index(
            "ix_actor_aliases_document_id_actor_id",
            "document_id",
            "actor_id",
            "char_start",
            "alias",
        ),
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
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
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
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id"),
        index=True,  # 0010
    )

    actor: Mapped[Actor] = relationship(back_populates="offices")
    external_source: Mapped[ExternalSource | None] = relationship()
    document: Mapped[Document | None] = relationship()

    @property
    def term(self) -> HistDate | None:
        return HistDate.parse(self.term_edtf) if self.term_edtf else None
