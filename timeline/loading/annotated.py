"""`timeline load`: annotation files that name a stored document by key, checked against its text.

A file is the seed's annotation format with ``document = "KEY"`` in place of the ``[document]``
table, and its ``[[event]]`` entries (see docs/annotations.md). Every quote and date phrase is
found in the stored text and stored with its offsets; every actor, statute and source must be
stored already. All files are read and checked before anything is written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from timeline.db import Database
from timeline.description_rule import plan_warnings
from timeline.errors import SeedError
from timeline.loading.entries import Entry, load_toml
from timeline.loading.event_entry import read_events
from timeline.loading.load import LoadSummary, load_plan
from timeline.loading.plan import ActorMatch, DocumentPlan, LoadPlan, Row
from timeline.models import Actor, Document, ExternalSource, Statute

__all__ = ["LoadResult", "load_annotations"]


@dataclass(frozen=True)
class LoadResult:
    files: int
    documents: int
    summary: LoadSummary


class _Known:
    """What a file may name: the stored documents, actors, statutes and sources, by key."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.actors = {a.key: a for a in session.scalars(select(Actor))}
        self.statutes = {s.key: s for s in session.scalars(select(Statute))}
        self.sources = {s.key: s for s in session.scalars(select(ExternalSource))}
        self.documents: dict[str, DocumentPlan] = {}

    def checking_plan(self) -> LoadPlan:
        """A plan whose keys are the stored ones: the annotation reader checks names against it."""
        plan = LoadPlan()
        plan.actors = {key: {} for key in self.actors}
        plan.statutes = {key: {} for key in self.statutes}
        plan.sources = {key: {} for key in self.sources}
        return plan

    def document(self, key: str) -> DocumentPlan | None:
        """The stored document as the reader needs it: its text, date and footnote markers."""
        if key not in self.documents:
            stored = self.session.scalar(
                select(Document).where(Document.key == key).options(selectinload(Document.notes))
            )
            if stored is None:
                return None
            markers = tuple(
                sorted(
                    (n.marker_start, n.marker_end)
                    for n in stored.notes
                    if n.marker_start is not None and n.marker_end is not None
                )
            )
            self.documents[key] = DocumentPlan(
                key=key, values={"text": stored.text, "date": stored.date}, ignore=markers
            )
        return self.documents[key]


def _read_file(path: Path, known: _Known, checking: LoadPlan, events: dict[str, str]) -> str:
    """Check one file's entries into ``checking.events``; return its document's key."""
    name = path.name
    data = load_toml(path)
    top = Entry(data, name)
    top.check_fields({"document"}, {"event"})
    key = top.str("document")
    if not isinstance(key, str):
        raise top.fail("'document' must be a document's key")
    document = known.document(key)
    if document is None:
        raise top.fail(
            f"document '{key}' is not in the database ('timeline documents' lists the documents "
            "it holds)"
        )
    for entry, event in read_events(checking, document, top):
        if event.key in events:
            raise entry.fail(f"duplicate event key '{event.key}' (also in {events[event.key]})")
        events[event.key] = name
        checking.events[event.key] = event
    return key


def _stored_rows(known: _Known, plan: LoadPlan) -> None:
    """Put in ``plan`` the stored records its events name, with their stored values, so that
    writing them changes nothing: the writer links events to records of its plan."""
    actors = {a for ev in plan.events.values() for a, _ in ev.actors}
    statutes = {s for ev in plan.events.values() for s, _ in ev.statutes}
    for key in sorted(statutes):
        parent = known.statutes[key].parent
        if parent is not None:
            statutes.add(parent.key)
    sources = {ev.values["source"] for ev in plan.events.values() if ev.values["source"]}

    def source_key(source: ExternalSource | None) -> str | None:
        if source is not None:
            sources.add(source.key)
        return source.key if source is not None else None

    for key in sorted(actors):
        actor = known.actors[key]
        plan.actors[key] = {
            "name": actor.name,
            "sort_name": actor.sort_name,
            "kind": actor.kind,
            "frus_id": actor.frus_id,
            "description": actor.description,
            "source": source_key(actor.external_source),
        }
        # Found by name among the stored actors (itself); written under its key, unchanged, if
        # another actor shares the name.
        plan.matches[key] = ActorMatch(names=(actor.name,))
    columns = [c.name for c in Statute.__table__.columns]
    for key in sorted(statutes):
        statute = known.statutes[key]
        row: Row = {
            c: getattr(statute, c)
            for c in columns
            if c not in ("id", "key", "parent_id", "external_source_id")
        }
        row["parent"] = statute.parent.key if statute.parent is not None else None
        row["source"] = source_key(statute.external_source)
        plan.statutes[key] = row
    for key in sorted(sources):
        source = known.sources[key]
        plan.sources[key] = {"citation": source.citation, "url": source.url, "note": source.note}


def read_annotations(database: Database, paths: Sequence[Path]) -> tuple[LoadPlan, int]:
    """Check every file against the database; the plan to write, and how many documents."""
    events: dict[str, str] = {}
    with database.session() as session:
        known = _Known(session)
        checking = known.checking_plan()
        documents = {_read_file(path, known, checking, events) for path in paths}
        plan = LoadPlan(events=checking.events)
        _stored_rows(known, plan)
        names = {
            key: [actor.name, *(alias.alias for alias in actor.aliases)]
            for key, actor in known.actors.items()
        }
        plan.warnings.extend(plan_warnings(plan.events, names))
    return plan, len(documents)


def load_annotations(
    database: Database, paths: Iterable[Path], *, dry_run: bool = False
) -> LoadResult:
    """Load annotation files onto stored documents, all in one transaction or none."""
    files = list(paths)
    database.require_current()
    plan, documents = read_annotations(database, files)
    if not plan.events:
        raise SeedError(
            f"{files[0].name}: no [[event]] to load"
            if len(files) == 1
            else "the files hold no [[event]] to load"
        )
    summary = load_plan(database, plan, dry_run=dry_run)
    return LoadResult(files=len(files), documents=documents, summary=summary)
