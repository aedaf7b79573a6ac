"""The chronology: select events by date window and filters, and shape them for rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from timeline.dates import parse_bound
from timeline.errors import DateError, NotFoundError
from timeline.key_order import code_point_order
from timeline.models import (
    Actor,
    ActorAlias,
    Document,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    Statute,
)

DEFAULT_FROM = "1930"
DEFAULT_TO = "1984"


@dataclass(frozen=True)
class Window:
    """The days a report covers; an event is in it when its date range overlaps them."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Window:
        first = parse_bound(start or DEFAULT_FROM)[0]
        last = parse_bound(end or DEFAULT_TO)[1]
        if first > last:
            raise DateError(f"--from {start} is after --to {end}")
        return cls(first, last, _window_label(start or DEFAULT_FROM, end or DEFAULT_TO))


def _window_label(start: str, end: str) -> str:
    return start if start == end else f"{start}–{end}"


@dataclass(frozen=True)
class EventFilter:
    """The window, and for each filter the values of which an event must match any (none: all)."""

    window: Window
    actor: tuple[str, ...] = ()
    statute: tuple[str, ...] = ()
    document: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()


def _matches(value: str, *columns: Any) -> Any:
    """Case-insensitive: a key that equals ``value``, or a name that contains it."""
    needle = value.strip().lower()
    key, *names = columns
    return or_(
        func.lower(key) == needle,
        *(func.lower(column).contains(needle, autoescape=True) for column in names),
    )


def actor_condition(value: str) -> Any:
    alias_match = select(ActorAlias.actor_id).where(
        func.lower(ActorAlias.alias).contains(value.strip().lower(), autoescape=True)
    )
    return or_(_matches(value, Actor.key, Actor.name), Actor.id.in_(alias_match))


def statute_condition(value: str) -> Any:
    return _matches(
        value,
        Statute.key,
        Statute.title,
        Statute.short_title,
        Statute.popular_title,
        Statute.us_code,
        Statute.statutes_at_large,
        Statute.public_law,
    )


def document_condition(value: str) -> Any:
    return _matches(value, Document.key, Document.title, Document.doc_number, Document.citation)


def _require_some(session: Session, query: Select[Any], what: str, value: str) -> None:
    if session.scalar(select(func.count()).select_from(query.subquery())) == 0:
        raise NotFoundError(f"no {what} matches '{value}'")


def _any_of(
    session: Session, values: tuple[str, ...], model: Any, condition: Any, what: str
) -> Any:
    """Each value must name at least one record; an event may match any of them."""
    conditions = []
    for value in values:
        conditions.append(condition(value))
        _require_some(session, select(model.id).where(conditions[-1]), what, value)
    return or_(*conditions)


def resolve_kinds(session: Session, values: tuple[str, ...]) -> list[str]:
    """Each value as an event kind in the database: exact, any case, or the start of one kind."""
    kinds = sorted(set(session.scalars(select(Event.kind))))
    resolved = []
    for value in values:
        needle = value.strip().lower()
        exact = [k for k in kinds if k.lower() == needle]
        starts = [k for k in kinds if k.lower().startswith(needle)] if needle else []
        if exact or len(starts) == 1:
            resolved.append((exact or starts)[0])
        elif starts:
            raise NotFoundError(f"event kind '{value}' could be {', '.join(starts)}")
        else:
            known = ", ".join(kinds) or "none: the database holds no events"
            raise NotFoundError(f"no event kind matches '{value}' (kinds: {known})")
    return resolved


def event_conditions(session: Session, flt: EventFilter) -> list[ColumnElement[Any]]:
    """WHERE terms for the events in the window that match every filter: the window's
    (:func:`window_conditions`), then the filters' (:func:`filter_conditions`)."""
    return [*window_conditions(flt.window), *filter_conditions(session, flt)]


