"""Write a :class:`LoadPlan` in one transaction, matching rows by their stable keys.

A second run of the same plan changes nothing and the summary says so; a failed run changes
nothing either. A plan document whose key the database holds with another text is kept as stored
(and reported) unless ``replace`` is given: then every quote, alias, reading and note tied to the
old text is moved onto the new one, or the whole load is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, load_only, object_session, selectinload

from timeline.db import Database
from timeline.errors import LoadError
from timeline.loading.plan import EventPlan, LoadPlan, Row
from timeline.loading.reconcile import Reconciler
from timeline.loading.replace import move_to_new_text
from timeline.models import (
    Actor,
    ActorAlias,
    Base,
    Document,
    DocumentActor,
    DocumentNote,
    DocumentReading,
    Event,
    EventActor,
    EventSource,
    EventStatute,
    ExternalSource,
    Office,
    PageBreak,
    Statute,
    date_columns,
)

M = TypeVar("M", bound=Base)
_CHUNK = 5000  # keys or ids per IN (...): SQLite allows 32,766 parameters in a statement


@dataclass(frozen=True)
class LoadSummary:
    """What the plan holds, and what writing it did, per table."""

    counts: Mapping[str, int]
    inserted: Mapping[str, int]
    updated: Mapping[str, int]
    deleted: Mapping[str, int]
    unchanged: Mapping[str, int] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)
    skipped_records: Sequence[tuple[str, str]] = ()  # (record, why)
    merges: Sequence[str] = ()  # "rusk-dean → rusk (identifier frus1961-63v05#p_RD1)"
    notices: Sequence[str] = ()  # what replace dropped, and why
    warnings: Sequence[str] = ()  # what the reader would have the curator look at
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return (
            any(self.inserted.values()) or any(self.updated.values()) or any(self.deleted.values())
        )

    def table_rows(self) -> list[tuple[str, int, int, int, int, int]]:
        """(table, added, changed, deleted, unchanged, skipped), for every table touched."""
        names = sorted(
            {*self.inserted, *self.updated, *self.deleted, *self.unchanged, *self.skipped}
        )
        return [
            (
                name,
                self.inserted.get(name, 0),
                self.updated.get(name, 0),
                self.deleted.get(name, 0),
                self.unchanged.get(name, 0),
                self.skipped.get(name, 0),
            )
            for name in names
        ]


class _DryRun(Exception):
    """Raised inside the transaction so that it rolls back."""


def load_plan(
    database: Database, plan: LoadPlan, *, replace: bool = False, dry_run: bool = False
) -> LoadSummary:
    """Write ``plan`` in one transaction; nothing changes if anything fails (or on a dry run)."""
    database.require_current()
    inserted: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    deleted: Counter[str] = Counter()
    writer: _Writer | None = None
    try:
        with database.begin() as session:

            def count(session_: Session, _context: object, _instances: object) -> None:
                inserted.update(type(obj).__tablename__ for obj in session_.new)
                deleted.update(type(obj).__tablename__ for obj in session_.deleted)
                fresh = writer.fresh if writer is not None else set()
                updated.update(
                    type(obj).__tablename__
                    for obj in session_.dirty
                    # a row this run inserted and then completed (a statute's parent) is new
                    if id(obj) not in fresh and session_.is_modified(obj, include_collections=False)
                )

            event.listen(session, "before_flush", count)
            writer = _Writer(session, plan, replace)
            writer.run()
            session.flush()
            inserted.update(writer.bulk_inserted)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert writer is not None
    unchanged = {
        table: max(0, n - inserted[table] - updated[table]) for table, n in writer.touched.items()
    }
    counts = {
        "documents": len(plan.documents) - writer.skipped["documents"],
        "events": len(plan.events) - writer.skipped["events"],
        "actors": writer.actor_count,
        "statutes": len(plan.statutes),
        "sources": sum(len(e.sources) for e in plan.events.values() if e.key in writer.events),
        "readings": sum(len(d.readings) for d in plan.documents.values()),
        "external_sources": len(plan.sources),
    }
    return LoadSummary(
        counts=counts,
        inserted=dict(inserted),
        updated=dict(updated),
        deleted=dict(deleted),
        unchanged={k: v for k, v in unchanged.items() if v},
        skipped={
            k: v for k, v in (writer.skipped + Counter(documents=len(plan.skipped))).items() if v
        },
        skipped_records=[*plan.skipped, *writer.skipped_records],
        merges=writer.reconciler.merges if writer.reconciler else [],
        notices=writer.notices,
        warnings=list(plan.warnings),
        dry_run=dry_run,
    )


def _identified_by(event: EventPlan, target: str, key: str, word: str) -> str:
    return "editor" if (target, key, word) in event.editor_links else "text"


def _assign(obj: object, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


class _Values:
    """Attribute access to a dict, so one identity function serves rows and wanted values."""

    def __init__(self, values: Row) -> None:
        self.__dict__.update(values)


class _Writer:
    def __init__(self, session: Session, plan: LoadPlan, replace: bool) -> None:
        self.session = session
        self.plan = plan
        self.replace = replace
        self.touched: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.skipped_records: list[tuple[str, str]] = []
        self.fresh: set[int] = set()  # id() of the objects this run inserted in bulk
        self.notices: list[str] = []
        self.events: set[str] = set()
        self.reconciler: Reconciler | None = None
        self.actor_count = 0
        self.queued: dict[type[Base], list[Row]] = {}  # new child rows, see sync()
        self.bulk_inserted: Counter[str] = Counter()

    # --- generic upserts -------------------------------------------------------------------

    def upsert(self, model: type[M], rows: Mapping[str, Row]) -> dict[str, M]:
        existing = {
            obj.key: obj  # type: ignore[attr-defined]
            for obj in self.session.scalars(
                select(model).where(model.key.in_(list(rows)))  # type: ignore[attr-defined]
            )
        }
        for key, values in rows.items():
            obj = existing.get(key)
            if obj is not None:
                _assign(obj, values)
        new = [{**values, "key": key} for key, values in rows.items() if key not in existing]
        if new:
            # One INSERT for all, then one SELECT for their ids: an ORM object per row would be
            # inserted one row at a time on SQLite, and each attribute set through the ORM.
            self.insert_rows(model, new)
            keys = [row["key"] for row in new]
            for start in range(0, len(keys), _CHUNK):
                # Only the id and key: the rest is what was just written (a volume's texts
                # read back would double them in memory); anything else loads if asked for.
                query = (
                    select(model)
                    .where(model.key.in_(keys[start : start + _CHUNK]))  # type: ignore[attr-defined]
                    .options(load_only(model.id, model.key))  # type: ignore[attr-defined]
                )
                for obj in self.session.scalars(query):
                    existing[obj.key] = obj  # type: ignore[attr-defined]
                    self.fresh.add(id(obj))
        self.touched[model.__tablename__] += len(rows)
        # In the plan's order, not the order a backend returned them in: children are written
        # in this order, so their ids are the same on every backend.
        return {key: existing[key] for key in rows}

    def insert_rows(self, model: type[Base], rows: Sequence[Row]) -> None:
        """INSERT ``rows`` (column values) with executemany, rows of one shape at a time."""
        shapes: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            shapes.setdefault(tuple(row), []).append(row)
        for same in shapes.values():
            self.session.execute(insert(model.__table__), same)
        self.bulk_inserted[model.__tablename__] += len(rows)

    def sync(
        self,
        collection: list[Any],
        factory: Callable[..., Any],
        wanted: Sequence[Row],
        identity: Callable[[Any], Hashable],
        scope: Callable[[Any], bool] = lambda _row: True,
        parent: tuple[str, int] | None = None,
    ) -> None:
        """Make the rows of a child collection within ``scope`` exactly ``wanted``.

        With ``parent`` (its foreign key column and id) and nothing stored, every wanted row is
        new: it is queued for one multi-row INSERT per table (:meth:`insert_queued`) instead of
        becoming an ORM object, which SQLite's driver would insert one row at a time.
        """
        if parent is not None and not collection:
            column, parent_id = parent
            self.queued.setdefault(factory, []).extend(
                {**values, column: parent_id} for values in wanted
            )
            self.touched[factory.__tablename__] += len(wanted)  # type: ignore[attr-defined]
            return
        current = {identity(row): row for row in collection if scope(row)}
        keep = set()
        for values in wanted:
            ident = identity(_Values(values))
            keep.add(ident)
            row = current.get(ident)
            if row is None:
                collection.append(factory(**values))
            else:
                _assign(row, values)
        self.touched[factory.__tablename__] += len(wanted)  # type: ignore[attr-defined]
        for ident, row in current.items():
            if ident not in keep:
                collection.remove(row)
                session = object_session(row)
                if session is not None:  # counted as deleted now, not found an orphan at flush
                    session.delete(row)

    def insert_queued(self) -> None:
        """Write the rows :meth:`sync` queued, one executemany per table (parents first)."""
        for model, rows in self.queued.items():
            self.insert_rows(model, rows)
        self.queued.clear()

    def preload(self, model: type[M], objs: Sequence[M], *collections: Any) -> None:
        """Load the ``collections`` of ``objs`` in one query each, not one per object: a lazy
        load per object would also flush the session before each, which dominated a volume's
        load (thousands of queries and flushes)."""
        self.session.flush()  # new objects get their ids
        ids = [obj.id for obj in objs]  # type: ignore[attr-defined]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            self.session.scalars(
                select(model)
                .where(model.id.in_(chunk))  # type: ignore[attr-defined]
                .options(
                    load_only(model.id),  # type: ignore[attr-defined]
                    *(selectinload(c) for c in collections),
                )
            ).all()

    # --- the load --------------------------------------------------------------------------

    def run(self) -> None:
        plan, session = self.plan, self.session
        sources = self.upsert(ExternalSource, plan.sources)
        session.flush()
        self.source_ids = {key: obj.id for key, obj in sources.items()}

        written = self.documents_to_write()
        self.written_keys = set(written)
        documents = self.upsert(
            Document, {k: self.stored(plan.documents[k].values, "date") for k in written}
        )
        statutes = self.upsert(
            Statute, {k: self.stored(row, "parent") for k, row in plan.statutes.items()}
        )
        curated = {k: row for k, row in plan.actors.items() if k not in plan.matches}
        actors: dict[str, Actor] = dict(
            self.upsert(Actor, {k: self.stored(r) for k, r in curated.items()})
        )
        for key, row in plan.statutes.items():
            _assign(statutes[key], {"parent": statutes[row["parent"]] if row["parent"] else None})
        session.flush()
        self.reconciler = Reconciler(session, plan)
        actors.update(self.reconciler.resolve(self, actors))
        self.actor_count = len({id(actor) for actor in actors.values()})  # matches merge
        self.documents = self.resolve_documents(documents)
        session.flush()
        self.write_offices(actors)
        self.write_document_children(written, actors)
        self.reconciler.write_extras(self, actors)
        self.write_events(actors, statutes)

    def source_id(self, key: str | None) -> int | None:
        return self.source_ids[key] if key else None

    def stored(self, values: Row, *plan_only: str) -> Row:
        """Column values from a plan row: its source key becomes an id, plan-only keys go."""
        row = {k: v for k, v in values.items() if k not in ("key", "source", *plan_only)}
        if "date" in plan_only:
            row.update(date_columns(values["date"]))
        return {**row, "external_source_id": self.source_id(values.get("source"))}

    def documents_to_write(self) -> list[str]:
        """The plan's documents, less those stored with another text (kept, unless replacing)."""
        plan = self.plan
        stored = {
            doc.key: doc
            for doc in self.session.scalars(
                select(Document).where(Document.key.in_(list(plan.documents)))
            )
        }
        written = []
        for key, doc in plan.documents.items():
            old = stored.get(key)
            if old is None or old.text_sha256 == doc.values["text_sha256"]:
                written.append(key)
            elif self.replace:
                self.notices.extend(move_to_new_text(self.session, old, doc))
                written.append(key)
            else:
                self.skip(
                    "documents",
                    key,
                    "stored with another text; kept as stored "
                    "(--replace loads the new text and moves its quotes onto it)",
                )
        return written

    def skip(self, table: str, record: str, why: str) -> None:
        self.skipped[table] += 1
        self.skipped_records.append((record, why))

    def resolve_documents(self, written: dict[str, Document]) -> dict[str, Document]:
        """Every document the plan names: those written, and those cited but already stored."""
        named = {
            o["document"] for rows in self.plan.offices.values() for o in rows if o["document"]
        }
        named |= {s["document"] for ev in self.plan.events.values() for s in ev.sources}
        missing = sorted(named - written.keys())
        found = dict(written)
        if missing:
            found.update(
                (doc.key, doc)
                for doc in self.session.scalars(select(Document).where(Document.key.in_(missing)))
            )
        absent = [key for key in missing if key not in found]
        if absent:
            raise LoadError(
                f"document '{absent[0]}' is cited but neither in this load nor in the database"
            )
        return found

    def write_offices(self, actors: Mapping[str, Actor]) -> None:
        for key, offices in self.plan.offices.items():
            self.sync(
                actors[key].offices,
                Office,
                [
                    {
                        **{k: v for k, v in office.items() if k not in ("source", "document")},
                        "external_source_id": self.source_id(office["source"]),
                        "document_id": self.documents[office["document"]].id
                        if office["document"]
                        else None,
                    }
                    for office in offices
                ],
                lambda row: (row.title, row.term_edtf),
            )

    def write_document_children(self, written: list[str], actors: Mapping[str, Actor]) -> None:
        aliases: dict[int, tuple[Actor, list[Row]]] = {}
        owned: set[int] = set()
        self.preload(
            Document,
            [self.documents[key] for key in written],
            Document.notes,
            Document.page_breaks,
            Document.readings,
            Document.actor_links,
        )
        self.preload(
            Actor,
            list({id(a): a for a in actors.values()}.values()),
            Actor.aliases,
            Actor.identifiers,
        )
        for key in written:
            doc, document = self.plan.documents[key], self.documents[key]
            if not doc.additive:
                owned.add(document.id)
            parent = ("document_id", document.id)
            self.sync(
                document.notes, DocumentNote, doc.notes, lambda row: row.number, parent=parent
            )
            self.sync(
                document.page_breaks,
                PageBreak,
                doc.page_breaks,
                lambda row: (row.char_start, row.page),
                parent=parent,
            )
            if not doc.additive:
                self.sync(
                    document.readings,
                    DocumentReading,
                    doc.readings,
                    lambda row: row.char_start,
                    parent=parent,
                )
            links = [{"actor_id": actors[a].id, "role": role} for a, role in doc.actors]
            wanted_links = {(row["actor_id"], row["role"]) for row in links}
            self.sync(
                document.actor_links,
                DocumentActor,
                links,
                lambda row: (row.actor_id, row.role),
                scope=lambda row, w=wanted_links, a=doc.additive: (
                    not a or (row.actor_id, row.role) in w
                ),
                parent=parent,
            )
            for mention in doc.mentions:
                actor = actors[mention["actor"]]
                aliases.setdefault(id(actor), (actor, []))[1].append(
                    {
                        "alias": mention["alias"],
                        "document_id": document.id,
                        "char_start": mention["char_start"],
                        "char_end": mention["char_end"],
                    }
                )
        for key in self.plan.actors:
            actor = actors[key]
            aliases.setdefault(id(actor), (actor, []))
        for actor, wanted in aliases.values():
            idents = {(row["alias"], row["document_id"]) for row in wanted}
            # The aliases this load's annotated documents own, and those it names again; the
            # rest belong to other loads.
            self.sync(
                actor.aliases,
                ActorAlias,
                wanted,
                lambda row: (row.alias, row.document_id),
                scope=lambda row, i=idents: (
                    row.document_id in owned or (row.alias, row.document_id) in i
                ),
                parent=("actor_id", actor.id),
            )
        self.insert_queued()

    def write_events(self, actors: Mapping[str, Actor], statutes: Mapping[str, Statute]) -> None:
        plan = self.plan
        for key, ev in plan.events.items():
            cited = {src["document"] for src in ev.sources}
            skipped = [d for d in cited if d in plan.documents and d not in self.written_keys]
            if skipped:
                self.skip("events", key, f"cites document '{skipped[0]}', which was kept as stored")
            else:
                self.events.add(key)
        events = self.upsert(
            Event,
            {
                k: self.stored(plan.events[k].values, "date")
                for k in plan.events
                if k in self.events
            },
        )
        self.preload(
            Event, list(events.values()), Event.actor_links, Event.statute_links, Event.sources
        )
        for key, obj in events.items():
            ev = plan.events[key]
            self.sync(
                obj.actor_links,
                EventActor,
                [
                    {
                        "actor_id": actors[a].id,
                        "role": role,
                        "position": n,
                        "identified_by": _identified_by(ev, "actor", a, role),
                    }
                    for n, (a, role) in enumerate(ev.actors)
                ],
                lambda row: (row.actor_id, row.role),
                parent=("event_id", obj.id),
            )
            self.sync(
                obj.statute_links,
                EventStatute,
                [
                    {
                        "statute_id": statutes[s].id,
                        "relation": rel,
                        "position": n,
                        "identified_by": _identified_by(ev, "statute", s, rel),
                    }
                    for n, (s, rel) in enumerate(ev.statutes)
                ],
                lambda row: (row.statute_id, row.relation),
                parent=("event_id", obj.id),
            )
            self.sync(
                obj.sources,
                EventSource,
                [
                    {
                        "document_id": self.documents[src["document"]].id,
                        "quote": src["quote"],
                        "char_start": src["char_start"],
                        "char_end": src["char_end"],
                        "position": n,
                    }
                    for n, src in enumerate(ev.sources)
                ],
                lambda row: (row.document_id, row.char_start, row.char_end),
                parent=("event_id", obj.id),
            )
        self.insert_queued()
