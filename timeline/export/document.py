"""The chronology as a standalone document: Markdown (the HTML page is :mod:`timeline.export.page`).

Every event of the database, in the order of :func:`timeline.report.chronological`, each with
numbered notes that give the document's citation and the passage quoted from it. The Markdown
is the report's (:mod:`timeline.render`) for all events and with every passage, its text escaped
so that nothing in the data is read as Markdown.

Streaming: events come from the database in batches and are written as they come; the notes
go to a temporary file (in memory while small) and are appended at the end. Deterministic: no
timestamps, and the same data gives the same bytes on every backend.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, TextIO

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from timeline.chronology import Chronology
from timeline.citation_loading import batched, first_citations, in_step
from timeline.citations import Citations, Identities
from timeline.models import Event, EventSource
from timeline.render import (
    MARKDOWN_DOCUMENTS_HEADING,
    MARKDOWN_NOTES_RULE,
    markdown_cited_document,
    markdown_cited_note,
    markdown_event,
    markdown_header,
)
from timeline.report import chronological_order

__all__ = ["markdown_escape", "records", "spool", "summary", "write_html", "write_markdown"]

TITLE = "Chronology"
SPOOL_IN_MEMORY = 1 << 20  # notes beyond 1 MiB go to a temporary file on disk


@dataclass(frozen=True)
class Summary:
    events: int
    documents: int
    title: str


def summary(session: Session) -> Summary:
    """How many events and cited documents, and a title naming the years they span."""
    events = session.scalar(select(func.count()).select_from(Event)) or 0
    documents = session.scalar(select(func.count(distinct(EventSource.document_id)))) or 0
    earliest = case((Event.date_start == dt.date.min, Event.date_end), else_=Event.date_start)
    latest = case((Event.date_end == dt.date.max, Event.date_start), else_=Event.date_end)
    first, last = session.execute(select(func.min(earliest), func.max(latest))).one()
    if first is None or last is None:
        return Summary(events, documents, TITLE)
    years = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    return Summary(events, documents, f"{TITLE}, {years}")


@contextmanager
def spool() -> Iterator[IO[str]]:
    with tempfile.SpooledTemporaryFile(
        max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
    ) as spool:
        yield spool  # type: ignore[misc]


def records(
    session: Session,
    tick: Callable[[int], None],
    citations: Citations | None = None,
    *,
    identified: bool = False,
) -> Iterator[dict[str, Any]]:
    """Each event as :func:`timeline.report.event_record` (``identified``: as
    :meth:`timeline.chronology.Chronology.records` gives it so), in chronological order;
    ``tick(1)`` once it is written. Read a batch at a time, with the documents of the batch's
    sources when given ``citations``."""
    for batch in batched(Chronology(session, None).records(identified=identified)):
        if citations is not None:
            citations.prefetch(source for record in batch for source in record["sources"])
        for record in batch:
            yield record
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
    """The chronology of every event as Markdown, with a footnote for every source passage,
    cited to its page (:mod:`timeline.citations`), and the documents cited."""
    about = summary(session)
    out.write(markdown_header(about.title, about.events, about.documents, markdown_escape))
    citations, identities = Citations(session), Identities(session, aliases=False)
    # Whether a passage is its document's first citation comes from SQL, in the same order.
    order = chronological_order(session.get_bind().dialect.name)
    firsts = first_citations(session, (), order)
    # The documents and the notes are spooled as the events are written, each document where
    # its first citation is met: every cited document is read once, with the events citing it.
    with spool() as documents, spool() as notes:
        count = 0
        # One event at a time: each is written before the next is read (test_publish).
        for record in records(session, tick, citations, identified=True):
            first = count + 1
            for source in record["sources"]:
                count += 1
                full = in_step(firsts, source)
                if full and (doc := citations.document(source["document"])) is not None:
                    documents.write(markdown_cited_document(doc, markdown_escape))
                cited = citations.source(source, first=full)
                note = markdown_cited_note(cited, True, markdown_escape)
                notes.write(f"[^{count}]: {note}\n")
            actors = "; ".join(
                f"{identities.named(a, record)} ({a['role']})" for a in record["actors"]
            )
            out.write(markdown_event(record, range(first, count + 1), markdown_escape, actors))
        if documents.tell():
            out.write(MARKDOWN_DOCUMENTS_HEADING)
            documents.seek(0)
            shutil.copyfileobj(documents, out)
        if count:
            out.write(MARKDOWN_NOTES_RULE)
            notes.seek(0)
            shutil.copyfileobj(notes, out)


def write_html(session: Session, out: TextIO, tick: Callable[[int], None]) -> None:
    """The chronology as one self-contained interactive HTML page (:mod:`timeline.export.page`)."""
    from timeline.export.page import write_page

    write_page(session, out, tick)
