"""Where a report is cut into parts of about as much work each, for processes to write side by
side (:mod:`timeline.report_parts`).

A part's work is its events' and their sources' (a Markdown note a source, a key or a quote in
the table): an event weighs ``event`` and each of its sources ``source`` more, as its report's
format has them (:data:`WEIGHTS`). The days are weighed in SQL from the indexes alone
(:func:`day_weights`), and a part begins at the first event with its share of the whole before
it: at the start of a day, or within one, whose events are then read in report order
(:func:`cut_within`). Rough: what a filter leaves out, and events that begin before the window,
are not weighed.

Cut by events at the start of a day, a decade of a million events (the seed's copies, 35,715
to a day on ten days) left the Markdown report one part with 750,015 sources and the other
321,435: one process worked on for 15 s after the other had done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, literal, or_, select, union_all

from timeline.models import Event, EventSource

if TYPE_CHECKING:
    from timeline.chronology import Chronology

BATCH = 500  # a day's events read at a time, where a cut falls within it

# What a report's part's work is counted in, by format: an event's weight, and each of its
# sources'. At a million events, a decade's two halves (as many events; 750,015 and 321,435
# sources) took 43 s and 25 s in Markdown (a note a source), 8.8 s and 6.2 s in JSON, 4.8 s
# and 3.8 s in CSV. The table without its quotes was drawn fastest cut by events alone:
# 10.6 s, against 12.0 s by events and sources.
WEIGHTS = {"markdown": (1, 1), "json": (2, 1), "csv": (5, 1), "table": (1, 0)}
# The same with --sources, where the table prints each source's quote. Cut by events alone,
# the half with 750,015 sources ended 5.5 s after the other; cut at (2, 1) the other half
# (329,371 events, 448,417 sources) ended 3.7 s after it. Cut at (4, 1), the halves (250,005
# events and 678,585 sources; 321,435 and 392,865) ended 0.2 s and 1.7 s apart.
QUOTED_WEIGHTS = {**WEIGHTS, "table": (4, 1)}


def bounds_for(
    chronology: Chronology, parts: int, fmt: str, *, quotes: bool = False
) -> list[tuple[Any, ...]]:
    """:func:`bounds` for a report in ``fmt`` (with its sources' ``quotes``), its events and
    sources weighed as :data:`WEIGHTS` or :data:`QUOTED_WEIGHTS` says."""
    event, source = (QUOTED_WEIGHTS if quotes else WEIGHTS)[fmt]
    return bounds(chronology, parts, event=event, source=source)


def bounds(
    chronology: Chronology, parts: int, *, event: int = 1, source: int = 1
) -> list[tuple[Any, ...]]:
    """The order each part after the first begins at (as
    :meth:`timeline.chronology.Chronology.part` takes it), for up to ``parts`` parts."""
    cuts: list[tuple[Any, ...]] = []
    share = 1  # the next cut's: where share / parts of the work is done
    after = 0  # cuts at the start of the next day: their share ends in a day's last event
    for day, weight, before, total in day_weights(chronology, event, source):
        cuts.extend([(day,)] * after)
        after = 0
        while share < parts and share * total < (before + weight) * parts:
            need = share * total - before * parts  # of the day's weight, times parts
            cut = (day,) if need <= 0 else cut_within(chronology, day, need, parts, event, source)
            if cut is None:
                after += 1
            else:
                cuts.append(cut)
            share += 1
    return list(dict.fromkeys(cuts))


def day_weights(
    chronology: Chronology, event: int, source: int
) -> Iterator[tuple[dt.date, int, int, int]]:
    """Each day events sort on in the window, in order, with its weight, that of the days
    before it and that of every day: the events that begin in the window, and those sorted by
    their end (their start unknown). Read from the index on ``date_start`` and the key of
    ``event_sources`` (its first column the event's); only events whose start is unknown are
    read."""
    window = chronology.window
    begin = window.start if window is not None else dt.date.min
    beginning = and_(chronology.begins_within(), Event.date_start != dt.date.min)
    weighed = [
        select(Event.date_start.label("day"), (func.count() * event).label("weight"))
        .where(beginning)
        .group_by(Event.date_start),
        select(Event.date_end, func.sum(event + _sources() * source))
        .where(Event.date_start == dt.date.min, Event.date_end >= begin)
        .group_by(Event.date_end),
    ]
    if source:
        weighed.append(
            select(Event.date_start, func.count() * source)
            .select_from(EventSource)
            .join(Event, EventSource.event_id == Event.id)
            .where(beginning)
            .group_by(Event.date_start)
        )
    every = union_all(*weighed).subquery()
    days = (
        select(every.c.day, func.sum(every.c.weight).label("weight"))
        .group_by(every.c.day)
        .subquery()
    )
    upto = func.sum(days.c.weight).over(order_by=days.c.day)
    query = select(
        days.c.day, days.c.weight, upto - days.c.weight, func.sum(days.c.weight).over()
    ).order_by(days.c.day)
    for day, weight, before, total in chronology.session.execute(query):
        yield day, int(weight), int(before), int(total)


def cut_within(
    chronology: Chronology, day: dt.date, need: int, parts: int, event: int, source: int
) -> tuple[Any, ...] | None:
    """The order of the first event of ``day`` (in report order) with ``need / parts`` of the
    day's weight before it; None where that is the day's whole weight. The events of ``day``
    are those that sort on it: that begin on it, or end on it with their start unknown."""
    _day, *rest = chronology.order
    on_day = or_(
        Event.date_start == day, and_(Event.date_start == dt.date.min, Event.date_end == day)
    )
    query = select(*rest, _sources() if source else literal(0)).where(on_day).order_by(*rest)
    done, cut = 0, None
    rows = chronology.session.execute(query.execution_options(yield_per=BATCH))
    for *terms, count in rows:
        if done * parts >= need:
            cut = (day, *terms)
            break
        done += event + count * source
    rows.close()
    return cut


def _sources() -> Any:
    """An event's sources, counted: a subquery correlated to :class:`Event`."""
    return (
        select(func.count()).where(EventSource.event_id == Event.id).correlate(Event)
    ).scalar_subquery()
