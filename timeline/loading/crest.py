"""CIA CREST reading-room records as a load plan: one document and the one event it records.

The record states everything written here (its number, title, dates, release and catalogue
fields); nothing is guessed. A record without a Publication Date states no date of its own, and
the model needs one, so it is left out and reported with that reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from timeline.loading.collect import add_record, check_lengths
from timeline.loading.plan import DocumentPlan, EventPlan, LoadPlan, Row
from timeline.sources.crest import CREST_COLLECTION, read_crest
from timeline.sources.parsed import CrestRecord

__all__ = ["crest_plan", "record_plan"]


def _citation(record: CrestRecord) -> str:
    approved = record.approved_for_release
    release = f", approved for release {approved:%Y/%m/%d}" if approved else ""
    return f'"{record.title}". {record.key}, {CREST_COLLECTION}{release}.'


def record_plan(record: CrestRecord, origin: str) -> tuple[DocumentPlan, EventPlan]:
    """The document and event of one dated record (see :func:`crest_plan`)."""
    assert record.date is not None
    text = record.text
    values: Row = {
        "key": record.key,
        "title": record.title,
        "subject": None,
        "doc_type": record.doc_type,
        "collection": CREST_COLLECTION,
        "volume": None,
        "doc_number": record.key,
        "pages": None,
        "place": None,
        "citation": _citation(record),
        "url": record.url,
        "archival_source": None,
        "classification": record.original_classification,
        "metadata_note": None,
        "date": record.date,
        "release_decision": record.release_decision,
        "release_date": record.release_date,
        "approved_for_release": record.approved_for_release,
        "record_created": record.record_created,
        "page_count": record.page_count,
        "content_type": record.content_type,
        "sequence_number": record.sequence_number,
        "seed_file": None,
        "date_basis": record.date_basis,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "source": None,
    }
    document = DocumentPlan(key=record.key, values=values, ignore=(), origin=origin)
    event = record.event
    start, end = event.quote
    event_values: Row = {
        "kind": event.kind,
        "title": event.title,
        # The converter's words, bracketed as the editor's (docs/annotations.md).
        "description": f"[{record.doc_type.capitalize()} {record.key}, as CREST catalogues it.]",
        "date": record.date,
        "date_note": f"The record's Publication Date, {record.date_text}.",
        "date_basis": "document",
        "sequence": 0,
        "source": None,
    }
    sources = [
        {"document": record.key, "quote": text[start:end], "char_start": start, "char_end": end}
    ]
    event_plan = EventPlan(
        key=event.key, values=event_values, actors=[], statutes=[], sources=sources
    )
    check_lengths(origin, document, event_plan)
    return document, event_plan


def crest_plan(paths: Iterable[Path]) -> LoadPlan:
    """Read every CREST record named, strictly, into one plan; the first bad file is an error.

    Two files holding the same document number with different texts are refused: the key would
    name two documents.
    """
    plan = LoadPlan()
    for path in paths:
        record = read_crest(path)
        if record.date is None:
            plan.skipped.append(
                (path.name, f"{record.key}: no Publication Date, so no date the record states")
            )
            continue
        document, event = record_plan(record, path.name)
        add_record(plan, document, event)
    return plan
