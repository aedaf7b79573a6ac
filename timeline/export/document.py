"""The chronology as a standalone document: Markdown, or one self-contained HTML file.

Every event of the database, in the order of :func:`timeline.report.chronological`, each with
numbered notes that give the document's citation and the passage quoted from it. The Markdown
is the report's (:mod:`timeline.render`) for all events and with every passage, its text escaped
so that nothing in the data is read as Markdown. The HTML fetches nothing (inline CSS, no
scripts, fonts or images), so it opens offline, and prints.

Streaming: events come from the database in batches and are written as they come; the notes
go to a temporary file (in memory while small) and are appended at the end. Deterministic: no
timestamps, and the same data gives the same bytes on every backend.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, TextIO
from urllib.parse import quote as url_quote

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from timeline.dates import HistDate, Precision
from timeline.models import Event, EventSource
from timeline.render import (
    MARKDOWN_NOTES_RULE,
    actors_text,
    markdown_event,
    markdown_header,
    markdown_note,
    statutes_text,
)
from timeline.report import event_record, stream_events

__all__ = ["markdown_escape", "write_html", "write_markdown"]

TITLE = "Chronology"
SPOOL_IN_MEMORY = 1 << 20  # notes beyond 1 MiB go to a temporary file on disk


@dataclass(frozen=True)
class _Summary:
    events: int
    documents: int
    title: str


def _summary(session: Session) -> _Summary:
    """How many events and cited documents, and a title naming the years they span."""
    events = session.scalar(select(func.count()).select_from(Event)) or 0
    documents = session.scalar(select(func.count(distinct(EventSource.document_id)))) or 0
    earliest = case((Event.date_start == dt.date.min, Event.date_end), else_=Event.date_start)
    latest = case((Event.date_end == dt.date.max, Event.date_start), else_=Event.date_end)
    first, last = session.execute(select(func.min(earliest), func.max(latest))).one()
    if first is None or last is None:
        return _Summary(events, documents, TITLE)
    years = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    return _Summary(events, documents, f"{TITLE}, {years}")


@contextmanager
def _spool() -> Iterator[IO[str]]:
    with tempfile.SpooledTemporaryFile(
        max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
    ) as spool:
        yield spool  # type: ignore[misc]


def _records(session: Session, tick: Callable[[int], None]) -> Iterator[dict[str, Any]]:
    """Each event as :func:`timeline.report.event_record`; ``tick(1)`` once it is written."""
    for event in stream_events(session):
        yield event_record(event)
        tick(1)


# --- Markdown ---------------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>&~|#])")
_MD_LINE_START = re.compile(r"^([ \t]*)(?:([+=-])|([0-9]+)([.)]))", re.MULTILINE)


def _escape_line_start(match: re.Match[str]) -> str:
    if match[2]:  # a bullet, or a setext underline
        return f"{match[1]}\\{match[2]}"
    return f"{match[1]}{match[3]}\\{match[4]}"  # an ordered-list number


def markdown_escape(text: str) -> str:
    """Text that Markdown (CommonMark, GFM) shows as it is: no emphasis, links, HTML or lists."""
    return _MD_LINE_START.sub(_escape_line_start, _MD_INLINE.sub(r"\\\1", text))


def write_markdown(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """The chronology of every event as Markdown, with a footnote for every source passage."""
    summary = _summary(session)
    out.write(markdown_header(summary.title, summary.events, summary.documents, markdown_escape))
    with _spool() as notes:
        count = 0
        for record in _records(session, tick):
            first = count + 1
            for source in record["sources"]:
                count += 1
                notes.write(f"[^{count}]: {markdown_note(source, True, markdown_escape)}\n")
            out.write(markdown_event(record, range(first, count + 1), markdown_escape))
        if count:
            out.write(MARKDOWN_NOTES_RULE)
            notes.seek(0)
            shutil.copyfileobj(notes, out)


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b66; --rule: #c9c9d3;
  --accent: #2b4c7e; --paper: #fdfdfb; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0 auto; max-width: 62rem; padding: 2rem 1.25rem 4rem; background: var(--paper);
  color: var(--ink); font: 1rem/1.55 Georgia, "Times New Roman", serif; }
header h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
header p { color: var(--muted); margin: 0 0 2rem; max-width: 44rem; }
a { color: var(--accent); }
ol.timeline { list-style: none; margin: 0; padding: 0; border-left: 2px solid var(--rule);
  margin-left: 9.5rem; }
ol.timeline > li { position: relative; padding: 0 0 1.75rem 1.5rem; break-inside: avoid; }
ol.timeline > li::before { content: ""; position: absolute; left: -.45rem; top: .45rem;
  width: .8rem; height: .8rem; border-radius: 50%; background: var(--paper);
  border: 2px solid var(--accent); }
.when { position: absolute; left: -10.25rem; width: 8.75rem; text-align: right;
  font: 600 .95rem/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; top: .2rem; }
.kind { display: inline-block; margin: 0; font: .75rem/1.4 system-ui, -apple-system,
  "Segoe UI", sans-serif; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.event h2 { font-size: 1.2rem; line-height: 1.3; margin: .1rem 0 .4rem; }
.event p { margin: 0 0 .5rem; }
.date-note { color: var(--muted); font-size: .92rem; font-style: italic; }
.refs { font: .75rem/1 system-ui, -apple-system, "Segoe UI", sans-serif; }
.refs a { text-decoration: none; padding: 0 .1rem; }
dl.facts { margin: .25rem 0 0; font-size: .92rem; display: grid;
  grid-template-columns: 5.5rem 1fr; gap: 0 .5rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
section.notes { margin-top: 2.5rem; border-top: 1px solid var(--rule); padding-top: 1rem;
  font-size: .92rem; }
section.notes h2 { font-size: 1.2rem; }
section.notes li { margin-bottom: .45rem; }
section.notes li:target, ol.timeline > li:target { background: #fff6d6; }
a.back { text-decoration: none; margin-left: .25rem; }
code { font-size: .85em; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) {
  ol.timeline { margin-left: .5rem; }
  .when { position: static; display: block; width: auto; text-align: left; }
}
@media print {
  body { background: #fff; color: #000; max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  a.back { display: none; }
  ol.timeline > li::before { border-color: #000; }
  section.notes { break-before: page; }
  section.notes li { break-inside: avoid; }
}
""".strip()