def window_conditions(window: Window, *, indexed: bool = True) -> list[ColumnElement[Any]]:
    """WHERE terms for the events in the window, on the stored bounds: ``date_start`` is
    indexed, so the database reads the events that begin by the window's end from the index
    rather than scanning the table. Not ``indexed``: on SQLite the term on ``date_start`` is
    one no index serves (:func:`unindexed`), and the table is read in its own order."""
    start = Event.date_start if indexed else unindexed(Event.date_start)
    return [start <= window.end, Event.date_end >= window.start]


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` as SQLite's planner serves from no index: ``+column``, its documented way to
    keep a term from an index ("Disqualifying WHERE clause terms using unary-+", The SQLite
    Query Optimizer Overview). Without statistics of how much of a table a range holds
    (sqlite_stat4, which SQLite keeps only where built to), it takes an index for any range;
    PostgreSQL weighs its statistics, and is given the column as it is."""
    return _Unindexed(column)


class _Unindexed(ColumnElement[Any]):
    inherit_cache = True
    # its column in the cache key: two of these on different columns are different SQL
    _traverse_internals: ClassVar = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return f"(+{compiler.process(element.column, **kw)})"


def filter_conditions(session: Session, flt: EventFilter) -> list[ColumnElement[Any]]:
    """WHERE terms for the events that match every filter (the window aside). Each filter
    value must name at least one record (NotFoundError otherwise)."""
    conditions: list[ColumnElement[Any]] = []
    if flt.actor:
        condition = _any_of(session, flt.actor, Actor, actor_condition, "actor")
        conditions.append(Event.id.in_(select(EventActor.event_id).join(Actor).where(condition)))
    if flt.statute:
        condition = _any_of(session, flt.statute, Statute, statute_condition, "statute")
        conditions.append(
            Event.id.in_(select(EventStatute.event_id).join(Statute).where(condition))
        )
    if flt.document:
        condition = _any_of(session, flt.document, Document, document_condition, "document")
        conditions.append(
            Event.id.in_(select(EventSource.event_id).join(Document).where(condition))
        )
    if flt.kind:
        conditions.append(Event.kind.in_(resolve_kinds(session, flt.kind)))
    return conditions


def chronological(event: Event) -> tuple[dt.date, dt.date, int, str]:
    """Earliest possible day, then latest, then the order the sources imply, then the key.

    An open start ("by 16 May 1984") has no earliest day: such an event sorts at its latest,
    where an archivist files an undated item, not before everything else.
    """
    start = event.date_end if event.date_start == dt.date.min else event.date_start
    return (start, event.date_end, event.sequence, event.key)


def chronological_order(dialect: str) -> list[ColumnElement[Any]]:
    """ORDER BY terms that sort events in SQL exactly as :func:`chronological` sorts them.

    Keys compare by code point, as Python compares strings (:func:`code_point_order`).
    """
    start = case((Event.date_start == dt.date.min, Event.date_end), else_=Event.date_start)
    return [start, Event.date_end, Event.sequence, code_point_order(Event.key, dialect)]


def stream_events(session: Session, *, batch: int = 200) -> Iterator[Event]:
    """Every event, in chronological order, loaded ``batch`` at a time with what renderers read.

    Streams: the rows come from the database as they are consumed, and an event no longer
    referenced can be collected, so memory does not grow with the number of events.
    """
    dialect = session.get_bind().dialect.name
    query = (
        select(Event)
        .order_by(*chronological_order(dialect))
        .options(
            selectinload(Event.actor_links).selectinload(EventActor.actor),
            selectinload(Event.statute_links)
            .selectinload(EventStatute.statute)
            .selectinload(Statute.parent),
            selectinload(Event.sources)
            .selectinload(EventSource.document)
            .load_only(Document.key, Document.citation),
            selectinload(Event.external_source),
        )
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(query)


def event_record(event: Event) -> dict[str, Any]:
    """One event as plain data: what JSON export prints and every renderer reads."""
    date = event.date
    return {
        "key": event.key,
        "date": date.display(),
        "edtf": str(date),
        "date_start": event.date_start.isoformat(),
        "date_end": event.date_end.isoformat(),
        "precision": event.date_precision,
        "approximate": event.date_approximate,
        "uncertain": event.date_uncertain,
        "date_text": event.date_text,
        "date_note": event.date_note,
        "date_basis": event.date_basis,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "editorial_note": event.editorial_note,
        "actors": [
            {
                "key": link.actor.key,
                "name": link.actor.name,
                "role": link.role,
                "identified_by": link.identified_by,
            }
            for link in event.actor_links
        ],
        "statutes": [
            {
                "key": link.statute.key,
                "citation": link.statute.citation,
                "relation": link.relation,
                "identified_by": link.identified_by,
            }
            for link in event.statute_links
        ],
        "sources": [
            {
                "document": source.document.key,
                "citation": source.document.citation,
                "quote": source.quote,
                "char_start": source.char_start,
                "char_end": source.char_end,
            }
            for source in event.sources
        ],
        "external_source": event.external_source.citation if event.external_source else None,
    }
