"""Read what drafting needs from the database: the document, the actors' spellings, the statutes."""

from __future__ import annotations

import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from timeline.db import Database
from timeline.drafting.actors import ActorIndex
from timeline.drafting.candidates import Candidate, DocumentView, draft_candidates
from timeline.drafting.statutes import StatuteIndex, StoredStatute
from timeline.errors import NotFoundError, SourceFormatError
from timeline.models import Actor, ActorAlias, Document, Statute

__all__ = ["draft_document"]


def _unknown(session: Session, key: str) -> NotFoundError:
    keys = list(session.scalars(select(Document.key)))
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
    close += [k for k in keys if key.lower() in k.lower() and k not in close][: 3 - len(close)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return NotFoundError(f"no document has the key '{key}'{hint}")


def _body(text: str) -> tuple[int, int]:
    """A CREST record's OCR body (its header is the reading room's); any other text whole."""
    from timeline.sources import parse_crest

    try:
        return parse_crest(text).body_span
    except SourceFormatError:
        return 0, len(text)


def document_view(session: Session, key: str) -> DocumentView:
    document = session.scalar(
        select(Document).where(Document.key == key).options(selectinload(Document.notes))
    )
    if document is None:
        raise _unknown(session, key)
    notes = tuple(sorted((n.number, n.char_start, n.char_end) for n in document.notes))
    return DocumentView(key, document.text, document.date, _body(document.text), notes)


def actor_index(session: Session, key: str) -> ActorIndex:
    names = [(name, actor) for actor, name in session.execute(select(Actor.key, Actor.name))]
    aliases = session.execute(
        select(ActorAlias.alias, Actor.key, Document.key)
        .join(Actor, Actor.id == ActorAlias.actor_id)
        .outerjoin(Document, Document.id == ActorAlias.document_id)
    )
    return ActorIndex.for_document(names, [tuple(row) for row in aliases], key)


def statute_index(session: Session) -> StatuteIndex:
    statutes = session.scalars(select(Statute).options(selectinload(Statute.parent)))
    return StatuteIndex(
        StoredStatute(
            key=s.key,
            parent=s.parent.key if s.parent is not None else None,
            section=s.section,
            titles=tuple(t for t in (s.title, s.short_title, s.popular_title) if t),
            us_code=s.us_code,
            statutes_at_large=s.statutes_at_large,
            public_law=s.public_law,
        )
        for s in statutes
    )


def draft_document(database: Database, key: str) -> tuple[DocumentView, list[Candidate]]:
    """The stored document ``key`` and its candidate events."""
    database.require_current()
    with database.session() as session:
        view = document_view(session, key)
        candidates = draft_candidates(view, actor_index(session, key), statute_index(session))
    return view, candidates