def _h(text: str) -> str:
    """Text escaped for an element's content or a double-quoted attribute."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _anchor(key: str) -> str:
    """An HTML id for an event key: no spaces, one id per key."""
    return "event-" + url_quote(key, safe="")


def _time(record: Mapping[str, Any]) -> str:
    """The date as shown, in ``<time>`` with a machine-readable value when there is one."""
    date = HistDate.parse(record["edtf"])
    exact = date.precision in (Precision.DAY, Precision.MONTH, Precision.YEAR)
    if exact and not (date.approximate or date.uncertain):
        value = {Precision.DAY: 10, Precision.MONTH: 7, Precision.YEAR: 4}[date.precision]
        return f'<time datetime="{date.start.isoformat()[:value]}">{_h(record["date"])}</time>'
    return f'<span title="EDTF {_h(record["edtf"])}">{_h(record["date"])}</span>'


def _html_event(record: Mapping[str, Any], first_note: int) -> str:
    numbers = range(first_note, first_note + len(record["sources"]))
    refs = ", ".join(f'<a id="ref-{n}" href="#note-{n}">{n}</a>' for n in numbers)
    parts = [
        f'<li class="event" id="{_h(_anchor(record["key"]))}">\n',
        f'<div class="when">{_time(record)}</div>\n',
        f'<p class="kind">{_h(record["kind"])}</p>\n',
        f"<h2>{_h(record['title'])}</h2>\n",
        f"<p>{_h(record['description'])}",
        f'<sup class="refs">{refs}</sup>' if refs else "",
        "</p>\n",
    ]
    if record["date_note"]:
        parts.append(f'<p class="date-note">Date: {_h(record["date_note"])}</p>\n')
    facts = [
        ("Actors", actors_text(record)),
        ("Statutes", statutes_text(record)),
        ("Also from", record["external_source"] or ""),
    ]
    facts = [(name, value) for name, value in facts if value]
    if facts:
        parts.append('<dl class="facts">\n')
        parts.extend(f"<dt>{name}</dt><dd>{_h(value)}</dd>\n" for name, value in facts)
        parts.append("</dl>\n")
    parts.append("</li>\n")
    return "".join(parts)


def _html_note(number: int, source: Mapping[str, Any]) -> str:
    span = f"characters {source['char_start']}–{source['char_end']}"
    return (
        f'<li id="note-{number}">{_h(source["citation"])} '
        f"(<code>{_h(source['document'])}</code>, {span}): “{_h(source['quote'])}”. "
        f'<a class="back" href="#ref-{number}" aria-label="Back to note {number} in the text">'
        "↩\ufe0e</a></li>\n"
    )


def write_html(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """The chronology of every event as one self-contained HTML5 page with numbered notes."""
    summary = _summary(session)
    intro = (
        f"{summary.events} event{'s' if summary.events != 1 else ''} from "
        f"{summary.documents} document{'s' if summary.documents != 1 else ''}. Each event cites "
        "the passages that support it; the numbered notes give the document, the character "
        "offsets of each passage in its stored text, and the passage itself."
    )
    out.write(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(summary.title)}</title>\n"
        f"<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{_h(summary.title)}</h1>\n<p>{_h(intro)}</p>\n</header>\n<main>\n"
    )
    with _spool() as notes:
        count = 0
        out.write('<ol class="timeline">\n')
        for record in _records(session, tick):
            out.write(_html_event(record, count + 1))
            for source in record["sources"]:
                count += 1
                notes.write(_html_note(count, source))
        out.write("</ol>\n</main>\n")
        if count:
            out.write(
                '<section class="notes" aria-labelledby="notes">\n<h2 id="notes">Notes</h2>\n<ol>\n'
            )
            notes.seek(0)
            shutil.copyfileobj(notes, out)
            out.write("</ol>\n</section>\n")
    out.write(
        "<footer>\n<p>Exported from a timeline database. The dates are given as precisely as "
        "the sources allow: “c.” marks an approximate date, “?” an uncertain one.</p>\n"
        "</footer>\n</body>\n</html>\n"
    )
