"""Gathering ingested records into one plan: keys that collide and values too long are refused
here, with the file named, before anything is written."""

from __future__ import annotations

from sqlalchemy import String, select

from timeline.db import Database
from timeline.errors import LoadError, SourceFormatError
from timeline.loading.plan import DocumentPlan, EventPlan, LoadPlan
from timeline.loading.reconcile import name_key
from timeline.models import Actor, ActorAlias, Base, Document, Event


def _limits(model: type[Base]) -> dict[str, int]:
    return {
        column.name: column.type.length
        for column in model.__table__.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


_DOCUMENT_LIMITS = _limits(Document)
_EVENT_LIMITS = _limits(Event)


def check_lengths(origin: str, document: DocumentPlan, event: EventPlan | None) -> None:
    """Refuse a value longer than its column: PostgreSQL would refuse it at the write, and SQLite
    would store it, so the two backends would differ."""
    checks = [("document", document.key, document.values, _DOCUMENT_LIMITS)]
    if event is not None:
        checks.append(("event", event.key, {"key": event.key, **event.values}, _EVENT_LIMITS))
    for what, key, values, limits in checks:
        for name, limit in limits.items():
            value = values.get(name)
            if isinstance(value, str) and len(value) > limit:
                raise SourceFormatError(
                    f"{origin}: the {what} {key!r} has a {name} of {len(value)} characters; "
                    f"at most {limit} fit"
                )


def add_record(plan: LoadPlan, document: DocumentPlan, event: EventPlan | None) -> None:
    """Add one file's document (and event) to ``plan``.

    The same document read twice (a file named twice, or a copy) is one document; two files that
    give one key to different texts are an error naming both.
    """
    earlier = plan.documents.get(document.key)
    if earlier is not None:
        if earlier.values["text_sha256"] == document.values["text_sha256"]:
            return
        raise SourceFormatError(
            f"{document.origin}: document key {document.key!r} is also {earlier.origin}'s, "
            "with another text"
        )
    plan.documents[document.key] = document
    if event is not None:
        if event.key in plan.events:
            raise SourceFormatError(
                f"{document.origin}: event key {event.key!r} is already another file's event"
            )
        plan.events[event.key] = event


def set_aside_stored(database: Database, plan: LoadPlan, *, replace: bool) -> list[str]:
    """Take out of ``plan`` the documents the database already holds with the same text, and
    their events; return their keys. A stored document with another text under the same key is
    an error unless ``replace``.

    A text already stored is left as it is, whoever stored it: the seed's CREST document, whose
    metadata the seed curated, ingests as unchanged rather than being rewritten from the record.
    """
    keys = list(plan.documents)
    with database.session() as session:
        query = select(Document.key, Document.text_sha256).where(Document.key.in_(keys))
        stored = {key: digest for key, digest in session.execute(query)}
    same = []
    for key, digest in stored.items():
        document = plan.documents[key]
        if digest == document.values["text_sha256"]:
            same.append(key)
        elif not replace:
            raise LoadError(
                f"{document.origin}: document key {key!r} is stored with another text; "
                f"nothing loaded ('timeline show {key}' shows it; --replace loads the new text)"
            )
    for key in same:
        del plan.documents[key]
    for event_key in [
        k for k, ev in plan.events.items() if any(s["document"] in same for s in ev.sources)
    ]:
        del plan.events[event_key]
    named = {
        a for holder in [*plan.documents.values(), *plan.events.values()] for a, _ in holder.actors
    }
    for key in [k for k in plan.matches if k not in named]:
        del plan.matches[key], plan.actors[key]
    return sorted(same)


def new_actor_keys(database: Database, plan: LoadPlan) -> list[tuple[str, str]]:
    """The plan's named actors that no stored name or alias matches: (key, name), to report.

    Such an actor is written under its own key, so a key a stored actor already has (a name
    "Casey" would take the seed's ``casey``) is first made unique: it is another actor.
    """
    if not plan.matches:
        return []
    with database.session() as session:
        names: dict[str, set[int]] = {}
        for name, actor_id in [
            *session.execute(select(Actor.name, Actor.id)),
            *session.execute(select(ActorAlias.alias, ActorAlias.actor_id)),
        ]:
            names.setdefault(name_key(name), set()).add(actor_id)
        keys = set(session.scalars(select(Actor.key)))
    new = []
    for key in list(plan.matches):
        match = plan.matches[key]
        if any(len(names.get(name_key(name), ())) == 1 for name in match.names):
            continue
        unique, number = key, 1
        while unique in keys or (unique != key and unique in plan.actors):
            number += 1
            unique = f"{key}-{number}"
        if unique != key:
            _rename_actor(plan, key, unique)
        new.append((unique, str(plan.actors[unique]["name"])))
    return new


def _rename_actor(plan: LoadPlan, old: str, new: str) -> None:
    plan.actors[new] = plan.actors.pop(old)
    plan.matches[new] = plan.matches.pop(old)
    for holder in [*plan.documents.values(), *plan.events.values()]:
        holder.actors[:] = [(new if a == old else a, role) for a, role in holder.actors]
