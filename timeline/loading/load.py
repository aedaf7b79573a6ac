"""Write a :class:`LoadPlan` in one transaction, and say what it did.

A second run of the same plan changes nothing and the summary says so; a failed run changes
nothing either (:class:`timeline.loading.writer.PlanWriter` writes the rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from timeline.db import Database
from timeline.loading.plan import LoadPlan
from timeline.loading.writer import PlanWriter
from timeline.planner_statistics import analyze_changed


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
    writer: PlanWriter | None = None
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
            writer = PlanWriter(session, plan, replace)
            writer.run()
            session.flush()
            inserted.update(writer.bulk_inserted)
            if dry_run:
                raise _DryRun
            analyze_changed(session.connection(), inserted + updated + deleted)
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
