"""The Markdown report: a header, each event's section with the numbers of its notes, then the
documents cited (each where its first citation falls) and the notes.

Every piece but the header and the section headings depends on the events before it only
through two numbers SQL gives: the notes before an event (its sources, counted), and whether a
source is its document's first citation in the report (a window over the report's order,
:func:`timeline.citation_loading.cited_sources`). So the report can be written in parts:
:mod:`timeline.report_parts` writes the events, documents and notes of consecutive stretches of
the chronology side by side, and puts them together in the order one process writes them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from timeline.citation_loading import batched, cited_sources, documents_first_cited
from timeline.render import (
    MARKDOWN_DOCUMENTS_HEADING,
    MARKDOWN_NOTES_RULE,
    markdown_cited_document,
    markdown_cited_note,
    markdown_event,
    markdown_header,
    markdown_note,
    markdown_note_on,
)

if TYPE_CHECKING:
    from timeline.citations import Citations, Identities
    from timeline.report_output import Events


def write_markdown_report(
    events: Events,
    out: TextIO,
    *,
    with_quotes: bool,
    title: str,
    citations: Citations | None,
    identities: Identities | None,
) -> None:
    out.write(markdown_header(title, events.count(), events.document_count()))
    notes = write_markdown_events(events, out, identities)
    if not notes:
        return
    order = _report_order(events)
    if citations is not None and order is not None:
        _documents_and_notes(events, out, citations, order, with_quotes)
        return
    if citations is not None:
        heading = MARKDOWN_DOCUMENTS_HEADING
        for doc in citations.documents(_documents_first_cited(events, citations, order)):
            out.write(heading + markdown_cited_document(doc))
            heading = ""
    out.write(MARKDOWN_NOTES_RULE)
    if citations is None:
        for number, source in enumerate(events.sources(), start=1):
            out.write(f"[^{number}]: {markdown_note(source, with_quotes)}\n")
        return
    number = 0
    for chunk in batched(events.sources()):
        citations.prefetch(chunk)
        for source in chunk:
            number += 1
            note = markdown_cited_note(citations.source(source), with_quotes)
            out.write(f"[^{number}]: {note}\n")


def write_markdown_events(
    events: Events, out: TextIO, identities: Identities | None, *, number: int = 0
) -> int:
    """Each event's section, its notes numbered on from ``number``; the last note's number."""
    # A batch of events at a time, so that their actors' identities are read together (a
    # Chronology selects them with the events). Of the sources, the documents' keys alone: the
    # notes read them again (cited()).
    for batch in batched(events.records(identified=identities is not None, keys_only=True)):
        if identities is not None:
            identities.prefetch(batch)
        for record in batch:
            first = number + 1
            number += len(record["sources"])
            actors = (
                "; ".join(f"{identities.named(a, record)} ({a['role']})" for a in record["actors"])
                if identities is not None
                else None
            )
            out.write(markdown_event(record, range(first, number + 1), actors=actors))
    return number


def cited(
    sources: Iterable[tuple[dict[str, Any], bool]],
    citations: Citations,
    with_quotes: bool,
    *,
    number: int = 0,
) -> Iterator[tuple[str | None, str]]:
    """For each of ``sources`` (in report order, each with whether it is its document's first
    citation: :func:`timeline.citation_loading.cited_sources`): the entry of its document
    where it is the first citation, and its note, numbered on from ``number``."""
    for chunk in batched(sources):
        # the documents cited first here read whole, for their entries; the others for their
        # citations alone, where forgotten since
        entered = {source["document"] for source, first in chunk if first}
        citations.prefetch([source for source, _ in chunk], entered=entered)
        for source, first in chunk:
            number += 1
            entry = None
            if first and (doc := citations.document(source["document"])) is not None:
                entry = markdown_cited_document(doc)
            citation, shown = citations.cited_and_shown(source, first=first, shown=with_quotes)
            yield entry, f"[^{number}]: {markdown_note_on(source, citation, shown)}\n"


def _documents_and_notes(
    events: Events,
    out: TextIO,
    citations: Citations,
    order: tuple[Sequence[Any], Sequence[Any]],
    with_quotes: bool,
) -> None:
    """The documents cited, then the notes, from one reading of the sources: a document is
    entered where its first citation is met (SQL tells which that is), the notes meanwhile
    spooled to an anonymous temporary file and copied after. Two readings, one per section,
    read every document twice once there were more than the cache holds."""
    sources = cited_sources(citations.session, *order)
    heading = MARKDOWN_DOCUMENTS_HEADING
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as notes:
        for entry, note in cited(sources, citations, with_quotes):
            if entry is not None:
                out.write(heading + entry)
                heading = ""
            notes.write(note)
        out.write(MARKDOWN_NOTES_RULE)
        notes.seek(0)
        shutil.copyfileobj(notes, out)


def _report_order(events: Events) -> tuple[Sequence[Any], Sequence[Any]] | None:
    """The WHERE and ORDER BY terms of a :class:`timeline.chronology.Chronology`, with which
    SQL tells each document's first citation; None for other kinds of events."""
    conditions, order = getattr(events, "conditions", None), getattr(events, "order", None)
    return (conditions, order) if conditions is not None and order is not None else None


def _documents_first_cited(
    events: Events, citations: Citations, order: tuple[Sequence[Any], Sequence[Any]] | None
) -> Iterable[str]:
    if order is not None:
        return documents_first_cited(citations.session, *order)
    # Events of another kind: remember every document cited (grows with the documents).
    cited: dict[str, None] = {}
    for record in events.records():
        cited.update((s["document"], None) for s in record["sources"])
    return cited
