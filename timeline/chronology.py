"""The chronology as a stream: the report's events read from SQL a batch at a time.

:func:`timeline.report.report` built every event as ORM objects, sorted them in Python and only
then printed: memory grew with the data (gigabytes at a million events). Here the database sorts
(:func:`timeline.report.chronological_order`, which agrees with :func:`chronological` to the
byte), plain rows come back ``BATCH`` at a time (a server-side cursor on PostgreSQL), each
with its actors, statutes and sources as JSON columns (:mod:`timeline.event_links`). A
:class:`Chronology` can be read more than once: the table and Markdown renderers make a first
pass for the column widths or the counts, then a second to print, holding one batch at a time.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, bindparam, distinct, exists, func, null, or_, select, tuple_
from sqlalchemy.orm import Session

from timeline import event_rows
from timeline.citation_loading import SOURCE_COLUMNS, source_record
from timeline.event_links import link_columns, printed_link_columns
from timeline.models import (
    Actor,
    Document,
    Event,
    EventActor,
    EventSource,
    ExternalSource,
)
from timeline.read_ahead import read_ahead
from timeline.report import (
    EventFilter,
    chronological_order,
    filter_conditions,
    unindexed,
    window_conditions,
)

# Events read at a time. A batch's rows, their decoded links and their records are alive at
# once: with 1,000 the peak of a Markdown report on PostgreSQL was 104 MB at 50,008 events
# (1,000 copies of one event with long quotes in a batch), with 500 it is 91 MB, no slower.
BATCH = 500
EXTERNAL_KEPT = 1_000  # publications' citations kept between batches
# SQLite reads a row through an index about four times as slowly as scanning the table in its
# own order (at a million events: 0.73 µs a row against 0.19 µs): a window holding more than
# one event in four is read whole by a scan (Chronology._scanned).
SCANNED_FROM = 4

_EVENT_COLUMNS = (
    Event.id,
    Event.key,
    Event.date_edtf,
    Event.date_text,
    Event.date_start,
    Event.date_end,
    Event.date_precision,
    Event.date_approximate,
    Event.date_uncertain,
    Event.date_note,
    Event.date_basis,
    Event.kind,
    Event.title,
    Event.description,
    Event.editorial_note,
    Event.external_source_id,
)
# What the CSV report and the table print of an event, before its links (Chronology.printed):
# its key and dates (key to date_precision), its kind, title and description.
_PRINTED_COLUMNS = (*_EVENT_COLUMNS[1:7], Event.kind, Event.title, Event.description)


def _fetched(
    fetch: Callable[[int], Sequence[Any]], size: int
) -> Generator[Sequence[Any], None, None]:
    while rows := fetch(size):
        yield rows


class Chronology:
    """The events a filter selects, in chronological order, readable any number of times."""

    def __init__(self, session: Session, flt: EventFilter | None) -> None:
        """``flt`` None: every event, whatever its dates (the exports)."""
        self.session = session
        # Resolving the filters raises NotFoundError now, before a line is printed.
        self._filters = filter_conditions(session, flt) if flt is not None else []
        window = window_conditions(flt.window) if flt is not None else []
        self.conditions = [*window, *self._filters]
        self.order = chronological_order(session.get_bind().dialect.name)
        self.window = flt.window if flt is not None else None
        self.within: list[Any] = []  # a part's conditions on the report's order (part())
        self.until: list[Any] = []  # those of them that bound it from above
        self._external: dict[int, str] = {}
        self._scans: bool | None = None  # _scanned(), once asked

    def begins_within(self) -> Any:
        """That an event begins within the window: a condition on ``date_start`` alone."""
        window = self.window
        begin = window.start if window is not None else dt.date.min
        end = window.end if window is not None else dt.date.max
        return Event.date_start.between(begin, end)

    def beginning(self) -> int:
        """The events that begin within the window: most of the events it holds, whatever the
        filters; counted on the index on ``date_start`` alone, without reading an event."""
        days = select(Event.date_start).where(self.begins_within())
        return self.session.scalar(select(func.count()).select_from(days.subquery())) or 0

    def part(self, start: Sequence[Any] | None, stop: Sequence[Any] | None) -> Chronology:
        """The events of this chronology ordered at ``start`` or after, and before ``stop``
        (None: no bound). An order is the first terms of the report's order
        (:func:`timeline.report.chronological_order`): parts cut at the bounds of
        :func:`timeline.report_cuts.bounds` hold every event once, in report order.

        The order's first term is the day an event sorts by: its start, or its end where the
        start is unknown (``date.min``). Each bound is also said of ``date_start`` alone, as
        the index on it can find it: a part reads its own stretch of the index, not the
        window's whole range (at a million events, the ids of a decade's two halves took
        0.66 s and 0.55 s, against 1.07 s and 0.92 s; the rows the table prints, 3.15 s and
        2.45 s against 3.24 s and 2.65 s)."""
        part = copy.copy(self)
        part._external = {}

        def compared(values: Sequence[Any]) -> tuple[Any, Any]:
            terms = self.order[: len(values)]
            at = (bindparam(None, v, type_=t.type) for t, v in zip(terms, values, strict=True))
            return tuple_(*terms), tuple_(*at)

        since, until = [], []
        if start is not None:
            order, at = compared(start)
            since = [
                order >= at,
                or_(Event.date_start >= start[0], Event.date_start == dt.date.min),
            ]
        if stop is not None:
            order, at = compared(stop)
            until = [order < at, Event.date_start <= stop[0]]
        part.conditions = [*self.conditions, *since, *until]
        part.within = [*self.within, *since, *until]
        part.until = [*self.until, *until]
        return part

    def _events(self) -> Select[Any]:
        return select(*_EVENT_COLUMNS).where(*self.conditions)

    def _whole(self) -> list[Any]:
        """The conditions of a query that reads every selected event in no particular order (a
        count, the texts the table prints): :attr:`conditions`, or where :meth:`_scanned`, the
        same with the window's term on ``date_start`` served from no index."""
        if not self._scanned():
            return self.conditions
        window = window_conditions(self.window, indexed=False) if self.window is not None else []
        return [*window, *self._filters, *self.within]

    def _scanned(self) -> bool:
        """Whether SQLite reads the events of the window sooner by scanning the table than
        through the index on ``date_start``: where more than one event in :data:`SCANNED_FROM`
        begins by the window's end (the index serves the events that do). SQLite plans without
        statistics, and takes the index for any range on it. Two counts on that index, asked
        once."""
        if self._scans is None:
            self._scans = False
            if self.window is not None and self.session.get_bind().dialect.name == "sqlite":
                by_end = select(Event.id).where(Event.date_start <= self.window.end)
                begun = self.session.scalar(select(func.count()).select_from(by_end.subquery()))
                total = self.session.scalar(select(func.count()).select_from(Event))
                self._scans = (begun or 0) * SCANNED_FROM > (total or 0)
        return self._scans

    def count(self) -> int:
        query = select(func.count()).select_from(Event).where(*self._whole())
        return self.session.scalar(query) or 0

    def document_count(self) -> int:
        """Distinct documents the selected events cite."""
        ids = select(Event.id).where(*self._whole())
        query = select(func.count(distinct(EventSource.document_id))).where(
            EventSource.event_id.in_(ids)
        )
        return self.session.scalar(query) or 0

    def source_count(self) -> int:
        """The sources of the selected events: the Markdown report's notes."""
        query = (
            select(func.count())
            .select_from(EventSource)
            .join(Event, EventSource.event_id == Event.id)
            .where(*self.conditions)
        )
        return self.session.scalar(query) or 0

    def records(
        self, *, identified: bool = False, keys_only: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Each event as :func:`timeline.report.event_record` gives it, streamed.

        ``identified``: each actor also carries what :meth:`timeline.identities.Identities.named`
        reads: ``said``, the words the event's sources use for it
        (:func:`timeline.event_links.said`), and its ``identity`` (name source and offices,
        no aliases), selected with the event. An actor no outside source identifies carries
        neither (None): it is named by its name alone.
        ``keys_only``: each source gives its document's key alone (no citation, quote or
        offsets): all the Markdown report's sections read of them (how many, and which
        documents an actor's offices are told against); its notes read them again
        (:meth:`sources`). Selecting and decoding every quote and citation took 1 s of a
        million-event decade's 32.8 s.
        """
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        links = link_columns(sqlite, identified=identified, keys_only=keys_only)
        query = self._events().add_columns(*links)
        # On PostgreSQL the next batch is read ahead (timeline.read_ahead), but not for the
        # Markdown report (identified): its main thread reads identities and citations on the
        # same connection between batches, and the reading thread's allocations (3-4 MB) would
        # take its memory, the highest of the reports (95 MB at 50,008 events), to 99 MB.
        ordered = query.order_by(*self.order)
        for rows in self._batches(ordered, ahead=not identified):
            yield from self._records(rows, identified, keys_only)

    def printed_query(self, *, statutes: bool, quotes: bool, described: bool = True) -> Select[Any]:
        """The query of :meth:`printed`, in report order."""
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        links = printed_link_columns(sqlite, statutes=statutes, quotes=quotes)
        columns = _PRINTED_COLUMNS if described else (*_PRINTED_COLUMNS[:-1], null())
        return select(*columns, *links).where(*self.conditions).order_by(*self.order)

    def printed(
        self, *, statutes: bool, quotes: bool, described: bool = True, leading: int = 0
    ) -> Iterator[list[Any]]:
        """Each event as the CSV report and the table print it, without the record
        :meth:`records` builds (a dict a link, most of it unprinted there): ``key`` to
        ``description`` as a record holds them, then the actors, statutes (empty where not
        ``statutes``) and sources as decoded lists (:func:`printed_link_columns`).

        ``described``: False for a description of None, unread, where it is not printed (the
        table). The database sorts each row whole, before it gives the first: at a million
        events the decade's rows the table prints took 15.0-17.2 s in ``sqlite3`` with their
        descriptions, 12.2-13.4 s without.

        ``leading``: the first that many events are read on their own, the rest (if read on)
        after them. The database sorts the window's rows with their links before it gives
        the first: 4 s of a 114,288-event window at 200,004 events, where the first 1,000,
        chosen by their order alone, take 0.5 s (the table's first pass, which measures them
        and reads no further when the report is drawn in parts)."""
        query = self.printed_query(statutes=statutes, quotes=quotes, described=described)
        if not leading:
            yield from self._printed(query)
            return
        first = select(Event.id).where(*self._whole()).order_by(*self.order).limit(leading)
        yield from self._printed(query.where(Event.id.in_(first)))
        yield from self._printed(query.offset(leading))

    def _printed(self, query: Select[Any]) -> Iterator[list[Any]]:
        for rows in self._batches(query, ahead=True):
            yield from event_rows.printed(rows)

    def sources(self) -> Iterator[dict[str, Any]]:
        """Every source of every selected event, in report order (the Markdown notes)."""
        query = (
            select(*SOURCE_COLUMNS)
            .join(Event, EventSource.event_id == Event.id)
            .join(Document, EventSource.document_id == Document.id)
            .where(*self.conditions)
            .order_by(*self.order, EventSource.position)
        )
        for rows in self._batches(query):
            yield from itertools.starmap(source_record, rows)

    def plain(self, *, quotes: bool = True) -> bool:
        """Whether no text the table prints holds an ANSI escape or tabulate's separating-line
        marker: then the table's widths are known once its columns are full, without reading
        every row (:func:`timeline.tables.stream_table`). A few ``EXISTS`` queries, in the
        database; the quotes are looked at only where the table prints them (``quotes``)."""
        marks = ("\x1b", "\x01")

        def marked(*columns: Any) -> Any:
            return or_(*(column.contains(mark) for column in columns for mark in marks))

        events = select(Event.id).where(*self._whole())
        checks = [
            select(Event.id).where(
                *self._whole(),
                marked(
                    Event.title, Event.kind, Event.date_edtf, func.coalesce(Event.date_text, "")
                ),
            ),
            select(EventActor.event_id)
            .join(Actor, EventActor.actor_id == Actor.id)
            .where(EventActor.event_id.in_(events), marked(Actor.name, EventActor.role)),
        ]
        if quotes:
            checks.append(
                select(EventSource.event_id).where(
                    EventSource.event_id.in_(events), marked(EventSource.quote)
                )
            )
        # A document key is looked for among the window's citations only where some key holds
        # a mark: the keys alone are read from their index, where each source's document is
        # a row of its own. At a million events, in sqlite3, the decade's sources with their
        # documents took 4.1-4.8 s; its quotes alone 2.7 s, and every key 0.1 s.
        cited = (
            select(EventSource.event_id)
            .join(Document, EventSource.document_id == Document.id)
            .where(EventSource.event_id.in_(events), marked(Document.key))
        )

        def holds(check: Select[Any]) -> bool:
            return bool(self.session.scalar(select(exists(check))))

        if any(holds(check) for check in checks):
            return False
        return not (holds(select(Document.id).where(marked(Document.key))) and holds(cited))

    def distinct_texts(self, what: str) -> Iterator[str]:
        """Each distinct text of one kind the selected events print, streamed: ``date`` (as
        displayed), ``kind``, ``title``, ``actor`` ("name (role)"), ``document`` (a key) or
        ``quote``."""
        conditions = self._whole()
        events = select(Event.id).where(*conditions)
        if what == "date":
            query = select(Event.date_edtf, Event.date_text).where(*conditions).distinct()
            for rows in self._batches(query):
                yield from (event_rows.date_texts(edtf, text)[0] for edtf, text in rows)
            return
        if what == "actor":
            query = (
                select(Actor.name, EventActor.role)
                .join(Actor, EventActor.actor_id == Actor.id)
                .where(EventActor.event_id.in_(events))
                .distinct()
            )
            for rows in self._batches(query):
                yield from (f"{name} ({role})" for name, role in rows)
            return
        queries = {
            # not from the index on kind, which DISTINCT would walk whole, looking up each event
            "kind": select(unindexed(Event.kind)).where(*conditions),
            "title": select(Event.title).where(*conditions),
            "document": select(Document.key)
            .join(EventSource, EventSource.document_id == Document.id)
            .where(EventSource.event_id.in_(events)),
            "quote": select(EventSource.quote).where(EventSource.event_id.in_(events)),
        }
        for rows in self._batches(queries[what].distinct()):
            yield from (text for (text,) in rows)

    def _batches(self, query: Select[Any], *, ahead: bool = False) -> Iterator[Sequence[Any]]:
        """The query's rows, ``BATCH`` at a time, as plain tuples where the driver allows.

        SQLite's cursor reads rows as they are fetched: its own rows, untouched by SQLAlchemy
        (which would turn every date string into a date, only for it to be printed again).
        PostgreSQL streams through a server-side cursor; its driver already gives dates.
        ``ahead``: there, the next batch is fetched while the caller uses one
        (:mod:`timeline.read_ahead`).
        """
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            result = connection.execute(query)
            # nothing read yet: SQLAlchemy reads on demand
            batches = _fetched(result.cursor.fetchmany, BATCH)
        else:
            # This statement's option, not the connection's: Connection.execution_options sets
            # it on the connection itself, and every later query of the session (a batch's
            # citations, say) then paid a server-side cursor's three round trips.
            result = connection.execute(query, execution_options={"stream_results": True})
            fetch = result.fetchmany
            batches = read_ahead(fetch, BATCH) if ahead else _fetched(fetch, BATCH)
        try:
            yield from batches
        finally:
            batches.close()  # a read-ahead thread has ended before its cursor is closed
            result.close()

    def _records(
        self, rows: Sequence[Any], identified: bool, keys_only: bool
    ) -> Iterator[dict[str, Any]]:
        external = self._external_citations({row[15] for row in rows} - {None})
        return event_rows.records(rows, external, identified=identified, keys_only=keys_only)

    def _rows(self, query: Select[Any]) -> list[Any]:
        """Every row of a batch's query (see :meth:`_batches`)."""
        return [row for rows in self._batches(query) for row in rows]

    def _external_citations(self, ids: set[int]) -> dict[int, str]:
        """The citations of the publications a batch's events name, kept while they recur
        (a handful of statute books and finding aids; never the whole table, which grows)."""
        known = self._external
        missing = ids - known.keys()
        if missing:
            if len(known) + len(missing) > EXTERNAL_KEPT:
                known.clear()  # and the batch's own citations are read again with the rest
                missing = ids
            query = select(ExternalSource.id, ExternalSource.citation).where(
                ExternalSource.id.in_(missing)
            )
            known.update(self._rows(query))
        return known
