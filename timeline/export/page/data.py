"""The data the page's script draws: events with the geometry of their dates, and the indexes.

Keys, not positions, tie the parts together (an event names its actors, statutes and documents
by key), so the script can build its indexes however it likes. Each document that an event cites
comes with its whole text, in which the page highlights every cited passage; the offsets stay as
stored (characters, that is code points), and the script converts them where JavaScript counts
otherwise. Both backends give the same bytes: keys are ordered by code point (SQLite's binary
collation, PostgreSQL's "C"), as Python orders strings, and the actors' index order, which
``casefold`` gives and no collation does, is sorted in Python. Every part is read a batch at a
time and written an item at a time, never gathered whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, distinct, exists, func, select
from sqlalchemy.orm import Session, defer, selectinload

from timeline.citation_loading import BATCH
from timeline.citations import Citations
from timeline.dates import HistDate
from timeline.key_order import code_point_order
from timeline.models import Actor, Document, EventSource, ExternalSource, Statute

_QUALIFIERS = "~?%"
_OPEN, _UNKNOWN = "..", ""
_CREST_NUMBER = re.compile(r"CIA-RDP[0-9A-Z-]+", re.IGNORECASE)
# The CIA's FOIA reading room publishes each CREST document at its number, in lower case.
_CREST_PAGE = "https://www.cia.gov/readingroom/document/{number}"
IDS = bindparam("ids", expanding=True)
SORT_RUN = 100_000  # actors sorted in memory at a time, for the index order


def script_json(value: Any) -> str:
    """JSON that can stand inside ``<script>``: no ``<`` at all, so no ``</script`` or ``<!--``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def generated_on() -> dt.date:
    """Today (UTC), or the day ``SOURCE_DATE_EPOCH`` names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def _sides(edtf: str) -> tuple[str | None, str | None]:
    """The two ends of an EDTF date or interval: None for an open or unknown end."""
    left, _, right = edtf.partition("/") if "/" in edtf else (edtf, "", edtf)
    return (
        None if left in (_OPEN, _UNKNOWN) else left,
        None if right in (_OPEN, _UNKNOWN) else right,
    )


def event_data(record: Mapping[str, Any]) -> dict[str, Any]:
    """One event as the page draws it: the record's text and the shape of its date.

    ``start``/``end`` are the earliest and latest possible days (None where the source leaves
    the end open or unknown); ``soft`` marks an end that the source gives as approximate or
    uncertain; ``point`` is a single day known to the day.
    """
    date = HistDate.parse(record["edtf"])
    left, right = _sides(date.edtf)
    point = date.start == date.end and not (date.approximate or date.uncertain)
    data: dict[str, Any] = {
        "key": record["key"],
        "date": record["date"],
        "start": date.start.isoformat() if left is not None else None,
        "end": date.end.isoformat() if right is not None else None,
        "precision": date.precision.value,
        "soft": [
            left is not None and left[-1] in _QUALIFIERS,
            right is not None and right[-1] in _QUALIFIERS,
        ],
        "point": point,
        "kind": record["kind"],
        "title": record["title"],
        "description": record["description"],
        "actors": [[a["key"], a["role"]] for a in record["actors"]],
        "statutes": [[s["key"], s["relation"]] for s in record["statutes"]],
        "sources": [_source(s) for s in record["sources"]],
    }
    for field, name in (("date_note", "dateNote"), ("date_text", "dateText")):
        if record.get(field):
            data[name] = record[field]
    if record.get("external_source"):
        data["also"] = record["external_source"]
    return data


def _source(source: Mapping[str, Any]) -> dict[str, Any]:
    data = {
        "document": source["document"],
        "start": source["char_start"],
        "end": source["char_end"],
        "quote": source["quote"],
    }
    if source.get("pinpoint"):  # "p. 87", "pp. 86–87", "p. 86 n. 2"
        data["page"] = source["pinpoint"]
    if source.get("in_note"):
        data["editorsNote"] = True
    if source.get("cited_full"):  # an event's evidence is read alone: cited in full
        data["cited"] = source["cited_full"]
    return data


def online_url(document: Document) -> str | None:
    """Where a reader finds the document online: its stored URL, or CREST's reading-room page."""
    if document.url:
        return document.url
    number = document.doc_number or document.key
    if "CREST" in (document.collection or "") and _CREST_NUMBER.fullmatch(number):
        return _CREST_PAGE.format(number=number.lower())
    return None


def document_facts(session: Session) -> tuple[int, list[str], int]:
    """(documents, their collections in order, how many of them events cite), from SQL: what
    :func:`provenance` says before the documents are written."""
    count = session.scalar(select(func.count()).select_from(Document)) or 0
    collections = sorted(set(session.scalars(select(Document.collection).distinct())))
    cited = session.scalar(select(func.count(distinct(EventSource.document_id)))) or 0
    return count, collections, cited


def _key_order(session: Session, key: Any) -> Any:
    """``key`` ordered as Python's ``sorted`` orders strings (code points)."""
    return code_point_order(key, session.get_bind().dialect.name)


