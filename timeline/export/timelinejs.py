"""TimelineJS3 JSON: every event of the database as a slide, spans as eras.

The format is TimelineJS3's JSON configuration (https://timeline.knightlab.com/docs/json-format.html),
as `TimelineConfig` in TimelineJS3's `src/js/core/TimelineConfig.js` reads it:

- ``title``: a slide without a date: what the timeline is, and how many events and documents.
- ``events``: one slide per event, in the order of :func:`timeline.report.chronological`.
  ``start_date``/``end_date`` hold integer ``year``/``month``/``day``, each only as far down as
  the date is known (a "1951" event has a ``year`` and nothing else), see :func:`date_fields`.
  ``display_date`` is there exactly when those integers alone would misstate the date: when it is
  approximate, uncertain, a season, decade or century, or a range between two dates.
  ``text.headline`` is the title; ``text.text`` the description, how the date was read, and every
  source: the document's citation and the quoted passage (HTML, escaped). ``group`` is the act the
  event bears on (a section's act), else its first-named actor; ``unique_id`` is the event key.
- ``eras``: spans, taken only from the data. An era is an event whose date is a range between
  two known dates in different years (the Soviet denials, "c. 1956 – 26 Feb 1961"), under the
  event's title. Nothing else is made an era: the seed texts mention the Korean War but do not
  date it, so it is no era here; a span earns a band only when an event of the database dates it.
  A range can be the time an event went on or the time within which an undated event happened
  (the affidavits, "c. 1945 – 1951"); both are the years the sources allow, and shown as such.

Streaming: events come from the database in batches (:func:`timeline.report.stream_events`)
and are written one at a time; eras are a second pass over the database. Deterministic: the
same data gives the same bytes, on every backend.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from timeline.dates import HistDate, Precision
from timeline.errors import ExportError
from timeline.models import Event, EventSource
from timeline.report import chronological_order, stream_events

__all__ = ["date_fields", "era_dates", "event_slide", "write_timelinejs"]

TITLE_HEADLINE = "Chronology"

# Precisions TimelineJS can show from the integers alone (with no qualifier).
_PLAIN = (Precision.DAY, Precision.MONTH, Precision.YEAR)
_OPEN = ("..", "")

DateFields = dict[str, int]


def _fields(day: dt.date, precision: Precision) -> DateFields:
    """``year``/``month``/``day`` of ``day``, down to ``precision`` and no further."""
    if precision is Precision.DAY:
        return {"year": day.year, "month": day.month, "day": day.day}
    if precision in (Precision.MONTH, Precision.SEASON):
        return {"year": day.year, "month": day.month}
    return {"year": day.year}


def _redundant(start: DateFields, end: DateFields) -> bool:
    """Whether TimelineJS would drop ``end`` as "same as start date".

    `TimelineConfig._processDates` compares only the properties of the start date, so
    ``{year: 1961}`` to ``{year: 1961, month: 2}`` counts as the same date.
    """
    return all(end.get(name) == value for name, value in start.items())


def date_fields(date: HistDate) -> tuple[DateFields, DateFields | None, str | None]:
    """(start_date, end_date or None, display_date or None) for a date.

    A single date at day, month or year precision is a start date alone. A season, decade or
    century runs from its first to its last month or year. A range runs from its first date to
    its last, each at its own precision. A range with an open or unknown start ("by 16 May
    1984") is placed at its end, where :func:`timeline.report.chronological` files it; one with
    an open or unknown end at its start.
    """
    display = (
        None
        if date.precision in _PLAIN and not (date.approximate or date.uncertain)
        else date.display()
    )
    if date.precision is not Precision.INTERVAL:
        start = _fields(date.start, date.precision)
        end = _fields(date.end, date.precision)
        return start, (None if _redundant(start, end) else end), display
    left_text, right_text = date.edtf.split("/")
    left = None if left_text in _OPEN else HistDate.parse(left_text)
    right = None if right_text in _OPEN else HistDate.parse(right_text)
    if left is None:
        assert right is not None  # HistDate refuses an interval open at both ends
        return _fields(right.end, right.precision), None, display
    start = _fields(left.start, left.precision)
    if right is None:
        return start, None, display
    end = _fields(right.end, right.precision)
    return start, (None if _redundant(start, end) else end), display


def era_dates(date: HistDate) -> tuple[DateFields, DateFields] | None:
    """(start_date, end_date) when the date is a range between known dates in different years."""
    if date.precision is not Precision.INTERVAL:
        return None
    if date.start == dt.date.min or date.end == dt.date.max:
        return None
    if date.start.year == date.end.year:
        return None
    start, end, _ = date_fields(date)
    assert end is not None  # different years: never redundant
    return start, end


def _plain(text: str) -> str:
    """For ``display_date`` and ``group``, which TimelineJS reads as HTML and strips to text."""
    return html.escape(text, quote=False)


def _group(event: Event) -> str | None:
    for link in event.statute_links:
        act = link.statute.parent or link.statute
        return act.short_title or act.title
    for actor_link in event.actor_links:
        return actor_link.actor.name
    return None


def _text(event: Event) -> str:
    """The slide's HTML: description, how the date was read, and the sources, escaped."""
    esc = html.escape
    parts = [f"<p>{esc(event.description)}</p>"]
    if event.date_note:
        parts.append(f"<p><em>Date: {esc(event.date_note)}</em></p>")
    if event.sources:
        parts.append("<p>Sources:</p><ol>")
        for source in event.sources:
            parts.append(
                f"<li><cite>{esc(source.document.citation)}</cite> "
                f"({esc(source.document.key)}, characters "
                f"{source.char_start}–{source.char_end}): "
                f"“{esc(source.quote)}”</li>"
            )
        parts.append("</ol>")
    if event.external_source:
        parts.append(f"<p>Also from: <cite>{esc(event.external_source.citation)}</cite></p>")
    return "".join(parts)


def event_slide(event: Event) -> dict[str, Any]:
    """One event as a TimelineJS slide."""
    start, end, display = date_fields(event.date)
    slide: dict[str, Any] = {"unique_id": event.key, "start_date": start}
    if end is not None:
        slide["end_date"] = end
    if display is not None:
        slide["display_date"] = _plain(display)
    slide["text"] = {"headline": html.escape(event.title), "text": _text(event)}
    group = _group(event)
    if group is not None:
        slide["group"] = _plain(group)
    return slide


def _title_id(session: Session) -> str:
    """``title``, or ``title-N`` should an event already have that key."""
    taken = set(session.scalars(select(Event.key).where(Event.key.like("title%"))))
    candidate, number = "title", 1
    while candidate in taken:
        candidate, number = f"title-{number}", number + 1
    return candidate


def _title_slide(session: Session, events: int) -> dict[str, Any]:
    documents = session.scalar(select(func.count(distinct(EventSource.document_id)))) or 0
    text = (
        f"<p>A policy timeline built from primary sources: {events} "
        f"event{'s' if events != 1 else ''} drawn from {documents} "
        f"document{'s' if documents != 1 else ''}. Each event cites the passages of the "
        "documents that support it. A date the sources give only roughly is shown as they "
        "give it: approximate, uncertain, or a range.</p>"
    )
    return {"unique_id": _title_id(session), "text": {"headline": TITLE_HEADLINE, "text": text}}


def _eras(session: Session) -> Iterator[dict[str, Any]]:
    dialect = session.get_bind().dialect.name
    query = (
        select(Event)
        .where(Event.date_precision == Precision.INTERVAL.value)
        .where(Event.date_start != dt.date.min, Event.date_end != dt.date.max)
        .order_by(*chronological_order(dialect))
        .execution_options(yield_per=200)
    )
    for event in session.scalars(query):
        dates = era_dates(event.date)
        if dates is None:
            continue
        yield {
            "unique_id": f"era-{event.key}",
            "start_date": dates[0],
            "end_date": dates[1],
            "text": {
                "headline": html.escape(event.title),
                "text": html.escape(event.date.display()),
            },
        }


def _dump(value: Any) -> str:
    """Indented JSON for a member of a top-level array (two levels in)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def _write_array(name: str, items: Iterator[dict[str, Any]], out: TextIO, last: bool) -> int:
    out.write(f'  "{name}": [')
    count = 0
    for item in items:
        out.write(",\n    " if count else "\n    ")
        out.write(_dump(item))
        count += 1
    out.write("\n  ]" if count else "]")
    out.write("\n" if last else ",\n")
    return count


def write_timelinejs(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """Write every event in the database as TimelineJS3 JSON; ``tick(1)`` after each event.

    Raises :class:`ExportError` before writing anything when there is no event to show.
    """

    def slides() -> Iterator[dict[str, Any]]:
        for event in stream_events(session):
            yield event_slide(event)
            tick(1)

    events = session.scalar(select(func.count()).select_from(Event)) or 0
    if not events:
        # TimelineConfig.validate: "Timeline configuration has no events."
        raise ExportError("the database has no events; a TimelineJS timeline needs one at least")
    title = _title_slide(session, events)
    title_json = json.dumps(title, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    out.write("{\n")
    out.write(f'  "title": {title_json},\n')
    _write_array("events", slides(), out, last=False)
    _write_array("eras", _eras(session), out, last=True)
    out.write("}\n")
