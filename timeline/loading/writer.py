"""Write a :class:`LoadPlan`'s rows, matching them with the database's by their stable keys.

A plan document whose key the database holds with another text is kept as stored (and reported)
unless ``replace`` is given: then every quote, alias, reading and note tied to the old text is
moved onto the new one, or the whole load is refused. :mod:`timeline.loading.load` runs it in
one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline.errors import LoadError
from timeline.loading.plan import EventPlan, LoadPlan, Row
from timeline.loading.reconcile import Reconciler
from timeline.loading.replace import move_to_new_text
from timeline.loading.rows import RowWriter, assign
from timeline.models import (
    Actor,
    ActorAlias,
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


def _identified_by(event: EventPlan, target: str, key: str, word: str) -> str:
    return "editor" if (target, key, word) in event.editor_links else "text"


class PlanWriter(RowWriter):
    """Writes a plan's rows inside the caller's transaction (:func:`timeline.loading.load.load_plan`
    opens it, and builds the summary from what this counted)."""

    def __init__(self, session: Session, plan: LoadPlan, replace: bool) -> None:
        super().__init__(session)
        self.plan = plan
        self.replace = replace
        self.skipped: Counter[str] = Counter()
        self.skipped_records: list[tuple[str, str]] = []
        self.notices: list[str] = []
        self.events: set[str] = set()
        self.reconciler: Reconciler | None = None
        self.actor_count = 0

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
            assign(statutes[key], {"parent": statutes[row["parent"]] if row["parent"] else None})
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
