"""Plain-text and Markdown sources as a load plan: the document, its event, and its people.

Authors and recipients are names as the sidecar gives them; the writer matches each against the
names and aliases already stored, and only a name it cannot match becomes a new actor. A file
whose metadata gives no date is left out and reported: the model needs a date, and none is stated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from timeline.dates import HistDate
from timeline.errors import SourceFormatError
from timeline.loading.collect import add_record, check_lengths
from timeline.loading.plan import ActorMatch, DocumentPlan, EventPlan, LoadPlan, Row
from timeline.sources.parsed import PlainTextRecord
from timeline.sources.plaintext import read_plaintext
from timeline.textmatch import fold

__all__ = ["NEW_ACTOR_KIND", "actor_key", "plaintext_plan", "record_plan"]

# A name alone does not say what its bearer is; a new actor is entered as a person and reported,
# so that the researcher can correct an office or an organization.
NEW_ACTOR_KIND = "person"
_ROLES = {"author": "author", "recipient": "recipient"}  # event role -> document role


def actor_key(name: str) -> str:
    """The key a new actor gets from its name: folded, lower case, words joined by hyphens."""
    words = re.findall(r"\w+", fold(name).casefold())
    return "-".join(words)[:100] or "actor"


def _citation(record: PlainTextRecord, origin: str) -> str:
    if record.citation is not None:
        return record.citation
    assert record.date is not None
    return f'"{record.title}", {record.doc_type}, {record.date.display()} ({origin})'


def record_plan(
    record: PlainTextRecord, origin: str
) -> tuple[DocumentPlan, EventPlan | None, dict[str, str]]:
    """The document, its event (None for an editorial note) and the actors it names, by key."""
    assert record.date is not None
    # The words are the sidecar's, not the source's: the date is stored without them.
    date = HistDate.parse(str(record.date))
    if record.collection is None:
        raise SourceFormatError(
            f'{origin}: no collection: give collection = "..." in its sidecar '
            "or --set collection=..."
        )
    text = record.text
    values: Row = {
        "key": record.key,
        "title": record.title,
        "subject": None,
        "doc_type": record.doc_type,
        "collection": record.collection,
        "volume": None,
        "doc_number": None,
        "pages": None,
        "place": None,
        "citation": _citation(record, origin),
        "url": record.url,
        "archival_source": None,
        "classification": None,
        "metadata_note": None,
        "date": date,
        "release_decision": None,
        "release_date": None,
        "approved_for_release": None,
        "record_created": None,
        "page_count": None,
        "content_type": None,
        "sequence_number": None,
        "seed_file": None,
        "date_basis": "metadata",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "source": None,
    }
    document = DocumentPlan(key=record.key, values=values, ignore=(), origin=origin)
    names = {actor_key(name): name for name in (*record.authors, *record.recipients)}
    for role, people in (("author", record.authors), ("recipient", record.recipients)):
        for name in people:
            link = (actor_key(name), role)
            if link not in document.actors:
                document.actors.append(link)
    event_plan = None
    if record.event is not None:
        event = record.event
        start, end = event.quote
        links: list[tuple[str, str]] = []
        for _frus_id, name, role in event.actors:
            link = (actor_key(name), _ROLES[role])
            if link not in links:
                links.append(link)
        event_plan = EventPlan(
            key=event.key,
            values={
                "kind": event.kind,
                "title": event.title,
                # The converter's words, bracketed as the editor's (docs/annotations.md).
                "description": f"[{record.doc_type.capitalize()}: {record.title}.]",
                "date": date,
                "date_note": f"The date its metadata gives, {record.date_text}.",
                "date_basis": "document",
                "sequence": 0,
                "source": None,
            },
            actors=links,
            statutes=[],
            sources=[
                {
                    "document": record.key,
                    "quote": text[start:end],
                    "char_start": start,
                    "char_end": end,
                }
            ],
        )
    check_lengths(origin, document, event_plan)
    return document, event_plan, names


def plaintext_plan(paths: Iterable[Path], overrides: Mapping[str, str] | None = None) -> LoadPlan:
    """Read every plain-text file named, with its sidecar and ``overrides``, into one plan."""
    plan = LoadPlan()
    for path in paths:
        record = read_plaintext(path, overrides)
        if record.date is None:
            plan.skipped.append((path.name, f"{record.key}: no date in its metadata"))
            continue
        document, event, names = record_plan(record, path.name)
        add_record(plan, document, event)
        for key, name in names.items():
            plan.actors.setdefault(
                key,
                {
                    "name": name,
                    "sort_name": name,
                    "kind": NEW_ACTOR_KIND,
                    "frus_id": None,
                    "description": None,
                    "source": None,
                },
            )
            plan.matches.setdefault(key, ActorMatch(names=(name,)))
    return plan
