"""Listing each table, and one record with everything linked to it."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from timeline.citations import Citations, Identities, cited_document, release_code
from timeline.errors import NotFoundError
from timeline.models import (
    Actor,
    ActorAlias,
    Document,
    DocumentActor,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    ExternalSource,
    Office,
    Statute,
)
from timeline.report import chronological, event_record

# (columns, headers) that each list command prints
LISTS: dict[str, tuple[list[str], list[str]]] = {
    "documents": (
        ["key", "date", "doc_type", "title", "collection", "events"],
        ["Key", "Date", "Type", "Title", "Collection", "Events"],
    ),
    "events": (
        ["key", "date", "kind", "title"],
        ["Key", "Date", "Kind", "Title"],
    ),
    "actors": (
        ["key", "name", "kind", "offices", "events"],
        ["Key", "Name", "Kind", "Offices", "Events"],
    ),
    "statutes": (
        ["key", "citation", "title", "enacted", "events"],
        ["Key", "Citation", "Title", "Enacted", "Events"],
    ),
}


def list_rows(session: Session, table: str) -> Iterator[dict[str, Any]]:
    """The rows of one list command, in a stable order."""
    if table == "documents":
        for doc in session.scalars(
            select(Document)
            .options(selectinload(Document.citations))
            .order_by(Document.date_start, Document.key)
        ):
            yield {
                "key": doc.key,
                "date": doc.date.display(),
                "doc_type": doc.doc_type,
                "title": doc.title,
                "collection": doc.collection,
                "events": len({c.event_id for c in doc.citations}),
            }
    elif table == "events":
        events = session.scalars(select(Event)).all()
        for event in sorted(events, key=chronological):
            yield {
                "key": event.key,
                "date": event.date.display(),
                "kind": event.kind,
                "title": event.title,
            }
    elif table == "actors":
        actors = session.scalars(
            select(Actor).options(selectinload(Actor.offices), selectinload(Actor.event_links))
        ).all()
        for actor in sorted(actors, key=lambda a: (a.sort_name.casefold(), a.key)):
            yield {
                "key": actor.key,
                "name": actor.name,
                "kind": actor.kind,
                "offices": "; ".join(_office_text(o) for o in actor.offices),
                "events": len({link.event_id for link in actor.event_links}),
            }
    elif table == "statutes":
        statutes = session.scalars(
            select(Statute).options(selectinload(Statute.parent), selectinload(Statute.event_links))
        ).all()
        for statute in sorted(statutes, key=lambda s: (s.parent_id is not None, s.key)):
            yield {
                "key": statute.key,
                "citation": statute.citation,
                "title": statute.title,
                "enacted": statute.enacted.isoformat() if statute.enacted else None,
                "events": len({link.event_id for link in statute.event_links}),
            }
    else:
        raise ValueError(f"no list of '{table}'")


def _office_text(office: Office) -> str:
    term = office.term
    return f"{office.title} ({term.display()})" if term else office.title


def _source_ref(external: ExternalSource | None, document: Document | None = None) -> str | None:
    parts = []
    if document is not None:
        parts.append(f"document {document.key}")
    if external is not None:
        parts.append(external.citation)
    return "; ".join(parts) or None


def show(session: Session, key: str) -> dict[str, Any]:
    """The record with this key (document, event, actor, statute or source) and its links.

    An actor is found by its name or any of its aliases too, in any case ("Dean Rusk").
    """
    for model, builder in (
        (Event, _show_event),
        (Document, _show_document),
        (Actor, _show_actor),
        (Statute, _show_statute),
        (ExternalSource, _show_external),
    ):
        obj = session.scalar(select(model).where(model.key == key))
        if obj is not None:
            return builder(session, obj)
    named = _actors_named(session, key)
    if len(named) == 1:
        return _show_actor(session, named[0])
    if named:
        keys = ", ".join(sorted(actor.key for actor in named))
        raise NotFoundError(f"'{key}' names more than one actor: {keys}")
    raise NotFoundError(_unknown_key_message(session, key))


def _actors_named(session: Session, name: str) -> list[Actor]:
    needle = " ".join(name.split()).lower()
    by_alias = select(ActorAlias.actor_id).where(func.lower(ActorAlias.alias) == needle)
    return list(
        session.scalars(
            select(Actor).where(or_(func.lower(Actor.name) == needle, Actor.id.in_(by_alias)))
        )
    )


def _unknown_key_message(session: Session, key: str) -> str:
    keys: list[str] = []
    for model in (Event, Document, Actor, Statute, ExternalSource):
        keys.extend(session.scalars(select(model.key)))
    names = {name: k for k, name in session.execute(select(Actor.key, Actor.name))}
    names.update(
        {alias: k for k, alias in session.execute(select(Actor.key, ActorAlias.alias).join(Actor))}
    )
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
    close += [k for k in keys if key.lower() in k.lower() and k not in close][: 3 - len(close)]
    for name in difflib.get_close_matches(key, list(names), n=3, cutoff=0.6) + [
        n for n in names if key.lower() in n.lower()
    ]:
        if len(close) < 3 and names[name] not in close:
            close.append(names[name])
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no document, event, actor, statute or source has the key '{key}'{hint}"


def _event_line(event: Event, role: str | None = None) -> dict[str, Any]:
    return {
        "key": event.key,
        "date": event.date.display(),
        "kind": event.kind,
        "title": event.title,
        **({"role": role} if role else {}),
    }


def _show_event(session: Session, event: Event) -> dict[str, Any]:
    """The event, each quote cited to its page with its damaged words' readings, and its
    actors as cited (the text's words, outside identifications bracketed with their source)."""
    record = event_record(event)
    citations, identities = Citations(session), Identities(session)
    for actor in record["actors"]:
        named = identities.named(actor, record)
        if named != actor["name"]:
            actor["as_cited"] = named
    record["sources"] = [
        {
            key: value
            for key, value in citations.source(source).items()
            if key != "cited_full" and (key != "shown" or value != source["quote"])
        }
        for source in record["sources"]
    ]
    return {"type": "event", **record}


def _show_document(session: Session, doc: Document) -> dict[str, Any]:
    citations = session.scalars(
        select(EventSource)
        .where(EventSource.document_id == doc.id)
        .options(selectinload(EventSource.event))
    ).all()
    events: dict[str, dict[str, Any]] = {}
    cited = cited_document(session, doc.key)
    assert cited is not None
    for citation in sorted(citations, key=lambda c: (chronological(c.event), c.position)):
        line = events.setdefault(citation.event.key, {**_event_line(citation.event), "quotes": []})
        quote: dict[str, Any] = {
            "quote": citation.quote,
            "char_start": citation.char_start,
            "char_end": citation.char_end,
        }
        pinpoint = cited.pinpoint(citation.char_start, citation.char_end)
        if str(pinpoint):
            quote["page"] = str(pinpoint)
        if pinpoint.note is not None:
            quote["editors_note"] = True
        shown = cited.shown(citation.quote, citation.char_start)
        if shown != citation.quote:
            quote["shown"] = shown
        line["quotes"].append(quote)
    links = session.scalars(
        select(DocumentActor)
        .where(DocumentActor.document_id == doc.id)
        .options(selectinload(DocumentActor.actor))
    ).all()
    date = doc.date
    return {
        "type": "document",
        "key": doc.key,
        "title": doc.title,
        "subject": doc.subject,
        "doc_type": doc.doc_type,
        "date": date.display(),
        "edtf": str(date),
        "date_text": doc.date_text,
        "place": doc.place,
        "collection": doc.collection,
        "volume": doc.volume,
        "doc_number": doc.doc_number,
        "pages": doc.pages,
        "citation": doc.citation,
        "short_citation": cited.short,
        "url": doc.url,
        "source_note": cited.source_note,
        "archival_source": doc.archival_source,
        # CREST's "Original Classification" is a code ("K"), shown as it stands
        ("original_classification" if "CREST" in doc.collection else "classification"): (
            doc.classification
        ),
        "signature_note": (
            f"n. {cited.signature_note.number}: {cited.signature_note.text}"
            if cited.signature_note
            else None
        ),
        "release_decision": release_code(doc.release_decision) if doc.release_decision else None,
        "release_date": doc.release_date.isoformat() if doc.release_date else None,
        "approved_for_release": (
            doc.approved_for_release.isoformat() if doc.approved_for_release else None
        ),
        "record_created": doc.record_created.isoformat() if doc.record_created else None,
        "page_count": doc.page_count,
        "content_type": doc.content_type,
        "sequence_number": doc.sequence_number,
        "seed_file": doc.seed_file,
        "text_sha256": doc.text_sha256,
        "characters": len(doc.text),
        "metadata_source": _source_ref(doc.external_source),
        "metadata_note": doc.metadata_note,
        "actors": [
            {"key": link.actor.key, "name": link.actor.name, "role": link.role}
            for link in sorted(links, key=lambda link: (link.actor.sort_name, link.role))
        ],
        "notes": [
            {"number": note.number, "text": note.text, "char_start": note.char_start}
            for note in doc.notes
        ],
        "readings": [
            {
                "text": reading.text,
                "reading": reading.reading,
                "char_start": reading.char_start,
                "note": reading.note,
            }
            for reading in doc.readings
        ],
        "events": list(events.values()),
    }


def _show_actor(session: Session, actor: Actor) -> dict[str, Any]:
    links = session.scalars(
        select(EventActor)
        .where(EventActor.actor_id == actor.id)
        .options(selectinload(EventActor.event))
    ).all()
    return {
        "type": "actor",
        "key": actor.key,
        "name": actor.name,
        "sort_name": actor.sort_name,
        "kind": actor.kind,
        "frus_id": actor.frus_id,
        "description": actor.description,
        "name_source": _source_ref(actor.external_source),
        "aliases": [
            {
                "alias": alias.alias,
                "document": alias.document.key if alias.document else None,
                "char_start": alias.char_start,
            }
            for alias in actor.aliases
        ],
        "offices": [
            {
                "title": office.title,
                "term": office.term.display() if office.term else None,
                "edtf": office.term_edtf,
                "source": _source_ref(office.external_source, office.document),
            }
            for office in actor.offices
        ],
        "events": [
            _event_line(link.event, link.role)
            for link in sorted(links, key=lambda link: (chronological(link.event), link.role))
        ],
    }


def _show_statute(session: Session, statute: Statute) -> dict[str, Any]:
    links = session.scalars(
        select(EventStatute)
        .where(EventStatute.statute_id == statute.id)
        .options(selectinload(EventStatute.event))
    ).all()
    return {
        "type": "statute",
        "key": statute.key,
        "citation": statute.citation,
        "title": statute.title,
        "part_of": statute.parent.key if statute.parent else None,
        "sections": [s.key for s in sorted(statute.sections, key=lambda s: s.key)],
        "section": statute.section,
        "short_title": statute.short_title,
        "popular_title": statute.popular_title,
        "public_law": statute.public_law,
        "statutes_at_large": statute.statutes_at_large,
        "us_code": statute.us_code,
        "chapter": statute.chapter,
        "bill": statute.bill,
        "enacted": statute.enacted.isoformat() if statute.enacted else None,
        "summary": statute.summary,
        "source": _source_ref(statute.external_source),
        "events": [
            _event_line(link.event, link.relation)
            for link in sorted(links, key=lambda link: (chronological(link.event), link.relation))
        ],
    }


def _show_external(session: Session, source: ExternalSource) -> dict[str, Any]:
    cited_by = []
    for model, label in (
        (Document, "document"),
        (Statute, "statute"),
        (Actor, "actor"),
        (Event, "event"),
    ):
        for key in session.scalars(
            select(model.key).where(model.external_source_id == source.id).order_by(model.key)
        ):
            cited_by.append({"type": label, "key": key})
    for office in session.scalars(
        select(Office).where(Office.external_source_id == source.id).order_by(Office.id)
    ):
        cited_by.append({"type": "office", "key": office.actor.key, "title": office.title})
    return {
        "type": "source",
        "key": source.key,
        "citation": source.citation,
        "url": source.url,
        "note": source.note,
        "cited_by": cited_by,
    }


def holds_no_records(session: Session) -> bool:
    """True when the database has neither documents nor events: initialised, never loaded."""
    return (
        session.scalar(select(Document.id).limit(1)) is None
        and session.scalar(select(Event.id).limit(1)) is None
    )
