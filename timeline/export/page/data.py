"""The data the page's script draws: events with the geometry of their dates, and the indexes.

Keys, not positions, tie the parts together (an event names its actors, statutes and documents
by key), so the script can build its indexes however it likes. Each document that an event cites
comes with its whole text, in which the page highlights every cited passage; the offsets stay as
stored (characters, that is code points), and the script converts them where JavaScript counts
otherwise. Everything is sorted in Python, so both backends give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from timeline.citation_loading import BATCH
from timeline.citations import Citations
from timeline.dates import HistDate
from timeline.models import Actor, Document, ExternalSource, Statute

_QUALIFIERS = "~?%"
_OPEN, _UNKNOWN = "..", ""
_CREST_NUMBER = re.compile(r"CIA-RDP[0-9A-Z-]+", re.IGNORECASE)
# The CIA's FOIA reading room publishes each CREST document at its number, in lower case.
_CREST_PAGE = "https://www.cia.gov/readingroom/document/{number}"
TEXT_BATCH = 200


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


def documents_data(
    session: Session, cited: Iterable[str], citations: Citations | None = None
) -> list[dict[str, Any]]:
    """Every document, in citation form; the texts of those that events cite, with their
    source notes, release data and the readings of their damaged words (``citations``)."""
    cited = set(cited)
    documents = sorted(
        session.scalars(
            select(Document).options(defer(Document.text), selectinload(Document.notes))
        ),
        key=lambda d: d.key,
    )
    texts: dict[str, str] = {}
    wanted = sorted(cited)
    for at in range(0, len(wanted), TEXT_BATCH):
        chunk = wanted[at : at + TEXT_BATCH]
        query = select(Document.key, Document.text).where(Document.key.in_(chunk))
        texts.update((key, text) for key, text in session.execute(query))
    result = []
    for index, document in enumerate(documents):
        if citations is not None and index % BATCH == 0:  # the next batch's cited, in one go
            ahead = documents[index : index + BATCH]
            citations.prefetch({"document": d.key} for d in ahead if d.key in cited)
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
        result.append(entry)
    return result


def actors_data(session: Session) -> list[dict[str, Any]]:
    """People and organisations, in index order, with the offices and terms sources confirm."""
    actors = session.scalars(select(Actor).options(selectinload(Actor.offices)))
    result = []
    for actor in sorted(actors, key=lambda a: (a.sort_name.casefold(), a.key)):
        entry: dict[str, Any] = {"key": actor.key, "name": actor.name, "kind": actor.kind}
        if actor.description:
            entry["description"] = actor.description
        offices = [
            [office.title, office.term.display() if office.term else None]
            for office in actor.offices
        ]
        if offices:
            entry["offices"] = offices
        result.append(entry)
    return result


def statutes_data(session: Session) -> list[dict[str, Any]]:
    statutes = session.scalars(select(Statute).options(selectinload(Statute.parent)))
    result = []
    for statute in sorted(statutes, key=lambda s: s.key):
        entry: dict[str, Any] = {"key": statute.key, "citation": statute.citation}
        name = statute.popular_title or statute.short_title
        if name:
            entry["name"] = name
        if statute.summary:
            entry["summary"] = statute.summary
        result.append(entry)
    return result


def external_sources_data(session: Session) -> list[dict[str, Any]]:
    sources = sorted(session.scalars(select(ExternalSource)), key=lambda s: s.key)
    return [
        {"key": s.key, "citation": s.citation, **({"url": s.url} if s.url else {})} for s in sources
    ]


def provenance(documents: list[dict[str, Any]], external: int) -> str:
    """Where the data comes from, in a sentence or three, from the data itself."""
    collections = sorted({d["collection"] for d in documents})
    cited = sum(1 for d in documents if "text" in d)
    parts = [
        f"Compiled from {len(documents)} primary document{'s' if len(documents) != 1 else ''}"
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
