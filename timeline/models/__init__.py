"""The relational model: documents, events, actors and statutes, and the links that carry evidence.

Every fact outside the seed texts points at an ``external_sources`` row; every event points at the
document passages (``event_sources``) that support it, with character offsets into the stored text.
One module per part: :mod:`.base` (the declarative base, naming convention and date columns),
:mod:`.documents`, :mod:`.actors` and :mod:`.events` (with statutes and the evidence links).
"""

from timeline.models.actors import Actor, ActorAlias, ActorIdentifier, GlossaryTerm, Office
from timeline.models.base import NAMING_CONVENTION, Base, DatedMixin, date_columns
from timeline.models.documents import (
    Document,
    DocumentNote,
    DocumentReading,
    ExternalSource,
    PageBreak,
)
from timeline.models.events import (
    DocumentActor,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    Statute,
)

__all__ = [
    "NAMING_CONVENTION",
    "Actor",
    "ActorAlias",
    "ActorIdentifier",
    "Base",
    "DatedMixin",
    "Document",
    "DocumentActor",
    "DocumentNote",
    "DocumentReading",
    "Event",
    "EventActor",
    "EventSource",
    "EventStatute",
    "ExternalSource",
    "GlossaryTerm",
    "Office",
    "PageBreak",
    "Statute",
    "date_columns",
]