def documents_data(
    session: Session, citations: Citations | None = None
) -> Iterator[dict[str, Any]]:
    """Every document in key order, in citation form; the texts of those that events cite, with
    their source notes, release data and the readings of their damaged words (``citations``).

    Streamed: :data:`BATCH` documents at a time, and the texts of a batch's cited ones read
    together. Every document and every cited text at once held the whole corpus in memory
    (1.1 GB for the page of 50,008 events)."""
    query = (
        select(Document)
        .options(defer(Document.text), selectinload(Document.notes))
        .order_by(_key_order(session, Document.key))
        .execution_options(yield_per=BATCH)
    )
    cited_text = select(Document.key, Document.text).where(
        Document.id.in_(IDS),
        exists().where(EventSource.document_id == Document.id),
    )
    result = session.execute(query)
    try:
        for batch in result.scalars().partitions():
            ids = [document.id for document in batch]
            texts = dict(session.execute(cited_text, {"ids": ids}).all())
            if citations is not None:  # the batch's cited documents, in one go
                citations.prefetch({"document": d.key} for d in batch if d.key in texts)
            for document in batch:
                yield _document_entry(document, texts, citations)
    finally:
        result.close()


def _document_entry(
    document: Document, texts: Mapping[str, str], citations: Citations | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": document.key,
        "title": document.title,
        "date": document.date_display,
        "sort": document.date_start.isoformat(),
        "collection": document.collection,
        "citation": document.citation,
    }
    optional = {
        "url": online_url(document),
        "number": document.doc_number,
        "classification": document.classification,
        "sourceNote": document.archival_source,
        "release": document.release_decision,
        "pages": document.pages,
        "metadataNote": document.metadata_note,
    }
    entry.update({k: v for k, v in optional.items() if v})
    if document.key in texts:
        entry["text"] = texts[document.key]
        entry["notes"] = [[n.number, n.char_start, n.char_end] for n in document.notes]
        # Footnote markers are glued to the word before them ("February 82" is February 8,
        # note 2): the page sets them as superscripts, so no reader takes them for text.
        entry["markers"] = [
            [n.marker_start, n.marker_end, n.number]
            for n in document.notes
            if n.marker_start is not None and n.marker_end is not None
        ]
        about = citations.document(document.key) if citations is not None else None
        if about is not None:
            entry["short"] = about.short
            entry["facts"] = [list(fact) for fact in about.facts]
            if about.source_note:
                entry["sourceNote"] = about.source_note
            marks = about.damage_marks()
            if marks:
                entry["readings"] = [[a, b, f"[{read}]", note] for a, b, read, note in marks]
    return entry


def actors_data(session: Session) -> Iterator[dict[str, Any]]:
    """People and organisations, in index order, with the offices and terms sources confirm.

    The index order (``casefold``, which no database collation matches) is found by sorting
    each actor's name and key alone, in runs spilled to disk past :data:`SORT_RUN`; the actors
    are then read :data:`BATCH` at a time."""
    names = session.execute(
        select(Actor.sort_name, Actor.key, Actor.id).execution_options(yield_per=BATCH)
    )
    order = (i for _n, _k, i in _sorted_on_disk((n.casefold(), k, i) for n, k, i in names))
    query = select(Actor).options(selectinload(Actor.offices)).where(Actor.id.in_(IDS))
    while ids := list(islice(order, BATCH)):
        actors = {a.id: a for a in session.scalars(query, {"ids": ids})}
        for actor in (actors[i] for i in ids):
            entry: dict[str, Any] = {"key": actor.key, "name": actor.name, "kind": actor.kind}
            if actor.description:
                entry["description"] = actor.description
            offices = [
                [office.title, office.term.display() if office.term else None]
                for office in actor.offices
            ]
            if offices:
                entry["offices"] = offices
            yield entry


def _sorted_on_disk(items: Iterable[tuple[str, str, int]]) -> Iterator[tuple[str, str, int]]:
    """``sorted(items)``, holding at most :data:`SORT_RUN` of them: each run is sorted and
    written to a temporary file, and the runs are merged."""
    iterator = iter(items)
    first = sorted(islice(iterator, SORT_RUN))
    if len(first) < SORT_RUN:
        yield from first
        return
    with contextlib.ExitStack() as stack:
        runs = []
        run = first
        while run:
            spill = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            spill.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in run)
            spill.seek(0)
            runs.append(tuple(json.loads(line)) for line in spill)
            run = sorted(islice(iterator, SORT_RUN))
        yield from heapq.merge(*runs)


def statutes_data(session: Session) -> Iterator[dict[str, Any]]:
    query = (
        select(Statute)
        .options(selectinload(Statute.parent))
        .order_by(_key_order(session, Statute.key))
        .execution_options(yield_per=BATCH)
    )
    for statute in session.scalars(query):
        entry: dict[str, Any] = {"key": statute.key, "citation": statute.citation}
        name = statute.popular_title or statute.short_title
        if name:
            entry["name"] = name
        if statute.summary:
            entry["summary"] = statute.summary
        yield entry


def external_sources_data(session: Session) -> Iterator[dict[str, Any]]:
    query = (
        select(ExternalSource.key, ExternalSource.citation, ExternalSource.url)
        .order_by(_key_order(session, ExternalSource.key))
        .execution_options(yield_per=BATCH)
    )
    for key, citation, url in session.execute(query):
        yield {"key": key, "citation": citation, **({"url": url} if url else {})}


def external_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ExternalSource)) or 0


def provenance(documents: int, collections: list[str], cited: int, external: int) -> str:
    """Where the data comes from, in a sentence or three, from the data itself
    (:func:`document_facts`)."""
    parts = [
        f"Compiled from {documents} primary document{'s' if documents != 1 else ''}"
        + (f" ({'; '.join(collections)})" if collections else "")
        + f", {cited} of them cited by events, each stored verbatim with its archival metadata."
        " Every event cites the passages that support it, by their character offsets in the"
        " stored text, and dates are given only as precisely as those passages allow."
    ]
    if external:
        parts.append(
            f" Facts that the documents do not state (terms of office, statute citations) come"
            f" from {external} publication{'s' if external != 1 else ''} listed with the sources."
        )
    return "".join(parts)
