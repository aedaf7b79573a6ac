"""Each event's actors, statutes and sources as three JSON columns of the report's own query.

One query streams the whole chronology (:class:`timeline.chronology.Chronology`), where a query
per batch and per kind of link bound a thousand event ids each time. Each column is a JSON array
(``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL), its items led by the link's sort
key (position, then the link's primary key): SQLite does not define an aggregate's order, so
:func:`decode` sorts them.

For the Markdown report an actor's item also carries what names it there
(:func:`identity_columns`): the words the event's sources use and what outside sources add, so
that no actor's aliases or offices are read into Python a batch at a time.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import case, exists, func, null, or_, select
from sqlalchemy.orm import aliased

from timeline.identities import Identity, short_source
from timeline.models import (
    Actor,
    ActorAlias,
    Document,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    ExternalSource,
    Office,
    Statute,
)

_json = json.JSONDecoder().raw_decode  # json.loads without its checks of a str from SQLite


def _gathered(sqlite: bool, *columns: Any) -> Any:
    """A JSON array of one array per row; with no rows '[]' on SQLite, NULL on PostgreSQL."""
    if sqlite:
        return func.json_group_array(func.json_array(*columns))
    return func.json_agg(func.json_build_array(*columns))


_PARENT = aliased(Statute)  # a statute's parent (an act, for a section)


def _correlated(
    sqlite: bool, actors: tuple[Any, ...], statutes: tuple[Any, ...], sources: tuple[Any, ...]
) -> list[Any]:
    """The actors, statutes and sources columns, correlated to :class:`Event`: each a JSON
    array of the given columns of each link (no statutes given: a NULL column)."""
    queries = (
        select(_gathered(sqlite, *actors))
        .select_from(EventActor)
        .join(Actor, EventActor.actor_id == Actor.id)
        .where(EventActor.event_id == Event.id),
        select(_gathered(sqlite, *statutes))
        .select_from(EventStatute)
        .join(Statute, EventStatute.statute_id == Statute.id)
        .outerjoin(_PARENT, Statute.parent_id == _PARENT.id)
        .where(EventStatute.event_id == Event.id)
        if statutes
        else None,
        select(_gathered(sqlite, *sources))
        .select_from(EventSource)
        .join(Document, EventSource.document_id == Document.id)
        .where(EventSource.event_id == Event.id),
    )
    return [
        query.correlate(Event).scalar_subquery() if query is not None else null()
        for query in queries
    ]


# What statute_citation() takes, after a statute link's own columns.
_CITATION = (
    Statute.title,
    Statute.section,
    _PARENT.title,
    Statute.statutes_at_large,
    Statute.us_code,
)


def link_columns(sqlite: bool, *, identified: bool = False, keys_only: bool = False) -> list[Any]:
    """Every link an event has, as records give them: actors (position, id, role, key, name,
    identified by, and where ``identified`` what :func:`identity_columns` selects); statutes
    (position, id, relation, key, identified by, then what :func:`statute_citation` takes);
    sources (position, id, document key, then, but where ``keys_only``, citation, quote, start
    and end)."""
    return _correlated(
        sqlite,
        (
            EventActor.position,
            EventActor.actor_id,
            EventActor.role,
            Actor.key,
            Actor.name,
            EventActor.identified_by,
            *(identity_columns(sqlite) if identified else ()),
        ),
        (
            EventStatute.position,
            EventStatute.statute_id,
            EventStatute.relation,
            Statute.key,
            EventStatute.identified_by,
            *_CITATION,
        ),
        (
            EventSource.position,
            EventSource.id,
            Document.key,
            *(
                ()
                if keys_only
                else (
                    Document.citation,
                    EventSource.quote,
                    EventSource.char_start,
                    EventSource.char_end,
                )
            ),
        ),
    )


def printed_link_columns(sqlite: bool, *, statutes: bool, quotes: bool) -> list[Any]:
    """What the CSV report and the table print of the links: actors (position, id, role,
    name, identified by); statutes (position, id, relation, identified by, then what
    :func:`statute_citation` takes), NULL where not ``statutes``; sources (position, id,
    document key, start, end, and the quote where ``quotes``)."""
    return _correlated(
        sqlite,
        (
            EventActor.position,
            EventActor.actor_id,
            EventActor.role,
            Actor.name,
            EventActor.identified_by,
        ),
        (
            EventStatute.position,
            EventStatute.statute_id,
            EventStatute.relation,
            EventStatute.identified_by,
            *_CITATION,
        )
        if statutes
        else (),
        (
            EventSource.position,
            EventSource.id,
            Document.key,
            EventSource.char_start,
            EventSource.char_end,
            *((EventSource.quote,) if quotes else ()),
        ),
    )


def identity_columns(sqlite: bool) -> tuple[Any, ...]:
    """For an actor link: :func:`said` (NULL for an actor no outside source identifies); the
    citation of the publication that gives the actor's name; and, as a JSON array, each office
    an outside source gives a term (begins, id, title, ends, publication, the document that
    states it), the only offices :meth:`timeline.identities.Identities.named` prints."""
    name_source = (
        select(ExternalSource.citation)
        .where(ExternalSource.id == Actor.external_source_id)
        .correlate(Actor)
        .scalar_subquery()
    )
    source, document = aliased(ExternalSource), aliased(Document)
    offices = (
        select(
            _gathered(
                sqlite,
                Office.term_start,
                Office.id,
                Office.title,
                Office.term_end,
                source.citation,
                document.key,
            )
        )
        .select_from(Office)
        .join(source, Office.external_source_id == source.id)
        .outerjoin(document, Office.document_id == document.id)
        .where(Office.actor_id == Actor.id, Office.term_start.is_not(None))
        .correlate(Actor)
        .scalar_subquery()
    )
    # The words are asked only of an actor an outside source identifies (a name source, or an
    # office with a term and a source): :meth:`timeline.identities.Identities.named` names any
    # other by its name alone. At a million events, 61% of the actors named; their words took
    # 1.4 s of the Markdown records' 11.7 s in SQLite.
    identified = or_(
        Actor.external_source_id.is_not(None),
        exists(
            select(Office.id).where(
                Office.actor_id == Actor.id,
                Office.term_start.is_not(None),
                Office.external_source_id.is_not(None),
            )
        ).correlate(Actor),
    )
    words = case((identified, said()), else_=null())
    # json(): SQLite keeps a subquery's JSON as JSON, not as a string, only so marked.
    return words, name_source, func.json(offices) if sqlite else offices


def said() -> Any:
    """The words for an actor of the event's sources: its first alias, in text order, in the
    first of the event's documents (in source order) to hold one; NULL where none does. This
    is what :meth:`timeline.identities.Identities.named` finds among all the actor's aliases,
    selected here so that none is read into Python."""
    return (
        select(ActorAlias.alias)
        .join(EventSource, EventSource.document_id == ActorAlias.document_id)
        .where(
            # read from the event's sources in their order, then the actor's aliases in each
            # one's document in theirs (0010, 0011): never from all the actor's aliases, and
            # on SQLite the first row found is the first in this order, nothing sorted
            ActorAlias.actor_id == EventActor.actor_id,
            EventSource.event_id == EventActor.event_id,
            ActorAlias.char_start.is_not(None),
        )
        .order_by(
            EventSource.position,
            EventSource.id,
            ActorAlias.char_start,
            ActorAlias.alias,
            ActorAlias.id,
        )
        .limit(1)
        .correlate(EventActor)
        .scalar_subquery()
    )


def _link_order(item: list[Any]) -> tuple[Any, ...]:
    """A link's position, then its primary key: positions can tie (they default to 0)."""
    return item[0], item[1], item[2]


def decode(links: Any) -> list[list[Any]]:
    """A column of :func:`link_columns` as lists in link order. SQLite gives JSON text;
    psycopg parses ``json`` itself."""
    if links == "[]" or not links:
        return []
    items = _json(links)[0] if links.__class__ is str else links
    if len(items) > 1:
        items.sort(key=_link_order)
    return items  # type: ignore[no-any-return]


def identity(name: str, name_source: str | None, offices: list[list[Any]] | None) -> Identity:
    """An actor's :class:`timeline.identities.Identity` from the columns of
    :func:`identity_columns` (no aliases: the link carries the words of its event's sources)."""
    terms = sorted(offices or (), key=_link_order)  # by the term's start, then the office's id
    return Identity(
        name=name,
        name_source=short_source(name_source),
        aliases=(),
        offices=tuple(
            (title, begins, ends, short_source(source), document)
            for begins, _id, title, ends, source, document in terms
        ),
    )


def statute_citation(title: str, section: str | None, parent: str | None, *rest: Any) -> str:
    """As :attr:`timeline.models.Statute.citation` writes it, from plain columns."""
    head = f"{parent} § {section}" if parent is not None and section else title
    return ", ".join(p for p in (head, *rest) if p)
