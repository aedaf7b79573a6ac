"""The load plan: everything a command is about to write, checked, with no database in sight.

Readers (the seed folder, annotation files, FRUS volumes) build a :class:`LoadPlan`;
:func:`timeline.loading.load.load_plan` writes it. Rows are plain dicts of column values keyed
by the records' stable keys; links name records by key, never by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass
class DocumentPlan:
    key: str
    values: Row
    ignore: tuple[tuple[int, int], ...]
    notes: list[Row] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)  # actor, alias, char_start, char_end
    readings: list[Row] = field(default_factory=list)  # char_start, char_end, text, reading, note
    page_breaks: list[Row] = field(default_factory=list)  # page, char_start, in_note
    origin: str = ""  # where the plan read it, for messages ("frus1961-63v05-excerpt.xml")
    # A converter's document adds its links, aliases and readings to those stored (an analyst's
    # annotations of the same text stay); an annotation file's owns them, removals included.
    additive: bool = False


@dataclass
class EventPlan:
    key: str
    values: Row
    actors: list[tuple[str, str]]
    statutes: list[tuple[str, str]]
    sources: list[Row]  # document, quote, char_start, char_end
    # ("actor" | "statute", key, role or relation): links the editor identifies, not the text
    editor_links: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass
class ActorMatch:
    """How to find an actor the database may hold already, before the plan makes a new one.

    Tried in order: an identifier (``("frus", "frus1961-63v05#p_RD1")``), the seed's FRUS id
    (the seed's ids are those of vol. V's persons list, so only for that volume), then the name
    against the stored names and aliases, compared folded.
    """

    identifiers: tuple[tuple[str, str], ...] = ()
    frus_id: str | None = None
    names: tuple[str, ...] = ()


@dataclass
class LoadPlan:
    sources: dict[str, Row] = field(default_factory=dict)
    statutes: dict[str, Row] = field(default_factory=dict)
    actors: dict[str, Row] = field(default_factory=dict)
    offices: dict[str, list[Row]] = field(default_factory=dict)
    documents: dict[str, DocumentPlan] = field(default_factory=dict)
    events: dict[str, EventPlan] = field(default_factory=dict)
    # actor key -> (scheme, value) identifiers it carries
    identifiers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # actor key -> how to find it stored; such an actor is written only if nothing matches
    matches: dict[str, ActorMatch] = field(default_factory=dict)
    glossary: list[Row] = field(default_factory=list)  # volume, term_id, term, expansion
    # (record, reason) the reader left out, reported with the summary
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # what the reader would have the curator look at (descriptions beyond their quotes)
    warnings: list[str] = field(default_factory=list)

    def merge(self, other: LoadPlan) -> None:
        """Add ``other``'s records; a key both hold is a collision the caller checked before."""
        self.sources.update(other.sources)
        self.statutes.update(other.statutes)
        self.actors.update(other.actors)
        self.offices.update(other.offices)
        self.documents.update(other.documents)
        self.events.update(other.events)
        self.identifiers.update(other.identifiers)
        self.matches.update(other.matches)
        self.glossary.extend(other.glossary)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)


SeedPlan = LoadPlan  # the name seed.py used
