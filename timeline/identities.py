"""How reports name an event's actors: the text's own words, then in brackets whatever an
outside source supplies (a full name, an office), with that source.

Identities are read a batch of actors at a time (:meth:`Identities.prefetch`, three Core queries
for any number of actors) and kept in a bounded cache (:mod:`timeline.citation_loading`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from timeline.citation_loading import BatchCache, _grouped, among
from timeline.models import Actor, ActorAlias, Document, ExternalSource, Office


@dataclass(frozen=True)
class Identity:
    """What the texts call an actor, and what outside sources add: the full name, offices."""

    name: str
    name_source: str | None
    aliases: tuple[tuple[str, str], ...]  # document key, alias, in text order
    offices: tuple[
        tuple[str, str | None, str | None, str | None, str | None], ...
    ]  # title, from, to (ISO 8601 days), source, doc


def _iso(day: Any) -> str | None:
    return None if day is None else day.isoformat()


def short_source(citation: str | None) -> str | None:
    """A publication named as briefly as its citation allows: up to its first colon."""
    return None if citation is None else citation.split(":", 1)[0].strip()


@functools.cache
def _queries(postgresql: bool) -> tuple[Any, ...]:
    office_document = aliased(Document)
    return (
        select(Actor.id, Actor.key, Actor.name, ExternalSource.citation)
        .outerjoin(ExternalSource, Actor.external_source_id == ExternalSource.id)
        .where(among(Actor.key, postgresql)),
        select(ActorAlias.actor_id, Document.key, ActorAlias.char_start, ActorAlias.alias)
        .join(Document, ActorAlias.document_id == Document.id)
        .where(among(ActorAlias.actor_id, postgresql), ActorAlias.char_start.is_not(None))
        # The order of Actor.aliases, which the sort below keeps among equals.
        .order_by(ActorAlias.actor_id, ActorAlias.alias, ActorAlias.id),
        select(
            Office.actor_id,
            Office.title,
            Office.term_start,
            Office.term_end,
            ExternalSource.citation,
            office_document.key,
        )
        .outerjoin(ExternalSource, Office.external_source_id == ExternalSource.id)
        .outerjoin(office_document, Office.document_id == office_document.id)
        .where(among(Office.actor_id, postgresql))
        .order_by(Office.actor_id, Office.term_start, Office.id),
    )


def load_identities(
    session: Session, keys: Sequence[str], *, aliases: bool = True
) -> dict[str, Identity]:
    """The identities of the actors among ``keys``: one query each for actors, aliases (unless
    not ``aliases``: their ``aliases`` are then empty), offices."""
    connection = session.connection()
    actor_query, alias_query, office_query = _queries(connection.dialect.name == "postgresql")
    actors = connection.execute(actor_query, {"keys": list(keys)}).all()
    ids = [actor.id for actor in actors]
    if not ids:
        return {}
    by_actor = _grouped(session, alias_query, ids) if aliases else {}
    offices = _grouped(session, office_query, ids)
    found = {}
    for actor_id, key, name, citation in actors:
        said = sorted(by_actor.get(actor_id, []), key=lambda a: (a[0], a[1]))
        found[key] = Identity(
            name=name,
            name_source=short_source(citation),
            aliases=tuple((document, alias) for document, _, alias in said),
            offices=tuple(
                (title, _iso(begins), _iso(ends), short_source(source), document)
                for title, begins, ends, source, document in offices.get(actor_id, [])
            ),
        )
    return found


class Identities:
    """The identities of actors, read a batch at a time and cached (a few thousand at most).

    ``aliases=False`` reads no aliases: every actor given to :meth:`named` must then carry
    ``said``, the words its event's sources use (:meth:`timeline.chronology.Chronology.records`
    selects them in SQL), where an actor named in thousands of documents has thousands.
    """

    def __init__(self, session: Session, *, cache: int | None = None, aliases: bool = True) -> None:
        self.session = session
        self.aliases = aliases
        self._known: BatchCache[Identity] = BatchCache(
            lambda keys: load_identities(session, keys, aliases=aliases), cache
        )

    def prefetch(self, records: Iterable[dict[str, Any]]) -> None:
        """Read the identities of every actor of ``records`` not yet known, together."""
        self._known.prefetch(
            a["key"] for record in records for a in record["actors"] if "identity" not in a
        )

    def identity(self, key: str) -> Identity | None:
        return self._known.get(key)

    def named(self, actor: dict[str, Any], record: dict[str, Any]) -> str:
        """The actor as an event's report names it: "Mr. Dillon [C. Douglas Dillon, Secretary of
        the Treasury; identified from: …]" where outside sources identify; else its name."""
        who = actor["identity"] if "identity" in actor else self.identity(actor["key"])
        if who is None:
            return actor["name"]
        documents = list(dict.fromkeys(s["document"] for s in record["sources"]))
        start, end = record["date_start"], record["date_end"]
        sources = [who.name_source] if who.name_source else []
        offices = []
        for title, begins, ends, source, document in who.offices:
            if source is None or document in documents or begins is None:
                continue  # the text states it, or no term places it at the event
            if begins <= end and (ends is None or ends >= start):
                offices.append(title)
                sources.append(source)
        if not sources:
            return actor["name"]
        if "said" in actor:
            words = actor["said"]
        elif self.aliases:
            words = next((alias for doc in documents for d, alias in who.aliases if d == doc), None)
        else:
            raise ValueError(f"actor {actor['key']} carries no 'said', and no aliases were read")
        said = f"“{words}” " if words and words != who.name else ""
        added = ", ".join([who.name, *offices])
        return f"{said}[{added}; identified from: {'; '.join(dict.fromkeys(sources))}]"
